import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from prakerja.audit.services import SYSTEM
from prakerja.partners.models import PartnerKind
from prakerja.partners.services import PartnerError, partner_create


def validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(str(m) for m in messages)}"
                         for field, messages in exc.message_dict.items())
    return " ".join(str(m) for m in exc.messages)


class Command(BaseCommand):
    help = ('Create a partner (a digital platform or a training provider) and print its credentials as JSON: '
            '{"client_code": ..., "secret": ...}. The secret is shown this once; it is stored encrypted.')

    def add_arguments(self, parser):
        parser.add_argument("--type", required=True, choices=PartnerKind.values, dest="kind")
        parser.add_argument("--code", required=True, help="the client code (X-Client-Code)")
        parser.add_argument("--name", required=True)
        parser.add_argument("--group", default="", help="corporate group: listings between related partners "
                                                        "are a conflict of interest and need two approvers")
        parser.add_argument("--webhook-url", default="", help="platforms only: where card and payment changes "
                                                              "are sent")

    def handle(self, *args, kind, code, name, group, webhook_url, **options):
        if webhook_url and kind != PartnerKind.PLATFORM:
            raise CommandError("--webhook-url is for platforms only.")
        try:
            with transaction.atomic():
                credentials = partner_create(kind=kind, code=code, name=name, actor=SYSTEM, group=group,
                                             webhook_url=webhook_url)
        except PartnerError as refusal:
            raise CommandError(f"{refusal.code}: {refusal.message}") from None
        except ValidationError as exc:
            raise CommandError(validation_text(exc)) from None
        self.stdout.write(json.dumps({"client_code": credentials.client_code, "secret": credentials.secret}))

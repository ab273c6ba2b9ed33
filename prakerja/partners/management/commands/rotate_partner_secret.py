import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from prakerja.audit.services import SYSTEM
from prakerja.partners.models import Partner
from prakerja.partners.services import partner_secret_rotate


class Command(BaseCommand):
    help = ('Give a partner a new secret and print it as JSON: {"client_code": ..., "secret": ...}. '
            "The old secret keeps verifying for PARTNER_SECRET_GRACE_HOURS (24 by default).")

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="the partner's client code")

    def handle(self, *args, code, **options):
        partner = Partner.objects.filter(code=code).first()
        if partner is None:
            raise CommandError(f"No partner has the client code {code!r}.")
        with transaction.atomic():
            credentials = partner_secret_rotate(partner=partner, actor=SYSTEM)
        self.stdout.write(json.dumps({"client_code": credentials.client_code, "secret": credentials.secret}))

import getpass

from django.core.management.base import BaseCommand, CommandError

from prakerja.accounts.models import User
from prakerja.accounts.roles import ROLES
from prakerja.accounts.services import operator_create
from prakerja.audit.services import SYSTEM


class Command(BaseCommand):
    help = ("Create or update an operator (staff) account. The roles given replace the account's roles: "
            "run it again without --role administrator to demote an administrator.")

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--role", action="append", required=True, choices=sorted(ROLES),
                            help="repeat for several roles")
        parser.add_argument("--password", help="omit to be asked (the prompt does not echo); "
                                               "an existing account keeps its password when omitted")
        parser.add_argument("--reason", default="", help="written to the audit log")

    def handle(self, *args, email, name, role, password, reason, **options):
        exists = User.objects.filter(email__iexact=email.strip()).exists()
        if password is None and not exists:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        if password is not None and len(password) < 12:
            raise CommandError("An operator password needs at least 12 characters.")
        user = operator_create(actor=SYSTEM, email=email, full_name=name, roles=role, password=password,
                               reason=reason or "create_operator command")
        self.stdout.write(self.style.SUCCESS(
            f"Operator {user.email} ready with roles {', '.join(sorted(set(role)))}. "
            "At first sign-in they set up an authenticator app (TOTP)."))

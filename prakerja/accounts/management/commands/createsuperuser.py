from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    # Django's own command makes a superuser outside operator_set_access: no
    # administrator role, no audit row (OPS-4, issue 14 finding 6).
    help = "Refuses: use create_operator --role administrator."

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")
        parser.add_argument("--noinput", "--no-input", action="store_true")
        parser.add_argument("--email")
        parser.add_argument("--database")

    def handle(self, *args, **options):
        raise CommandError("Operators are created with: manage.py create_operator --email ... --name ... "
                           "--role administrator (audited, with the administrator role).")

from django.core.management.base import BaseCommand, CommandError

from prakerja.ledger.models import Account, Transaction
from prakerja.ledger.selectors import differences


class Command(BaseCommand):
    help = "Recompute every balance from the postings and report any difference (exit 1 if there is one)."

    def handle(self, *args, **options):
        found = differences()
        for line in found:
            self.stderr.write(line)
        if found:
            raise CommandError(f"ledger_check: {len(found)} difference(s) (at most 1000 of each kind listed)")
        self.stdout.write(f"ledger_check: clean ({Account.objects.count()} accounts, "
                          f"{Transaction.objects.count()} transactions)")

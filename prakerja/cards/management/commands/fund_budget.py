from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from prakerja.cards.services import CardError, budget_fund
from prakerja.ledger.services import LedgerError
from prakerja.programme.selectors import active_programme


class Command(BaseCommand):
    help = ("Record money the treasury gives the active programme's budget (CRD-3). The reference is the "
            "idempotency key: the same reference twice records once.")

    def add_arguments(self, parser):
        parser.add_argument("amount", type=int, help="whole rupiah")
        parser.add_argument("--reference", required=True, help="the treasury's reference (e.g. the SP2D number)")

    def handle(self, *args, amount, reference, **options):
        programme = active_programme()
        try:
            with transaction.atomic():
                row = budget_fund(programme=programme, amount=amount, key=f"fund:{reference}",
                                  actor="command:fund_budget")
        except (CardError, LedgerError) as refused:
            raise CommandError(f"{refused.code}: {refused.message}") from refused
        self.stdout.write(f"budget of {programme.name}: Rp{row.amount:,} recorded as {row.key}")

from contextlib import closing

from django.core.management.base import BaseCommand, CommandError

from prakerja.audit import chain
from prakerja.audit.models import AuditEntry

CHUNK = 2000


class Command(BaseCommand):
    help = ("Recompute each of the audit log's hash chains in id order. Exits non-zero at the first entry that "
            "was edited, deleted, inserted, re-ordered or moved to another chain, naming it; prints each chain's "
            "head hash to record elsewhere.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor", action="append", default=[], metavar="ROW_HASH",
            help="a head hash printed by an earlier run (repeat it for each chain's head); fails if no chain "
                 "reaches it any more, which is how a cut-off tail (the newest entries deleted) shows")

    def handle(self, *args, anchor: list[str], **options):
        rows = (AuditEntry.objects.order_by("chain", "id")
                .values_list("id", "chain", "prev_hash", "row_hash", *chain.FIELDS).iterator(chunk_size=CHUNK))
        # verify() stops at the first break: close the PostgreSQL server-side
        # cursor now, not when the generator is collected inside some later
        # transaction, which the failed close would then abort.
        with closing(rows):
            verdict = chain.verify(rows, anchors=anchor)
        if verdict.broken:
            raise CommandError(f"{verdict.broken} ({verdict.count} intact entries before it)")
        if verdict.anchors_missing:
            heads = ", ".join(f"chain {head.chain}: {head.row_hash}" for head in verdict.heads) or "none"
            raise CommandError(f"audit log cut short: no entry has the anchor hash "
                               f"{', '.join(verdict.anchors_missing)}; the chains now end at {heads} after "
                               f"{verdict.count} entries")
        self.stdout.write(f"audit log intact: {verdict.count} entries")
        for head in verdict.heads:
            self.stdout.write(f"head: id={head.id} row_hash={head.row_hash} (chain {head.chain})")

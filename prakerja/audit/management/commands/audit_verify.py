from contextlib import closing

from django.core.management.base import BaseCommand, CommandError

from prakerja.audit import chain
from prakerja.audit.models import AuditEntry

CHUNK = 2000


class Command(BaseCommand):
    help = ("Recompute the audit log's hash chain in id order. Exits non-zero at the first entry that was "
            "edited, deleted, inserted or re-ordered, naming it; prints the head hash to record elsewhere.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor", default="", metavar="ROW_HASH",
            help="a head hash printed by an earlier run; fails if the chain no longer reaches it, which is "
                 "how a cut-off tail (the newest entries deleted) shows")

    def handle(self, *args, anchor: str, **options):
        rows = (AuditEntry.objects.order_by("id")
                .values_list("id", "prev_hash", "row_hash", *chain.FIELDS).iterator(chunk_size=CHUNK))
        # verify() stops at the first break: close the PostgreSQL server-side
        # cursor now, not when the generator is collected inside some later
        # transaction, which the failed close would then abort.
        with closing(rows):
            verdict = chain.verify(rows, anchor=anchor)
        if verdict.broken:
            raise CommandError(f"{verdict.broken} ({verdict.count} intact entries before it)")
        if anchor and not verdict.anchor_found:
            raise CommandError(f"audit log cut short: no entry has the anchor hash {anchor}; "
                               f"the chain now ends at {verdict.head_hash} after {verdict.count} entries")
        self.stdout.write(f"audit log intact: {verdict.count} entries")
        self.stdout.write(f"head: id={verdict.head_id} row_hash={verdict.head_hash}")

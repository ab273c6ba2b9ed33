"""``manage.py rebuild_stats [--since YYYY-MM-DD] [--until YYYY-MM-DD]``: recount the statistics' daily counters."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from prakerja.stats.services import CHUNK_DAYS, stats_rebuild


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from exc


class Command(BaseCommand):
    help = ("Recount the statistics (OPS-3) from the domain tables for a range of WIB days, in chunks of "
            f"{CHUNK_DAYS} days, one transaction each; by default from the first registration to today.")

    def add_arguments(self, parser):
        parser.add_argument("--since", help="first day to recount (YYYY-MM-DD); default: the first registration")
        parser.add_argument("--until", help="last day to recount (YYYY-MM-DD); default: today (WIB)")
        parser.add_argument("--chunk-days", type=int, default=CHUNK_DAYS, help="days a transaction")

    def handle(self, *args, since=None, until=None, chunk_days=CHUNK_DAYS, **options):
        since, until = (_day(since) if since else None), (_day(until) if until else None)
        if since and until and until < since:
            raise CommandError("--until is before --since")
        if chunk_days < 1:
            raise CommandError("--chunk-days must be at least 1")

        def progress(first, last, count):
            if options["verbosity"] > 1:
                self.stdout.write(f"{first}..{last}: {count} rows")

        written = stats_rebuild(since=since, until=until, chunk_days=chunk_days, progress=progress)
        self.stdout.write(f"statistics recounted: {written} rows")

"""``manage.py verify_draw WAVE [--write draw.csv]``: recompute a wave's draw (SEL-4) from what is published.

The run decided the draw in SQL; this recomputes it in Python from the
revealed seed and the published rows (docs/verify_draw.py does the same from
the files alone, for anyone) and prints MATCH or the first difference.
"""

import csv
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError

from prakerja.selection.selectors import DRAW_COLUMNS, draw_rows
from prakerja.selection.sql import draw_key
from prakerja.waves.models import Wave


def recompute(seed: str, rows: list[list]) -> dict[str, str]:
    """pseudonym -> "passed" or "not_drawn", by the documented rule."""
    pools: dict[str, list] = defaultdict(list)
    quotas: dict[str, int] = {}
    for pseudonym, _province, pool, quota, priority, _result in rows:
        pools[pool].append((-int(priority), draw_key(seed, pseudonym), pseudonym))
        quotas[pool] = int(quota)
    outcome = {}
    for pool, entries in pools.items():
        for rank, (_p, _k, pseudonym) in enumerate(sorted(entries), start=1):
            outcome[pseudonym] = "passed" if rank <= quotas[pool] else "not_drawn"
    return outcome


class Command(BaseCommand):
    help = "Recompute a wave's draw from its revealed seed and published rows; print MATCH or the first difference."

    def add_arguments(self, parser):
        parser.add_argument("wave", type=int, help="the wave number")
        parser.add_argument("--write", metavar="PATH", help="also write the published CSV to PATH")

    def handle(self, *args, wave, write=None, **options):
        found = Wave.objects.filter(number=wave).first()
        if found is None:
            raise CommandError(f"no wave {wave}")
        if not found.seed:
            raise CommandError(f"wave {wave}: the seed is not revealed yet (it is, after the selection has run)")
        rows = list(draw_rows(wave=found))
        if write:
            with open(write, "w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(DRAW_COLUMNS)
                writer.writerows(rows)
        outcome = recompute(found.seed, rows)
        for line, row in enumerate(rows, start=2):
            if outcome[row[0]] != row[5]:
                raise CommandError(f"DIFFERENCE at line {line}: pseudonym {row[0]} published {row[5]}, "
                                   f"recomputed {outcome[row[0]]}")
        passed = sum(1 for row in rows if row[5] == "passed")
        self.stdout.write(f"MATCH: {len(rows)} applications in {len({r[2] for r in rows})} pools, {passed} passed")

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from prakerja.regions.loader import RegionFileError, read_rows
from prakerja.regions.services import RegionsInUse, regions_refresh


class Command(BaseCommand):
    help = ("Load a newer Kemendagri province/regency CSV (code,name,level): add new codes, rename changed "
            "names, remove codes nothing uses. Refuses, changing nothing, if a removed code is still in use.")

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True, type=Path, help="CSV with the columns code,name,level")
        parser.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")

    def handle(self, *args, file: Path, dry_run: bool, verbosity: int, **options):
        try:
            provinces, regencies = read_rows(file)
        except (OSError, UnicodeDecodeError, RegionFileError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        try:
            changes = regions_refresh(actor="system", provinces=provinces, regencies=regencies, dry_run=dry_run)
        except RegionsInUse as exc:
            raise CommandError(f"refusing to remove codes still in use: {', '.join(exc.codes)}; "
                               "nothing changed") from exc
        if verbosity >= 2:
            for label, codes in (("added", changes.added), ("renamed", changes.renamed),
                                 ("removed", changes.removed)):
                if codes:
                    self.stdout.write(f"{label}: {' '.join(codes)}")
        self.stdout.write(f"added {len(changes.added)}, renamed {len(changes.renamed)}, "
                          f"removed {len(changes.removed)}{' (dry run: nothing saved)' if dry_run else ''}")

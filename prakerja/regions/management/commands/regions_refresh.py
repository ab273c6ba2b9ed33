from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from prakerja.regions.loader import RegionFileError, apply, read_rows
from prakerja.regions.models import Province, Regency
from prakerja.regions.selectors import clear_cache


class _DryRun(Exception):
    pass


def _referenced(codes: list[str]) -> list[str]:
    """Regency codes that some other table still points at."""
    used = set()
    # include_hidden: profiles point here with related_name="+".
    relations = [f for f in Regency._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete]
    for relation in relations:
        used |= set(relation.related_model.objects.filter(**{f"{relation.field.name}__code__in": codes})
                    .values_list(f"{relation.field.name}__code", flat=True))
    return sorted(used)


class Command(BaseCommand):
    help = "Load a newer Kemendagri province/regency CSV (code,name,level): add, rename, remove unused codes."

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True, type=Path)
        parser.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")

    def handle(self, *args, file, dry_run, **options):
        try:
            provinces, regencies = read_rows(file)
        except (OSError, RegionFileError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        removed = list(Regency.objects.exclude(code__in=regencies).values_list("code", flat=True))
        in_use = _referenced(removed)
        if in_use:
            raise CommandError(f"refusing to remove regencies still in use: {', '.join(in_use)}; nothing changed")
        try:
            with transaction.atomic():
                changes = apply(Province, Regency, provinces, regencies)
                self.stdout.write(f"added {len(changes.added)}, renamed {len(changes.renamed)}, "
                                  f"removed {len(changes.removed)}{' (dry run: nothing saved)' if dry_run else ''}")
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        clear_cache()

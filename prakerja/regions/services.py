from django.db import models, transaction

from prakerja.audit.services import audit_record
from prakerja.regions import loader
from prakerja.regions.models import Province, Regency
from prakerja.regions.selectors import clear_cache


class RegionsInUse(Exception):
    """A refresh would remove codes that other rows still point at; ``codes`` lists them."""

    def __init__(self, codes: list[str]):
        super().__init__(f"still in use: {', '.join(codes)}")
        self.codes = codes


def _in_use(model: type[models.Model], rows: list[models.Model], *, leaving: set[int]) -> set[str]:
    """Codes among ``rows`` that any other table points at, found through the model's reverse relations.

    Reading the relations from ``_meta`` covers apps written after this one.
    ``include_hidden`` matters: profiles and waves point here with
    related_name="+", which ``_meta.related_objects`` leaves out. Deleting
    would otherwise fail on PROTECT, or worse, silently drop a wave's
    many-to-many eligibility rows. ``leaving`` are regency pks removed in the
    same refresh, which do not hold their province.
    """
    by_pk = {row.pk: row.code for row in rows}
    used: set[int] = set()
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        referrers = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": list(by_pk)})
        if relation.related_model is Regency:
            referrers = referrers.exclude(pk__in=leaving)
        used |= set(referrers.values_list(relation.field.name, flat=True))
    return {by_pk[pk] for pk in used if pk in by_pk}


@transaction.atomic
def regions_refresh(*, actor, provinces: dict[str, str], regencies: dict[str, str],
                    dry_run: bool = False) -> loader.Changes:
    """Bring the tables to a newer Kemendagri list; refuses, changing nothing, to remove a code in use.

    Rows to remove are locked first: on PostgreSQL a concurrent insert that
    references one of them waits for this transaction, then fails its
    foreign key, so no reference appears between the check and the delete.
    """
    leaving_regencies = list(Regency.objects.select_for_update().exclude(code__in=regencies).order_by("pk"))
    leaving_provinces = list(Province.objects.select_for_update().exclude(code__in=provinces).order_by("pk"))
    leaving = {r.pk for r in leaving_regencies}
    in_use = (_in_use(Regency, leaving_regencies, leaving=leaving)
              | _in_use(Province, leaving_provinces, leaving=leaving))
    if in_use:
        raise RegionsInUse(sorted(in_use))
    changes = loader.apply(Province, Regency, provinces, regencies)
    audit_record(actor=actor, action="regions.refresh", data={
        "added": changes.added, "renamed": changes.renamed, "removed": changes.removed})
    if dry_run:
        transaction.set_rollback(True)
    else:
        transaction.on_commit(clear_cache)
    return changes

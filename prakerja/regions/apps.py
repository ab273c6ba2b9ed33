from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_reference_data(sender, using="default", **kwargs):
    """Load the shipped list when the tables are empty (a new database, or after a
    flush, which Django follows with post_migrate). A refreshed list is never replaced."""
    from prakerja.regions.loader import DEFAULT_FILE, apply, read_rows
    from prakerja.regions.models import Province, Regency
    from prakerja.regions.selectors import clear_cache

    if not Regency.objects.using(using).exists():
        apply(Province, Regency, *read_rows(DEFAULT_FILE))
    clear_cache()


class RegionsConfig(AppConfig):
    name = "prakerja.regions"

    def ready(self):
        post_migrate.connect(ensure_reference_data, sender=self, dispatch_uid="regions-reference-data")

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_reference_data(sender, using="default", **kwargs):
    """Load the shipped list when the tables are empty (a new database, or after a
    flush, which Django follows with post_migrate). A refreshed list is never replaced."""
    from django.db import connections, transaction

    from prakerja.regions.loader import DEFAULT_FILE, apply, read_rows
    from prakerja.regions.models import Province, Regency
    from prakerja.regions.selectors import clear_cache

    # post_migrate is sent to every app, also after "migrate <other app>" on a
    # database where this app's tables do not exist yet.
    if Regency._meta.db_table not in connections[using].introspection.table_names():
        return
    if not Regency.objects.using(using).exists():
        with transaction.atomic(using=using):
            apply(Province, Regency, *read_rows(DEFAULT_FILE))
    clear_cache()


class RegionsConfig(AppConfig):
    name = "prakerja.regions"
    verbose_name = _("Regions")

    def ready(self):
        post_migrate.connect(ensure_reference_data, sender=self, dispatch_uid="regions-reference-data")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "prakerja.catalog"
    verbose_name = _("Catalogue")

    def ready(self):
        from prakerja.catalog import receivers  # noqa: F401

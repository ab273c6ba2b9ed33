from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "prakerja.complaints"
    verbose_name = _("Complaints")

    def ready(self):
        from prakerja.complaints import receivers  # noqa: F401  (auto-tickets for held completions)

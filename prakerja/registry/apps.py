from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_seed(sender, using="default", **kwargs):
    """The statement and the question bank exist on a new database and after a flush."""
    import importlib

    from django.apps import apps

    importlib.import_module("prakerja.registry.migrations.0002_seed_statement_and_questions").seed(apps, None)


class RegistryConfig(AppConfig):
    name = "prakerja.registry"
    verbose_name = _("Registration")

    def ready(self):
        post_migrate.connect(ensure_seed, sender=self, dispatch_uid="registry-seed")

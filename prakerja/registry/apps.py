from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_seed(sender, using="default", **kwargs):
    """The statement and the question bank exist on a new database and after a flush."""
    import importlib

    from django.apps import apps

    importlib.import_module("prakerja.registry.migrations.0002_seed_statement_and_questions").seed(apps, None)


class RegistryConfig(AppConfig):
    name = "prakerja.registry"

    def ready(self):
        post_migrate.connect(ensure_seed, sender=self, dispatch_uid="registry-seed")

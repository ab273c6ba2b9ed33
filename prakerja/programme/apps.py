from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_presets(sender, using="default", **kwargs):
    """The two presets exist on a new database and after a flush (never overwritten)."""
    import importlib

    from django.apps import apps

    from prakerja.programme.models import Programme

    if not Programme.objects.using(using).exists():
        importlib.import_module("prakerja.programme.migrations.0002_presets").create(apps, None)


class ProgrammeConfig(AppConfig):
    name = "prakerja.programme"

    def ready(self):
        post_migrate.connect(ensure_presets, sender=self, dispatch_uid="programme-presets")

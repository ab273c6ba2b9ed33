from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_consent(sender, using="default", **kwargs):
    import importlib

    from django.apps import apps

    importlib.import_module("prakerja.waves.migrations.0002_consent_and_switches").seed(apps, None)


class WavesConfig(AppConfig):
    name = "prakerja.waves"

    def ready(self):
        post_migrate.connect(ensure_consent, sender=self, dispatch_uid="waves-consent")

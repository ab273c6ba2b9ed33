from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_presets(sender, using="default", **kwargs):
    """The two presets exist on a new database and after a flush (never overwritten)."""
    import importlib

    from django.apps import apps
    from django.db import connections

    from prakerja.programme.models import Programme

    # post_migrate is sent to every app, also after "migrate <other app>" on a
    # database where this app's table does not exist yet.
    if Programme._meta.db_table not in connections[using].introspection.table_names():
        return
    if not Programme.objects.using(using).exists():
        importlib.import_module("prakerja.programme.migrations.0002_presets").create(apps, None)


def ensure_switches(sender, using="default", **kwargs):
    """The switches row exists on a new database and after a flush: the admin cannot add it."""
    from django.db import connections

    from prakerja.programme.models import Switches

    if Switches._meta.db_table not in connections[using].introspection.table_names():
        return
    Switches.objects.using(using).get_or_create(pk=1)


class ProgrammeConfig(AppConfig):
    name = "prakerja.programme"
    verbose_name = _("Programme")

    def ready(self):
        post_migrate.connect(ensure_presets, sender=self, dispatch_uid="programme-presets")
        post_migrate.connect(ensure_switches, sender=self, dispatch_uid="programme-switches")

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_lists(sender, using="default", **kwargs):
    """The lists of SEL-2 and SEL-4 always exist (also after a test flush), empty until imported."""
    import importlib

    from prakerja.selection.models import NikList, PriorityStatus

    seeded = importlib.import_module("prakerja.selection.migrations.0002_lists")
    for code, name, kind, social in seeded.LISTS:
        NikList.objects.using(using).get_or_create(code=code, defaults={"name": name, "kind": kind,
                                                                        "social_assistance": social})
    PriorityStatus.objects.using(using).get_or_create(employment_status="laid_off")


class SelectionConfig(AppConfig):
    name = "prakerja.selection"
    verbose_name = _("Selection")

    def ready(self):
        from prakerja.selection import sql

        sql.register_sqlite_functions()
        post_migrate.connect(ensure_lists, sender=self, dispatch_uid="selection-lists")

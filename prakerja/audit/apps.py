from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_append_only(sender, using="default", **kwargs):
    """Put the SQLite triggers back after a flush (Django sends post_migrate
    after one), which on SQLite needs the DELETE trigger lifted. PostgreSQL
    flushes with TRUNCATE, which row triggers ignore, so its trigger stays."""
    from django.db import connections

    from prakerja.audit.triggers import SQLITE_UP

    connection = connections[using]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for sql in SQLITE_UP:
                cursor.execute(sql)


class AuditConfig(AppConfig):
    name = "prakerja.audit"
    verbose_name = _("Audit log")

    def ready(self):
        post_migrate.connect(ensure_append_only, sender=self, dispatch_uid="audit-append-only")

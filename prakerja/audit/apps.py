from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_append_only(sender, using="default", **kwargs):
    """Put the triggers back after a flush, which Django follows with
    post_migrate. A flush needs one of them lifted (prakerja.audit.triggers
    ALLOW_FLUSH): the DELETE trigger on SQLite, the TRUNCATE trigger on
    PostgreSQL."""
    from django.db import connections

    from prakerja.audit import triggers
    from prakerja.audit.models import AuditEntry

    connection = connections[using]
    # post_migrate also follows "migrate audit zero", which leaves no table.
    if AuditEntry._meta.db_table in connection.introspection.table_names():
        triggers.install(connection)


class AuditConfig(AppConfig):
    name = "prakerja.audit"
    verbose_name = _("Audit log")

    def ready(self):
        post_migrate.connect(ensure_append_only, sender=self, dispatch_uid="audit-append-only")

"""Migration 0003 chains the entries a live database already holds."""

import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from prakerja.audit.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("audit", "0002_append_only")


def test_existing_entries_are_chained_in_id_order(operator):
    executor = MigrationExecutor(connection)
    leaf = executor.loader.graph.leaf_nodes("audit")
    executor.migrate([BEFORE])
    try:
        executor.loader.build_graph()
        old = executor.loader.project_state(BEFORE).apps.get_model("audit", "AuditEntry")
        for n, data in enumerate([{"n": 1}, {"big": 1e20, "pair": [1, 2]}, {}]):
            old.objects.create(actor_label="system", action=f"before.{n}", reason="written by the old release",
                               data=data)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaf)
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert f"audit log intact: {AuditEntry.objects.count()} entries" in out.getvalue()
    entries = list(AuditEntry.objects.order_by("id"))
    assert [e.action for e in entries][-3:] == ["before.0", "before.1", "before.2"]
    assert all(later.prev_hash == earlier.row_hash for earlier, later in zip(entries, entries[1:], strict=False))
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        AuditEntry.objects.filter(action="before.1").update(reason="rewritten")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditentry")

"""PostgreSQL: fewer index entries for each audit row (every audited action; the card debit's is the hottest).

- the ``varchar_pattern_ops`` twin Django makes beside the index on
  ``action``: the log is filtered by whole actions (equality, ``IN``), and
  the admin's search (``icontains``, UPPER ... LIKE '%x%') cannot use it;
- the index on ``actor`` only over rows that have one: a partner's or the
  system's row (most rows: every purchase) has none, and each used to add a
  NULL entry. A lookup by actor (``actor_id = x``) implies the condition, so
  the planner uses the partial index.

A later migration that alters these fields makes Django create the full
indexes again; repeat this after such a change.
"""

from django.db import migrations

TWIN = "audit_auditentry_action_dee621eb_like"
ACTOR = "audit_auditentry_actor_id_8ab278be"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {TWIN}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {ACTOR}")
    schema_editor.execute(f"CREATE INDEX {ACTOR} ON audit_auditentry (actor_id) WHERE actor_id IS NOT NULL")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {TWIN} ON audit_auditentry (action varchar_pattern_ops)")
    schema_editor.execute(f"DROP INDEX IF EXISTS {ACTOR}")
    schema_editor.execute(f"CREATE INDEX {ACTOR} ON audit_auditentry (actor_id)")


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_append_function")]

    operations = [migrations.RunPython(forward, backward)]

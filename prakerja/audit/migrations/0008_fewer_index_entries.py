"""PostgreSQL: fewer index entries for each audit row (every audited action; the card debit's is the hottest).

- the ``varchar_pattern_ops`` twin Django makes beside the index on
  ``action``: the log is filtered by whole actions (equality, ``IN``), and
  the admin's search (``icontains``, UPPER ... LIKE '%x%') cannot use it;
- the index on ``actor`` only over rows that have one: a partner's or the
  system's row (most rows: every purchase) has none, and each used to add a
  NULL entry. A lookup by actor (``actor_id = x``) implies the condition, so
  the planner uses the partial index.

CONCURRENTLY (``core.db.swap_index_concurrently``), as in 0005 and 0006: the log is the largest table and every
audited action writes to it. The partial index is built beside the full one
and takes its name, so lookups by actor always have one. A later migration
that alters these fields makes Django create the full indexes again; repeat
this after such a change.
"""

from django.db import migrations

from prakerja.core.db import swap_index_concurrently as swap_index

TWIN = "audit_auditentry_action_dee621eb_like"
ACTOR = "audit_auditentry_actor_id_8ab278be"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {TWIN}")
    swap_index(schema_editor, name=ACTOR, table="audit_auditentry", column="actor_id", partial=True)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {TWIN} ON audit_auditentry "
                          "(action varchar_pattern_ops)")
    swap_index(schema_editor, name=ACTOR, table="audit_auditentry", column="actor_id", partial=False)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("audit", "0007_append_function")]

    operations = [migrations.RunPython(forward, backward)]

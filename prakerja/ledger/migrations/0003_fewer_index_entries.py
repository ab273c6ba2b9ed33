"""PostgreSQL: fewer index entries for each card debit (issue 17, bench/cards.py).

- the ``varchar_pattern_ops`` twins Django makes beside the unique
  ``Transaction.key`` and ``Account.code``: nobody searches an idempotency
  key or an account code by prefix (the ledger looks keys up by equality,
  which the unique index serves; the admin's search is an exact match);
- the index on ``Transaction.refund_of`` only over refunds: a purchase, a
  credit or a forfeit has none, and each used to add a NULL entry. A lookup
  of a purchase's refunds (``refund_of_id = x``) implies the condition, so
  the planner uses the partial index.

CONCURRENTLY (``core.db.swap_index_concurrently``, as the audit log's 0008): every
purchase writes to these tables. A later migration that alters these fields
makes Django create the full indexes again; repeat this after such a change.
"""

from django.db import migrations

from prakerja.core.db import swap_index_concurrently as swap_index

TWINS = {"ledger_transaction_key_70016b4e_like": "ledger_transaction (key varchar_pattern_ops)",
         "ledger_account_code_e0a3af95_like": "ledger_account (code varchar_pattern_ops)"}
REFUNDS = "ledger_transaction_refund_of_id_a8682648"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TWINS:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
    swap_index(schema_editor, name=REFUNDS, table="ledger_transaction", column="refund_of_id", partial=True)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in TWINS.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")
    swap_index(schema_editor, name=REFUNDS, table="ledger_transaction", column="refund_of_id", partial=False)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("ledger", "0002_indonesian_labels")]

    operations = [migrations.RunPython(forward, backward)]

"""Issues 17 and 18: a debit and a purchase write no index entry that nothing reads (ledger 0003, audit 0008,
learning 0006, notifications 0006; PostgreSQL).

Django makes a ``varchar_pattern_ops`` twin beside every unique or indexed
``CharField`` and indexes a nullable foreign key's NULLs; these are gone
where nobody searches by prefix and most rows have no value. Lookups by
value still find their index.
"""

import pytest
from django.db import IntegrityError, connection, transaction

from prakerja.ledger.models import Account, AccountKind

GONE = ["ledger_transaction_key_70016b4e_like", "ledger_account_code_e0a3af95_like",
        "audit_auditentry_action_dee621eb_like", "cards_card_number_index_89c6b8d1_like", "ledger_account_code_key",
        "learning_payment_voucher_code_5944fa1d_like", "learning_payment_redeem_code_71eb8552_like",
        "notifications_message_user_id_89f939e6"]
PARTIAL = {"ledger_transaction_refund_of_id_a8682648": "WHERE (refund_of_id IS NOT NULL)",
           "audit_auditentry_actor_id_8ab278be": "WHERE (actor_id IS NOT NULL)",
           "ledger_account_code_unique": "WHERE (code IS NOT NULL)"}


def test_a_shared_account_code_is_still_unique(db):
    Account.objects.create(kind=AccountKind.SETTLEMENT, code="settlement:tokopedia")
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(kind=AccountKind.BUDGET, code="settlement:tokopedia")
    Account.objects.bulk_create([Account(kind=AccountKind.CARD), Account(kind=AccountKind.CARD)])
    assert Account.objects.filter(code__isnull=True).count() == 2


def _indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        return dict(cursor.fetchall())


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_no_prefix_twins_and_no_null_entries(db, postgres_only):
    indexes = _indexes()
    assert [name for name in GONE if name in indexes] == []
    for name, condition in PARTIAL.items():
        assert indexes[name].endswith(condition), indexes[name]


@pytest.mark.parametrize("sql, index", [
    ("SELECT * FROM ledger_transaction WHERE refund_of_id = 7", "ledger_transaction_refund_of_id_a8682648"),
    ("SELECT * FROM audit_auditentry WHERE actor_id = 7", "audit_auditentry_actor_id_8ab278be"),
    ("SELECT * FROM ledger_transaction WHERE key = 'buy-1'", "ledger_transaction_key_key"),
    ("SELECT * FROM ledger_account WHERE code = 'forfeit'", "ledger_account_code_unique"),
    ("SELECT * FROM learning_payment WHERE voucher_code = 'V'", "learning_payment_voucher_code_key"),
    ("SELECT * FROM learning_payment WHERE redeem_code = 'R'", "learning_payment_redeem_code_key"),
    ("SELECT * FROM notifications_message WHERE user_id = 7", "notif_inbox_idx"),
])
def test_a_lookup_by_value_still_uses_its_index(db, postgres_only, sql, index):
    assert index in _plan(sql)

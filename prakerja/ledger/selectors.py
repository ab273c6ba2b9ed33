from django.db import connection
from django.db.models import Sum

from prakerja.ledger.models import Account, BalanceShard


def balance_of(account: Account) -> int:
    if account.is_card:
        return Account.objects.values_list("balance", flat=True).get(pk=account.pk)
    return BalanceShard.objects.filter(account=account).aggregate(total=Sum("balance"))["total"] or 0


def shared_balances() -> dict[str, int]:
    """Each shared account's balance by code (a handful of rows)."""
    rows = (BalanceShard.objects.values("account__code").annotate(total=Sum("balance")).order_by("account__code"))
    return {row["account__code"]: row["total"] for row in rows}


def differences() -> list[str]:
    """Every way the stored books disagree with the postings; empty when they agree (``ledger_check``).

    Four set-based queries, whatever the size of the ledger.
    """
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, a.balance, COALESCE(p.total, 0) FROM ledger_account a LEFT JOIN "
            "(SELECT account_id, SUM(amount) AS total FROM ledger_posting GROUP BY account_id) p "
            "ON p.account_id = a.id WHERE a.kind = 'card' AND (a.balance <> COALESCE(p.total, 0) OR a.balance < 0) "
            "ORDER BY a.id LIMIT 1000")
        found += [f"card account {pk}: stored balance {stored}, postings sum to {posted}"
                  for pk, stored, posted in cursor.fetchall()]
        cursor.execute(
            "SELECT a.code, COALESCE(s.total, 0), COALESCE(p.total, 0) FROM ledger_account a LEFT JOIN "
            "(SELECT account_id, SUM(balance) AS total FROM ledger_balanceshard GROUP BY account_id) s "
            "ON s.account_id = a.id LEFT JOIN "
            "(SELECT account_id, SUM(amount) AS total FROM ledger_posting GROUP BY account_id) p "
            "ON p.account_id = a.id WHERE a.kind <> 'card' AND COALESCE(s.total, 0) <> COALESCE(p.total, 0) "
            "ORDER BY a.code")
        found += [f"account {code}: stored balance {stored}, postings sum to {posted}"
                  for code, stored, posted in cursor.fetchall()]
        cursor.execute(
            "SELECT t.key, COALESCE(SUM(p.amount), 0), COUNT(p.id), "
            "COALESCE(SUM(CASE WHEN p.amount > 0 THEN p.amount ELSE 0 END), 0), t.amount "
            "FROM ledger_transaction t LEFT JOIN ledger_posting p ON p.transaction_id = t.id "
            "GROUP BY t.id, t.key, t.amount HAVING COALESCE(SUM(p.amount), 0) <> 0 OR COUNT(p.id) < 2 "
            "OR COALESCE(SUM(CASE WHEN p.amount > 0 THEN p.amount ELSE 0 END), 0) <> t.amount "
            "ORDER BY t.id LIMIT 1000")
        found += [f"transaction {key}: {count} postings summing to {total}, moving {moved} of {amount}"
                  for key, total, count, moved, amount in cursor.fetchall()]
        cursor.execute("SELECT COALESCE(SUM(amount), 0) FROM ledger_posting")
        total = cursor.fetchone()[0]
        if total != 0:
            found.append(f"all postings sum to {total}, not 0")
    return found

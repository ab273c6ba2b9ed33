"""Posting to the ledger. Composable: every function runs inside the caller's transaction.

The callers (``prakerja.cards.services``) audit what they post; the ledger
itself only guarantees the books: balanced transactions, idempotency keys,
and no card below zero.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.core.errors import DomainError
from prakerja.ledger.models import SHARDS, Account, AccountKind, Posting, Transaction, TransactionKind


class LedgerError(DomainError):
    pass


@dataclass(frozen=True)
class Leg:
    account: Account
    amount: int


def _label(actor) -> str:
    if actor is None or isinstance(actor, str):
        return (actor or "system")[:200]
    return actor.email[:200]


def fingerprint(kind: str, legs: Iterable[tuple[int, int]]) -> str:
    body = kind + "|" + ",".join(f"{account}:{amount}" for account, amount in sorted(legs))
    return hashlib.sha256(body.encode()).hexdigest()


def _check_amount(amount) -> int:
    # bool is an int in Python; a float or a Decimal is never money here.
    if type(amount) is not int:
        raise LedgerError("amount_invalid", _("The amount must be a whole number of rupiah."))
    return amount


def _claim_key(*, key: str, kind: str, amount: int, print_: str, actor, memo: str, now,
               refund_of: Transaction | None = None) -> Transaction | None:
    """Insert the transaction row, or return None if the key is already posted with the same content.

    On PostgreSQL a second writer of the same key waits on the unique index
    until the first commits, then sees its row; if the first rolled back, the
    second goes ahead.
    """
    if not key or len(key) > 120:
        raise LedgerError("key_invalid", _("Every ledger transaction needs a key of at most 120 characters."))
    row = Transaction(key=key, kind=kind, amount=amount, fingerprint=print_, actor_label=_label(actor),
                      memo=memo[:200], refund_of=refund_of, created_at=now)
    try:
        with transaction.atomic():
            row.save(force_insert=True)
        return row
    except IntegrityError:
        existing = Transaction.objects.filter(key=key).values_list("fingerprint", flat=True).first()
        if existing is None:  # the conflict was something else
            raise
        if existing != print_:
            raise LedgerError("key_reused", _("This transaction key was already used for a different movement."),
                              ) from None
        return None


def _apply_card(account_id: int, amount: int) -> None:
    with connection.cursor() as cursor:
        # One statement that checks and moves: under concurrent debits
        # PostgreSQL re-reads the row after the other writer commits and
        # evaluates the condition again (READ COMMITTED), so two debits
        # never both spend the same rupiah. The check constraint is the net
        # below this net.
        cursor.execute("UPDATE ledger_account SET balance = balance + %s "
                       "WHERE id = %s AND kind = 'card' AND balance + %s >= 0", [amount, account_id, amount])
        if cursor.rowcount != 1:
            raise LedgerError("insufficient_balance", _("The card balance is not enough for this amount."))


def _apply_shared(account_id: int, amount: int, key: str) -> None:
    # The shard is chosen from the key, so a retry lands where the first try did.
    shard = int(hashlib.blake2b(key.encode(), digest_size=2).hexdigest(), 16) % SHARDS
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_balanceshard (account_id, shard, balance) VALUES (%s, %s, %s) "
            "ON CONFLICT (account_id, shard) DO UPDATE SET balance = ledger_balanceshard.balance + excluded.balance",
            [account_id, shard, amount])


def ledger_post(*, key: str, kind: str, legs: list[Leg], actor, memo: str = "", now=None,
                refund_of: Transaction | None = None) -> tuple[Transaction, bool]:
    """Post one balanced transaction; returns (transaction, posted now?).

    The same key with the same legs returns the earlier transaction and posts
    nothing. Raises ``LedgerError``: ``unbalanced``, ``amount_invalid``,
    ``key_reused`` or ``insufficient_balance`` (nothing is written then).
    """
    if len(legs) < 2:
        raise LedgerError("unbalanced", _("A ledger transaction needs at least two postings."))
    amounts = [_check_amount(leg.amount) for leg in legs]
    if any(amount == 0 for amount in amounts) or sum(amounts) != 0:
        raise LedgerError("unbalanced", _("The postings of a ledger transaction must be non-zero and sum to zero."))
    if len({leg.account.pk for leg in legs}) != len(legs):
        raise LedgerError("unbalanced", _("Each account may appear once in a ledger transaction."))
    print_ = fingerprint(kind, [(leg.account.pk, leg.amount) for leg in legs])
    with transaction.atomic():
        row = _claim_key(key=key, kind=kind, amount=sum(a for a in amounts if a > 0), print_=print_, actor=actor,
                         memo=memo, now=now or timezone.now(), refund_of=refund_of)
        if row is None:
            return Transaction.objects.get(key=key), False
        # Rows are locked in primary-key order, so two transactions over the
        # same accounts never wait on each other in a circle.
        for leg in sorted(legs, key=lambda leg: leg.account.pk):
            if leg.account.is_card:
                _apply_card(leg.account.pk, leg.amount)
            else:
                _apply_shared(leg.account.pk, leg.amount, key)
        Posting.objects.bulk_create([Posting(transaction=row, account=leg.account, amount=leg.amount) for leg in legs])
    return row, True


def ledger_credit_cards(*, key: str, source: Account, amount_each: int, account_ids: list[int], actor,
                        memo: str = "", now=None) -> Transaction | None:
    """One transaction crediting many card accounts the same amount from ``source`` (a batch job's chunk).

    The caller picks ``account_ids`` so that each card is credited once (it
    marks them in the same transaction); the key makes the chunk itself
    idempotent. Returns None when the key was already posted.
    """
    amount_each = _check_amount(amount_each)
    if amount_each <= 0 or not account_ids or source.is_card:
        raise LedgerError("amount_invalid", _("A batch credit needs a positive amount and at least one card."))
    total = amount_each * len(account_ids)
    legs = [(source.pk, -total), *((account_id, amount_each) for account_id in account_ids)]
    if len(set(account_ids)) != len(account_ids):
        raise LedgerError("unbalanced", _("Each account may appear once in a ledger transaction."))
    print_ = fingerprint(TransactionKind.CREDIT, legs)
    with transaction.atomic():
        row = _claim_key(key=key, kind=TransactionKind.CREDIT, amount=total, print_=print_, actor=actor, memo=memo,
                         now=now or timezone.now())
        if row is None:
            return None
        _apply_shared(source.pk, -total, key)
        ids = sorted(account_ids)
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 5000):
                part = ids[start:start + 5000]
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(f"UPDATE ledger_account SET balance = balance + %s "  # noqa: S608  # nosec B608
                               f"WHERE kind = 'card' AND id IN ({marks})", [amount_each, *part])
                if cursor.rowcount != len(part):
                    raise LedgerError("unbalanced", _("A batch credit names an account that is not a card."))
        Posting.objects.bulk_create([Posting(transaction=row, account_id=source.pk, amount=-total)]
                                    + [Posting(transaction=row, account_id=account_id, amount=amount_each)
                                       for account_id in ids], batch_size=5000)
    return row


def shared_account(code: str, kind: str) -> Account:
    """The shared account with this code, made on first use."""
    if kind == AccountKind.CARD:
        raise ValueError("card accounts have no code")
    account = Account.objects.filter(code=code).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(code=code, kind=kind)
        except IntegrityError:
            account = Account.objects.get(code=code)
    return account



def ledger_sweep_cards(*, key: str, kind: str, target: Account, account_ids: list[int], actor, memo: str = "",
                       now=None) -> Transaction | None:
    """One transaction moving the whole balance of each listed card account into ``target`` (revocation, expiry).

    The balances are read under row locks in id order, so a purchase in
    flight either commits before (and the sweep takes what is left) or waits
    and then finds nothing to spend. Cards already at zero get no posting;
    if all are at zero there is no transaction and None is returned.
    """
    if target.is_card or not account_ids:
        raise LedgerError("amount_invalid", _("A sweep needs a shared target account and at least one card."))
    ids = sorted(set(account_ids))
    with transaction.atomic():
        balances = []
        for start in range(0, len(ids), 5000):
            balances += list(Account.objects.select_for_update()
                             .filter(pk__in=ids[start:start + 5000], kind=AccountKind.CARD, balance__gt=0)
                             .order_by("pk").values_list("pk", "balance"))
        if not balances:
            return None
        total = sum(balance for _pk, balance in balances)
        legs = [(target.pk, total), *((pk, -balance) for pk, balance in balances)]
        row = _claim_key(key=key, kind=kind, amount=total, print_=fingerprint(kind, legs), actor=actor, memo=memo,
                         now=now or timezone.now())
        if row is None:
            return None
        _apply_shared(target.pk, total, key)
        with connection.cursor() as cursor:
            for start in range(0, len(balances), 5000):
                part = [pk for pk, _balance in balances[start:start + 5000]]
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(f"UPDATE ledger_account SET balance = 0 "  # noqa: S608  # nosec B608
                               f"WHERE kind = 'card' AND id IN ({marks})", part)
        Posting.objects.bulk_create([Posting(transaction=row, account_id=target.pk, amount=total)]
                                    + [Posting(transaction=row, account_id=pk, amount=-balance)
                                       for pk, balance in balances], batch_size=5000)
    return row

"""Money on a card (CRD-3, CRD-4): credit, debit, refund, forfeit. Each audited, each inside the caller's transaction.

Every amount is integer rupiah and every call carries an idempotency key
(``key``): the same key twice moves money once, the same key with another
amount or card is refused (``LedgerError("key_reused")``).
"""

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.audit.services import APPEND_CALL, APPEND_COLUMNS, audit_appended, audit_pending, audit_record
from prakerja.cards.models import Card, CardStatus
from prakerja.core.errors import DomainError
from prakerja.ledger.models import Account, AccountKind, Transaction, TransactionKind
from prakerja.ledger.services import LedgerError, Leg, ledger_post, ledger_spend_card, shared_account


class CardError(DomainError):
    pass


TREASURY, FORFEIT = "treasury", "forfeit"


def budget_code(programme) -> str:
    return f"budget:{programme.preset}"


def budget_account(programme) -> Account:
    return shared_account(budget_code(programme), AccountKind.BUDGET)


def settlement_account(platform: str) -> Account:
    return shared_account(f"settlement:{platform}", AccountKind.SETTLEMENT)


def forfeit_account() -> Account:
    return shared_account(FORFEIT, AccountKind.FORFEIT)


def _positive(amount) -> int:
    if type(amount) is not int or amount <= 0:
        raise CardError("amount_invalid", _("The amount must be a whole number of rupiah above zero."))
    return amount


def budget_fund(*, programme, amount: int, key: str, actor) -> Transaction:
    """The treasury funds the programme budget (the demo and operators do this before issuance)."""
    with transaction.atomic():
        row, posted = ledger_post(key=key, kind=TransactionKind.FUND, actor=actor, legs=[
            Leg(shared_account(TREASURY, AccountKind.TREASURY), -_positive(amount)),
            Leg(budget_account(programme), amount)])
        if posted:
            audit_record(actor=actor, action="ledger.budget_fund", target=programme,
                         data={"key": key, "amount": amount})
    return row


def card_credit(*, card: Card, amount: int, key: str, actor) -> Transaction:
    """Credit one card from its programme's budget (the batch job credits chunks; this is for one card)."""
    with transaction.atomic():
        if card.status != CardStatus.ACTIVE:
            raise CardError("card_inactive", _("This card is no longer active."))
        row, posted = ledger_post(key=key, kind=TransactionKind.CREDIT, actor=actor, legs=[
            Leg(budget_account(card.programme), -_positive(amount)), Leg(card.account, amount)])
        if posted:
            audit_record(actor=actor, action="card.credit", target=card, data={"key": key, "amount": amount})
    return row


def card_debit(*, card: Card, amount: int, key: str, actor, platform: str, now=None) -> Transaction:
    """Pay for a training at a partner platform (CRD-4): the card pays, the platform's settlement account receives.

    Refused when the videos are not all watched (CRD-2), the card is not
    active, the first-purchase deadline has passed without a purchase
    (CRD-5), the programme's balances have expired (CRD-6), or the balance
    is short. The first debit records the first purchase, which stops the
    revocation. A replay (the same key) answers with the first debit.

    Uses ``card.user`` and ``card.programme`` (load them with the card). On
    PostgreSQL a refusal writes nothing and sets no savepoint: inside the
    caller's transaction it leaves the caller's work as it was.
    """
    amount = _positive(amount)
    now = now or timezone.now()
    if connection.vendor != "postgresql":
        from prakerja.induction.selectors import induction_complete

        return _debit_rows(card=card, amount=amount, key=key, actor=actor, platform=platform, now=now,
                           induction_complete=induction_complete)
    if transaction.get_connection().in_atomic_block:
        return _debit_statement(card=card, amount=amount, key=key, actor=actor, platform=platform, now=now)
    with transaction.atomic():
        return _debit_statement(card=card, amount=amount, key=key, actor=actor, platform=platform, now=now)


def _expired(card: Card, now) -> bool:
    expires = card.programme.balance_expires_on
    return expires is not None and timezone.localdate(now) > expires


def _refusal(*, card: Card, now, induction_complete) -> CardError | None:
    """The refusals decided before any row is touched (CRD-2, CRD-6), in the order they are answered."""
    if not induction_complete(card.user):
        return _videos_not_watched()
    if _expired(card, now):
        return _balance_expired()
    return None


def _videos_not_watched() -> CardError:
    return CardError("videos_not_watched", _("Watch the three introduction videos before buying a training."))


def _balance_expired() -> CardError:
    return CardError("balance_expired", _("The programme has ended; the card balance can no longer be used."))


def _inactive() -> CardError:
    return CardError("card_inactive", _("This card can no longer be used to buy a training."))


# The card's row lock comes first, as in the revocation sweep (cards in id order, then their accounts), so a
# purchase racing the deadline or a revocation lands wholly before or after it; the conditions are read from
# the newest row after any wait. The induction videos (CRD-2) are checked here too, not by a query before:
# ``videos`` says which refusal to give. OFFSET 0 keeps the subquery whole, so the videos are counted once,
# not once for each column that reads them.
_GUARD = ("SELECT COALESCE(c.status = 'active' AND (c.first_purchase_at IS NOT NULL "
          "OR c.purchase_deadline > %(now)s) AND NOT %(expired)s AND v.watched, FALSE) AS allowed, v.watched AS videos "
          "FROM cards_card c, LATERAL (SELECT {watched} AS watched OFFSET 0) v "
          "WHERE c.id = %(card)s AND c.account_id = %(account)s FOR NO KEY UPDATE OF c")
_FIRST_PURCHASE = ("first_purchase AS (UPDATE cards_card SET first_purchase_at = %(now)s WHERE id = %(card)s "
                   "AND first_purchase_at IS NULL AND EXISTS (SELECT 1 FROM posted) RETURNING 1)")
# Settlement accounts by code, so a debit does not look its platform's up each time; the spend checks the
# id still carries the code, and a stale entry is looked up again.
_settlements: dict[str, Account] = {}


def _guard_sql() -> str:
    from prakerja.induction.selectors import induction_complete_sql

    return _GUARD.format(watched=induction_complete_sql("c.user_id"))


def _debit_statement(*, card: Card, amount: int, key: str, actor, platform: str, now) -> Transaction:
    """PostgreSQL: the checks, the card's first purchase and the ledger's posting in one statement.

    A refusal is answered in the order ``_refusal`` gives, after a replay
    (the same key posted before), which is answered whatever happened since.
    """
    expired = _expired(card, now)
    params = {"now": now, "card": card.pk, "account": card.account_id, "expired": expired}
    code = f"settlement:{platform}"
    # The audit row is appended by the same statement once the money moved: one round trip, not two.
    entry, audit_params = audit_pending(actor=actor, action="card.debit", target=card,
                                        data={"key": key, "amount": amount, "platform": platform})
    for _attempt in range(2):
        settlement = _settlements.get(code) or settlement_account(platform)
        spend = ledger_spend_card(key=key, kind=TransactionKind.DEBIT, card_account_id=card.account_id,
                                  to=settlement, amount=amount, actor=actor, now=now,
                                  guard=(_guard_sql(), params), then=(_FIRST_PURCHASE, params),
                                  after=(APPEND_CALL, audit_params, APPEND_COLUMNS))
        if not spend.target_gone:
            _settlements[code] = settlement
            break
        _settlements.pop(code, None)
    else:  # pragma: no cover - looked up afresh the second time
        raise RuntimeError(f"settlement account {code} vanished")
    if spend.transaction is not None:
        if not spend.replayed:
            audit_appended(entry, spend.after)
        return spend.transaction
    if spend.facts is not None and not spend.facts[1]:
        raise _videos_not_watched()
    if expired:
        raise _balance_expired()
    if spend.facts is None or not spend.short:
        raise _inactive()
    raise LedgerError("insufficient_balance", _("The card balance is not enough for this amount."))


def _debit_rows(*, card: Card, amount: int, key: str, actor, platform: str, now, induction_complete) -> Transaction:
    """Other engines (SQLite): the same steps one statement at a time, under a savepoint."""
    with transaction.atomic():
        existing = Transaction.objects.filter(key=key).first()
        if existing is not None:  # a replay: the ledger answers it (same movement, or refused)
            return ledger_post(key=key, kind=TransactionKind.DEBIT, actor=actor, legs=[
                Leg(card.account, -amount), Leg(settlement_account(platform), amount)])[0]
        refusal = _refusal(card=card, now=now, induction_complete=induction_complete)
        if refusal is not None:
            raise refusal
        with connection.cursor() as cursor:
            # Takes the card's row lock, so the revocation sweep (a
            # conditional UPDATE on the same row) runs wholly before or after.
            cursor.execute(
                "UPDATE cards_card SET first_purchase_at = COALESCE(first_purchase_at, %s) "
                "WHERE id = %s AND status = 'active' AND (first_purchase_at IS NOT NULL OR purchase_deadline > %s)",
                # Adapted as the ORM stores it: SQLite compares datetimes as UTC text.
                [stored := connection.ops.adapt_datetimefield_value(now), card.pk, stored])
            if cursor.rowcount != 1:
                raise _inactive()
        row, posted = ledger_post(key=key, kind=TransactionKind.DEBIT, actor=actor, now=now, legs=[
            Leg(card.account, -amount), Leg(settlement_account(platform), amount)])
        if posted:
            audit_record(actor=actor, action="card.debit", target=card,
                         data={"key": key, "amount": amount, "platform": platform})
    return row


def card_refund(*, card: Card, debit_key: str, amount: int, key: str, actor, platform: str) -> Transaction:
    """Give back (part of) a purchase. Refunds of one purchase never add up to more than it.

    To an active card the money returns to the balance; to a revoked or
    expired card it goes to the forfeiture account, since the card can no
    longer spend it.
    """
    amount = _positive(amount)
    with transaction.atomic():
        # The purchase's row, locked: two refunds of it at once are counted one after the other.
        debit = (Transaction.objects.select_for_update()
                 .filter(key=debit_key, kind=TransactionKind.DEBIT, postings__account=card.account).first())
        if debit is None:
            raise CardError("debit_unknown", _("No purchase with this reference was made with this card."))
        settlement = settlement_account(platform)
        if not debit.postings.filter(account=settlement).exists():
            raise CardError("debit_unknown", _("No purchase with this reference was made with this card."))
        replay = Transaction.objects.filter(key=key).first()
        if replay is not None:
            # Answered from the first time, even if the card was revoked since.
            if replay.kind != TransactionKind.REFUND or replay.refund_of_id != debit.pk or replay.amount != amount:
                raise LedgerError("key_reused", _("This transaction key was already used for a different movement."))
            return replay
        refunded = debit.refunds.aggregate(total=Sum("amount"))["total"] or 0
        if refunded + amount > debit.amount:
            raise CardError("refund_too_large", _("A refund cannot be larger than what is left of the purchase."))
        # Locked, as the revocation sweep locks it: a refund racing a revocation sees the card's final status.
        card = Card.objects.select_for_update().get(pk=card.pk)
        to = card.account if card.status == CardStatus.ACTIVE else forfeit_account()
        row, posted = ledger_post(key=key, kind=TransactionKind.REFUND, actor=actor, refund_of=debit, legs=[
            Leg(settlement, -amount), Leg(to, amount)])
        if posted:
            audit_record(actor=actor, action="card.refund", target=card,
                         data={"key": key, "amount": amount, "of": debit_key, "to": "card" if to.is_card else FORFEIT})
    return row


def card_forfeit(*, card: Card, key: str, actor, reason: str,
                 kind: str = TransactionKind.FORFEIT) -> Transaction | None:
    """Move a card's whole balance back to the programme (revocation, expiry). None if there was nothing."""
    from prakerja.ledger.services import ledger_sweep_cards

    with transaction.atomic():
        row = ledger_sweep_cards(key=key, kind=kind, target=forfeit_account(), account_ids=[card.account_id],
                                 actor=actor, memo=reason)
        if row is not None:
            audit_record(actor=actor, action=f"card.{kind}", target=card, reason=reason,
                         data={"key": key, "amount": row.amount})
    return row

"""The first-purchase deadline, revocation and expiry (CRD-5, CRD-6): set-based, chunked, exactly once.

Three periodic jobs (``prakerja/cards/tasks.py``), each safe to run twice at
once:

- ``cards_revoke_due``: every active card whose deadline has come with no
  first purchase is revoked ("kepesertaan dicabut"). A chunk of cards by id
  is one transaction holding everything: the cards' claim (a conditional
  UPDATE on rows locked in id order), one ledger sweep of their balances to
  the forfeiture account, their applications passed -> revoked (which bars
  them from later waves: WAV-5, SEL-3), the messages, and the audit row. A
  crash anywhere in a chunk rolls all of it back; the cards are still active
  and due, so the next run takes them again. The chunk's ledger key is named
  after its first card, which is revoked once, so the key can never clash.
- ``cards_expire``: once a programme's ``balance_expires_on`` (a WIB day)
  is over, every card of that programme still active is expired and its
  balance forfeited the same way (``TransactionKind.EXPIRE``).
- ``card_reminders_due``: 7, 3 and 1 days before the last day, at or after
  ``CARD_REMINDER_HOUR_WIB``, a reminder by inbox, SMS and email, keyed per
  card and day count so it is sent once.

Why a purchase racing the deadline lands wholly before or after: ``card_debit``
takes the card's row lock first (on PostgreSQL a ``SELECT ... FOR NO KEY
UPDATE`` inside its one statement, elsewhere a conditional UPDATE) and checks
under it: still active, and a purchase already made or the deadline still ahead. The sweep locks the
same rows and re-checks "still active, still no purchase" after any wait.
"""

from datetime import date, datetime, timedelta

import structlog
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from prakerja.audit.services import audit_record
from prakerja.cards.models import Card, CardStatus
from prakerja.cards.services import forfeit_account
from prakerja.cards.signals import cards_revoked
from prakerja.core.clock import WIB, midnight_wib
from prakerja.ledger.models import TransactionKind
from prakerja.ledger.services import ledger_sweep_cards
from prakerja.notifications.bulk import messages_insert_select, texts_rendered
from prakerja.programme.models import Programme
from prakerja.waves.services import applications_revoke

log = structlog.get_logger(__name__)
CHUNK = 1_000
REMINDER_DAYS = (7, 3, 1)
# Stored on the card and the application and shown on the dashboard (Indonesian, like selection's reasons).
REVOKED_REASON = "Tidak membeli pelatihan pertama dalam batas waktu"
EXPIRED_REASON = "Masa penggunaan saldo pelatihan program telah berakhir"


def expiry_moment(expires_on: date) -> datetime:
    """CRD-6: balances may be used through ``expires_on`` (WIB); they expire when that day ends."""
    return midnight_wib(expires_on + timedelta(days=1))


# --- messages, written by the database -----------------------------------------------------
_texts = texts_rendered
_CARDS = "cards_card c JOIN accounts_user u ON u.id = c.user_id"


def _insert_messages(*, template: str, key: tuple[str, str], texts: dict, where: str,
                     params: list) -> tuple[list[int], list[int]]:
    """Inbox, SMS and email rows for the cards ``c`` matching ``where``, keyed ``key[0] <card id> key[1]``.

    Returns (email and SMS ids to deliver, users whose inbox changed). The
    rows' own times are the clock's, not the job's ``now``, so the sweeper
    finds them due at once.
    """
    return messages_insert_select(template=template, key=key, key_id="c.id", source=_CARDS, where=where,
                                  params=params, texts=texts)


def _after_commit(queued: list[int], users: list[int]) -> None:
    from prakerja.notifications.selectors import forget_unread_counts
    from prakerja.notifications.tasks import deliver_messages

    if users:
        transaction.on_commit(lambda: forget_unread_counts(users))
    if queued:
        transaction.on_commit(lambda: deliver_messages(queued))


def _in(column: str, ids: list[int]) -> tuple[str, list]:
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


# --- CRD-5: revocation -----------------------------------------------------------------------
def _revocation_due(now) -> Q:
    return Q(status=CardStatus.ACTIVE, first_purchase_at__isnull=True, purchase_deadline__lte=now)


def cards_revoke_due(*, now=None, chunk_size: int = CHUNK) -> int:
    """Revoke every card whose first-purchase deadline has come without a purchase; returns how many.

    Chunked by card id, each chunk one transaction (see the module's
    docstring). Idempotent: a card revoked is no longer due.
    """
    now = now or timezone.now()
    texts = _texts("card_revoked", {})
    after = revoked = 0
    while True:
        # The partial index card_revocation_due serves this scan.
        ids = list(Card.objects.filter(_revocation_due(now), pk__gt=after).order_by("pk")
                   .values_list("pk", flat=True)[:chunk_size])
        if not ids:
            break
        revoked += _revoke_chunk(ids=ids, now=now, texts=texts)
        after = ids[-1]
    if revoked:
        log.info("cards_revoked", count=revoked)
    return revoked


def _claim(*, ids: list[int], condition: Q, status: str, reason: str, now) -> list[tuple]:
    """Lock the cards in id order, keep those still matching ``condition`` after any wait, and end them.

    On PostgreSQL a row another transaction changed (a purchase, another
    sweep) is checked again once that transaction commits, so a card bought
    at the last second, or already ended, drops out here.
    """
    rows = list(Card.objects.select_for_update().filter(condition, pk__in=ids).order_by("pk")
                .values_list("pk", "public_id", "account_id", "application_id"))
    if rows:
        claimed = Card.objects.filter(condition, pk__in=[row[0] for row in rows]).update(
            status=status, ended_at=now, status_reason=reason)
        if claimed != len(rows):  # nothing can change a locked row; a bug if it did
            raise RuntimeError(f"claimed {claimed} of {len(rows)} locked cards")
    return rows


def _revoke_chunk(*, ids: list[int], now, texts: dict) -> int:
    with transaction.atomic():
        rows = _claim(ids=ids, condition=_revocation_due(now), status=CardStatus.REVOKED, reason=REVOKED_REASON,
                      now=now)
        if not rows:
            return 0
        card_ids = [row[0] for row in rows]
        key = f"revoke:card-{card_ids[0]}"
        swept = ledger_sweep_cards(key=key, kind=TransactionKind.FORFEIT, target=forfeit_account(),
                                   account_ids=[row[2] for row in rows], actor=None, memo=REVOKED_REASON, now=now)
        where, params = _in("c.id", card_ids)
        queued, users = _insert_messages(template="card_revoked", key=("card-revoked:", ""), texts=texts,
                                         where=where, params=params)
        applications = applications_revoke(actor=None, application_ids=[row[3] for row in rows],
                                           reason=REVOKED_REASON)
        audit_record(actor=None, action="cards.revoke", reason=REVOKED_REASON, data={
            "cards": len(rows), "applications": applications, "forfeited": swept.amount if swept else 0,
            "ledger_key": key if swept else None, "deadline_at_or_before": now.isoformat(),
            "card_ids": [str(row[1]) for row in rows]})
        cards_revoked.send(sender=Card, card_ids=card_ids, reason=REVOKED_REASON, revoked_at=now)
        _after_commit(queued, users)
    return len(rows)


_LOST_A_BALANCE = ("EXISTS (SELECT 1 FROM ledger_posting lp WHERE lp.transaction_id = %s "
                   "AND lp.account_id = c.account_id AND lp.amount < 0)")


# --- CRD-6: expiry ---------------------------------------------------------------------------
def cards_expire(*, now=None, chunk_size: int = CHUNK) -> int:
    """Expire every still-active card of each programme whose balance period is over; returns how many.

    Every active card of the programme becomes expired, with or without a
    balance: the programme is over for all of them, and ``card_debit``
    refuses them already. Only those whose balance was forfeited are told.
    Cards whose first-purchase deadline also passed without a purchase are
    revoked first: that bars the person (SEL-3) and expiry does not.
    """
    now = now or timezone.now()
    programmes = [p for p in Programme.objects.filter(balance_expires_on__isnull=False)
                  if expiry_moment(p.balance_expires_on) <= now]
    if not programmes:
        return 0
    cards_revoke_due(now=now, chunk_size=chunk_size)
    expired = 0
    for programme in programmes:
        texts = _texts("card_expired", {"day": programme.balance_expires_on})
        condition = Q(status=CardStatus.ACTIVE, programme=programme)
        after = 0
        while True:
            ids = list(Card.objects.filter(condition, pk__gt=after).order_by("pk")
                       .values_list("pk", flat=True)[:chunk_size])
            if not ids:
                break
            expired += _expire_chunk(ids=ids, condition=condition, programme=programme, now=now, texts=texts)
            after = ids[-1]
    if expired:
        log.info("cards_expired", count=expired)
    return expired


def _expire_chunk(*, ids: list[int], condition: Q, programme: Programme, now, texts: dict) -> int:
    with transaction.atomic():
        rows = _claim(ids=ids, condition=condition, status=CardStatus.EXPIRED, reason=EXPIRED_REASON, now=now)
        if not rows:
            return 0
        card_ids = [row[0] for row in rows]
        key = f"expire:card-{card_ids[0]}"
        swept = ledger_sweep_cards(key=key, kind=TransactionKind.EXPIRE, target=forfeit_account(),
                                   account_ids=[row[2] for row in rows], actor=None, memo=EXPIRED_REASON, now=now)
        queued, users = [], []
        if swept is not None:
            # Told: the cards whose balance this sweep took (a posting in its transaction).
            where, params = _in("c.id", card_ids)
            queued, users = _insert_messages(
                template="card_expired", key=("card-expired:", ""), texts=texts, params=[*params, swept.pk],
                where=" AND ".join([where, _LOST_A_BALANCE]))
        audit_record(actor=None, action="cards.expire", reason=EXPIRED_REASON, data={
            "cards": len(rows), "programme": programme.preset, "expires_on": programme.balance_expires_on.isoformat(),
            "forfeited": swept.amount if swept else 0, "ledger_key": key if swept else None,
            "told": len(users), "card_ids": [str(row[1]) for row in rows]})
        _after_commit(queued, users)
    return len(rows)


# --- CRD-5: reminders ------------------------------------------------------------------------
def card_reminders_due(*, now=None, chunk_size: int = CHUNK) -> int:
    """Remind each card still without a purchase 7, 3 and 1 days before its last day; returns people reminded.

    A reminder belongs to one WIB calendar day (the last day minus N), from
    ``CARD_REMINDER_HOUR_WIB`` to midnight: a worker that was down catches up
    later that day, but a day missed entirely is skipped, so a late worker
    sends the next, smaller reminder on its own day and never three at once.
    The key ``card-deadline:<card id>:<N>`` makes each one once per channel.
    """
    now = now or timezone.now()
    local = now.astimezone(WIB)
    if local.hour < settings.CARD_REMINDER_HOUR_WIB:
        return 0
    reminded = 0
    for days in REMINDER_DAYS:
        last_day = local.date() + timedelta(days=days)
        # The deadline is the midnight that ends the last day; any moment in
        # (start of the last day, its end] has that last day.
        condition = Q(status=CardStatus.ACTIVE, first_purchase_at__isnull=True,
                      purchase_deadline__gt=midnight_wib(last_day),
                      purchase_deadline__lte=midnight_wib(last_day + timedelta(days=1)))
        texts = None
        after = 0
        while True:
            ids = list(Card.objects.filter(condition, pk__gt=after).order_by("pk")
                       .values_list("pk", flat=True)[:chunk_size])
            if not ids:
                break
            texts = texts or _texts("card_deadline", {"days": days, "day": last_day})
            where, params = _in("c.id", ids)
            with transaction.atomic():
                # Status and purchase again at the insert: one bought since the scan is not reminded.
                queued, users = _insert_messages(
                    template="card_deadline", key=("card-deadline:", f":{days}"), texts=texts, params=params,
                    where=f"{where} AND c.status = 'active' AND c.first_purchase_at IS NULL")
                _after_commit(queued, users)
            reminded += len(users)
            after = ids[-1]
    if reminded:
        log.info("card_reminders_sent", people=reminded)
    return reminded

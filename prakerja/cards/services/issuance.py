"""Issuing and crediting a wave's cards after its announcement (CRD-1, CRD-3): chunked, resumable, exactly once.

The announcement schedules it (``issuance_schedule``, called by
``selection.results_publish``); a task runs it and the minute sweep resumes
it if a worker died. Two passes by id range, each chunk one transaction with
its position (``CardIssuance``):

1. issue: a card for each passed application of the wave that has none, its
   ledger account opened with the programme's training balance and the card
   marked credited, one ledger transaction per chunk (the budget's one
   posting and each card's, keyed by the chunk's applications);
2. credit: the training balance to each active card of the wave not yet
   credited, one ledger transaction per chunk, the cards marked in it. It
   finds none when the issue pass credited every card; it is there for cards
   issued uncredited (an issuance begun before the two were one write, or
   a programme whose balance was zero then).

Each card row and each account row is written once: opening at zero and
crediting later wrote both twice, and at a million cards the second writes
(new index entries for every card, in every index) were half the time.
Until its card is credited a participant's dashboard says the balance is on
its way.
"""

import os
import uuid
from datetime import datetime, timedelta

import structlog
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from prakerja.audit.services import audit_record
from prakerja.cards.models import Card, CardIssuance, CardStatus
from prakerja.cards.numbers import index_of, new_number
from prakerja.cards.services import budget_account
from prakerja.core.clock import WIB, midnight_wib
from prakerja.ledger.models import Account
from prakerja.ledger.services import id_array, ledger_credit_cards, ledger_open_cards
from prakerja.programme.selectors import active_programme
from prakerja.registry import crypto
from prakerja.waves.models import Application, Wave
from prakerja.waves.states import ApplicationStatus as S

log = structlog.get_logger(__name__)
CHUNK = 10_000
LEASE = timedelta(minutes=10)


def purchase_deadline(*, announced_at: datetime, days: int) -> datetime:
    """CRD-5: the end of the ``days``-th calendar day after the announcement, in WIB (midnight that follows it)."""
    return midnight_wib(announced_at.astimezone(WIB).date() + timedelta(days=days + 1))


def issuance_schedule(*, wave: Wave) -> CardIssuance:
    """Called in the transaction that publishes the wave's results; a second call changes nothing."""
    issuance, created = CardIssuance.objects.get_or_create(
        wave=wave, defaults={"total": Application.objects.filter(wave=wave, status=S.PASSED).count()})
    if created:
        from prakerja.cards.tasks import issue_cards

        transaction.on_commit(lambda: issue_cards(issuance.pk))
    return issuance


def _numbers(count: int) -> list[tuple[str, str]]:
    """``count`` new (number, blind index) pairs, unique among themselves and against every card so far.

    With 9 or more random digits a clash is rare; a clash with a card that
    another job writes at the same moment fails that chunk's insert on the
    unique index, and the chunk is tried again.
    """
    chosen: dict[str, str] = {}
    while len(chosen) < count:
        fresh = {}
        while len(chosen) + len(fresh) < count:
            number = new_number()
            index = index_of(number)
            if index not in chosen:
                fresh[index] = number
        taken = _taken(list(fresh))
        chosen.update({index: number for index, number in fresh.items() if index not in taken})
    return [(number, index) for index, number in chosen.items()]


def _taken(indexes: list[str]) -> set[str]:
    if connection.vendor == "postgresql":  # one text parameter, not one placeholder per card (see _issue_chunk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT number_index FROM cards_card WHERE number_index = "
                           "ANY((SELECT string_to_array(%s, ','))::text[])", [",".join(indexes)])
            return {row[0] for row in cursor.fetchall()}
    return set(Card.objects.filter(number_index__in=indexes).values_list("number_index", flat=True))


def _issue_chunk(*, wave: Wave, programme, budget: Account, rows: list[tuple[int, int]], now, deadline,
                 ahead=None, checked: bool = False) -> tuple[int, bool]:
    """Cards for ``rows`` (application, user), each account opened credited; (cards made, credited?).

    ``checked``: on PostgreSQL, look the new numbers up before writing them
    (the retry after a clash); the first try leaves that to the unique index.
    """
    # Who has a card already (from an earlier wave, or a rerun). On PostgreSQL ``= ANY`` over an array the
    # planner cannot see into (a sub-select), so it probes the index once per element. Given the array itself
    # (a constant: 10,000 elements) and a growing table whose statistics lag behind (the issue pass fills it
    # faster than autovacuum analyses it), it scanned every card instead, each chunk: 4 s at a million cards,
    # growing with the square of the wave. An EXISTS beside the applications' query was planned as such a
    # scan too (a hashed sub-plan).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT user_id FROM cards_card WHERE user_id = "
                           "ANY((SELECT string_to_array(%s, ','))::bigint[])", [id_array([user for _pk, user in rows])])
            have = {row[0] for row in cursor.fetchall()}
    else:
        have = set(Card.objects.filter(user_id__in=[user for _pk, user in rows]).values_list("user_id", flat=True))
    rows = [(pk, user) for pk, user in rows if user not in have]
    if not rows:
        return 0, False
    amount = programme.training_balance
    # The key names the chunk's first and last application that got a card: those have a card for good, so no
    # later chunk (a resumed or a forced rerun) has the same two.
    accounts, credit = ledger_open_cards(
        count=len(rows), source=budget, amount_each=amount, key=f"credit:wave-{wave.number}:issue-{rows[0][0]}-"
        f"{rows[-1][0]}", actor=None, memo=f"wave {wave.number} training balance", now=now)
    credited_at = now if credit is not None else None
    if connection.vendor == "postgresql":
        _copy_cards(wave=wave, programme=programme, rows=rows, accounts=accounts, now=now, credited_at=credited_at,
                    deadline=deadline, ahead=ahead, checked=checked)
        return len(rows), credit is not None
    cards = []
    for (application, user), account, (number, index) in zip(rows, accounts, _numbers(len(rows)), strict=True):
        cards.append(Card(user_id=user, application_id=application, wave=wave, programme=programme,
                          account_id=account, number_encrypted=crypto.encrypt(number), number_index=index,
                          last4=number[-4:], issued_at=now, credited_at=credited_at, purchase_deadline=deadline))
    Card.objects.bulk_create(cards)
    return len(cards), credit is not None


_CARD_COLUMNS = ("public_id", "user_id", "application_id", "account_id", "number_encrypted", "number_index", "last4",
                 "wave_id", "programme_id", "status", "status_reason", "issued_at", "credited_at", "purchase_deadline")


def _copy_cards(*, wave: Wave, programme, rows: list[tuple[int, int]], accounts: list[int], now, credited_at,
                deadline, ahead=None, checked: bool = False) -> None:
    """PostgreSQL: the same rows as the ORM path in one COPY, without building a model instance per card.

    At a million cards the ORM's per-object work (instances, per-field
    preparation, a parameter per value) was most of the time. The first try
    does not look the numbers up: with 9 or more random digits a clash is
    rare, the unique index refuses one, and the retry looks them up
    (``checked``). The lookup was a tenth of the time at a million cards.
    """
    batch = ahead.take(len(rows)) if ahead else _card_secrets(len(rows))
    secrets = _unique_secrets(batch, len(rows)) if checked else batch[:len(rows)]
    # COPY's text format, written here rather than by write_row (which adapts each of 14 values a row: 2.5 s
    # more at a million cards). Every value is ours (digits, hex, base64, fixed words, timestamps): there is
    # no tab, newline or backslash to escape.
    same = "\t".join([str(wave.pk), str(programme.pk), CardStatus.ACTIVE.value, "", now.isoformat(),
                      credited_at.isoformat() if credited_at else "\\N", deadline.isoformat()])
    lines = "".join(f"{public_id}\t{user}\t{application}\t{account}\t{token}\t{index}\t{number[-4:]}\t{same}\n"
                    for (application, user), account, (number, index, token), public_id
                    in zip(rows, accounts, secrets, _public_ids(len(rows)), strict=True))
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(
            f"COPY cards_card ({', '.join(_CARD_COLUMNS)}) FROM STDIN") as copy:
        copy.write(lines)


def _public_ids(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs from one read of the system's randomness, as ``uuid.uuid4`` makes one
    from a read of its own: at a million cards those reads were 4 s of system calls."""
    raw = os.urandom(16 * count)
    return [str(uuid.UUID(bytes=raw[at:at + 16], version=4)) for at in range(0, 16 * count, 16)]


def _card_secrets(count: int) -> list[tuple[str, str, str]]:
    """``count`` new cards' (number, blind index, ciphertext), distinct among themselves. No database."""
    chosen: dict[str, str] = {}
    while len(chosen) < count:
        number = new_number()
        chosen.setdefault(index_of(number), number)
    encrypt = crypto.encrypt
    return [(number, index, encrypt(number)) for index, number in chosen.items()]


def _unique_secrets(batch: list[tuple[str, str, str]], count: int) -> list[tuple[str, str, str]]:
    """``count`` of ``batch``'s numbers, any that a card already has drawn again (see ``_numbers``)."""
    chosen: dict[str, tuple[str, str, str]] = {}
    batch = batch[:count]
    while True:
        taken = _taken([index for _number, index, _token in batch])
        chosen.update((index, secret) for secret in batch if (index := secret[1]) not in taken)
        if len(chosen) >= count:
            return list(chosen.values())
        batch = [secret for secret in _card_secrets(count - len(chosen)) if secret[1] not in chosen]


class _SecretsAhead:
    """Card numbers, blind indexes and Fernet tokens for the next chunk, made in a thread of their own.

    They are a third of the issue pass's time at a million cards and need no
    database, so they are made while the database writes the chunk before;
    the thread runs while this one waits on PostgreSQL (psycopg lets go of
    the GIL then). Numbers drawn ahead are as random as numbers drawn late.
    """

    def __init__(self, size: int):
        from concurrent.futures import ThreadPoolExecutor

        self.size, self.pool, self.next = size, ThreadPoolExecutor(1, thread_name_prefix="card-numbers"), None

    def take(self, count: int) -> list[tuple[str, str, str]]:
        batch = self.next.result() if self.next is not None else _card_secrets(count)
        self.next = self.pool.submit(_card_secrets, self.size)
        return batch if len(batch) >= count else batch + _card_secrets(count - len(batch))

    def close(self) -> None:
        if self.next is not None:
            self.next.cancel()
        self.pool.shutdown(wait=True)


def _claim(issuance: CardIssuance, now) -> bool:
    return bool(CardIssuance.objects.filter(pk=issuance.pk, finished_at__isnull=True)
                .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now)).update(lease_until=now + LEASE))


def issuance_continue(*, issuance: CardIssuance, chunk_size: int = CHUNK) -> CardIssuance:
    """Issue, then credit, a chunk at a time; resumable by whoever holds the lease next."""
    if not _claim(issuance, timezone.now()):
        return CardIssuance.objects.get(pk=issuance.pk)  # finished, or another worker has it
    wave = Wave.objects.get(pk=issuance.wave_id)
    programme = active_programme()
    deadline = purchase_deadline(announced_at=wave.results_published_at or timezone.now(),
                                 days=programme.first_purchase_deadline_days)
    budget = budget_account(programme)
    ahead = _SecretsAhead(chunk_size) if connection.vendor == "postgresql" else None
    try:
        while _issue_step(issuance=issuance, wave=wave, programme=programme, budget=budget, deadline=deadline,
                          size=chunk_size, ahead=ahead):
            pass
    finally:
        if ahead is not None:
            ahead.close()
    while _credit_step(issuance=issuance, wave=wave, programme=programme, budget=budget, size=chunk_size):
        pass
    return CardIssuance.objects.get(pk=issuance.pk)


def _issue_step(*, issuance, wave, programme, budget, deadline, size, ahead=None) -> bool:
    for attempt in range(3):
        try:
            with transaction.atomic():
                current = CardIssuance.objects.select_for_update().get(pk=issuance.pk)
                if current.issued_all_at is not None:
                    return False
                rows = list(Application.objects.filter(wave=wave, status=S.PASSED, pk__gt=current.last_application_id)
                            .order_by("pk").values_list("pk", "user_id")[:size])
                now = timezone.now()
                if not rows:
                    current.issued_all_at = now
                    current.save(update_fields=["issued_all_at"])
                    audit_record(actor=None, action="cards.issued", target=wave, data={"cards": current.issued})
                    _refresh_statistics()
                    return False
                made, credited = _issue_chunk(wave=wave, programme=programme, budget=budget, rows=rows, now=now,
                                              deadline=deadline, ahead=ahead, checked=attempt > 0)
                current.last_application_id = rows[-1][0]
                current.issued += made
                current.credited += made if credited else 0
                current.lease_until = now + LEASE
                current.save(update_fields=["last_application_id", "issued", "credited", "lease_until"])
            log.info("cards_issued_chunk", wave=wave.number, issued=current.issued, total=current.total)
            return True
        except IntegrityError:
            # A number clashed with a card's (the first try does not look them up) or with one written at the
            # same moment: draw again, and look them up.
            if attempt == 2:
                raise
    return False  # pragma: no cover


def _refresh_statistics() -> None:
    """PostgreSQL: the planner's statistics of the tables the issue pass just filled.

    Autovacuum analyses a table a minute or more after it grows; until then
    the planner still thinks the wave has no cards, and reads the credit
    pass's next chunk of cards through the wave index (every card of the
    wave, sorted) instead of the primary key: 0.6 s a chunk at a million
    cards, a minute in all. ANALYZE samples 30,000 rows, about a second.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cards_card")
            cursor.execute("ANALYZE ledger_account")


def _credit_step(*, issuance, wave, programme, budget, size) -> bool:
    with transaction.atomic():
        current = CardIssuance.objects.select_for_update().get(pk=issuance.pk)
        if current.finished_at is not None:
            return False
        due = _next_due(wave=wave, after=current.last_card_id, size=size)
        now = timezone.now()
        if not due:
            current.finished_at, current.lease_until = now, None
            current.save(update_fields=["finished_at", "lease_until"])
            audit_record(actor=None, action="cards.credited", target=wave,
                         data={"cards": current.credited, "amount_each": programme.training_balance})
            return False
        if programme.training_balance > 0:
            # The cards first, then their accounts: the order a purchase locks them in.
            _mark_credited([pk for pk, _a in due], now)
            # Keyed by the first and last card credited now: those are credited for good, so no later chunk
            # has the same two.
            ledger_credit_cards(key=f"credit:wave-{wave.number}:cards-{due[0][0]}-{due[-1][0]}", source=budget,
                                amount_each=programme.training_balance, account_ids=[a for _pk, a in due],
                                actor=None, memo=f"wave {wave.number} training balance", now=now)
            current.credited += len(due)
        current.last_card_id = due[-1][0]
        current.lease_until = now + LEASE
        current.save(update_fields=["last_card_id", "credited", "lease_until"])
    log.info("cards_credited_chunk", wave=wave.number, credited=current.credited, total=current.issued)
    return True


def _next_due(*, wave, after: int, size: int) -> list[tuple[int, int]]:
    """The wave's next ``size`` active cards not yet credited, by id: (id, account id).

    After an issue pass that credited every card this is one scan of the
    wave's cards that returns nothing.
    """
    if connection.vendor == "postgresql":  # plain rows: no per-row ORM work over a million cards
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, account_id FROM cards_card WHERE wave_id = %s AND id > %s "
                           "AND credited_at IS NULL AND status = %s ORDER BY id LIMIT %s",
                           [wave.pk, after, CardStatus.ACTIVE.value, size])
            return cursor.fetchall()
    return list(Card.objects.filter(wave=wave, pk__gt=after, credited_at__isnull=True, status=CardStatus.ACTIVE)
                .order_by("pk").values_list("pk", "account_id")[:size])


def _mark_credited(ids: list[int], now) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cards_card SET credited_at = %s WHERE id = ANY(string_to_array(%s, ',')::bigint[])",
                           [now, id_array(ids)])
        return
    Card.objects.filter(pk__in=ids).update(credited_at=now)


def issuances_resume(*, now=None) -> list[int]:
    """The minute sweep: continue every unfinished issuance whose worker is gone."""
    now = now or timezone.now()
    resumed = []
    for issuance in CardIssuance.objects.filter(finished_at__isnull=True).filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now)):
        issuance_continue(issuance=issuance)
        resumed.append(issuance.wave_id)
    return resumed

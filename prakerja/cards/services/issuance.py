"""Issuing and crediting a wave's cards after its announcement (CRD-1, CRD-3): chunked, resumable, exactly once.

The announcement schedules it (``issuance_schedule``, called by
``selection.results_publish``); a task runs it and the minute sweep resumes
it if a worker died. Two passes by id range, each chunk one transaction with
its position (``CardIssuance``):

1. issue: a card for each passed application of the wave that has none,
   with a ledger account at zero;
2. credit: the programme's training balance to each card of the wave not yet
   credited, one ledger transaction per chunk (the budget's one posting and
   each card's), keyed by the chunk so a repeat posts nothing.

Until its chunk is credited a participant's dashboard says the balance is on
its way, as in the real programme, which credited accounts in stages.
"""

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
from prakerja.ledger.models import Account, AccountKind
from prakerja.ledger.services import id_array, ledger_credit_cards
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
    if connection.vendor == "postgresql":  # one text parameter, not one placeholder per card
        with connection.cursor() as cursor:
            cursor.execute("SELECT number_index FROM cards_card WHERE number_index = ANY(string_to_array(%s, ','))",
                           [",".join(indexes)])
            return {row[0] for row in cursor.fetchall()}
    return set(Card.objects.filter(number_index__in=indexes).values_list("number_index", flat=True))


def _issue_chunk(*, wave: Wave, programme, rows: list[tuple[int, int]], now, deadline, ahead=None) -> int:
    if connection.vendor == "postgresql":
        return _issue_chunk_copy(wave=wave, programme=programme, rows=rows, now=now, deadline=deadline, ahead=ahead)
    have = set(Card.objects.filter(user_id__in=[user for _pk, user in rows]).values_list("user_id", flat=True))
    rows = [(pk, user) for pk, user in rows if user not in have]
    if not rows:
        return 0
    accounts = Account.objects.bulk_create([Account(kind=AccountKind.CARD) for _row in rows])
    cards = []
    for (application, user), account, (number, index) in zip(rows, accounts, _numbers(len(rows)), strict=True):
        cards.append(Card(user_id=user, application_id=application, wave=wave, programme=programme,
                          account=account, number_encrypted=crypto.encrypt(number), number_index=index,
                          last4=number[-4:], issued_at=now, purchase_deadline=deadline))
    Card.objects.bulk_create(cards)
    return len(cards)


_CARD_COLUMNS = ("public_id", "user_id", "application_id", "wave_id", "programme_id", "account_id",
                 "number_encrypted", "number_index", "last4", "status", "status_reason", "issued_at",
                 "purchase_deadline")


def _issue_chunk_copy(*, wave: Wave, programme, rows: list[tuple[int, int]], now, deadline, ahead=None) -> int:
    """PostgreSQL: the same rows as the ORM path, without building a model instance per card.

    The accounts are one INSERT ... SELECT that returns their ids, the cards
    one COPY. At a million cards the ORM's per-object work (instances,
    per-field preparation, a parameter per value) was most of the time.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT user_id FROM cards_card WHERE user_id = ANY(string_to_array(%s, ',')::bigint[])",
                       [id_array([user for _pk, user in rows])])
        have = {row[0] for row in cursor.fetchall()}
        rows = [(pk, user) for pk, user in rows if user not in have]
        if not rows:
            return 0
        secrets = _unique_secrets(ahead.take(len(rows)) if ahead else _card_secrets(len(rows)), len(rows))
        cursor.execute("INSERT INTO ledger_account (kind, code, balance) "
                       "SELECT %s, NULL, 0 FROM generate_series(1, %s) RETURNING id", [AccountKind.CARD, len(rows)])
        accounts = [row[0] for row in cursor.fetchall()]
        with connection.wrap_database_errors, cursor.cursor.copy(
                f"COPY cards_card ({', '.join(_CARD_COLUMNS)}) FROM STDIN") as copy:
            for (application, user), account, (number, index, token) in zip(rows, accounts, secrets, strict=True):
                copy.write_row((uuid.uuid4(), user, application, wave.pk, programme.pk, account, token, index,
                                number[-4:], CardStatus.ACTIVE.value, "", now, deadline))
    return len(rows)


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
    ahead = _SecretsAhead(chunk_size) if connection.vendor == "postgresql" else None
    try:
        while _issue_step(issuance=issuance, wave=wave, programme=programme, deadline=deadline, size=chunk_size,
                          ahead=ahead):
            pass
    finally:
        if ahead is not None:
            ahead.close()
    budget = budget_account(programme)
    while _credit_step(issuance=issuance, wave=wave, programme=programme, budget=budget, size=chunk_size):
        pass
    return CardIssuance.objects.get(pk=issuance.pk)


def _issue_step(*, issuance, wave, programme, deadline, size, ahead=None) -> bool:
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
                made = _issue_chunk(wave=wave, programme=programme, rows=rows, now=now, deadline=deadline,
                                    ahead=ahead)
                current.last_application_id = rows[-1][0]
                current.issued += made
                current.lease_until = now + LEASE
                current.save(update_fields=["last_application_id", "issued", "lease_until"])
            log.info("cards_issued_chunk", wave=wave.number, issued=current.issued, total=current.total)
            return True
        except IntegrityError:  # a number clashed with one written at the same moment: draw again
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
        cards = _next_cards(wave=wave, after=current.last_card_id, size=size)
        now = timezone.now()
        if not cards:
            current.finished_at, current.lease_until = now, None
            current.save(update_fields=["finished_at", "lease_until"])
            audit_record(actor=None, action="cards.credited", target=wave,
                         data={"cards": current.credited, "amount_each": programme.training_balance})
            return False
        due = [(pk, account) for pk, account, credited_at, status in cards
               if credited_at is None and status == CardStatus.ACTIVE]
        if due and programme.training_balance > 0:
            first, last = cards[0][0], cards[-1][0]
            # The cards first, then their accounts: the order a purchase locks them in.
            _mark_credited([pk for pk, _a in due], now)
            ledger_credit_cards(key=f"credit:wave-{wave.number}:cards-{first}-{last}", source=budget,
                                amount_each=programme.training_balance, account_ids=[a for _pk, a in due],
                                actor=None, memo=f"wave {wave.number} training balance", now=now)
        current.last_card_id = cards[-1][0]
        current.credited += len(due)
        current.lease_until = now + LEASE
        current.save(update_fields=["last_card_id", "credited", "lease_until"])
    log.info("cards_credited_chunk", wave=wave.number, credited=current.credited, total=current.issued)
    return True


def _next_cards(*, wave, after: int, size: int) -> list[tuple]:
    """The next ``size`` cards of the wave by id: (id, account id, credited_at, status)."""
    if connection.vendor == "postgresql":  # plain rows: no per-row ORM work over a million cards
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, account_id, credited_at, status FROM cards_card "
                           "WHERE wave_id = %s AND id > %s ORDER BY id LIMIT %s", [wave.pk, after, size])
            return cursor.fetchall()
    return list(Card.objects.filter(wave=wave, pk__gt=after).order_by("pk")
                .values_list("pk", "account_id", "credited_at", "status")[:size])


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

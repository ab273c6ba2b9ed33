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

from datetime import datetime, timedelta

import structlog
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from prakerja.audit.services import audit_record
from prakerja.cards.models import Card, CardIssuance, CardStatus
from prakerja.cards.numbers import index_of, new_number
from prakerja.cards.services import budget_account
from prakerja.ledger.models import Account, AccountKind
from prakerja.ledger.services import ledger_credit_cards
from prakerja.programme.selectors import active_programme
from prakerja.registry import crypto
from prakerja.waves.models import Application, Wave
from prakerja.waves.states import ApplicationStatus as S

log = structlog.get_logger(__name__)
CHUNK = 10_000
LEASE = timedelta(minutes=10)
WIB = timezone.get_fixed_timezone(7 * 60)


def purchase_deadline(*, announced_at: datetime, days: int) -> datetime:
    """CRD-5: the end of the ``days``-th calendar day after the announcement, in WIB (midnight that follows it)."""
    day = announced_at.astimezone(WIB).date() + timedelta(days=days + 1)
    return datetime(day.year, day.month, day.day, tzinfo=WIB)


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
        taken = set(Card.objects.filter(number_index__in=list(fresh)).values_list("number_index", flat=True))
        chosen.update({index: number for index, number in fresh.items() if index not in taken})
    return [(number, index) for index, number in chosen.items()]


def _issue_chunk(*, wave: Wave, programme, rows: list[tuple[int, int]], now, deadline) -> int:
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
    while _issue_step(issuance=issuance, wave=wave, programme=programme, deadline=deadline, size=chunk_size):
        pass
    budget = budget_account(programme)
    while _credit_step(issuance=issuance, wave=wave, programme=programme, budget=budget, size=chunk_size):
        pass
    return CardIssuance.objects.get(pk=issuance.pk)


def _issue_step(*, issuance, wave, programme, deadline, size) -> bool:
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
                    return False
                made = _issue_chunk(wave=wave, programme=programme, rows=rows, now=now, deadline=deadline)
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


def _credit_step(*, issuance, wave, programme, budget, size) -> bool:
    with transaction.atomic():
        current = CardIssuance.objects.select_for_update().get(pk=issuance.pk)
        if current.finished_at is not None:
            return False
        cards = list(Card.objects.filter(wave=wave, pk__gt=current.last_card_id).order_by("pk")
                     .values_list("pk", "account_id", "credited_at", "status")[:size])
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
            ledger_credit_cards(key=f"credit:wave-{wave.number}:cards-{first}-{last}", source=budget,
                                amount_each=programme.training_balance, account_ids=[a for _pk, a in due],
                                actor=None, memo=f"wave {wave.number} training balance", now=now)
            Card.objects.filter(pk__in=[pk for pk, _a in due]).update(credited_at=now)
        current.last_card_id = cards[-1][0]
        current.credited += len(due)
        current.lease_until = now + LEASE
        current.save(update_fields=["last_card_id", "credited", "lease_until"])
    log.info("cards_credited_chunk", wave=wave.number, credited=current.credited, total=current.issued)
    return True


def issuances_resume(*, now=None) -> list[int]:
    """The minute sweep: continue every unfinished issuance whose worker is gone."""
    now = now or timezone.now()
    resumed = []
    for issuance in CardIssuance.objects.filter(finished_at__isnull=True).filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now)):
        issuance_continue(issuance=issuance)
        resumed.append(issuance.wave_id)
    return resumed

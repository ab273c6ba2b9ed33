"""What the statistics count (OPS-3): each metric, where its time comes from, and its grouped query.

A metric is counted on the WIB day of one timestamp of one domain row, per province and per wave
slice (``models.DailyCount``). Where each step's time is recorded:

- registered: ``accounts.User.date_joined`` (operators are not counted);
- email confirmed: ``accounts.User.email_confirmed_at``, stamped by the ``email_confirmed`` receiver
  the first time any address of the account is confirmed (allauth keeps only a flag; accounts
  confirmed before the field existed were backfilled with their registration time);
- NIK verified: ``registry.Profile.identity_checked_at`` of a verified identity;
- phone verified: ``registry.Profile.phone_verified_at``;
- test done: ``registry.TestAttempt.submitted_at``;
- joined: ``waves.Application.joined_at``;
- purchases: ``learning.Payment.paid_at`` (also when later cancelled: the cancellation is its own
  metric on ``cancelled_at``); completions: ``learning.Completion.reported_at`` (held: reported
  with a mismatch), the operator's decision on ``decided_at``; certificates:
  ``learning.Certificate.issued_at``;
- complaints: ``complaints.Ticket.created_at`` per category; the first answer on
  ``first_response_at`` (count, seconds since the ticket was received, and how many within 1, 4,
  24 and 72 hours and within the category's target), open and overdue tickets as a snapshot.

Province: for the funnel, the domicile the profile states when the day is counted (none before
the personal-data step, REG-4: "unknown"); for applications and everything after, the province the
application was made in. Wave slices: "joined" and the trainings belong to the application's
(the card's) wave; the funnel's earlier steps count for a wave when they happened between its
opening and closing times. Complaints have no wave.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from prakerja.complaints.categories import Category
from prakerja.complaints.models import OPEN_STATUSES, Source, Ticket
from prakerja.complaints.services import response_hours
from prakerja.learning.models import Certificate, Completion, CompletionStatus, Payment
from prakerja.registry.models import IdentityStatus, Profile, TestAttempt
from prakerja.stats.models import ALL_WAVES, NO_PROVINCE
from prakerja.waves.models import Application, Wave

WIB = ZoneInfo(settings.TIME_ZONE)
FUNNEL, TRAININGS, COMPLAINTS = "funnel", "trainings", "complaints"


@dataclass(frozen=True)
class Metric:
    code: str
    section: str
    label: Promise
    snapshot: bool = False  # the value of the last day counted, not a sum over days
    unit: str = "count"  # "count", "rupiah", "seconds"


# --- the catalogue --------------------------------------------------------------------------
FUNNEL_METRICS = [
    Metric("registered", FUNNEL, _("Registered")),
    Metric("email_confirmed", FUNNEL, _("Email confirmed")),
    Metric("nik_verified", FUNNEL, _("NIK verified")),
    Metric("phone_verified", FUNNEL, _("Phone verified")),
    Metric("test_done", FUNNEL, _("Motivation test done")),
    Metric("joined", FUNNEL, _("Joined a wave")),
]
TRAINING_METRICS = [
    Metric("purchases", TRAININGS, _("Purchases")),
    Metric("purchase_amount", TRAININGS, _("Purchases (Rp)"), unit="rupiah"),
    Metric("purchases_cancelled", TRAININGS, _("Purchases cancelled (refunded)")),
    Metric("completions_reported", TRAININGS, _("Completions reported")),
    Metric("completions_held", TRAININGS, _("Completions held for review")),
    Metric("completions_accepted", TRAININGS, _("Held completions accepted by an operator")),
    Metric("completions_rejected", TRAININGS, _("Completions rejected by an operator")),
    Metric("certificates", TRAININGS, _("Certificates issued")),
]
ANSWER_BUCKETS = [1, 4, 24, 72]  # hours; cumulative: "answered within N hours"
COMPLAINT_KINDS = {
    "received": _("Received"),
    "answered": _("First answers"),
    "answer_seconds": _("Time to the first answer (seconds, summed)"),
    "within_1h": _("Answered within 1 hour"),
    "within_4h": _("Answered within 4 hours"),
    "within_24h": _("Answered within 24 hours"),
    "within_72h": _("Answered within 72 hours"),
    "on_target": _("Answered within the category's target"),
    "open": _("Open"),
    "overdue": _("Overdue"),
}
SNAPSHOT_KINDS = {"open", "overdue"}


def complaint_code(kind: str, category: str) -> str:
    return f"complaints.{kind}.{category}"


COMPLAINT_METRICS = [
    Metric(complaint_code(kind, category), COMPLAINTS, label, snapshot=kind in SNAPSHOT_KINDS,
           unit="seconds" if kind == "answer_seconds" else "count")
    for kind, label in COMPLAINT_KINDS.items() for category in Category.values
]
METRICS: dict[str, Metric] = {m.code: m for m in FUNNEL_METRICS + TRAINING_METRICS + COMPLAINT_METRICS}
SNAPSHOT_CODES = [m.code for m in COMPLAINT_METRICS if m.snapshot]


def codes(section: str, *, snapshot: bool | None = None) -> list[str]:
    return [m.code for m in METRICS.values()
            if m.section == section and (snapshot is None or m.snapshot == snapshot)]


# --- how each is counted ---------------------------------------------------------------------
@dataclass(frozen=True)
class Counter:
    """One grouped query over one domain table, giving rows for one metric (or one per ``split`` value)."""

    metric: str  # the code, or a prefix completed by the split value
    rows: Callable[[], QuerySet]
    when: str  # the event's timestamp
    province: str  # path to the province code
    wave: str | None = None  # path to the wave number of the row's own wave
    windows: bool = False  # also count per wave whose open window holds the event
    value: Callable[[], object] = field(default=lambda: Count("pk"))
    split: str | None = None  # a field whose value completes the metric code
    seconds: bool = False  # the value is a duration, stored in whole seconds


def _people():
    from prakerja.accounts.models import User

    return User.objects.filter(is_staff=False)


DOMICILE = "domicile_regency__province__code"  # from a Profile
PERSON_DOMICILE = f"profile__{DOMICILE}"  # from a User
USER_DOMICILE = f"user__profile__{DOMICILE}"  # from a row with a user
CARD = "card__application__province__code", "card__wave__number"
PAID_CARD = "payment__card__application__province__code", "payment__card__wave__number"


def _answer_time():
    return ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField())


def _within(hours) -> Q:
    return Q(first_response_at__lte=F("created_at") + timedelta(hours=hours))


def _on_target() -> Q:
    # The target each category has now (ResponseTarget, else settings): a changed target
    # applies to the days counted after the change.
    condition = Q(pk__in=[])
    for category in Category.values:
        condition |= Q(category=category) & _within(response_hours(category))
    return condition


def _tickets():
    """People's complaints: the tickets the system opens for its own events are work, not complaints."""
    return Ticket.objects.exclude(source=Source.SYSTEM)


def _answered():
    return _tickets().filter(first_response_at__isnull=False)


COUNTERS: list[Counter] = [
    # The funnel (REG-1..8, WAV-2).
    Counter("registered", _people, "date_joined", PERSON_DOMICILE, windows=True),
    Counter("email_confirmed", lambda: _people().filter(email_confirmed_at__isnull=False), "email_confirmed_at",
            PERSON_DOMICILE, windows=True),
    Counter("nik_verified", lambda: Profile.objects.filter(identity_status=IdentityStatus.VERIFIED,
                                                           user__is_staff=False),
            "identity_checked_at", DOMICILE, windows=True),
    Counter("phone_verified", lambda: Profile.objects.filter(user__is_staff=False), "phone_verified_at", DOMICILE,
            windows=True),
    Counter("test_done", lambda: TestAttempt.objects.filter(user__is_staff=False), "submitted_at", USER_DOMICILE,
            windows=True),
    Counter("joined", Application.objects.all, "joined_at", "province__code", wave="wave__number"),
    # Trainings (TRN-2..4).
    Counter("purchases", lambda: Payment.objects.filter(paid_at__isnull=False), "paid_at", *CARD),
    Counter("purchase_amount", lambda: Payment.objects.filter(paid_at__isnull=False), "paid_at", *CARD,
            value=lambda: Sum("amount")),
    Counter("purchases_cancelled", lambda: Payment.objects.filter(paid_at__isnull=False), "cancelled_at", *CARD),
    Counter("completions_reported", Completion.objects.all, "reported_at", *PAID_CARD),
    Counter("completions_held", lambda: Completion.objects.exclude(mismatches=[]), "reported_at", *PAID_CARD),
    Counter("completions_accepted", lambda: Completion.objects.filter(status=CompletionStatus.ACCEPTED),
            "decided_at", *PAID_CARD),
    Counter("completions_rejected", lambda: Completion.objects.filter(status=CompletionStatus.REJECTED),
            "decided_at", *PAID_CARD),
    Counter("certificates", Certificate.objects.all, "issued_at", *PAID_CARD),
    # Complaints (CMP-1..3), per category.
    Counter("complaints.received.", _tickets, "created_at", USER_DOMICILE, split="category"),
    Counter("complaints.answered.", _answered, "first_response_at", USER_DOMICILE, split="category"),
    Counter("complaints.answer_seconds.", _answered, "first_response_at", USER_DOMICILE, split="category",
            value=lambda: Sum(_answer_time()), seconds=True),
    *[Counter(f"complaints.within_{h}h.", lambda h=h: _answered().filter(_within(h)), "first_response_at",
              USER_DOMICILE, split="category") for h in ANSWER_BUCKETS],
    Counter("complaints.on_target.", lambda: _answered().filter(_on_target()), "first_response_at", USER_DOMICILE,
            split="category"),
]

Row = tuple[date, str, int, str, int]  # day, metric, wave_number, province_code, value


def day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=WIB)


def _value(raw, seconds: bool) -> int:
    if raw is None:
        return 0
    if seconds:
        return int(raw.total_seconds()) if isinstance(raw, timedelta) else int(raw) // 1_000_000
    return int(raw)


def _grouped(counter: Counter, queryset: QuerySet, wave_field: str | None) -> Iterator[tuple]:
    keys = ["_day", "_province"] + ([counter.split] if counter.split else []) + (["_wave"] if wave_field else [])
    annotated = queryset.annotate(_day=TruncDate(counter.when, tzinfo=WIB),
                                  _province=Coalesce(F(counter.province), Value(NO_PROVINCE)))
    if wave_field:
        annotated = annotated.annotate(_wave=F(wave_field))
    # order_by(): no default ordering may reach the GROUP BY.
    yield from annotated.values(*keys).annotate(_v=counter.value()).order_by()


def counter_rows(counter: Counter, start: datetime, end: datetime, waves: list[tuple[int, datetime, datetime]]
                 ) -> Iterator[Row]:
    """The rows of one counter for events in [start, end): the whole programme, then each wave slice."""
    base = counter.rows().filter(**{f"{counter.when}__gte": start, f"{counter.when}__lt": end})

    def emit(row, wave_number):
        value = _value(row["_v"], counter.seconds)
        if value:
            metric = counter.metric + row[counter.split] if counter.split else counter.metric
            return (row["_day"], metric, wave_number, row["_province"] or NO_PROVINCE, value)
        return None

    slices = [(base, None, ALL_WAVES)]
    if counter.wave:
        slices.append((base, counter.wave, None))
    if counter.windows:
        for number, opens_at, closes_at in waves:
            window = base.filter(**{f"{counter.when}__gte": max(opens_at, start),
                                    f"{counter.when}__lt": min(closes_at, end)})
            slices.append((window, None, number))
    for queryset, wave_field, wave_number in slices:
        for row in _grouped(counter, queryset, wave_field):
            made = emit(row, wave_number if wave_field is None else row["_wave"])
            if made:
                yield made


def waves_between(start: datetime, end: datetime) -> list[tuple[int, datetime, datetime]]:
    return list(Wave.objects.filter(opens_at__lt=end, closes_at__gt=start).order_by("number")
                .values_list("number", "opens_at", "closes_at"))


def rows_between(start: datetime, end: datetime) -> Iterator[Row]:
    """Every counter's rows for events in [start, end)."""
    waves = waves_between(start, end)
    for counter in COUNTERS:
        yield from counter_rows(counter, start, end, waves)


def snapshot_rows(day: date, now: datetime) -> Iterator[Row]:
    """Open and overdue tickets per category and province as they are now, stored on ``day``."""
    open_tickets = _tickets().filter(status__in=OPEN_STATUSES).annotate(
        _province=Coalesce(F(USER_DOMICILE), Value(NO_PROVINCE)))
    grouped = open_tickets.values("category", "_province").annotate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now))).order_by()
    for row in grouped:
        for kind in SNAPSHOT_KINDS:
            if row[kind]:
                yield (day, complaint_code(kind, row["category"]), ALL_WAVES, row["_province"], row[kind])

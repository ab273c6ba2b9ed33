"""Reads for the operators' queue of held completion reports (TRN-4): counts, rows, and how late each is.

A held report is overdue once the business day the participant was
promised has passed (``CERTIFICATE_PROMISED_DAYS``), and very overdue past
the seventh, when the participant may complain (``CERTIFICATE_COMPLAINT_DAYS``,
CMP-2): the same days as ``completions.certificate_window``, weekends and
Indonesian public holidays not counted. Each is a cutoff instant computed
once per page, so counting and filtering are plain comparisons on
``reported_at`` (the ``completion_held`` index), never a calendar per row.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from prakerja.core.calendar import add_business_days, business_days_between
from prakerja.learning.completions import CERTIFICATE_COMPLAINT_DAYS, CERTIFICATE_PROMISED_DAYS
from prakerja.learning.models import Completion, CompletionStatus

FIELDS = ("name", "email", "phone")  # what completions.mismatches can name
# The learning app stands below partners (tests/platform/test_layers.py): the model through the foreign key.
Partner = Completion._meta.get_field("provider").related_model


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def late_before(today: date, days: int) -> datetime:
    """The instant before which a report has waited more than ``days`` business days on ``today``.

    A report of local day ``d`` is late once ``add_business_days(d, days)`` is
    before today; that day only grows with ``d``, so the late reports are
    exactly those of the days up to the last late one.
    """
    day = today - timedelta(days=1)
    while add_business_days(day, days) >= today:
        day -= timedelta(days=1)
    return _start_of(day + timedelta(days=1))


@dataclass(frozen=True)
class Lateness:
    today: date
    overdue_before: datetime  # held past the promised business day
    very_overdue_before: datetime  # held past the seventh: the participant may complain

    @classmethod
    def on(cls, today: date) -> "Lateness":
        return cls(today=today, overdue_before=late_before(today, CERTIFICATE_PROMISED_DAYS),
                   very_overdue_before=late_before(today, CERTIFICATE_COMPLAINT_DAYS))


def completion_counts(lateness: Lateness) -> dict:
    """Held reports (all, overdue, very overdue) and the decisions of today, in one query."""
    today = _start_of(lateness.today)
    tomorrow = _start_of(lateness.today + timedelta(days=1))
    held = Q(status=CompletionStatus.HELD)
    decided_today = Q(decided_at__gte=today, decided_at__lt=tomorrow)
    return (Completion.objects.filter(held | decided_today)
            .aggregate(held=Count("pk", filter=held),
                       overdue=Count("pk", filter=held & Q(reported_at__lt=lateness.overdue_before)),
                       very_overdue=Count("pk", filter=held & Q(reported_at__lt=lateness.very_overdue_before)),
                       accepted_today=Count("pk", filter=decided_today & Q(status=CompletionStatus.ACCEPTED)),
                       rejected_today=Count("pk", filter=decided_today & Q(status=CompletionStatus.REJECTED))))


def completion_rows(lateness: Lateness, *, status: str = CompletionStatus.HELD, provider: str | None = None,
                    field: str | None = None, overdue_only: bool = False):
    """Reports of one status: held ones oldest first (the queue); decided ones, latest decision first (audit).

    "Accepted" means accepted by an operator: a report that matched on
    arrival was never in the queue. ``provider`` is the provider's code,
    ``field`` one of ``FIELDS``, ``overdue_only`` applies to held reports.
    """
    rows = Completion.objects.filter(status=status).select_related("provider", "payment__listing__course",
                                                                   "decided_by")
    if status == CompletionStatus.HELD:
        rows = rows.order_by("reported_at", "pk")
        if overdue_only:
            rows = rows.filter(reported_at__lt=lateness.overdue_before)
    else:
        rows = rows.filter(decided_at__isnull=False).order_by("-decided_at", "-pk")
    if provider:
        rows = rows.filter(provider__code=provider)
    if field:
        # JSON containment is PostgreSQL's only; the list as text works on both databases. The values are
        # three fixed words, so '"name"' cannot match anything but the name.
        rows = rows.annotate(mismatch_text=Cast("mismatches", TextField())).filter(mismatch_text__contains=f'"{field}"')
    return rows


def with_lateness(rows, lateness: Lateness) -> list[Completion]:
    """The page's rows, each told its business days waiting (until decided) and whether it is late."""
    rows = list(rows)
    for row in rows:
        mark_lateness(row, lateness)
    return rows


def mark_lateness(completion: Completion, lateness: Lateness) -> Completion:
    held = completion.status == CompletionStatus.HELD
    until = lateness.today if held or completion.decided_at is None else timezone.localdate(completion.decided_at)
    completion.waiting_days = business_days_between(timezone.localdate(completion.reported_at), until)
    completion.overdue = held and completion.reported_at < lateness.overdue_before
    completion.very_overdue = held and completion.reported_at < lateness.very_overdue_before
    return completion


def providers() -> list[tuple[str, str]]:
    """(code, name) of the training providers, for the filter."""
    return list(Partner.objects.filter(kind="provider").order_by("name").values_list("code", "name"))


def completion_detail(public_id) -> Completion | None:
    """One report with its purchase, course, provider, account, decision and certificate: one query."""
    return (Completion.objects
            .select_related("provider", "payment__listing__course", "payment__platform",
                            "payment__card__user__profile", "decided_by", "certificate")
            .filter(public_id=public_id).first())

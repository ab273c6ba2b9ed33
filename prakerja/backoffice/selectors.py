"""What needs an operator now (issue 20, OPS-2): one item per kind of work, each behind the permission
needed to do it, so every role sees exactly its part.

Each item is a count and a link to where the work is done. Counts are computed only for the items
the operator may see, each one indexed query; nothing here is cached, because an operator who has
just acted expects the home to say so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from prakerja.catalog.models import Listing, ListingStatus
from prakerja.complaints.models import OPEN_STATUSES, Ticket, TicketStatus
from prakerja.learning.models import Completion, CompletionStatus
from prakerja.registry.models import IdentityStatus, Profile
from prakerja.selection.models import ImportStatus, NikListVersion, RunStatus, SelectionRun
from prakerja.waves.models import Wave


@dataclass(frozen=True)
class Item:
    key: str
    area: object
    label: object
    perm: str
    count: Callable[[datetime], int]
    url: Callable[[], str]
    urgent: bool = False  # a count above zero is late work, not just work


@dataclass(frozen=True)
class Shown:
    key: str
    area: str
    label: str
    count: int
    url: str
    urgent: bool


WAVES, IDENTITY, TRAININGS, COMPLAINTS = _("Waves and selection"), _("Identities"), _("Trainings and partners"), \
    _("Complaints")


def _admin(name: str, query: str = "") -> Callable[[], str]:
    return lambda: reverse(f"admin:{name}") + query


def waves_to_close(now):
    """The closing time passed and the minute's sweep has not closed it: the worker may be down."""
    return Wave.objects.filter(closes_at__lte=now, closed_at__isnull=True).count()


def waves_to_run(now):
    """Closed, and no selection finished: never started, still running, or stopped by an error."""
    return (Wave.objects.filter(closed_at__isnull=False, results_published_at__isnull=True)
            .exclude(selection_run__status=RunStatus.DONE).count())


def waves_to_review(now):
    """Selected and waiting for the announcement: the report is read before publishing."""
    return Wave.objects.filter(selection_run__status=RunStatus.DONE, results_published_at__isnull=True,
                               announce_at__gt=now).count()


def waves_to_publish(now):
    """The announcement time passed and the results are not out: the publisher may be down."""
    return Wave.objects.filter(selection_run__status=RunStatus.DONE, results_published_at__isnull=True,
                               announce_at__lte=now).count()


def selection_runs_failed(now):
    return SelectionRun.objects.filter(status=RunStatus.FAILED).count()


def imports_running(now):
    return NikListVersion.objects.filter(status=ImportStatus.IMPORTING).count()


def identities_waiting(now):
    return Profile.objects.filter(identity_status__in=[IdentityStatus.PENDING, IdentityStatus.CHECKING]).count()


def completions_held(now):
    return Completion.objects.filter(status=CompletionStatus.HELD).count()


def listings_pending(now):
    return Listing.objects.filter(status=ListingStatus.PENDING).count()


def tickets_new(now):
    return Ticket.objects.filter(status=TicketStatus.RECEIVED, assigned_to__isnull=True).count()


def tickets_overdue(now):
    return Ticket.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now).count()


def tickets_waiting(now):
    return Ticket.objects.filter(status=TicketStatus.WAITING).count()


def tickets_in_progress(now):
    return Ticket.objects.filter(Q(status=TicketStatus.IN_PROGRESS) | Q(status=TicketStatus.RECEIVED,
                                                                        assigned_to__isnull=False)).count()


def _desk(query: str = "") -> Callable[[], str]:
    return lambda: reverse("desk_queue") + query


ITEMS: list[Item] = [
    Item("waves_to_close", WAVES, _("Waves past their closing time, not yet closed"), "waves.change_wave",
         waves_to_close, _admin("waves_wave_changelist"), urgent=True),
    Item("waves_to_run", WAVES, _("Closed waves whose selection has not finished"), "selection.run_selection",
         waves_to_run, _admin("waves_wave_changelist")),
    Item("runs_failed", WAVES, _("Selection runs stopped by an error"), "selection.run_selection",
         selection_runs_failed, _admin("selection_selectionrun_changelist", "?status__exact=failed"), urgent=True),
    Item("waves_to_review", WAVES, _("Selection reports to review before the announcement"),
         "selection.publish_results", waves_to_review, _admin("waves_wave_changelist")),
    Item("waves_to_publish", WAVES, _("Results past their announcement time, not yet published"),
         "selection.publish_results", waves_to_publish, _admin("waves_wave_changelist"), urgent=True),
    Item("imports_running", WAVES, _("NIK list imports running"), "selection.run_selection",
         imports_running, _admin("selection_niklistversion_changelist", "?status__exact=importing")),
    Item("identities_waiting", IDENTITY, _("Identities waiting for the civil registry"),
         "accounts.view_personal_data", identities_waiting,
         _admin("registry_profile_changelist", "?identity_status__in=pending,checking")),
    Item("completions_held", TRAININGS, _("Completion reports held for review"), "learning.decide_completion",
         completions_held, lambda: reverse("operator_completions")),
    Item("listings_pending", TRAININGS, _("Listings awaiting approval"), "catalog.approve_listing",
         listings_pending, lambda: reverse("catalog_operators_listings")),
    Item("tickets_new", COMPLAINTS, _("New complaints, not yet assigned"), "complaints.work_ticket", tickets_new,
         _desk("?assigned=unassigned&status=received")),
    Item("tickets_overdue", COMPLAINTS, _("Complaints past their response time"), "complaints.work_ticket",
         tickets_overdue, _desk("?overdue=on"), urgent=True),
    Item("tickets_in_progress", COMPLAINTS, _("Complaints in progress"), "complaints.work_ticket",
         tickets_in_progress, _desk("?status=in_progress")),
    Item("tickets_waiting", COMPLAINTS, _("Complaints waiting for the participant"), "complaints.work_ticket",
         tickets_waiting, _desk("?status=waiting")),
]


def attention(user, now: datetime) -> list[Shown]:
    """The items this operator may act on, with their counts now, in a fixed order."""
    return [Shown(key=item.key, area=str(item.area), label=str(item.label), count=item.count(now), url=item.url(),
                  urgent=item.urgent) for item in ITEMS if user.has_perm(item.perm)]


@dataclass(frozen=True)
class Link:
    label: object
    perm: str
    url: Callable[[], str]


LINKS: list[Link] = [
    Link(_("Statistics"), "stats.view_statistics", lambda: reverse("stats_home")),
    Link(_("Complaints queue"), "complaints.view_ticket", lambda: reverse("desk_queue")),
    Link(_("Completion reports held for review"), "learning.view_completion", lambda: reverse("operator_completions")),
    Link(_("Listings"), "catalog.view_listing", lambda: reverse("catalog_operators_listings")),
    Link(_("Partners"), "catalog.view_listing", lambda: reverse("catalog_operators_partners")),
    Link(_("Revoked places"), "cards.view_revocations", lambda: reverse("cards_operators_revoked")),
    Link(_("Joined per wave"), "waves.view_application", lambda: reverse("waves_counts")),
    Link(_("Audit log"), "audit.view_auditentry", _admin("audit_auditentry_changelist")),
]


def links(user) -> list[dict]:
    return [{"label": str(link.label), "url": link.url()} for link in LINKS if user.has_perm(link.perm)]

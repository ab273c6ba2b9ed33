"""TRN-4, OPS-1: the operators' queue of held completion reports: counts, filters, lateness in business days,
the decision (a reason, audited; a certificate on accept) and who may see and do what.

The calendar is fixed (``operators._today``): a report on Thursday 24 December 2026 is promised by Monday
28 December (Christmas and the weekend do not count) and may be complained about from Friday 8 January 2027
(New Year's Day and Isra' Mi'raj on Tuesday 5 January do not count either).
"""

import itertools
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from prakerja.audit.models import AuditEntry
from prakerja.catalog.models import Course, Listing, ListingStatus
from prakerja.learning import operators
from prakerja.learning.completions import certificate_window, completion_decide
from prakerja.learning.models import Certificate, Completion, CompletionStatus, Payment, PaymentStatus
from prakerja.learning.services import new_code
from tests.accounts.operators import make_operator, sign_in
from tests.conftest import pass_second_factor
from tests.partners.conftest import make_partner

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")
QUEUE = reverse("operator_completions")
REASON = "Nama di KTP sama; penyedia salah ketik, tiket CS-2026-0077"
_n = itertools.count(1)


def wib(y, m, d, hour=10, minute=0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=WIB)


def report(card, listing, *, reported_at, mismatches=("name",), status=CompletionStatus.HELD, decided_by=None,
           decided_at=None) -> Completion:
    """A redeemed purchase whose provider's report differs from the account in ``mismatches``."""
    n = next(_n)
    user = card.user
    paid_at = reported_at - timedelta(days=10)
    payment = Payment.objects.create(
        platform=listing.platform, listing=listing, card=card, amount=listing.price, platform_order_id=f"INV/{n}",
        platform_user_id="u-1", buyer_name=user.full_name, buyer_email=user.email, buyer_phone="+6281234567890",
        status=PaymentStatus.PAID, otp_hash="0" * 64, otp_expires_at=paid_at, voucher_code=new_code(),
        redeem_code=new_code(), paid_at=paid_at, redeemed_at=paid_at + timedelta(hours=1))
    return Completion.objects.create(
        payment=payment, provider=listing.course.provider, completed_at=reported_at, reported_at=reported_at,
        provider_certificate_number=f"SKN/2026/{n:04d}", certificate_url=f"https://skillnesia.example/c/{n}",
        score=87, participant_name="Siti Rahmawati" if "name" in mismatches else user.full_name,
        participant_email="siti.lain@example.id" if "email" in mismatches else user.email,
        participant_phone="+6289912345678" if "phone" in mismatches else "081234567890",
        mismatches=list(mismatches), status=status, decided_by=decided_by, decided_at=decided_at,
        decision_reason=REASON if decided_at else "")


@pytest.fixture
def today(monkeypatch):
    """Set the queue's calendar: ``today(date(2026, 12, 29))``."""
    def set_today(day: date):
        monkeypatch.setattr(operators, "_today", lambda: day)
    set_today(date(2026, 12, 29))
    return set_today


@pytest.fixture
def decider(client, db):
    """A partner manager: the role that decides held reports (reading the pages in English)."""
    client.cookies["django_language"] = "en"
    user = sign_in(client, "partner_manager")
    assert user.has_perm("learning.decide_completion") and user.has_perm("learning.view_completion")
    return user


@pytest.fixture
def other_listing(platform):
    """A course of another provider, on the same platform."""
    other = make_partner("provider", "lpk-nusantara")
    course = Course.objects.create(provider=other, code="CRS-NUS-1", title="Akuntansi Dasar", description="x",
                                   category="sales", kind="webinar", hours=8)
    return Listing.objects.create(platform=platform, course=course, price=500_000, status=ListingStatus.APPROVED,
                                  code="TKP-NUS-1", decided_at=wib(2026, 11, 1))


def detail_url(completion) -> str:
    return reverse("operator_completion", args=[completion.public_id])


def ids(response) -> list:
    return [row.pk for row in response.context["rows"]]


# --- the queue: order, counts, lateness --------------------------------------------------------------------

def test_the_queue_lists_held_reports_oldest_first_with_its_counts(client, decider, ready_card, listing, today):
    """On Tuesday 29 December 2026."""
    fresh = report(ready_card, listing, reported_at=wib(2026, 12, 28, 9))  # promised by the 29th: not late
    late = report(ready_card, listing, reported_at=wib(2026, 12, 24, 0, 30))  # promised by the 28th
    very_late = report(ready_card, listing, reported_at=wib(2026, 12, 15))  # 7th business day: the 24th
    # Decided by an operator today (WIB: half past midnight is the 28th in UTC), yesterday, and a match.
    report(ready_card, listing, reported_at=wib(2026, 12, 22), status=CompletionStatus.ACCEPTED, decided_by=decider,
           decided_at=wib(2026, 12, 29, 0, 30))
    report(ready_card, listing, reported_at=wib(2026, 12, 22), status=CompletionStatus.REJECTED, decided_by=decider,
           decided_at=wib(2026, 12, 29, 16))
    report(ready_card, listing, reported_at=wib(2026, 12, 21), status=CompletionStatus.ACCEPTED, decided_by=decider,
           decided_at=wib(2026, 12, 28, 23, 59))
    report(ready_card, listing, reported_at=wib(2026, 12, 29, 8), mismatches=(), status=CompletionStatus.ACCEPTED)

    response = client.get(QUEUE)
    assert response.status_code == 200
    assert ids(response) == [very_late.pk, late.pk, fresh.pk]
    assert response.context["counts"] == {"held": 3, "overdue": 2, "very_overdue": 1, "accepted_today": 1,
                                          "rejected_today": 1}
    page = response.content.decode()
    assert page.count('data-testid="very-overdue"') == 1 and page.count('data-testid="overdue"') == 1
    rows = {row.pk: row for row in response.context["rows"]}
    assert (rows[fresh.pk].overdue, rows[late.pk].overdue, rows[late.pk].very_overdue) == (False, True, False)
    assert rows[very_late.pk].very_overdue
    # Business days waiting: after the 24th, the 28th and 29th (Christmas and the weekend do not count).
    assert [rows[pk].waiting_days for pk in (very_late.pk, late.pk, fresh.pk)] == [9, 2, 1]
    assert "2 business days waiting" in page
    assert detail_url(late) in page and listing.course.title in page and listing.course.provider.name in page


@pytest.mark.parametrize(("day", "overdue", "very_overdue", "waiting"), [
    (date(2026, 12, 24), False, False, 0),
    (date(2026, 12, 25), False, False, 0),  # Christmas
    (date(2026, 12, 26), False, False, 0),  # Saturday
    (date(2026, 12, 28), False, False, 1),  # Monday: the promised business day
    (date(2026, 12, 29), True, False, 2),
    (date(2027, 1, 6), True, False, 6),  # New Year's Day and Isra' Mi'raj (5 January) do not count
    (date(2027, 1, 7), True, False, 7),  # the seventh business day
    (date(2027, 1, 8), True, True, 8),  # the participant may complain from today
])
def test_lateness_counts_business_days_across_christmas_and_the_weekend(client, decider, ready_card, listing, today,
                                                                        day, overdue, very_overdue, waiting):
    held = report(ready_card, listing, reported_at=wib(2026, 12, 24, 0, 30))  # 23 December in UTC
    today(day)
    response = client.get(QUEUE)
    [row] = response.context["rows"]
    assert (row.overdue, row.very_overdue, row.waiting_days) == (overdue, very_overdue, waiting)
    counts = response.context["counts"]
    assert (counts["overdue"], counts["very_overdue"]) == (int(overdue), int(very_overdue))
    assert certificate_window(held.reported_at).overdue(day) == very_overdue  # the participant's dashboard agrees
    assert client.get(QUEUE, {"overdue": "on"}).context["rows"] == ([row] if overdue else [])
    page = client.get(detail_url(held)).content.decode()
    assert ('data-testid="overdue"' in page) == (overdue and not very_overdue)
    assert ('data-testid="very-overdue"' in page) == very_overdue


# --- filters and pages --------------------------------------------------------------------------------------

def test_filters_provider_field_overdue_and_status(client, decider, ready_card, listing, other_listing, today):
    name = report(ready_card, listing, reported_at=wib(2026, 12, 28), mismatches=("name",))
    email_phone = report(ready_card, listing, reported_at=wib(2026, 12, 21), mismatches=("email", "phone"))
    elsewhere = report(ready_card, other_listing, reported_at=wib(2026, 12, 22), mismatches=("phone",))
    accepted = report(ready_card, listing, reported_at=wib(2026, 12, 20), status=CompletionStatus.ACCEPTED,
                      decided_by=decider, decided_at=wib(2026, 12, 23))
    rejected = report(ready_card, other_listing, reported_at=wib(2026, 12, 20), status=CompletionStatus.REJECTED,
                      decided_by=decider, decided_at=wib(2026, 12, 24))
    report(ready_card, listing, reported_at=wib(2026, 12, 20), mismatches=(), status=CompletionStatus.ACCEPTED)

    def shown(**query):
        response = client.get(QUEUE, query)
        assert response.status_code == 200, response.context["form"].errors
        return ids(response)

    assert shown() == [email_phone.pk, elsewhere.pk, name.pk]
    assert shown(provider=listing.course.provider.code) == [email_phone.pk, name.pk]
    assert shown(provider="lpk-nusantara") == [elsewhere.pk]
    assert shown(field="name") == [name.pk]
    assert shown(field="email") == [email_phone.pk]
    assert shown(field="phone") == [email_phone.pk, elsewhere.pk]
    assert shown(field="phone", provider="lpk-nusantara") == [elsewhere.pk]
    assert shown(overdue="on") == [email_phone.pk, elsewhere.pk]
    # Decided ones, for audit: by an operator only (a matched report never was in the queue), latest first.
    assert shown(status="accepted") == [accepted.pk]
    assert shown(status="rejected") == [rejected.pk]
    assert shown(status="rejected", provider=listing.course.provider.code) == []
    page = client.get(QUEUE, {"status": "rejected"}).content.decode()
    assert decider.full_name in page and 'data-testid="overdue"' not in page
    # A value that is not a choice is said, not obeyed blindly.
    response = client.get(QUEUE, {"field": "nik"})
    assert response.status_code == 200 and response.context["form"].errors["field"]


def test_the_queue_is_paged_and_pages_keep_the_filters(client, decider, ready_card, listing, today):
    first = [report(ready_card, listing, reported_at=wib(2026, 12, 1) + timedelta(hours=n)) for n in range(51)]
    response = client.get(QUEUE, {"provider": listing.course.provider.code})
    assert len(response.context["rows"]) == operators.PER_PAGE and ids(response)[0] == first[0].pk
    assert response.context["counts"]["held"] == 51
    page = response.content.decode()
    assert f"provider={listing.course.provider.code}&amp;page=2" in page
    assert ids(client.get(QUEUE, {"provider": listing.course.provider.code, "page": 2})) == [first[50].pk]


def test_the_queue_costs_the_same_queries_for_one_row_or_many(client, decider, ready_card, listing, other_listing,
                                                              today, django_assert_num_queries):
    report(ready_card, listing, reported_at=wib(2026, 12, 24))
    client.get(QUEUE)  # the session and the permissions, as on every page after the first
    # session, user, user's and groups' permissions, providers, counts, page count, rows
    with django_assert_num_queries(8):
        assert len(client.get(QUEUE).context["rows"]) == 1
    for n in range(5):
        report(ready_card, other_listing if n % 2 else listing, reported_at=wib(2026, 12, 21, n),
               mismatches=("name", "phone"))
    report(ready_card, listing, reported_at=wib(2026, 12, 21), status=CompletionStatus.REJECTED, decided_by=decider,
           decided_at=wib(2026, 12, 28))
    with django_assert_num_queries(8):
        assert len(client.get(QUEUE).context["rows"]) == 6
    with django_assert_num_queries(8):
        assert len(client.get(QUEUE, {"status": "rejected"}).context["rows"]) == 1


def test_the_detail_costs_a_fixed_number_of_queries(client, decider, ready_card, listing, today,
                                                    django_assert_num_queries):
    held = report(ready_card, listing, reported_at=wib(2026, 12, 24), mismatches=("name", "email", "phone"))
    client.get(detail_url(held))
    # session, user, user's and groups' permissions, the report with all it shows, and the look already on
    # record (PRV-5: one audit row per operator per report per ten minutes)
    with django_assert_num_queries(6):
        assert client.get(detail_url(held)).status_code == 200


# --- the detail -------------------------------------------------------------------------------------------

def test_the_decider_sees_the_mismatched_fields_side_by_side(client, decider, ready_card, listing, today):
    held = report(ready_card, listing, reported_at=wib(2026, 12, 24), mismatches=("name", "phone"))
    response = client.get(detail_url(held))
    page = response.content.decode()
    user = ready_card.user
    assert [row["field"] for row in response.context["compared"]] == ["name", "phone"]  # only what differs
    assert "Siti Rahmawati" in page and user.full_name in page
    # The phone partly masked, enough to compare: the operator's prefix and the last four digits.
    assert "+62899••••5678" in page and "+62812••••7890" in page
    assert "+6289912345678" not in page and "+6281234567890" not in page
    assert user.email not in page  # the email matched: not shown
    assert held.provider_certificate_number in page and held.certificate_url in page and "87/100" in page
    assert 'data-testid="accept-form"' in page and 'data-testid="reject-form"' in page
    assert 'value="accept"' in page and 'value="reject"' in page
    assert page.count("csrfmiddlewaretoken") >= 2


@pytest.mark.parametrize("role", ["auditor", "complaints_agent"])
def test_readers_see_the_report_masked_and_no_forms(client, ready_card, listing, today, role):
    held = report(ready_card, listing, reported_at=wib(2026, 12, 24), mismatches=("name", "email"))
    pass_second_factor(client, make_operator(role))
    assert client.get(QUEUE).status_code == 200
    response = client.get(detail_url(held))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Siti Rahmawati" not in page and "S*** R********" in page
    assert ready_card.user.email not in page and "s***@example.id" in page
    assert 'name="decision"' not in page
    response = client.post(detail_url(held), {"decision": "accept", "accept-reason": REASON})
    assert response.status_code == 403
    held.refresh_from_db()
    assert held.status == CompletionStatus.HELD and not AuditEntry.objects.filter(action="completion.accept").exists()


def test_an_unknown_report_is_not_found(client, decider):
    assert client.get(reverse("operator_completion", args=[uuid.uuid4()])).status_code == 404
    assert client.post(reverse("operator_completion", args=[uuid.uuid4()]),
                       {"decision": "reject", "reject-reason": REASON}).status_code == 404


# --- deciding -------------------------------------------------------------------------------------------

def test_accepting_issues_the_certificate_with_an_audited_reason(client, decider, ready_card, listing, today, queued):
    held = report(ready_card, listing, reported_at=wib(2026, 12, 24))
    response = client.post(detail_url(held), {"decision": "accept", "accept-reason": REASON})
    assert response.status_code == 302 and response["Location"] == QUEUE
    held.refresh_from_db()
    assert held.status == CompletionStatus.ACCEPTED and held.decided_by == decider
    assert held.decision_reason == REASON and held.decided_at is not None
    certificate = Certificate.objects.get(completion=held)
    assert certificate.payment_id == held.payment_id and certificate.participant_name == ready_card.user.full_name
    entry = AuditEntry.objects.get(action="completion.accept")
    assert entry.actor == decider and entry.reason == REASON
    assert entry.data["completion"] == str(held.public_id) and entry.data["mismatches"] == ["name"]
    # Off the queue, on the record: who, when, why, and the certificate.
    assert ids(client.get(QUEUE)) == []
    assert ids(client.get(QUEUE, {"status": "accepted"})) == [held.pk]
    page = client.get(detail_url(held)).content.decode()
    assert 'data-testid="decision"' in page and REASON in page and decider.email in page
    assert certificate.number in page and 'name="decision"' not in page


def test_rejecting_keeps_the_report_and_issues_nothing(client, decider, ready_card, listing, today):
    held = report(ready_card, listing, reported_at=wib(2026, 12, 24))
    response = client.post(detail_url(held), {"decision": "reject", "reject-reason": REASON})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == CompletionStatus.REJECTED and held.decided_by == decider and held.decision_reason == REASON
    assert not Certificate.objects.exists()
    assert Completion.objects.filter(pk=held.pk).exists()
    entry = AuditEntry.objects.get(action="completion.reject")
    assert entry.actor == decider and entry.reason == REASON
    assert ids(client.get(QUEUE, {"status": "rejected"})) == [held.pk]
    page = client.get(detail_url(held)).content.decode()
    assert 'data-testid="decision"' in page and REASON in page


@pytest.mark.parametrize("reason", ["", "   ", "ok"])
def test_a_reason_is_required_either_way(client, decider, ready_card, listing, today, reason):
    held = report(ready_card, listing, reported_at=wib(2026, 12, 24))
    for decision in ("accept", "reject"):
        response = client.post(detail_url(held), {"decision": decision, f"{decision}-reason": reason})
        assert response.status_code == 400
        assert response.context[f"{decision}_form"].errors["reason"]
        assert "at least 5 characters" in response.content.decode()
    held.refresh_from_db()
    assert held.status == CompletionStatus.HELD and not Certificate.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="completion.").exists()


def test_a_second_decision_is_refused(client, decider, ready_card, listing, today):
    held = report(ready_card, listing, reported_at=wib(2026, 12, 24))
    assert client.post(detail_url(held), {"decision": "reject", "reject-reason": REASON}).status_code == 302
    response = client.post(detail_url(held), {"decision": "accept", "accept-reason": REASON})
    assert response.status_code == 409
    assert 'data-testid="refusal"' in response.content.decode()
    assert "already been decided" in response.content.decode()
    held.refresh_from_db()
    assert held.status == CompletionStatus.REJECTED and not Certificate.objects.exists()
    assert AuditEntry.objects.filter(action__startswith="completion.").count() == 1


def test_another_operator_deciding_first_wins(client, decider, ready_card, listing, today, queued):
    """The page was open; meanwhile someone else accepted: the second is refused, the page shows the decision."""
    held = report(ready_card, listing, reported_at=wib(2026, 12, 24))
    other = make_operator("partner_manager", email="manager-2@prakerja.test")
    completion_decide(completion_id=held.public_id, actor=other, accept=True, reason=REASON)
    response = client.post(detail_url(held), {"decision": "reject", "reject-reason": "Data tidak cocok sama sekali"})
    assert response.status_code == 409
    assert other.email in response.content.decode()
    held.refresh_from_db()
    assert held.status == CompletionStatus.ACCEPTED and held.decided_by == other


def test_a_cancelled_purchase_cannot_be_accepted(client, decider, ready_card, listing, today):
    held = report(ready_card, listing, reported_at=wib(2026, 12, 24))
    Payment.objects.filter(pk=held.payment_id).update(status=PaymentStatus.CANCELLED)
    response = client.post(detail_url(held), {"decision": "accept", "accept-reason": REASON})
    assert response.status_code == 409
    held.refresh_from_db()
    assert held.status == CompletionStatus.HELD and not Certificate.objects.exists()


# --- who may -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["wave_manager", "verifier", "finance"])
def test_operators_without_the_permission_are_refused(client, ready_card, listing, role):
    held = report(ready_card, listing, reported_at=wib(2026, 12, 24))
    user = sign_in(client, role)
    assert not user.has_perm("learning.view_completion")
    assert client.get(QUEUE).status_code == 403
    assert client.get(detail_url(held)).status_code == 403
    assert client.post(detail_url(held), {"decision": "accept", "accept-reason": REASON}).status_code == 403
    held.refresh_from_db()
    assert held.status == CompletionStatus.HELD


def test_anonymous_and_participants_are_refused(client, ready_card, listing):
    held = report(ready_card, listing, reported_at=wib(2026, 12, 24))
    login = reverse("account_login")
    for response in (client.get(QUEUE), client.get(detail_url(held)),
                     client.post(detail_url(held), {"decision": "accept", "accept-reason": REASON})):
        assert response.status_code == 302 and response["Location"].startswith(login)
    client.force_login(ready_card.user)
    assert client.get(QUEUE).status_code == 403
    assert client.post(detail_url(held), {"decision": "accept", "accept-reason": REASON}).status_code == 403
    held.refresh_from_db()
    assert held.status == CompletionStatus.HELD


def test_an_operator_without_the_second_factor_is_sent_to_it(client, ready_card, listing):
    held = report(ready_card, listing, reported_at=wib(2026, 12, 24))
    client.force_login(make_operator("partner_manager"))
    for response in (client.get(QUEUE),
                     client.post(detail_url(held), {"decision": "accept", "accept-reason": REASON})):
        assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_activate_totp"))
    held.refresh_from_db()
    assert held.status == CompletionStatus.HELD


def test_the_back_office_links_to_the_queue_and_the_admin_is_read_only(client, decider, ready_card, listing):
    held = report(ready_card, listing, reported_at=wib(2026, 12, 24))
    assert QUEUE in client.get(reverse("admin:index")).content.decode()
    page = client.get(reverse("admin:learning_completion_change", args=[held.pk])).content.decode()
    assert detail_url(held) in page and "Siti Rahmawati" not in page
    assert client.get(reverse("admin:learning_completion_changelist")).status_code == 200
    assert client.post(reverse("admin:learning_completion_change", args=[held.pk]), {}).status_code == 403
    assert client.get(reverse("admin:learning_certificate_changelist")).status_code == 200
    assert client.get(reverse("admin:learning_review_changelist")).status_code == 200

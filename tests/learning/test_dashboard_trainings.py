"""TRN-3, TRN-4, TRN-5 on the dashboard: "Pelatihanmu", the latest purchases with codes, certificates and reviews.

A held completion says when the certificate is expected (one business day
after the report, up to seven) and, from the day after the seventh business
day, points to the complaint form with the certificate category chosen (CMP-1).
"""

from datetime import date, timedelta

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import pgettext

from prakerja.learning.completions import certificate_window
from prakerja.learning.selectors import purchases_of
from prakerja.web.views import DASHBOARD_TRAININGS
from tests.learning.test_history import finish, hold, item, page_of, purchase

COMPLAINT = reverse("complaint_form") + "?kategori=certificate"


def panel(client, user, language="en") -> str:
    page = page_of(client, user, reverse("dashboard"), language)
    start = page.index('<section class="card" id="trainings">')
    return page[start:page.index("</section>", start)]


def test_the_panel_shows_the_five_newest_and_links_to_the_history(client, ready_card, listing):
    now = timezone.now()
    payments = [purchase(ready_card, listing, paid_at=now - timedelta(days=n)) for n in range(7)]
    shown = panel(client, ready_card.user)
    assert DASHBOARD_TRAININGS == 5 and shown.count('class="purchase"') == 5
    assert all(str(p.public_id) in shown for p in payments[:5])
    assert not any(str(p.public_id) in shown for p in payments[5:])
    assert f'href="{reverse("training_history")}">Training history</a>' in shown
    first = item(shown, payments[0])
    assert payments[0].redeem_code in first and "Rp750,000" in first and "bought at Tokopedia" in first
    assert listing.course.title in first and '<span class="status status-paid">Paid</span>' in first


def test_without_a_purchase_the_panel_points_to_the_search(client, ready_card):
    shown = panel(client, ready_card.user)
    assert "You have not bought a training yet." in shown and reverse("training_search") in shown
    assert reverse("training_history") not in shown


def test_no_panel_before_there_is_a_card(client, registrant):
    assert 'id="trainings"' not in page_of(client, registrant, reverse("dashboard"))


def test_before_the_report_it_says_how_the_certificate_comes(client, ready_card, listing):
    redeemed = purchase(ready_card, listing, redeemed=True)
    one = item(panel(client, ready_card.user), redeemed)
    assert "Finish the training at the provider." in one and "at most 7 business days" in one
    assert redeemed.redeem_code not in one and reverse("complaint_form") not in one


def test_a_held_report_says_when_the_certificate_is_expected(client, ready_card, listing):
    redeemed = purchase(ready_card, listing, redeemed=True)
    reported_at = timezone.now()
    hold(redeemed, reported_at=reported_at)
    one = item(panel(client, ready_card.user), redeemed)
    with translation.override("en"):
        day = date_filter(certificate_window(reported_at).expected_by, "l, j F Y")
    assert "Your certificate is being checked." in one
    assert f"Expected by {day}; it can take up to 7 business days" in one
    assert reverse("complaint_form") not in one  # not yet: within the seven business days


def test_past_seven_business_days_it_points_to_the_complaint_form(client, ready_card, listing):
    redeemed = purchase(ready_card, listing, redeemed=True)
    hold(redeemed, reported_at=timezone.now() - timedelta(days=30))
    one = item(panel(client, ready_card.user), redeemed)
    assert "Still no certificate after 7 business days?" in one
    assert f'<a href="{COMPLAINT}">File a complaint</a>' in one
    assert "Your certificate is being checked." in one


def test_overdue_from_the_day_after_the_seventh_business_day(ready_card, listing):
    redeemed = purchase(ready_card, listing, redeemed=True)
    # Reported on Friday 29 May 2026 (WIB): the weekend and 1 June (Pancasila) do not count.
    reported_at = timezone.datetime(2026, 5, 29, 15, 0, tzinfo=timezone.get_fixed_timezone(420))
    hold(redeemed, reported_at=reported_at)
    window = certificate_window(reported_at)
    # Expected Tuesday 2 June; the seventh business day is Wednesday 10 June: complaints from Thursday 11 June.
    assert (window.expected_by, window.complaint_from) == (date(2026, 6, 2), date(2026, 6, 11))

    def seen(today):
        [shown] = purchases_of(user_id=ready_card.user_id, today=today)
        return shown

    assert seen(window.complaint_from - timedelta(days=1)).overdue is False
    assert seen(window.complaint_from).overdue is True
    assert seen(window.complaint_from).held.expected_by == window.expected_by


def test_an_accepted_report_is_finished_and_no_longer_held(client, ready_card, listing):
    payment = purchase(ready_card, listing, redeemed=True)
    finish(payment, now=timezone.now() - timedelta(days=30))
    [shown] = purchases_of(user_id=ready_card.user_id)
    assert (shown.status, shown.held, shown.overdue) == ("finished", None, False)
    one = item(panel(client, ready_card.user), payment)
    assert reverse("complaint_form") not in one and "being checked" not in one
    assert reverse("certificate_detail", args=[payment.certificate.number]) in one


def test_the_old_complaint_address_leads_to_the_form_with_the_certificate_chosen(client, ready_card):
    response = client.get(reverse("complaint_placeholder"))  # signed out: CMP-1 is for the locked-out too
    assert response.status_code == 302 and response["Location"] == COMPLAINT
    page = page_of(client, ready_card.user, response["Location"])
    assert '<option value="certificate_missing" selected>' in page


# The dashboard of a participant without purchases took 5 queries (session, user, the snapshot, the card, the
# videos); the trainings panel adds one, the purchases with course, platform, provider, certificate, review and
# held report joined, so 6 however many purchases there are.
DASHBOARD_QUERIES = 6


@pytest.mark.parametrize("count", [1, 6])
def test_the_dashboard_takes_a_fixed_number_of_queries(client, ready_card, platform, make_listing, count,
                                                       django_assert_num_queries):
    for n in range(count):
        payment = purchase(ready_card, make_listing(platform), redeemed=n % 3 != 0, cancelled=n == 5)
        if n % 3 == 1:
            finish(payment)
        elif n % 3 == 2:
            hold(payment, reported_at=timezone.now() - timedelta(days=30))
    client.force_login(ready_card.user)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        page = client.get(reverse("dashboard")).content.decode()
    assert page.count('class="purchase"') == min(count, DASHBOARD_TRAININGS)


def _translated() -> bool:
    with translation.override("id"):
        return pgettext("training status", "finished") == "selesai"


@pytest.mark.skipif(not _translated(), reason="the Indonesian of issue 19's msgids is not in the locale yet")
def test_the_spec_words_in_indonesian(client, ready_card, listing):
    finished = purchase(ready_card, listing, redeemed=True)
    finish(finished)
    shown = panel(client, ready_card.user, "id")
    for word in ("Pelatihanmu", "Riwayat Pelatihan", "selesai", "Beri Ulasan"):
        assert word in shown, word
    review = page_of(client, ready_card.user, reverse("training_review", args=[finished.public_id]), "id")
    for word in ("Bintang 1", "Bintang 5", "Lanjut"):
        assert word in review, word
    step_two = client.post(reverse("training_review", args=[finished.public_id]), {"step": "stars", "stars": 5})
    assert "Kirim" in step_two.content.decode()

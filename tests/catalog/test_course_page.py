"""The course page (TRN-1, TRN-5): the course, its approved listings compared across platforms, how to buy
with the card, and its reviews without anything that points to the reviewer."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from prakerja.catalog.models import Listing, ListingStatus
from prakerja.learning.models import Review
from prakerja.regions.models import Province
from tests.cards.conftest import announced_wave, card, issue  # noqa: F401
from tests.catalog.conftest import make_partner
from tests.learning.trainings import purchase

pytestmark = pytest.mark.django_db


@pytest.fixture
def platforms(db):
    return {code: make_partner("platform", code) for code in ("bukalapak", "pintaria", "sekolahmu")}


@pytest.fixture
def course(make_course, provider):
    return make_course(provider, code="LNC-0042", title="Analisis Data dengan Excel", category="technology",
                       kind="webinar", hours=12, schedule="Setiap Sabtu, 09.00-12.00 WIB",
                       description="Rumus, tabel pivot dan grafik.\nStudi kasus dari dunia usaha.")


def listing(course, platform, price, status=ListingStatus.APPROVED, code=None):
    return Listing.objects.create(course=course, platform=platform, price=price, status=status,
                                  code=code or f"{platform.code[:3].upper()}-{price}",
                                  decided_at=None if status == ListingStatus.PENDING else timezone.now())


def page_of(client, code: str):
    return client.get(reverse("course_detail", args=[code]))


def rows(response) -> list[tuple[str, str]]:
    """(platform, price) of each row of the comparison, in order."""
    body = response.content.decode()
    return re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="num">\s*<span class="nowrap">Rp([\d.]+)</span>',
                      body)


def test_the_course_and_its_approved_listings_cheapest_first(client, course, platforms):
    listing(course, platforms["bukalapak"], 750_000, code="BKL-00042")
    listing(course, platforms["pintaria"], 600_000, code="PNT-00042")
    listing(course, platforms["sekolahmu"], 400_000, status=ListingStatus.PENDING)  # not on sale: not shown
    response = page_of(client, "LNC-0042")
    assert response.status_code == 200
    body = response.content.decode()
    assert rows(response) == [("Pintaria", "600.000"), ("Bukalapak", "750.000")]
    assert "Sekolahmu" not in body and "400.000" not in body
    for fact in ("Analisis Data dengan Excel", "Lpk Mandiri", "Webinar", "Setiap Sabtu, 09.00-12.00 WIB",
                 "Rumus, tabel pivot dan grafik.<br>Studi kasus"):
        assert fact in body, fact
    assert re.search(r"12 (hours|jam)", body)


def test_how_to_buy_on_each_platform_with_its_listing_code(client, course, platforms):
    listing(course, platforms["bukalapak"], 750_000, code="BKL-00042")
    listing(course, platforms["pintaria"], 600_000, code="PNT-00042")
    body = page_of(client, "LNC-0042").content.decode()
    steps = re.findall(r"<details>(.*?)</details>", body, re.S)
    assert len(steps) == 2
    assert "Pintaria" in steps[0] and "PNT-00042" in steps[0]
    assert "Bukalapak" in steps[1] and "BKL-00042" in steps[1]
    for step in steps:  # the listing code, the 16-digit card number, the SMS OTP, voucher and redeem code
        assert re.search(r"16", step) and re.search(r"OTP", step), step
        assert re.search(r"voucher", step, re.I) and re.search(r"redeem", step, re.I), step


def test_an_offline_course_says_where(client, make_course, provider, platforms):
    offline = make_course(provider, code="ADR-0007", title="Membuat Roti dan Pastri", kind="offline",
                          province=Province.objects.get(code="32"), location="Jl. Braga No. 5, Kota Bandung")
    listing(offline, platforms["pintaria"], 500_000)
    body = page_of(client, "ADR-0007").content.decode()
    assert "Jl. Braga No. 5, Kota Bandung, Jawa Barat" in body


@pytest.mark.parametrize("status", [None, ListingStatus.PENDING, ListingStatus.REJECTED])
def test_a_course_not_on_sale_is_not_found(client, course, platforms, status):
    if status:
        listing(course, platforms["pintaria"], 600_000, status=status)
    assert page_of(client, "LNC-0042").status_code == 404


@pytest.mark.parametrize("code", ["NOPE-1", "lnc-0042", "%20", "LNC-0042%00", "x" * 200])
def test_an_unknown_code_is_not_found(client, course, platforms, code):
    listing(course, platforms["pintaria"], 600_000)
    assert client.get(f"/trainings/courses/{code}/").status_code == 404


WITHIN, ABOVE = "sesuai saldomu", "melebihi saldomu"  # Indonesian, the default language


def test_a_participant_sees_which_prices_the_balance_covers(client, course, platforms, card):  # noqa: F811
    balance = card.account.balance
    listing(course, platforms["bukalapak"], balance + 50_000)
    listing(course, platforms["pintaria"], balance)
    anonymous = page_of(client, "LNC-0042").content.decode()
    assert WITHIN not in anonymous and ABOVE not in anonymous
    client.force_login(card.user)
    body = page_of(client, "LNC-0042").content.decode()
    cells = re.findall(r'<td class="num">(.*?)</td>', body, re.S)
    assert WITHIN in cells[0] and ABOVE not in cells[0]
    assert ABOVE in cells[1] and WITHIN not in cells[1]


# --- reviews ---------------------------------------------------------------------------------------

@pytest.fixture
def reviewed(course, platforms, card):  # noqa: F811
    """reviewed(*stars): finished purchases of the course with these stars, a day apart, the last newest."""
    on_sale = listing(course, platforms["pintaria"], 600_000)

    def make(*stars):
        now = timezone.now()
        for n, count in enumerate(stars):
            payment = purchase(card, on_sale, state="finished", stars=count)
            Review.objects.filter(payment=payment).update(
                created_at=now - timedelta(days=len(stars) - n), text=f"Ulasan nomor {n + 1}: materinya jelas.")
        return on_sale

    return make


def test_reviews_show_the_average_the_count_and_the_texts(client, reviewed):
    reviewed(5, 4, 4)
    body = page_of(client, "LNC-0042").content.decode()
    assert re.search(r"4[.,]3 / 5", body)  # (5 + 4 + 4) / 3, one decimal
    assert re.search(r"3 (reviews|ulasan)", body)
    assert body.index("Ulasan nomor 3") < body.index("Ulasan nomor 2") < body.index("Ulasan nomor 1")
    assert body.count("★") == 13 and body.count("☆") == 2


def test_only_the_latest_ten_reviews_are_shown(client, reviewed):
    reviewed(*([3] * 12))
    body = page_of(client, "LNC-0042").content.decode()
    assert re.search(r"12 (reviews|ulasan)", body)
    shown = re.findall(r"Ulasan nomor (\d+):", body)
    assert shown == [str(n) for n in range(12, 2, -1)]


def test_reviews_say_nothing_of_who_wrote_them(client, reviewed, card):  # noqa: F811
    reviewed(5)
    user = card.user
    body = page_of(client, "LNC-0042").content.decode()
    assert "Ulasan nomor 1" in body
    for personal in (user.full_name, user.email, user.email.split("@")[0], str(user.public_id),
                     "+6281234567890", card.masked):
        assert personal not in body, personal
    assert "INV/1" not in body and "u-1" not in body  # nor the purchase


def test_no_reviews_yet(client, course, platforms):
    listing(course, platforms["pintaria"], 600_000)
    body = page_of(client, "LNC-0042").content.decode()
    assert "★" not in body and 'id="reviews"' in body


# --- queries -----------------------------------------------------------------------------------------

def test_the_course_page_takes_a_fixed_number_of_queries(client, course, platforms, reviewed,
                                                         django_assert_num_queries):
    reviewed(4)
    # The course, its listings, the reviews' average and count, the latest reviews.
    with django_assert_num_queries(4):
        assert page_of(client, "LNC-0042").status_code == 200
    listing(course, platforms["bukalapak"], 700_000)
    listing(course, platforms["sekolahmu"], 650_000)
    reviewed(*([5] * 11))
    with django_assert_num_queries(4):
        assert page_of(client, "LNC-0042").status_code == 200


def test_for_a_participant_too(client, course, platforms, card, django_assert_num_queries):  # noqa: F811
    listing(course, platforms["pintaria"], 600_000)
    client.force_login(card.user)
    page_of(client, "LNC-0042")  # the first page a session sees counts its unread notifications (then cached)
    # + the session, the user, the card and its balance.
    with django_assert_num_queries(7):
        assert page_of(client, "LNC-0042").status_code == 200
    listing(course, platforms["bukalapak"], 700_000)
    listing(course, platforms["sekolahmu"], 650_000)
    with django_assert_num_queries(7):
        assert page_of(client, "LNC-0042").status_code == 200

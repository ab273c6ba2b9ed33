""""Cari Pelatihan" (TRN-1): approved courses only, words regardless of case and accents, the filters, the
balance, bad input, pages and the query count. Runs on SQLite (FTS5) and PostgreSQL (tsvector, GIN)."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from prakerja.catalog.models import Course, Listing, ListingStatus
from prakerja.catalog.search import Filters, Order, _with_words, course_search, sqlite_index_ensure, words_of
from prakerja.catalog.services import listing_approve, listing_create, listing_reject
from prakerja.regions.models import Province
from tests.cards.conftest import announced_wave, card, issue  # noqa: F401
from tests.catalog.conftest import make_partner

pytestmark = pytest.mark.django_db
URL = reverse("training_search")


@pytest.fixture
def platforms(db):
    return [make_partner("platform", code) for code in ("bukalapak", "pintaria", "sekolahmu")]


@pytest.fixture
def offer(platforms):
    """offer(course, price, platform=0, status="approved"): a listing of the course on one of three platforms."""
    counter = iter(range(1, 10_000))

    def make(course, price=500_000, platform=0, status=ListingStatus.APPROVED):
        return Listing.objects.create(course=course, platform=platforms[platform], price=price, status=status,
                                      code=f"LST-{next(counter):05d}",
                                      decided_at=None if status == ListingStatus.PENDING else timezone.now())

    return make


@pytest.fixture
def sold(make_course, provider, offer):
    """sold(**course fields, price=...): a course with one approved listing (agriculture unless said: the
    category's labels are words of the course, and the conftest's "sales" is "Penjualan dan Pemasaran")."""
    def make(price=500_000, **fields):
        course = make_course(provider, **{"category": "agriculture", **fields})
        offer(course, price)
        return course

    return make


def titles(filters=None, **kwargs) -> list[str]:
    return [course.title for course in course_search(filters or Filters(**kwargs))]


def found_on_page(response) -> list[str]:
    return re.findall(r'<a class="title" href="[^"]+">([^<]+)</a>', response.content.decode())


# --- what is visible -----------------------------------------------------------------------------

def test_only_courses_with_an_approved_listing_are_found(make_course, provider, offer, platform, manager):
    approved = make_course(provider, title="Barista Dasar")
    offer(approved)
    pending = make_course(provider, title="Barista Pending")
    offer(pending, status=ListingStatus.PENDING)
    rejected = make_course(provider, title="Barista Ditolak")
    offer(rejected, status=ListingStatus.REJECTED)
    make_course(provider, title="Barista Tanpa Platform")
    assert titles(words="barista") == ["Barista Dasar"]
    assert titles() == ["Barista Dasar"]

    # The operator's approval (the service, through the model's signals) makes the pending one visible.
    waiting = listing_create(platform=platform, course=pending, code="TKP-90001", price=400_000, actor="system")
    listing_approve(listing=waiting, actor=manager)
    assert titles(words="barista") == ["Barista Dasar", "Barista Pending"]
    pending.refresh_from_db()
    assert (pending.listed_from, pending.listed_on) == (400_000, 1)

    # A rejection shows nothing new.
    late = listing_create(platform=platform, course=rejected, code="TKP-90002", price=100_000, actor="system")
    listing_reject(listing=late, actor=manager, reason="harga tidak wajar")
    assert "Barista Ditolak" not in titles()


def test_the_price_is_the_cheapest_approved_listing_and_the_count_its_platforms(client, make_course, provider,
                                                                                offer):
    course = make_course(provider, title="Akuntansi Dasar")
    offer(course, 650_000, platform=0)
    offer(course, 450_000, platform=1)
    offer(course, 300_000, platform=2, status=ListingStatus.PENDING)  # cheaper, but not on sale
    course.refresh_from_db()
    assert (course.listed_from, course.listed_on) == (450_000, 2)
    page = client.get(URL).content.decode()
    assert "Rp450.000" in page and "Rp300.000" not in page
    assert re.search(r"on 2 digital platforms|di 2 platform", page), page

    Listing.objects.get(price=450_000).delete()  # gone from the catalogue: the next one is the cheapest
    course.refresh_from_db()
    assert (course.listed_from, course.listed_on) == (650_000, 1)


# --- words -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["kopi", "KOPI", "Kopí", "kopí", "kópi", "  kopi!  "])
def test_words_are_found_whatever_their_case_and_accents(sold, query):
    sold(title="Barista dan Kopí Spesialti")
    sold(title="Pemasaran Digital")
    assert titles(words=query) == ["Barista dan Kopí Spesialti"]


def test_capitals_in_the_query_find_lower_case_words_and_back(sold):
    sold(title="Strategi pemasaran untuk UMKM")
    assert titles(words="PEMASARAN") == ["Strategi pemasaran untuk UMKM"]
    assert titles(words="umkm") == ["Strategi pemasaran untuk UMKM"]


def test_description_provider_and_code_are_searched_too(sold, make_course, offer):
    other = make_partner("provider", "lpk-cahaya")
    sold(title="Kelas A", description="Belajar hidroponik di rumah.")
    course = make_course(other, title="Kelas B", code="JHT-4821")
    offer(course)
    assert titles(words="hidroponik") == ["Kelas A"]
    assert titles(words="cahaya") == ["Kelas B"]  # the provider's name, "Lpk Cahaya"
    assert titles(words="jht-4821") == ["Kelas B"]


def test_the_last_word_and_every_word_match_as_a_prefix(sold):
    sold(title="Pemasaran Media Sosial")
    sold(title="Bahasa Inggris Bisnis")
    assert titles(words="pemasar") == ["Pemasaran Media Sosial"]
    assert titles(words="bahasa ingg") == ["Bahasa Inggris Bisnis"]
    assert titles(words="bah ing bis") == ["Bahasa Inggris Bisnis"]


def test_every_word_must_be_found(sold):
    sold(title="Bahasa Inggris Bisnis")
    sold(title="Bahasa Jepang Dasar")
    assert titles(words="bahasa jepang") == ["Bahasa Jepang Dasar"]
    assert titles(words="bahasa korea") == []


def test_better_matches_come_first_and_without_words_by_title(sold):
    sold(title="Zumba untuk Instruktur", description="Senam dan kebugaran.")
    sold(title="Akuntansi Excel", description="Excel untuk akuntansi: rumus Excel, tabel Excel, grafik Excel.")
    sold(title="Administrasi Kantor", description="Surat, arsip, dan sedikit Excel.")
    assert titles(words="excel") == ["Akuntansi Excel", "Administrasi Kantor"]
    assert titles() == ["Administrasi Kantor", "Akuntansi Excel", "Zumba untuk Instruktur"]


def test_words_are_cut_to_letters_and_digits_and_capped():
    assert words_of('"kopi" OR *excel* & !(python) :* -- \'; DROP') == ["kopi", "or", "excel", "python", "drop"]
    assert words_of("a b c d e f g h i j") == ["a", "b", "c", "d", "e", "f", "g", "h"]
    assert words_of("x" * 100) == ["x" * 40]
    assert words_of("!!! ... ???") == []


@pytest.mark.parametrize("query", ['"', "kopi\"*", "kopi OR", "NEAR(kopi)", "kopi:*", "kopi & | !", "'", "\\",
                                   "🙂", "x" * 500, "kopi " * 50, "\x00"])
def test_query_syntax_of_either_engine_is_only_words(client, sold, query):
    sold(title="Barista dan Kopi")
    response = client.get(URL, {"q": query})
    assert response.status_code == 200


# --- filters ---------------------------------------------------------------------------------------

def test_category_type_and_province_narrow_the_results(client, sold):
    west_java, bali = Province.objects.get(code="32"), Province.objects.get(code="51")
    sold(title="Barista Bandung", category="food", kind="offline", province=west_java, location="Jl. Braga 1")
    sold(title="Barista Denpasar", category="food", kind="offline", province=bali, location="Jl. Kuta 2")
    sold(title="Barista Daring", category="food", kind="webinar")
    sold(title="Python Daring", category="technology", kind="self_paced")
    assert titles(category="food") == ["Barista Bandung", "Barista Daring", "Barista Denpasar"]
    assert titles(kind="offline") == ["Barista Bandung", "Barista Denpasar"]
    assert titles(province="32") == ["Barista Bandung"]  # offline courses only: the others are nowhere
    assert titles(words="barista", kind="webinar") == ["Barista Daring"]
    page = client.get(URL, {"q": "barista", "category": "food", "kind": "offline", "province": "51"})
    assert found_on_page(page) == ["Barista Denpasar"]
    assert "Bali" in page.content.decode()  # the province beside an offline course


def test_price_up_to_and_cheapest_first(client, sold):
    sold(title="Kursus Mahal", price=900_000)
    sold(title="Kursus Murah", price=150_000)
    sold(title="Kursus Sedang", price=500_000)
    assert titles(max_price=500_000) == ["Kursus Murah", "Kursus Sedang"]
    assert titles(order=Order.PRICE) == ["Kursus Murah", "Kursus Sedang", "Kursus Mahal"]
    assert titles(words="kursus", order=Order.PRICE) == ["Kursus Murah", "Kursus Sedang", "Kursus Mahal"]
    for typed in ("500000", "500.000", "Rp500.000", "rp 500.000", "500,000"):
        assert found_on_page(client.get(URL, {"max_price": typed})) == ["Kursus Murah", "Kursus Sedang"], typed


def test_within_my_balance_for_a_participant_with_a_card(client, sold, card):  # noqa: F811
    balance = card.account.balance
    sold(title="Di Bawah Saldo", price=balance - 1_000)
    sold(title="Pas Saldo", price=balance)
    sold(title="Di Atas Saldo", price=balance + 1_000)
    client.force_login(card.user)
    page = client.get(URL)
    assert 'name="affordable"' in page.content.decode()
    assert found_on_page(page) == ["Di Atas Saldo", "Di Bawah Saldo", "Pas Saldo"]
    assert found_on_page(client.get(URL, {"affordable": "on"})) == ["Di Bawah Saldo", "Pas Saldo"]
    # With a lower "price up to" as well, the lower of the two applies.
    assert found_on_page(client.get(URL, {"affordable": "on", "max_price": balance - 500})) == ["Di Bawah Saldo"]


def test_anonymous_visitors_search_without_the_balance_filter(client, sold):
    sold(title="Kursus Mahal", price=9_000_000)
    page = client.get(URL, {"affordable": "on"})
    assert page.status_code == 200
    assert 'name="affordable"' not in page.content.decode()
    assert found_on_page(page) == ["Kursus Mahal"]


def test_a_signed_in_person_without_a_card_has_no_balance_filter(client, sold, applicant):
    sold(title="Kursus Mahal", price=9_000_000)
    client.force_login(applicant)
    page = client.get(URL, {"affordable": "on"})
    assert 'name="affordable"' not in page.content.decode()
    assert found_on_page(page) == ["Kursus Mahal"]


# --- bad input, empty results, pages ------------------------------------------------------------------

@pytest.mark.parametrize("params", [
    {"category": "astrology"}, {"kind": "telepathy"}, {"province": "99"}, {"province": "<script>"},
    {"max_price": "-1"}, {"max_price": "murah"}, {"max_price": "1e9"}, {"max_price": "12abc"},
    {"order": "random"}, {"affordable": "maybe"},
])
def test_a_bad_filter_is_left_out_and_said_so(client, sold, params):
    sold(title="Barista Dasar")
    sold(title="Python Dasar")
    response = client.get(URL, {"q": "barista", **params})
    assert response.status_code == 200
    body = response.content.decode()
    assert found_on_page(response) == ["Barista Dasar"], params  # the valid filters still apply
    if params != {"affordable": "maybe"}:  # a checkbox reads anything as ticked
        assert 'class="errorlist nonfield"' in body, params


@pytest.mark.parametrize("page", ["0", "-1", "99", "abc", "1.5", "", "9" * 30])
def test_any_page_number_shows_a_page(client, sold, page):
    for n in range(1, 23):
        sold(title=f"Kursus {n:02d}")
    response = client.get(URL, {"page": page})
    assert response.status_code == 200
    assert len(found_on_page(response)) in (20, 2)


def test_twenty_a_page_and_the_links_keep_the_filters(client, sold):
    for n in range(1, 46):
        sold(title=f"Kursus Barista {n:02d}", category="food")
    sold(title="Kursus Barista Teknologi", category="technology")
    first = client.get(URL, {"q": "barista", "category": "food", "order": "price"})
    assert found_on_page(first) == [f"Kursus Barista {n:02d}" for n in range(1, 21)]
    body = first.content.decode()
    assert "?q=barista&amp;category=food&amp;order=price&amp;page=2" in body
    last = client.get(URL, {"q": "barista", "category": "food", "order": "price", "page": "3"})
    assert found_on_page(last) == [f"Kursus Barista {n:02d}" for n in range(41, 46)]
    assert "page=2" in last.content.decode() and "page=4" not in last.content.decode()


def test_nothing_found_says_so_and_how_to_find_more(client, sold):
    sold(title="Barista Dasar")
    response = client.get(URL, {"q": "astronaut"})
    assert response.status_code == 200 and found_on_page(response) == []
    assert 'data-testid="no-results"' in response.content.decode()
    assert f'href="{URL}"' in response.content.decode()  # back to every training


def test_the_page_works_on_an_empty_catalogue(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'data-testid="no-results"' in response.content.decode()


# --- queries -----------------------------------------------------------------------------------------

def _queries(client, django_assert_num_queries, n: int, params: dict) -> None:
    with django_assert_num_queries(n):
        assert client.get(URL, params).status_code == 200


@pytest.mark.parametrize("params", [{}, {"q": "kursus", "category": "food", "order": "price"}])
def test_the_search_page_takes_a_fixed_number_of_queries(client, sold, offer, django_assert_num_queries, params):
    # The provinces, the count, the page: whether the page shows 2 courses or 20 of 40 with many listings.
    for n in range(2):
        sold(title=f"Kursus {n}", category="food")
    _queries(client, django_assert_num_queries, 3, params)
    for n in range(2, 40):
        course = sold(title=f"Kursus {n}", category="food")
        offer(course, 400_000, platform=1)
        offer(course, 300_000, platform=2)
    _queries(client, django_assert_num_queries, 3, params)


def test_for_a_participant_too(client, sold, card, django_assert_num_queries):  # noqa: F811
    client.force_login(card.user)
    sold(title="Kursus 0")
    client.get(URL)  # the first page a session sees counts its unread notifications (then cached)
    # + the session, the user, the card and its balance.
    _queries(client, django_assert_num_queries, 6, {"affordable": "on"})
    for n in range(1, 30):
        sold(title=f"Kursus {n}")
    _queries(client, django_assert_num_queries, 6, {"affordable": "on"})


# --- keeping the index ---------------------------------------------------------------------------------

def test_a_bulk_load_is_found_after_rebuild_search_index(provider, platforms):
    courses = Course.objects.bulk_create([
        Course(provider=provider, code=f"BLK-{n}", title=f"Pengelasan Dasar {n}", description="Las listrik.",
               category="trades", kind="webinar", hours=8) for n in range(3)])
    Listing.objects.bulk_create([
        Listing(course=course, platform=platforms[0], code=f"BLK-L{n}", price=200_000 + n, status="approved")
        for n, course in enumerate(courses)])
    assert titles(words="pengelasan") == []  # no signals: neither words nor prices yet
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert titles(words="pengelasan") == ["Pengelasan Dasar 0", "Pengelasan Dasar 1", "Pengelasan Dasar 2"]
    assert titles(words="las", max_price=200_000) == ["Pengelasan Dasar 0"]


def test_a_rebuild_of_a_right_catalogue_writes_nothing(sold, offer):
    course = sold(title="Pengelasan Dasar")
    offer(course, 300_000, platform=1)
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert out.getvalue().strip() == "courses rewritten: 0"
    Course.objects.filter(pk=course.pk).update(listed_on=7, search_text="")  # gone wrong behind the signals' back
    call_command("rebuild_search_index", stdout=out)
    assert out.getvalue().strip().endswith("courses rewritten: 1")
    course.refresh_from_db()
    assert course.listed_on == 2 and titles(words="pengelasan") == ["Pengelasan Dasar"]


def test_a_renamed_provider_is_found_by_its_new_name(sold, provider):
    sold(title="Menjahit Dasar")
    provider.name = "Rumah Jahit Kartini"
    provider.save(update_fields=["name"])
    assert titles(words="kartini") == ["Menjahit Dasar"]


def test_a_course_edited_is_found_by_its_new_words(sold):
    course = sold(title="Menjahit Dasar")
    course.title = "Tata Busana Modern"
    course.save(update_fields=["title"])  # the words follow the title (pre_save), also on SQLite's FTS5
    assert titles(words="busana") == ["Tata Busana Modern"]
    assert titles(words="menjahit") == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's table rebuilds drop triggers")
def test_sqlite_puts_the_index_triggers_back_after_a_table_rebuild(sold):
    sold(title="Barista Dasar")
    with connection.cursor() as cursor:
        for name in ("catalog_course_fts_ai", "catalog_course_fts_au", "catalog_course_fts_ad"):
            cursor.execute(f"DROP TRIGGER {name}")
    sold(title="Barista Lanjut")  # unseen by the index without its trigger
    assert titles(words="barista") == ["Barista Dasar"]
    assert sqlite_index_ensure(connection) is True
    assert titles(words="barista") == ["Barista Dasar", "Barista Lanjut"]
    assert sqlite_index_ensure(connection) is False  # nothing more to repair


def test_the_demo_catalogue_is_searchable(operator):
    from prakerja.demo.partners import load_partners

    load_partners(operator=operator)
    visible = Course.objects.filter(listed_from__isnull=False)
    assert visible.count() > 250 and not visible.filter(search_text="").exists()
    assert titles(words="barista kopi")
    assert titles(words="BAHASA inggris", kind="webinar") or titles(words="BAHASA inggris", kind="self_paced")
    example = Course.objects.get(listings__code="TKP-00123")  # docs/partner-api.md's example listing
    assert example.title in titles(words=example.title)


def test_postgresql_answers_words_from_the_gin_index(sold, postgres_only):
    sold(title="Barista dan Kopí")
    assert titles(words="KOPI barista") == ["Barista dan Kopí"]
    # The word condition alone (the visible courses' B-tree indexes compete on a table this small).
    sql, params = _with_words(Course.objects.only("pk"), words_of("KOPI barista")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: force the plan a big table gets
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "course_search_vector" in plan, plan

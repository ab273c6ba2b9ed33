"""OPS-3: the statistics pages for operators: who may see them, the filters, the tables, the charts and the CSV."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from prakerja.accounts.roles import ROLES
from prakerja.audit.models import AuditEntry
from prakerja.selection.models import NikList, SelectionRun
from prakerja.selection.selectors import run_report
from prakerja.stats import selectors, services
from prakerja.stats.views import csv_cell
from prakerja.waves.models import Application, Wave
from tests.accounts.operators import sign_in
from tests.stats import world

pytestmark = pytest.mark.django_db
PAGES = ["stats_home", "stats_selection", "stats_trainings", "stats_complaints"]


def counted():
    services.stats_rebuild(since=world.FIRST - timedelta(days=1), until=world.LAST + timedelta(days=3))


@pytest.fixture
def people(db):
    waves = world.make_people()
    counted()
    return waves


@pytest.fixture
def staff(client):
    sign_in(client, "auditor")
    return client


def cells(html: str, attribute: str, value: str) -> list[str]:
    row = re.search(rf'<tr {attribute}="{re.escape(value)}">(.*?)</tr>', html, re.S)
    assert row, (attribute, value)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row.group(1),
                                                                          re.S)]


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


# --- who ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_sees_the_statistics_only_with_the_permission(client, role):
    user = sign_in(client, role)
    allowed = role == "administrator" or "stats.view_statistics" in ROLES[role]["perms"]
    for name in PAGES:
        assert client.get(reverse(name)).status_code == (200 if allowed else 403), name
    response = client.get(reverse("stats_csv", args=["funnel"]))
    assert response.status_code == (200 if allowed else 403)
    if not allowed:
        assert AuditEntry.objects.filter(action="operator.denied", actor=user).exists()


def test_the_verifier_is_refused(client):
    sign_in(client, "verifier")
    assert client.get(reverse("stats_home")).status_code == 403


def test_a_participant_is_refused_and_a_stranger_sent_to_sign_in(client, make_user):
    assert client.get(reverse("stats_home")).status_code == 302
    client.force_login(make_user())
    assert client.get(reverse("stats_home")).status_code == 403


# --- the funnel page ----------------------------------------------------------------------------
def test_the_funnel_page_shows_the_counted_numbers(staff, people):
    html = staff.get(reverse("stats_home")).content.decode()
    expected = world.expected_funnel()
    for metric in ("registered", "email_confirmed", "nik_verified", "phone_verified", "test_done", "joined"):
        total = sum(v for k, v in expected.items() if k[1] == metric and k[2] == 0)
        assert cells(html, "data-metric", metric)[-1] == f"{total}", metric
    assert html.count('role="img"') == 2
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_filters_narrow_the_numbers(staff, people):
    expected = world.expected_funnel()
    first, last = world.DAYS[1], world.DAYS[3]
    response = staff.get(reverse("stats_home"), {"wave": "81", "province": "32", "date_from": str(first),
                                                 "date_to": str(last)})
    html = response.content.decode()
    for metric in ("registered", "nik_verified", "joined"):
        total = sum(v for (day, m, wave, province), v in expected.items()
                    if m == metric and wave == 81 and province == "32" and first <= day <= last)
        assert cells(html, "data-metric", metric)[-1] == str(total), metric
    assert cells(html, "data-province", "32")[0] == "Jawa Barat"
    unknown = staff.get(reverse("stats_home"), {"province": "none"}).content.decode()
    total = sum(v for k, v in expected.items() if k[1] == "registered" and k[2] == 0 and k[3] == "")
    assert cells(unknown, "data-metric", "registered")[-1] == str(total)


@pytest.mark.parametrize("query", [
    {"date_from": "2026-13-45"},
    {"date_to": "kemarin"},
    {"wave": "999"},
    {"wave": "satu"},
    {"province": "99"},
    {"date_from": "2026-03-05", "date_to": "2026-03-01"},
    {"date_from": "1900-01-01"},
    {"date_to": "9999-12-31"},
])
@pytest.mark.parametrize("name", PAGES)
def test_bad_filters_are_a_form_error(staff, people, query, name):
    if name == "stats_complaints" and "wave" in query:
        query = {**query, "date_to": "9999-12-31"}  # no wave field there: make it bad another way
    response = staff.get(reverse(name), query)
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    section = {"stats_home": "funnel"}.get(name, name.removeprefix("stats_"))
    assert staff.get(reverse("stats_csv", args=[section]), query).status_code == 400


def test_empty_statistics_say_so(staff):
    html = staff.get(reverse("stats_home")).content.decode()
    assert "Nothing was counted for these filters." in html or "Tidak ada" in html
    assert "not been counted yet" in html or "belum dihitung" in html
    assert staff.get(reverse("stats_selection")).status_code == 200
    assert staff.get(reverse("stats_trainings")).status_code == 200
    assert staff.get(reverse("stats_complaints")).status_code == 200


def test_the_page_costs_the_same_few_queries_whatever_the_data(staff, people, django_assert_max_num_queries):
    for name in PAGES:
        with django_assert_max_num_queries(14):
            assert staff.get(reverse(name), {"date_from": str(world.FIRST)}).status_code == 200


# --- CSV ----------------------------------------------------------------------------------------
def test_the_funnel_csv_has_the_daily_rows_of_the_filters(staff, people):
    response = staff.get(reverse("stats_csv", args=["funnel"]), {"wave": "82", "province": "35"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    expected = world.expected_funnel()
    assert {(r["date"], r["metric"], r["province_code"], int(r["value"])) for r in rows} == {
        (str(day), metric, province, value) for (day, metric, wave, province), value in expected.items()
        if wave == 82 and province == "35"}
    assert {r["wave"] for r in rows} == {"82"}
    assert {r["province"] for r in rows} == {"Jawa Timur"}


def test_csv_cells_cannot_be_formulas():
    assert csv_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    for text in ("+1", "-1", "@SUM(A1)", "\tx", "\rx", "  =1"):
        assert csv_cell(text).startswith("'")
    assert csv_cell("Jawa Barat") == "Jawa Barat"
    assert csv_cell(-5) == -5


# --- selection ----------------------------------------------------------------------------------
@pytest.fixture
def selected(people):
    """Wave 81 decided by hand, its run's report stored, its results published; wave 82 not published."""
    wave = Wave.objects.get(number=81)
    NikList.objects.create(code="evil", name="=cmd|'/C calc'!A0", kind="exclusion")
    for n, application in enumerate(Application.objects.filter(wave=wave).order_by("pk")):
        stage, reason, status = [("SEL-4", "drawn", "passed"), ("SEL-4", "not_drawn", "failed"),
                                 ("SEL-2", "list:evil", "failed")][n % 3]
        Application.objects.filter(pk=application.pk).update(status=status, decided_stage=stage, reason_code=reason)
    SelectionRun.objects.create(wave=wave, status="done", finished_at=timezone.now(), report=run_report(wave=wave))
    Wave.objects.filter(pk=wave.pk).update(results_published_at=timezone.now() - timedelta(minutes=1))
    other = Wave.objects.get(number=82)
    SelectionRun.objects.create(wave=other, status="done", finished_at=timezone.now(), report=run_report(wave=other))
    return wave


def test_selection_outcomes_come_from_the_published_reports(staff, selected):
    report = SelectionRun.objects.get(wave=selected).report
    html = staff.get(reverse("stats_selection")).content.decode()
    assert cells(html, "data-wave", "81")[1:5] == [str(report[k]) for k in ("applied", "withdrawn", "eligible",
                                                                            "passed")]
    assert cells(html, "data-wave", "total")[1:5] == cells(html, "data-wave", "81")[1:5]  # one wave: its totals
    assert 'data-wave="82"' not in html  # WAV-6: not published
    for row in report["by_reason"]:
        assert cells(html, "data-reason", row["reason_code"])[-1] == str(row["count"])
    for row in report["by_province"]:
        assert cells(html, "data-province", row["code"])[1:] == [str(row[k]) for k in ("applied", "eligible",
                                                                                       "passed")]
    one = staff.get(reverse("stats_selection"), {"province": "32"}).content.decode()
    assert 'data-reason="' not in one
    assert cells(one, "data-wave", "81")[1] == str(next(r["applied"] for r in report["by_province"]
                                                        if r["code"] == "32"))
    assert cells(one, "data-wave", "total")[2] == "-"  # withdrawn is not counted per province


def test_the_csv_exports_escape_formulas(staff, selected):
    from prakerja.regions.models import Province

    Province.objects.filter(code="32").update(name='=HYPERLINK("http://evil.example/")')
    rows = read_csv(staff.get(reverse("stats_csv", args=["selection"])))
    assert {row["section"] for row in rows} == {"wave", "reason", "province"}
    listed = [row for row in rows if row["code"] == "list:evil"]
    assert listed and "=cmd" in listed[0]["label"]  # inside the sentence: harmless as it stands
    jabar = [row for row in rows if row["code"] == "32"]
    assert jabar and jabar[0]["label"] == "'=HYPERLINK(\"http://evil.example/\")"
    daily = read_csv(staff.get(reverse("stats_csv", args=["funnel"]), {"province": "32"}))
    assert daily and {row["province"] for row in daily} == {"'=HYPERLINK(\"http://evil.example/\")"}


def test_the_public_and_the_operators_read_the_same_aggregates(people):
    """What a public page would call (issue 13) is what the operators' page shows."""
    data = selectors.funnel(selectors.Filters())
    expected = world.expected_funnel()
    assert data["totals"]["joined"] == sum(v for k, v in expected.items() if k[1] == "joined" and k[2] == 0)


# --- trainings and complaints -------------------------------------------------------------------
def test_the_complaints_page_and_csv(staff, people):
    from prakerja.accounts.models import User

    now = timezone.now()
    world.make_tickets(list(User.objects.filter(is_staff=False)[:10]), now=now)
    counted()
    services.stats_refresh_recent(now=now)
    expected = world.expected_complaints(timezone.localdate(now), now)
    html = staff.get(reverse("stats_complaints")).content.decode()
    total = cells(html, "data-category", "total")
    assert total[1] == str(sum(v for k, v in expected.items() if k[1].startswith("complaints.received.")))
    assert total[2] == str(sum(v for k, v in expected.items() if k[1].startswith("complaints.answered.")))
    assert total[-1] == str(sum(v for k, v in expected.items() if k[1].startswith("complaints.overdue.")))
    assert html.count('role="img"') == 2
    rows = read_csv(staff.get(reverse("stats_csv", args=["complaints"])))
    assert sum(int(r["value"]) for r in rows if r["metric"].startswith("complaints.received.")) == int(total[1])


def test_the_trainings_page_renders(staff, people):
    html = staff.get(reverse("stats_trainings"), {"wave": "81"}).content.decode()
    assert 'data-testid="trainings-table"' in html
    assert html.count('role="img"') == 2

"""Issue 16, items 3 and 5: a wave's open results, its draw as CSV, and the operators' report.

WAV-6: nothing of a result is public before ``results_published_at`` has passed. SEL-4: the draw is
published under pseudonyms only. SEL-5: the run's report, exact for operators, with counts of
people from 1 to 9 shown as "<10" wherever the public sees them.

The wave is decided by hand here (statuses, stages and reasons set directly) and its run is a
SelectionRun row holding run_report(): the pages are tested without running the selection.
"""

import csv
import hashlib
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.regions.models import Province
from prakerja.selection import services
from prakerja.selection.models import SelectionRun
from prakerja.selection.selectors import DRAW_COLUMNS, run_report
from prakerja.waves.models import Application, ConsentVersion, ProvinceQuota, Wave
from tests.conftest import pass_second_factor

pytestmark = pytest.mark.django_db
SEED = "5eed" * 16
SMALL = "&lt;10"  # "<10" as it appears in HTML

# (province, decided_stage, reason_code, status, how many)
DECISIONS = [
    ("32", "SEL-4", "drawn", "passed", 10),
    ("32", "SEL-4", "not_drawn", "failed", 1),
    ("32", "SEL-1", "nik_unverified", "failed", 1),
    ("35", "SEL-4", "drawn", "passed", 2),
    ("35", "SEL-2", "list:asn", "failed", 1),
]


@pytest.fixture
def wave(make_wave):
    """Wave 41, closed and selected: Jawa Barat (own quota 10) has 12 applications, Jawa Timur 3."""
    wave = make_wave(number=41, opens=-5, closes=-2, announce=2, quota=20)
    wave.seed = SEED  # revealed, as after the run; still not public before publication
    wave.seed_commitment = hashlib.sha256(SEED.encode()).hexdigest()
    wave.closed_at = timezone.now() - timedelta(days=2)
    wave.save(update_fields=["seed", "seed_commitment", "closed_at"])
    ProvinceQuota.objects.create(wave=wave, province=Province.objects.get(code="32"), quota=10)
    consent = ConsentVersion.objects.first()
    n = 0
    for province, stage, reason, status, count in DECISIONS:
        for _ in range(count):
            n += 1
            user = User.objects.create_user(email=f"peserta{n}@example.id", password="x",
                                            full_name=f"Peserta Rahasia {n}")
            Application.objects.create(wave=wave, user=user, province=Province.objects.get(code=province),
                                       consent=consent, status=status, decided_stage=stage, reason_code=reason,
                                       priority=n % 4 == 0, decided_at=timezone.now())
    SelectionRun.objects.create(wave=wave, status="done", finished_at=timezone.now(),
                                stages_done=["start", "SEL-1", "SEL-2", "SEL-3", "SEL-4", "report"],
                                timings={"SEL-4": 0.25, "start": 0.5, "report": 0.125, "SEL-1": 0.75},
                                report=run_report(wave=wave))
    return wave


def publish(wave, when=None):
    Wave.objects.filter(pk=wave.pk).update(results_published_at=when or timezone.now() - timedelta(minutes=1))
    wave.refresh_from_db()


def url(name, wave):
    return reverse(name, args=[wave.public_id])


def row_cells(html: str, name: str) -> list[str]:
    """The cells after the header cell of the table row whose header is ``name``."""
    row = re.search(r"<tr>\s*<th scope=\"row\">" + re.escape(name) + r"</th>(.*?)</tr>", html, re.S)
    assert row, name
    return [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


@pytest.fixture
def staff(operator):
    operator.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="selection", codename__in=["view_selectionrun", "run_selection", "publish_results"]))
    return operator


# --- WAV-6: nothing before publication ------------------------------------------------------
@pytest.mark.parametrize("when", [None, timedelta(hours=1)], ids=["unpublished", "published-later"])
@pytest.mark.parametrize("name", ["selection_results", "selection_results_csv", "selection_draw_csv"])
def test_nothing_is_public_before_the_results_are(client, wave, name, when):
    if when:
        publish(wave, timezone.now() + when)
    assert client.get(url(name, wave)).status_code == 404


def test_the_wave_page_shows_the_seed_and_links_only_once_published(client, wave):
    page = client.get(reverse("waves_public")).content.decode()
    assert wave.seed_commitment in page
    assert SEED not in page
    assert url("selection_results", wave) not in page and url("selection_draw_csv", wave) not in page

    publish(wave, timezone.now() + timedelta(hours=1))
    assert SEED not in client.get(reverse("waves_public")).content.decode()

    publish(wave)
    page = client.get(reverse("waves_public")).content.decode()
    assert SEED in page and wave.seed_commitment in page
    assert url("selection_results", wave) in page and url("selection_draw_csv", wave) in page


# --- the open results ----------------------------------------------------------------------
def test_results_page_shows_counts_with_small_ones_hidden(client, wave):
    publish(wave)
    response = client.get(url("selection_results", wave))
    assert response.status_code == 200
    page = response.content.decode()
    assert SEED in page and wave.seed_commitment in page
    assert f"--seed {SEED} --commitment {wave.seed_commitment}" in page
    assert url("selection_draw_csv", wave) in page and url("selection_results_csv", wave) in page
    # Jawa Barat's counts are 10 and more, and show; all of Jawa Timur's are under 10.
    assert row_cells(page, "Jawa Barat")[:3] == ["12", "11", "10"]
    assert row_cells(page, "Jawa Timur")[:3] == [SMALL, SMALL, SMALL]
    # The reasons: a single unverified NIK and a single civil servant are "<10".
    assert "Aparatur Sipil Negara" in page  # the list's name, not its code
    assert "list:asn" not in page
    reasons = re.search(r'<caption id="reasons-caption">.*?</table>', page, re.S).group(0)
    counts = re.findall(r'<td class="num">(.*?)</td>', reasons)
    assert sorted(counts) == sorted(["12", SMALL, SMALL, SMALL])  # drawn, not drawn, NIK, list
    # The chart: Jawa Timur has no bar and says "<10"; no exact small number anywhere.
    chart = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert f"Jawa Timur: {SMALL}" in chart and "Jawa Barat: 10" in chart
    assert chart.count("<rect") == 1
    for small in range(1, 10):
        assert f">{small}<" not in page.replace(f">{SMALL}<", ""), small
    # No personal data.
    assert "Peserta Rahasia" not in page and "@example.id" not in page


def test_results_page_is_a_constant_number_of_queries(client, wave, django_assert_max_num_queries):
    publish(wave)
    client.get(url("selection_results", wave))  # sessions, language, cache warm-up
    with django_assert_max_num_queries(4):  # the wave, the run, the lists' names
        assert client.get(url("selection_results", wave)).status_code == 200


def test_results_csv_hides_small_counts(client, wave):
    publish(wave)
    response = client.get(url("selection_results_csv", wave))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by = {(row["section"], row["code"]): row for row in rows}
    assert by[("total", "applied")]["count"] == "15"
    assert by[("total", "passed")]["count"] == "12"
    assert by[("total", "withdrawn")]["count"] == "0"
    assert by[("province", "32")]["applied"] == "12" and by[("province", "32")]["quota"] == "10"
    assert [by[("province", "35")][k] for k in ("applied", "eligible", "passed")] == ["<10", "<10", "<10"]
    assert by[("reason", "nik_unverified")]["count"] == "<10"
    assert by[("reason", "list:asn")]["label"].endswith("Aparatur Sipil Negara")
    assert all(value not in {str(n) for n in range(1, 10)} for row in rows
               for key, value in row.items() if key != "quota"), rows


def test_draw_csv_has_the_published_columns_and_no_personal_data(client, wave):
    publish(wave)
    response = client.get(url("selection_draw_csv", wave))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == 'attachment; filename="draw-wave-41.csv"'
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == DRAW_COLUMNS
    assert len(rows) == 1 + 13  # every application that reached SEL-4, and only those
    pseudonyms = set(Application.objects.filter(wave=wave, decided_stage="SEL-4").values_list("pseudonym",
                                                                                              flat=True))
    assert {row[0] for row in rows[1:]} == pseudonyms
    assert all(len(row) == len(DRAW_COLUMNS) for row in rows)
    assert {row[2] for row in rows[1:]} == {"32", "national"}
    assert sum(row[5] == "passed" for row in rows[1:]) == 12
    for user in User.objects.filter(applications__wave=wave):
        assert user.email not in text and user.full_name not in text
    assert "nik" not in text.lower() and "@" not in text


# --- the operators' report -----------------------------------------------------------------
def test_operators_see_exact_counts_before_publication(client, wave, staff):
    pass_second_factor(client, staff)
    response = client.get(url("selection_report", wave))
    assert response.status_code == 200
    page = response.content.decode()
    assert row_cells(page, "Jawa Timur")[:3] == ["3", "2", "2"]
    assert SMALL not in page
    # The run: status, the stages in their order with their timings.
    timings = re.search(r"<caption>[^<]*</caption>.*?</table>", page[page.index("run-title"):], re.S).group(0)
    stages = re.findall(r'<th scope="row">([^<]*)</th>\s*<td class="num">([^<]*)</td>', timings)
    assert [(stage.split()[0], seconds) for stage, seconds in stages] == [
        ("Persiapan", "0,500"), ("SEL-1", "0,750"), ("SEL-4", "0,250"), ("Laporan", "0,125")]  # Indonesian decimals
    # The run is done: only publishing is offered (starting it again would change nothing).
    assert url("selection_report_run", wave) not in page and url("selection_report_publish", wave) in page


@pytest.mark.parametrize("name", ["selection_report", "selection_report_run", "selection_report_publish"])
def test_the_report_and_its_buttons_are_for_operators_only(client, wave, registrant, name, monkeypatch):
    called = []
    monkeypatch.setattr(services, "selection_request", lambda **kw: called.append(kw), raising=False)
    monkeypatch.setattr(services, "results_publish", lambda **kw: called.append(kw), raising=False)
    send = client.get if name == "selection_report" else client.post
    response = send(url(name, wave))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(registrant)
    assert send(url(name, wave)).status_code == 403
    assert called == []


@pytest.mark.parametrize(("name", "service", "perm"), [
    ("selection_report_run", "selection_request", "run_selection"),
    ("selection_report_publish", "results_publish", "publish_results"),
])
def test_each_button_needs_its_own_permission(client, wave, name, service, perm, monkeypatch):
    from prakerja.accounts.services import operator_create
    from tests.conftest import PASSWORD

    called = []
    monkeypatch.setattr(services, service, lambda **kw: called.append(kw), raising=False)
    others = {"run_selection", "publish_results"} - {perm}
    # The auditor sees the report but presses neither button; give it the other one only.
    viewer = operator_create(actor="system", email="auditor@prakerja.test", full_name="Ani Auditor",
                             roles=["auditor"], password=PASSWORD)
    viewer.user_permissions.add(*Permission.objects.filter(content_type__app_label="selection", codename__in=others))
    pass_second_factor(client, viewer)
    assert client.post(url(name, wave)).status_code == 403
    assert called == []


@pytest.mark.parametrize(("name", "service"), [("selection_report_run", "selection_request"),
                                               ("selection_report_publish", "results_publish")])
def test_a_button_calls_its_service_and_shows_a_refusal(client, wave, staff, name, service, monkeypatch):
    called = []
    monkeypatch.setattr(services, service, lambda **kw: called.append(kw), raising=False)
    pass_second_factor(client, staff)
    response = client.post(url(name, wave))
    assert response.status_code == 302 and response["Location"] == url("selection_report", wave)
    assert called == [{"actor": staff, "wave": wave}]

    def refuse(**kw):
        raise services.SelectionRefused("running", "Seleksi gelombang ini sedang berjalan.")

    monkeypatch.setattr(services, service, refuse, raising=False)
    page = client.post(url(name, wave), follow=True).content.decode()
    assert "Seleksi gelombang ini sedang berjalan." in page


def test_a_get_does_not_press_a_button(client, wave, staff, monkeypatch):
    called = []
    monkeypatch.setattr(services, "selection_request", lambda **kw: called.append(kw), raising=False)
    pass_second_factor(client, staff)
    assert client.get(url("selection_report_run", wave)).status_code == 405
    assert called == []

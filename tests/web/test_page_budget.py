"""The 60 KB budget (docs/architecture.md, "Pages"): every participant page,
filled with data, weighs at most 60 KB compressed with the CSS and any script
it loads. The pages and their data are in participant_pages.py."""

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.web import participant_pages
from tests.web.participant_pages import PAGES, PASSWORD

BUDGET = 60 * 1024
ASSET = re.compile(rb'(?:href|src)="' + re.escape(settings.STATIC_URL.encode()) + rb'([^"?#]+)"')
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def weight(content: bytes) -> int:
    return len(gzip.compress(content, 6))


def assets_of(html: bytes) -> list[str]:
    return sorted({path.decode() for path in ASSET.findall(html)})


def test_every_participant_url_is_listed():
    listed = {page.url_name for page in PAGES}
    missing = participant_pages.url_names() - listed - set(participant_pages.EXCLUDED)
    assert not missing, f"new URLs: add a Page to tests/web/participant_pages.py, or exclude them with a reason: " \
                        f"{sorted(missing)}"
    assert not listed & set(participant_pages.EXCLUDED)


def fetch(client, world, page, settings):
    """The page's HTML as the person would get it, through the same steps."""
    client.logout()
    url = world.url(page)
    if page.flow == "login_code":
        # Only the "required" half: turning the feature on adds URLs, and the
        # urlconf is loaded once.
        settings.ACCOUNT_LOGIN_BY_CODE_REQUIRED = {"password"}
        client.post(reverse("account_login"), {"login": world.users[page.who].email, "password": PASSWORD})
        response = client.get(url)
        settings.ACCOUNT_LOGIN_BY_CODE_REQUIRED = False
        return response
    if page.who:
        client.force_login(world.users[page.who])
    if page.flow == "reauth":
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    if page.flow == "submit":
        # A browser always sends the CSRF token, so the view sees a bound, empty form.
        return client.post(url, {"csrfmiddlewaretoken": "-"}, follow=True)
    return client.get(url, follow=True)  # a password reset link hides its key behind a redirect


@pytest.mark.django_db
def test_every_participant_page_stays_under_60_kb_compressed(client, make_user, make_wave, settings):
    world = participant_pages.build(make_user, make_wave)
    rows, problems = [], []
    for page in PAGES:
        response = fetch(client, world, page, settings)
        if response.status_code != page.status or response.resolver_match.url_name != page.url_name:
            problems.append(f"{page.id}: {response.status_code} at {response.resolver_match.url_name}, "
                            f"not {page.url_name}")
            continue
        html = response.content
        assets = assets_of(html)
        if not page.js and (b"<script" in html or any(a.endswith(".js") for a in assets)):
            problems.append(f"{page.id}: loads a script; core flows need no JavaScript")
        total = weight(html) + sum(weight(Path(finders.find(a)).read_bytes()) for a in assets)
        rows.append(f"{page.id:30} {page.url_name:40} {weight(html):>6} {total:>6}  {' '.join(assets)}")
        if total > BUDGET:
            problems.append(f"{page.id}: {total} bytes compressed, over {BUDGET}")
    RESULTS.mkdir(exist_ok=True)
    table = "\n".join([f"{'page':30} {'url name':40} {'html':>6} {'total':>6}  assets", *rows])
    (RESULTS / "page-weights.txt").write_text(table + "\n")
    assert not problems, "\n".join(problems) + "\n\n" + table


@pytest.mark.django_db
def test_the_pages_show_what_they_claim(client, make_user, make_wave, settings):
    """A guard on the fixtures: each state really is the state its name says."""
    world = participant_pages.build(make_user, make_wave)
    expect = {
        "dashboard-new": "Identitas (NIK)", "dashboard-identity-rejected": "Dukcapil",
        "dashboard-no-wave": "Gelombang Tidak Ditemukan", "dashboard-open-wave": "Gabung Gelombang",
        "dashboard-joined": "Menunggu Gelombang Ditutup", "dashboard-processing": "Sedang Diproses",
        "dashboard-selecting": "Dalam Proses Seleksi", "dashboard-passed": "Lulus",
        "dashboard-failed": "Kamu Belum Berhasil", "dashboard-revoked": "dicabut",
        "inbox": "Tandai semua sudah dibaca", "inbox-page-2": "Lebih baru", "identity-errors": "aria-invalid",
        "personal-data-errors": "aria-invalid", "personal-data-filled": "Jl. Asia Afrika No. 112",
        "phone-code-sent": "Verifikasi", "test-question": "data-countdown", "waves-history": "Lulus",
        "login-code": 'name="code"', "password-reset-key": 'name="password1"', "password-set": 'name="password1"',
    }
    pages = {page.id: page for page in PAGES}
    for page_id, text in expect.items():
        html = fetch(client, world, pages[page_id], settings).content.decode()
        assert text in html, (page_id, text)

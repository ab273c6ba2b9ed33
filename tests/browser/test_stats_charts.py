"""OPS-3: the statistics' charts render in headless chromium on a phone, under the site's CSP.

An auditor (past the second factor) opens each statistics page with counted data: every chart's
SVG has a size, the bar charts have bars and the line charts lines, the console reports no
Content-Security-Policy violation, axe-core finds nothing at WCAG 2.2 AA, and a screenshot of each
page goes to test-results/.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.selection.models import SelectionRun
from prakerja.selection.selectors import run_report
from prakerja.stats import services
from prakerja.waves.models import Application, Wave
from tests.accounts.operators import make_operator
from tests.cards.conftest import announced_wave, card, cards, issue  # noqa: F401
from tests.conftest import pass_second_factor
from tests.learning.trainings import purchase
from tests.partners.conftest import listing, make_listing, platform, provider  # noqa: F401
from tests.stats import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def counted(db, cards, listing):  # noqa: F811
    for n, day in enumerate(world.DAYS):
        purchase(cards[n % 3], listing, state="finished" if n % 2 else "paid", paid_at=world.at(day, 9),
                 reported_at=world.at(day, 15))
    world.make_people()
    world.make_tickets(list(User.objects.filter(is_staff=False)[:10]))
    wave = Wave.objects.get(number=81)
    for n, application in enumerate(Application.objects.filter(wave=wave).order_by("pk")):
        stage, reason, status = [("SEL-4", "drawn", "passed"), ("SEL-1", "nik_unverified", "failed")][n % 2]
        Application.objects.filter(pk=application.pk).update(status=status, decided_stage=stage, reason_code=reason)
    SelectionRun.objects.create(wave=wave, status="done", finished_at=timezone.now(), report=run_report(wave=wave))
    Wave.objects.filter(pk=wave.pk).update(results_published_at=timezone.now() - timedelta(minutes=1))
    services.stats_rebuild(since=world.FIRST, until=world.LAST + timedelta(days=3))
    services.stats_refresh_recent()


def sign_in(page, live_server, settings):
    client = Client()
    pass_second_factor(client, make_operator("auditor"))
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])


@pytest.mark.parametrize("name", ["stats_home", "stats_selection", "stats_trainings", "stats_complaints"])
def test_the_charts_render_without_csp_violations(page, live_server, settings, counted, shot, name):
    sign_in(page, live_server, settings)
    console = []
    page.on("console", lambda message: console.append((message.type, message.text,
                                                       (message.location or {}).get("url", ""))))
    query = "" if name == "stats_selection" else f"?date_from={world.FIRST}&date_to={world.LAST}"
    response = page.goto(live_server.url + reverse(name) + query)
    assert response.status == 200
    assert response.headers.get("content-security-policy")
    charts = page.locator("main svg[role=img]")
    assert charts.count() == 2
    for n in range(charts.count()):
        chart = charts.nth(n)
        box = chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 50, (n, box)
        assert box["width"] <= 360  # fits the phone
        marks = chart.locator("rect, polyline, circle")
        assert marks.count() > 0, n
        mark_box = marks.first.bounding_box()
        assert mark_box and (mark_box["width"] > 0 or mark_box["height"] > 0)
        assert chart.locator("title").first.text_content()
        assert chart.locator("desc").first.text_content()
    # No horizontal scrolling of the whole page on a phone: wide tables scroll inside their region.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    shot(page, f"stats-{name}")
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}, "resultTypes": ["violations"]}).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in found] == []
    violations = [text for _kind, text, _url in console if "Content Security Policy" in text or "Refused to" in text]
    assert violations == []
    # The site has no favicon (a 404 the browser asks for by itself); any other error counts.
    assert [text for kind, text, url in console if kind == "error" and not url.endswith("/favicon.ico")] == []

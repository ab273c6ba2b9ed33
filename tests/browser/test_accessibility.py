"""Issue 14: axe-core over every participant page at WCAG 2.2 AA, on a cheap
phone, in Indonesian, with the pages filled with data. The pages and their
data are tests/web/participant_pages.py, shared with the page budget.

axe-core's script ships inside the axe-playwright-python wheel: nothing is
downloaded when the test runs.
"""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import resolve, reverse

from tests.web import participant_pages
from tests.web.participant_pages import PAGES, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def violations(axe, page) -> list[dict]:
    return axe.run(page, options=AXE_OPTIONS).response["violations"]


def describe(page_id: str, url: str, found: list[dict]) -> str:
    lines = []
    for violation in found:
        lines.append(f"{page_id} {url}: {violation['id']} ({violation['impact']}) {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            lines.append(f"      {summary}")
    return "\n".join(lines)


def sign_in_with_cookie(browser_page, live_server, user, settings, *, reauthenticate=False):
    client = Client()
    client.force_login(user)
    if reauthenticate:  # the password entered again, as before the card number (CRD-1)
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    browser_page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                                       "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])


def open_page(browser_page, live_server, world, page, settings) -> int:
    """Open ``page`` as its person would; the HTTP status of what is shown."""
    browser_page.context.clear_cookies()
    url = live_server.url + world.url(page)
    if page.flow == "login_code":
        # Only the "required" half: turning the feature on adds URLs, and the
        # urlconf is loaded once.
        settings.ACCOUNT_LOGIN_BY_CODE_REQUIRED = {"password"}
        try:
            browser_page.goto(f"{live_server.url}/accounts/login/")
            browser_page.locator("#id_login").fill(world.users[page.who].email)
            browser_page.locator("#id_password").fill(PASSWORD)
            with browser_page.expect_navigation(url=url) as navigation:
                browser_page.locator("main form button[type=submit]").click()
        finally:
            settings.ACCOUNT_LOGIN_BY_CODE_REQUIRED = False
        return navigation.value.status
    if page.who:
        sign_in_with_cookie(browser_page, live_server, world.users[page.who], settings,
                            reauthenticate=page.flow == "reauth")
    response = browser_page.goto(url)
    if page.flow == "submit":  # the form sent empty: the error state
        with browser_page.expect_navigation() as navigation:
            browser_page.locator("main form button[type=submit]").first.click()
        response = navigation.value
    return response.status


# The cheap phone of the page fixture, and a desktop: layouts differ, and with
# them the spacing that target-size measures.
@pytest.mark.parametrize("viewport", [None, {"width": 1280, "height": 800}], ids=["phone", "desktop"])
def test_every_participant_page_passes_axe_at_wcag_22_aa(page, live_server, make_user, make_wave, settings, axe,
                                                         shot, viewport):
    if viewport:
        page.set_viewport_size(viewport)
    world = participant_pages.build(make_user, make_wave)
    report = []
    for spec in PAGES:
        status = open_page(page, live_server, world, spec, settings)
        landed = resolve(urlsplit(page.url).path).url_name
        if (status, landed) != (spec.status, spec.url_name):
            report.append(f"{spec.id}: got {status} at {page.url}, not the page {spec.url_name}")
            continue
        found = violations(axe, page)
        if found:
            shot(page, f"axe-{spec.id}-{'desktop' if viewport else 'phone'}")
            report.append(describe(spec.id, urlsplit(page.url).path, found))
    assert not report, "WCAG 2.2 AA violations (screenshots in test-results/axe-*.png):\n" + "\n".join(report)


def test_axe_reports_a_violation(page, axe):
    """The check above can fail: an unlabelled field is caught with these options."""
    page.set_content('<html lang="id"><head><title>t</title></head><body><main>'
                     '<input type="text" name="nik"></main></body></html>')
    assert [v["id"] for v in violations(axe, page)] == ["label"]

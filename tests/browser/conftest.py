import os
import threading
import time
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

SHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM,
    # used by the test body, would otherwise refuse to run beside it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                  "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class _Serving:
    """Requests the live server is handling right now (Django's request signals, any thread)."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    def started(self, **kwargs):
        with self.lock:
            self.count += 1

    def finished(self, **kwargs):
        with self.lock:
            self.count -= 1


_serving = _Serving()
request_started.connect(_serving.started, dispatch_uid="browser-tests-serving-started")
request_finished.connect(_serving.finished, dispatch_uid="browser-tests-serving-finished")


@pytest.fixture(autouse=True)
def _server_idle_before_flush():
    """After a browser test (the page fixture has closed its context), wait until the live server is idle.

    A closing page still sends what its unload handlers send (the video
    player's last progress report goes by sendBeacon on pagehide), and the
    database flush after the test would deadlock with that request's
    transaction on PostgreSQL. This runs after the page's teardown and before
    pytest-django's flush.
    """
    yield
    deadline = time.monotonic() + 10
    quiet_since = None
    while time.monotonic() < deadline:
        if _serving.count > 0:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.5:  # a beacon sent at close has had time to arrive
            return
        time.sleep(0.05)


@pytest.fixture
def page(browser):
    # A cheap phone: small screen, touch.
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                  locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15000)
    in_flight = set()
    context.on("request", lambda request: in_flight.add(request))
    context.on("requestfinished", lambda request: in_flight.discard(request))
    context.on("requestfailed", lambda request: in_flight.discard(request))
    yield page
    settle(page, in_flight)
    context.close()


def settle(page, in_flight, timeout=10.0):
    """Let the live server finish what the page already sent, and send nothing more.

    A page can keep talking after the test body ends (the video player
    reports progress every few seconds). Closing the browser does not stop a
    request the server is already handling, and the database flush that
    follows the test would then race that request's transaction (PostgreSQL
    reports a deadlock and the flush fails). So: refuse every new request,
    then wait for the answers to those on the wire.
    """
    page.context.route("**/*", lambda route: route.abort())
    deadline = time.monotonic() + timeout
    while in_flight and time.monotonic() < deadline:
        page.wait_for_timeout(50)


@pytest.fixture
def shot():
    SHOTS.mkdir(exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return take

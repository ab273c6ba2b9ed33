"""The platform's own middleware (prakerja/web/middleware.py) keeps what it replaced.

LanguageMiddleware: the headers of Django's LocaleMiddleware. CSPMiddleware:
django-csp's policy, per-view overrides and nonces. RequestLogMiddleware:
one scrubbed request_finished line with request_id, user_id, ip and user
agent; the same context on every other line logged during the request.
"""

import json
import os
import runpy
from pathlib import Path

import pytest
import structlog
from csp.constants import NONCE, SELF
from csp.decorators import csp_exempt, csp_update
from csp.utils import build_policy
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from prakerja.logging import configure_logging
from prakerja.web.middleware import CSPMiddleware, RequestLogMiddleware

pytestmark = pytest.mark.django_db


# --- language ---------------------------------------------------------------------------


def test_language_headers_are_those_of_django_locale_middleware(client, settings):
    response = client.get(reverse("account_login"))
    assert response["Content-Language"] == "id"
    assert "Accept-Language" in response["Vary"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(reverse("account_login"))["Content-Language"] == "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get(reverse("account_login"))["Content-Language"] == "id"


def test_every_page_varies_by_cookie_as_its_language_does(client):
    response = client.get(reverse("healthz"))
    assert {"Accept-Language", "Cookie"} <= {part.strip() for part in response["Vary"].split(",")}


# --- the second factor -------------------------------------------------------------------


def test_no_session_no_user_loaded(rf):
    from django.contrib.sessions.backends.cache import SessionStore
    from django.utils.functional import SimpleLazyObject

    from prakerja.accounts.middleware import StaffSecondFactorMiddleware

    def unexpected():
        raise AssertionError("the user was loaded for a request without a session")

    request = rf.get(reverse("dashboard"))
    request.session, request.user = SessionStore(), SimpleLazyObject(unexpected)
    assert StaffSecondFactorMiddleware(lambda request: HttpResponse("ok"))(request).status_code == 200


def test_a_staff_session_without_the_second_factor_is_still_stopped(client, operator):
    client.force_login(operator)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


# --- Content-Security-Policy ---------------------------------------------------------------


def _through_csp(view, path="/"):
    request = RequestFactory().get(path)
    middleware = CSPMiddleware(view)
    middleware.process_request(request)
    return request, middleware(request)


def test_the_policy_is_django_csps(client):
    assert client.get(reverse("account_login"))["Content-Security-Policy"] == build_policy()


def test_per_view_overrides_and_exemptions_still_apply():
    _request, updated = _through_csp(csp_update({"img-src": "https://peta.example.id"})(
        lambda request: HttpResponse("ok")))
    assert "https://peta.example.id" in updated["Content-Security-Policy"]
    _request, plain = _through_csp(lambda request: HttpResponse("ok"))
    assert "https://peta.example.id" not in plain["Content-Security-Policy"]
    _request, exempt = _through_csp(csp_exempt()(lambda request: HttpResponse("ok")))
    assert "Content-Security-Policy" not in exempt


def test_a_nonce_is_per_response(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [SELF], "script-src": [SELF, NONCE]}}

    def view(request):
        return HttpResponse(str(request.csp_nonce))

    first_request, first = _through_csp(view)
    _request, second = _through_csp(view)
    assert f"'nonce-{first.content.decode()}'" in first["Content-Security-Policy"]
    assert first["Content-Security-Policy"] != second["Content-Security-Policy"]
    _request, without = _through_csp(lambda request: HttpResponse("ok"))
    assert "nonce" not in without["Content-Security-Policy"]


def test_a_changed_setting_changes_the_header(settings):
    _request, before = _through_csp(lambda request: HttpResponse("ok"))
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": [SELF]}}
    _request, after = _through_csp(lambda request: HttpResponse("ok"))
    assert before["Content-Security-Policy"] != after["Content-Security-Policy"] == "default-src 'none'"
    assert after["Content-Security-Policy-Report-Only"] == "default-src 'self'"


# --- the request log -----------------------------------------------------------------------


@pytest.fixture
def log_lines(capsys, settings):
    def configure(level):
        configure_logging(fmt="json", level=level)

    def lines():
        return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]

    lines.configure = configure
    yield lines
    configure_logging(fmt=settings.LOG_FORMAT, level=settings.LOG_LEVEL)


def _request_lines(lines):
    return [line for line in lines if line.get("logger") == "django_structlog.middlewares.request"]


def test_one_line_per_request_with_who_and_from_where(client, applicant, log_lines):
    log_lines.configure("INFO")
    client.force_login(applicant)
    log_lines()
    client.get(reverse("dashboard"), HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14)", REMOTE_ADDR="198.51.100.9")
    lines = _request_lines(log_lines())
    assert [line["event"] for line in lines] == ["request_finished"]
    line = lines[0]
    assert line["code"] == 200 and line["request"] == "GET /dashboard/"
    assert line["user_id"] == applicant.pk and line["ip"] == "198.51.100.9"
    assert line["user_agent"] == "Mozilla/5.0 (Linux; Android 14)" and len(line["request_id"]) == 36


def test_request_started_is_written_at_debug(client, log_lines):
    log_lines.configure("DEBUG")
    client.get(reverse("healthz"))
    events = [line["event"] for line in _request_lines(log_lines())]
    assert events == ["request_started", "request_finished"]


def test_personal_data_stays_out_of_the_request_line(client, log_lines):
    log_lines.configure("INFO")
    client.get("/accounts/password/reset/key/1-abcdef123/?hp=081234567890")
    output = json.dumps(_request_lines(log_lines()))
    assert "request_finished" in output
    assert "abcdef123" not in output and "081234567890" not in output


def test_the_log_levels_follow_the_settings(client, log_lines, settings):
    log_lines.configure("INFO")
    settings.DJANGO_STRUCTLOG_STATUS_2XX_LOG_LEVEL = 10  # DEBUG: below INFO, not written
    client.get(reverse("healthz"))
    assert _request_lines(log_lines()) == []
    settings.DJANGO_STRUCTLOG_STATUS_2XX_LOG_LEVEL = 30  # WARNING
    client.get(reverse("healthz"))
    assert [line["level"] for line in _request_lines(log_lines())] == ["warning"]


def test_above_info_only_failures_are_written(client, log_lines):
    log_lines.configure("WARNING")
    client.get(reverse("healthz"))
    client.get("/tidak-ada/", REMOTE_ADDR="198.51.100.10")
    lines = _request_lines(log_lines())
    assert [(line["event"], line["code"]) for line in lines] == [("request_finished", 404)]
    assert lines[0]["ip"] == "198.51.100.10" and lines[0]["request_id"]


def test_lines_logged_while_serving_carry_the_request_context(log_lines):
    log_lines.configure("WARNING")
    seen = {}

    def view(request):
        seen.update(structlog.contextvars.get_contextvars())
        structlog.get_logger("prakerja.test").warning("something_odd")
        return HttpResponse("ok")

    request = RequestFactory().get("/x", REMOTE_ADDR="198.51.100.11")
    request.user = AnonymousUser()
    RequestLogMiddleware(view)(request)
    lines = log_lines()
    assert [line["event"] for line in lines] == ["something_odd"]
    assert lines[0]["ip"] == "198.51.100.11" and lines[0]["request_id"] == seen["request_id"]
    assert "user_id" in lines[0]
    assert structlog.contextvars.get_contextvars() == {}  # nothing leaks into the next request


# --- gunicorn -------------------------------------------------------------------------------------


def test_workers_are_recycled_rarely_and_the_count_can_be_set(monkeypatch):
    conf = Path(__file__).resolve().parents[2] / "prakerja" / "gunicorn.conf.py"
    assert runpy.run_path(str(conf))["max_requests"] >= 20_000
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "1000")
    values = runpy.run_path(str(conf))
    assert values["max_requests"] == 1000 and values["max_requests_jitter"] == 100


def test_with_redis_each_of_several_workers_runs_two_threads_and_alone_one_runs_four(monkeypatch):
    """The embedded default shares its local-memory cache in one process; with Redis, threads in one
    process mostly wait for each other's GIL (gunicorn.conf.py)."""
    conf = str(Path(__file__).resolve().parents[2] / "prakerja" / "gunicorn.conf.py")
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    alone = runpy.run_path(conf)
    assert (alone["workers"], alone["threads"]) == (1, 4)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    shared = runpy.run_path(conf)
    assert shared["workers"] == 2 * (os.cpu_count() or 1) + 1 and shared["threads"] == 2
    monkeypatch.setenv("GUNICORN_THREADS", "8")
    assert runpy.run_path(conf)["threads"] == 8


# --- Django's per-request hooks (prakerja/web/apps.py) ---------------------------------


def test_only_the_request_hooks_that_do_something_stay_connected(settings):
    from django.core import signals
    from django.core.cache import close_caches
    from django.db import close_old_connections, reset_queries

    from prakerja.web.apps import _trim_request_signals

    def connected(signal, receiver):
        sync_receivers, async_receivers = signal._live_receivers(None)
        return receiver in sync_receivers or receiver in async_receivers

    before = (connected(signals.request_started, reset_queries), connected(signals.request_finished, close_caches))
    settings.DEBUG = False  # as in production (the test run starts Django with DEBUG on)
    settings.CACHES = {"default": {"BACKEND": "prakerja.cache.PooledRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    try:
        _trim_request_signals()
        assert connected(signals.request_started, close_old_connections)  # CONN_MAX_AGE, broken connections
        assert connected(signals.request_finished, close_old_connections)
        assert not connected(signals.request_started, reset_queries)  # DEBUG is off: no query log to empty
        assert not connected(signals.request_finished, close_caches)  # Redis's close() does nothing
    finally:
        if before[0]:
            signals.request_started.connect(reset_queries)
        if before[1]:
            signals.request_finished.connect(close_caches)


def test_a_cache_that_closes_keeps_its_hook(settings):
    from django.core import signals
    from django.core.cache import close_caches

    from prakerja.web.apps import _trim_request_signals

    signals.request_finished.connect(close_caches)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
                                   "LOCATION": "127.0.0.1:1"}}
    _trim_request_signals()
    assert close_caches in signals.request_finished._live_receivers(None)[0]

"""The platform's own steps in the middleware stack (prakerja/settings.py MIDDLEWARE).

Every request passes through all of them, so each does no more than its
job needs: `make bench` measures the stack against a bare Django hello
(docs/architecture.md, "Benchmarks").
"""

import logging
import uuid

import structlog
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.deprecation import MiddlewareMixin
from django_structlog import signals as structlog_signals
from django_structlog.app_settings import app_settings as structlog_settings
from django_structlog.middlewares.request import RequestMiddleware
from django_structlog.middlewares.request import logger as request_logger

# The stdlib logger behind django-structlog's request logger: its level check is cached.
_request_log_level = logging.getLogger(RequestMiddleware.__module__)

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class LanguageMiddleware(MiddlewareMixin):
    """Indonesian unless the person chose otherwise.

    Django's LocaleMiddleware would follow the browser's Accept-Language,
    and many phones in Indonesia are set to English; the programme speaks
    Bahasa Indonesia by default and English only on request (the language
    switch sets a cookie; a signed-in person's choice is also stored).

    The response gets the headers LocaleMiddleware gave it (Content-Language
    and Vary: Accept-Language); its handling of language prefixes in URLs
    is left out, as the platform has none (no i18n_patterns). The language
    comes from a cookie, so the response also varies by Cookie, whether or
    not anything else read the session.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in SUPPORTED:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


# --- Content-Security-Policy ---------------------------------------------------------

_policies: dict[bool, str] = {}  # report_only -> the policy from settings, built once


def _forget_policies(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policies.clear()


setting_changed.connect(_forget_policies, dispatch_uid="prakerja-csp-policies")


class CSPMiddleware(_CSPMiddleware):
    """django-csp's middleware, with the policy from settings built once, not per response.

    Building the header costs django-csp tens of microseconds a response;
    with no nonce and no per-view override (csp_update, csp_replace,
    csp_exempt and friends) it is the same string every time, so it is kept.
    Anything per response goes through django-csp's own builder as before.
    """

    def _policy(self, request, response, report_only: bool) -> str:
        parts = self.get_policy_parts(request=request, response=response, report_only=report_only)
        if parts.config is None and parts.update is None and parts.replace is None and parts.nonce is None:
            policy = _policies.get(report_only)
            if policy is None:
                policy = _policies[report_only] = build_policy(report_only=report_only)
            return policy
        return build_policy(config=parts.config, update=parts.update, replace=parts.replace, nonce=parts.nonce,
                            report_only=report_only)

    def process_response(self, request, response):
        # As django-csp 4.0's CSPMiddleware.process_response, with _policy.
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for report_only, header, exempt, setting in (
                (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
                (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY")):
            policy = self._policy(request, response, report_only)
            if policy and header not in response and getattr(response, exempt, False) is False:
                prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
                if not request.path_info.startswith(tuple(prefixes)):
                    response[header] = policy
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


# --- the request log -----------------------------------------------------------------


def _enabled(level: int) -> bool:
    return _request_log_level.isEnabledFor(level)


# django-structlog reads each of its settings from django.conf.settings on
# every use, an AttributeError caught for each one left at its default; a
# request would read eight of them.
_log_settings: dict[str, dict] = {}  # "values" -> the settings below, read once
_LOG_SETTING_NAMES = ("STATUS_START_LOG_LEVEL", "STATUS_2XX_LOG_LEVEL", "STATUS_4XX_LOG_LEVEL",
                      "STATUS_5XX_LOG_LEVEL", "STATUS_DEFAULT_LOG_LEVEL", "TRUST_UPSTREAM_REQUEST_ID",
                      "TRUST_UPSTREAM_CORRELATION_ID", "IP_LOGGING_ENABLED")


def _log_setting(name: str):
    values = _log_settings.get("values")
    if values is None:
        values = _log_settings["values"] = {n: getattr(structlog_settings, n) for n in _LOG_SETTING_NAMES}
    return values[name]


def _forget_log_settings(*, setting, **kwargs):
    if setting.startswith(structlog_settings.PREFIX):
        _log_settings.clear()


setting_changed.connect(_forget_log_settings, dispatch_uid="prakerja-request-log-settings")


class RequestLogMiddleware(RequestMiddleware):
    """django-structlog's request log: one line per request, built only when it will be written.

    Every request binds request_id, user_id and the client's ip (the
    bind_extra_request_metadata receivers), so any line logged while it is
    served carries them. The request_started line is logged at
    DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL (DEBUG in settings): the
    request_finished line carries the same fields, the user agent included,
    plus the status. A line below the configured level costs nothing to
    build: django-structlog would format it, send its signals and drop it.
    """

    def _log_level_for_status_code(self, status_code: int) -> int:
        name = {2: "STATUS_2XX_LOG_LEVEL", 4: "STATUS_4XX_LOG_LEVEL", 5: "STATUS_5XX_LOG_LEVEL"}.get(
            status_code // 100, "STATUS_DEFAULT_LOG_LEVEL")
        return _log_setting(name)

    def prepare(self, request):
        if _enabled(_log_setting("STATUS_START_LOG_LEVEL")):
            return super().prepare(request)
        if _log_setting("TRUST_UPSTREAM_REQUEST_ID"):
            request_id = request.headers.get("x-request-id") or str(uuid.uuid4())
        else:
            request_id = str(uuid.uuid4())
        structlog.contextvars.bind_contextvars(request_id=request_id)
        if _log_setting("TRUST_UPSTREAM_CORRELATION_ID") and request.headers.get("x-correlation-id"):
            structlog.contextvars.bind_contextvars(correlation_id=request.headers["x-correlation-id"])
        self.bind_user_id(request)
        if _log_setting("IP_LOGGING_ENABLED"):
            self.bind_ip(request)
        structlog_signals.bind_extra_request_metadata.send(
            sender=self.__class__, request=request, logger=request_logger,
            log_kwargs={"request": self.format_request(request),
                        "user_agent": request.META.get("HTTP_USER_AGENT")})
        return None

    @staticmethod
    def bind_user_id(request) -> None:
        # No session cookie, no one signed in: django-structlog would build
        # the anonymous user (a session lookup) only to log its id, None.
        session = getattr(request, "session", None)
        if session is not None and session.session_key is None and not hasattr(request, "_cached_user"):
            structlog.contextvars.bind_contextvars(user_id=None)
            return
        RequestMiddleware.bind_user_id(request)

    def handle_response(self, request, response):
        if (hasattr(request, "_raised_exception") or response.streaming
                or _enabled(self._log_level_for_status_code(response.status_code))):
            return super().handle_response(request, response)
        structlog.contextvars.clear_contextvars()
        return None


def _add_user_agent(sender, request, log_kwargs, **kwargs):
    """request_started is not written at INFO, so its user agent goes on request_finished."""
    log_kwargs.setdefault("user_agent", request.META.get("HTTP_USER_AGENT"))


structlog_signals.bind_extra_request_finished_metadata.connect(
    _add_user_agent, dispatch_uid="prakerja-request-finished-user-agent")

"""Structured logging with personal data scrubbed from every line.

Both structlog events and plain stdlib records (Django, gunicorn, huey) pass
through ``redact`` as the last step before rendering, so a NIK, KK or card
number, a phone number, an OTP or a password never reaches a log line even
when a library logs it (PRV; UU 27/2022).
"""

import functools
import logging.config
import re
from typing import Any

import structlog

REDACTED = "[redacted]"

# Keys whose values are always secret, whatever they hold.
SECRET_KEYS = re.compile(
    r"(pass(word)?|secret|token|otp|code|key|nik|kk|card|phone|msisdn|authorization|cookie|signature)",
    re.IGNORECASE,
)
SAFE_KEYS = {"status_code", "event", "level", "logger", "timestamp", "request_id", "code_name"}

_PATTERNS = [
    # 16-digit identifiers (NIK, KK, card number), also written in groups.
    re.compile(r"(?<!\d)(?:\d[ .-]?){15}\d(?!\d)"),
    # Indonesian mobile numbers: +62 8.., 62 8.., 08..
    re.compile(r"(?<![\w+])(?:\+62|62|0)[ .-]?8\d(?:[ .-]?\d){6,11}(?!\d)"),
    # A code next to the word that names it: "OTP 123456", "kode: 1234".
    re.compile(r"(?i)\b(otp|kode|code|pin|token|password|sandi)\b([\s:='\"]{1,5})[\w-]{4,}"),
    # One-time keys in URLs: email confirmation and password reset links.
    re.compile(r"(/(?:confirm-email|reset/key|login/code)/)[^/\s'\"]+"),
]


# Any of the patterns: one scan tells that a text has nothing to redact, which
# is most texts (a request line, an address, an event name).
_ANY = re.compile("|".join(
    f"(?i:{p.pattern.removeprefix('(?i)')})" if p.flags & re.IGNORECASE else f"(?:{p.pattern})" for p in _PATTERNS))


def redact_text(text: str) -> str:
    if not _ANY.search(text):
        return text
    text = _PATTERNS[3].sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    text = _PATTERNS[0].sub(REDACTED, text)
    text = _PATTERNS[1].sub(REDACTED, text)
    return _PATTERNS[2].sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)


@functools.lru_cache(maxsize=1024)
def _secret_key(key: str) -> bool:
    return key not in SAFE_KEYS and SECRET_KEYS.search(key) is not None


def _scrub(value: Any, key: str | None = None) -> Any:
    if key == "code" and isinstance(value, int):
        return value  # an HTTP status code
    if key is not None and _secret_key(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_scrub(v) for v in value)
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) >= 9:
        return redact_text(str(value))
    return value


def redact(_logger, _method, event_dict: dict) -> dict:
    return {k: _scrub(v, None if k in SAFE_KEYS else k) if k != "event" else _scrub(v)
            for k, v in event_dict.items()}


def configure_logging(*, fmt: str, level: str) -> None:
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    renderer = (structlog.processors.JSONRenderer() if fmt == "json"
                else structlog.dev.ConsoleRenderer(colors=False))
    logging.config.dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": shared,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    redact,
                    renderer,
                ],
            },
        },
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            # A handler of its own stops run_huey from adding a second,
            # unstructured one (it only configures a handler-less logger).
            "huey": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "huey.consumer.Scheduler": {"level": "WARNING"},
        },
    })
    structlog.configure(
        # Drop below-level events before any processor runs: django-structlog
        # logs twice per request, and at WARNING those cost nothing then.
        processors=[structlog.stdlib.filter_by_level, *shared,
                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )

"""gunicorn settings, overridable by GUNICORN_* variables (docs/operations.md).

The embedded default (no REDIS_URL) runs ONE worker process with threads:
its local-memory cache, which holds rate-limit counters, must be shared by
every request. With Redis, run as many workers as the machine allows.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
_default_workers = (2 * (os.cpu_count() or 1) + 1) if os.environ.get("REDIS_URL") else 1
workers = int(os.environ.get("GUNICORN_WORKERS", _default_workers))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Request logs come from django-structlog (scrubbed of personal data);
# gunicorn's own access log would repeat them unscrubbed.
accesslog = None
max_requests = 2000
max_requests_jitter = 200

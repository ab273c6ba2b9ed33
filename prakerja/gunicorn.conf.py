"""gunicorn settings, overridable by GUNICORN_* variables (docs/operations.md).

The embedded default (no REDIS_URL) runs ONE worker process with four
threads: its local-memory cache, which holds rate-limit counters, must be
shared by every request. With Redis, run as many workers as the machine
allows, two threads each: a request here is short and spends most of its
time in Python (anything slow outside, SMS, e-wallets, the civil registry,
goes through the task queue), so more threads in a process mostly wait for
each other's GIL. Measured with ``make bench`` on 2 cores (2026-11-28, two
runs before, three after), two threads instead of four took a signed-in page
from 1,083-1,091 to 872-968 µs of the server's CPU, a dashboard from
2,164-2,317 to 1,562-1,693 µs, a join from 13.8-17.3 to 11.4-13.1 ms and a
sign-in from 21.2-21.9 to 17.4-18.8 ms; the second thread keeps a worker answering
while the other waits on a slow query. A slow client's upload would hold a
thread for as long as it takes: the load balancer in front buffers request
bodies (docs/operations.md).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
_default_workers = (2 * (os.cpu_count() or 1) + 1) if os.environ.get("REDIS_URL") else 1
workers = int(os.environ.get("GUNICORN_WORKERS", _default_workers))
threads = int(os.environ.get("GUNICORN_THREADS", 2 if os.environ.get("REDIS_URL") else 4))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
# Request logs come from django-structlog (scrubbed of personal data);
# gunicorn's own access log would repeat them unscrubbed.
accesslog = None
# A worker is recycled after this many requests, a guard against slow leaks.
# Each recycle costs a Django start-up (about 0.7 s of CPU here) and the
# worker's warm connections and caches: at 2,000 a busy worker restarted
# every few seconds, a fifth of the machine's CPU under load (make bench).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 50_000))
max_requests_jitter = max_requests // 10


def post_worker_init(worker):
    """Load the URLconf, and with it every view module, before the worker takes requests.

    Django would import it during a worker's first request, about half a
    second under the GIL while the worker's other threads wait.
    """
    from django.conf import settings

    if not settings.configured:
        return
    from django.urls import get_resolver

    try:
        get_resolver().url_patterns  # noqa: B018 - the cached property does the loading
    except Exception:
        worker.log.exception("loading the URLconf failed; the first request will try again")

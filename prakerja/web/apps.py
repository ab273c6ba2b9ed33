from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _bind_client_ip(sender, request, **kwargs):
    import structlog

    from prakerja.core.http import client_ip

    structlog.contextvars.bind_contextvars(ip=client_ip(request))


def _trim_request_signals() -> None:
    """Drop Django's per-request hooks that do nothing in this deployment.

    Every request sends request_started and request_finished. With DEBUG off
    no query is logged, so ``reset_queries`` empties an empty log; and
    ``close_caches`` calls ``close()`` on caches whose ``close()`` does nothing
    (Redis and local memory: BaseCache's). Each walks the connections through
    asgiref's thread-locals, about a tenth of an anonymous hello's CPU (``make
    bench``). ``close_old_connections`` stays: it recycles database
    connections past CONN_MAX_AGE and drops broken ones.
    """
    from django.conf import settings
    from django.core import signals
    from django.core.cache import close_caches
    from django.core.cache.backends.base import BaseCache
    from django.db import reset_queries
    from django.utils.module_loading import import_string

    if not settings.DEBUG:
        signals.request_started.disconnect(reset_queries)
    if all(import_string(cache["BACKEND"]).close is BaseCache.close for cache in settings.CACHES.values()):
        signals.request_finished.disconnect(close_caches)


class WebConfig(AppConfig):
    name = "prakerja.web"
    verbose_name = _("Web pages")

    def ready(self):
        from django_structlog.signals import bind_extra_request_metadata

        # The request log names the same client as the rate limits do.
        bind_extra_request_metadata.connect(_bind_client_ip, dispatch_uid="prakerja-client-ip")
        from prakerja.web import services  # noqa: F401  (connects the home page's cache invalidation)

        _trim_request_signals()

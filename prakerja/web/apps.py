from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _bind_client_ip(sender, request, **kwargs):
    import structlog

    from prakerja.core.http import client_ip

    structlog.contextvars.bind_contextvars(ip=client_ip(request))


class WebConfig(AppConfig):
    name = "prakerja.web"
    verbose_name = _("Web pages")

    def ready(self):
        from django_structlog.signals import bind_extra_request_metadata

        # The request log names the same client as the rate limits do.
        bind_extra_request_metadata.connect(_bind_client_ip, dispatch_uid="prakerja-client-ip")
        from prakerja.web import services  # noqa: F401  (connects the home page's cache invalidation)

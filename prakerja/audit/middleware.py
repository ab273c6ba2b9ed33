"""A refused operator leaves a trace (OPS-4, issue 20): every 403 for a staff account is audited.

Views and the admin refuse with ``PermissionDenied``; this middleware's ``process_exception`` sees
it before Django turns it into the 403 page, and writes one ``operator.denied`` row with the path
and method (never the query string: it may carry personal data). The view's own transaction has
already rolled back, so the row gets a transaction of its own. A curious operator who keeps
knocking fills the log only up to ``DENIED_AUDITS_PER_MINUTE`` rows a minute; the rest are counted
in the request log.
"""

import structlog
from django.core.exceptions import PermissionDenied
from django.db import transaction

from prakerja.audit.services import audit_record
from prakerja.core.ratelimit import Limit, consume

DENIED_AUDITS_PER_MINUTE = Limit("operator_denied_audit", 30, 60)
log = structlog.get_logger(__name__)


class DeniedAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        user = getattr(request, "user", None)
        if not isinstance(exception, PermissionDenied) or user is None or not user.is_authenticated:
            return None
        if not user.is_staff:
            return None
        if consume(DENIED_AUDITS_PER_MINUTE, str(user.pk)) is not None:
            log.warning("operator_denied_not_audited", path=request.path[:200])
            return None
        with transaction.atomic():
            audit_record(actor=user, action="operator.denied",
                         data={"path": request.path[:200], "method": request.method})
        return None

"""Upload limits applied while the request body is read (REG-4).

Django streams every file part to memory or a temporary file in full before
a view sees it, and DATA_UPLOAD_MAX_MEMORY_SIZE does not count file parts;
so without this handler a 1 GB "photo" is read and written to disk before
process_photo refuses it for being over 5 MB.

FILE_UPLOAD_HANDLERS puts the handler ahead of Django's, so it runs on the
first read of request.POST, which is CsrfViewMiddleware's:

- a body whose Content-Length passes UPLOAD_MAX_BODY_BYTES is not read at
  all: POST and FILES stay empty;
- a file part that passes PHOTO_MAX_BYTES stops the parse at that chunk
  (StopUpload with connection_reset=True). Without connection_reset Django
  reads the rest of the body anyway, and SkipFile reads the rest of the file;
  both defeat the point. Fields sent before the file are kept, and browsers
  send them in page order: the CSRF token first, the photos last.

Either way the refusal is left on the request as ``upload_refusal`` (a
RegistryError) for the view, which must not act on the partial data. If the
CSRF token was never read, CsrfViewMiddleware refuses the request and
csrf_failure below answers 413 with the reason instead of a CSRF page.

The unread bytes are left to the server: gunicorn answers, then closes the
connection, draining at most 64 KB first. Against gunicorn 27 both curl and
Chromium showed the answer (a client stops sending once it has one); a
client that insists on sending the whole body before reading may see a
reset connection instead.

A participant form whose files have other limits than two photos (the
complaint form: up to three photos or PDFs, CMP-1) wraps its view in
``with_upload_limits``: the same handler with that form's limits and
messages, swapped in before the body is read. CsrfViewMiddleware would read
the body first, so the wrapper is CSRF-exempt and checks the token itself
after the swap (as ``induction.uploads`` does for the video admin).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import (
    FileUploadHandler,
    MemoryFileUploadHandler,
    StopUpload,
    TemporaryFileUploadHandler,
)
from django.http import HttpResponse, QueryDict
from django.template import engines
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from prakerja.registry.errors import RegistryError
from prakerja.registry.photos import TOO_LARGE

BODY_TOO_LARGE = _("The form was not sent: it is larger than two photos of 5 MB each. Choose smaller photos "
                   "and send the form again.")


@dataclass(frozen=True)
class UploadLimits:
    """How large a form's body and each of its files may be, and what the person is told."""

    body_bytes: int
    file_bytes: int
    body_message: object  # a (lazy) translated string
    file_message: object
    file_code: str = "file_too_large"


def photo_limits() -> UploadLimits:
    """Every participant form's default: two photos of PHOTO_MAX_BYTES and the text fields."""
    return UploadLimits(body_bytes=settings.UPLOAD_MAX_BODY_BYTES, file_bytes=settings.PHOTO_MAX_BYTES,
                        body_message=BODY_TOO_LARGE, file_message=TOO_LARGE, file_code="photo_too_large")


class PhotoUploadLimitHandler(FileUploadHandler):
    def __init__(self, request=None, limits: UploadLimits | None = None):
        super().__init__(request)
        self.limits = limits

    def _limits(self) -> UploadLimits:
        return self.limits or photo_limits()  # read per request: tests and settings may change them

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        limits = self._limits()
        if content_length > limits.body_bytes:
            self.request.upload_refusal = RegistryError("upload_too_large", limits.body_message)
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        limits = self._limits()
        if start + len(raw_data) > limits.file_bytes:
            self.request.upload_refusal = RegistryError(limits.file_code, limits.file_message, self.field_name)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # Django's handlers that follow keep the file


def with_upload_limits(limits: Callable[[], UploadLimits]):
    """Give a participant view's form its own upload limits (``limits()`` is called per request).

    Use it outermost, so CsrfViewMiddleware sees the exemption; the token is checked inside, after
    the handlers are swapped, and a refused body still answers through ``csrf_failure`` (413).
    """
    def decorate(view):
        protected = csrf_protect(view)

        @csrf_exempt  # checked by ``protected``, once the body is read with these limits
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                request.upload_handlers = [PhotoUploadLimitHandler(request, limits()),
                                           MemoryFileUploadHandler(request), TemporaryFileUploadHandler(request)]
            return protected(request, *args, **kwargs)

        return wrapper

    return decorate


def refusal_response(request, refusal: RegistryError):
    """A short page for a refused upload, status 413."""
    page = engines["django"].from_string(
        '{% extends "base.html" %}{% block head_title %}{{ title }}{% endblock head_title %}'
        '{% block content %}<h1>{{ title }}</h1><p>{{ refusal.message }}</p>'
        '<p><a class="btn" href="{{ request.path }}">{{ back }}</a></p>{% endblock content %}')
    html = page.render({"title": _("The upload is too large"), "refusal": refusal, "back": _("Back to the form")},
                       request)
    return HttpResponse(html, status=413)


def csrf_failure(request, reason=""):
    refusal = getattr(request, "upload_refusal", None)
    if refusal is not None:
        # Only a refusal page: nothing of the request is acted on.
        return refusal_response(request, refusal)
    return django_csrf_failure(request, reason=reason)

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
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse, QueryDict
from django.template import engines
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from django.views.csrf import csrf_failure as django_csrf_failure

from prakerja.registry.errors import RegistryError
from prakerja.registry.photos import TOO_LARGE

BODY_TOO_LARGE = _("The form was not sent: it is larger than two photos of 5 MB each. Choose smaller photos "
                   "and send the form again.")


class PhotoUploadLimitHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.UPLOAD_MAX_BODY_BYTES:
            self.request.upload_refusal = RegistryError("upload_too_large", BODY_TOO_LARGE)
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.PHOTO_MAX_BYTES:
            self.request.upload_refusal = RegistryError("photo_too_large", TOO_LARGE, self.field_name)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # Django's handlers that follow keep the file


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

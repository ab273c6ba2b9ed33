"""Upload limits for an operator replacing a video (CRD-2).

The platform's handler (registry.uploads.PhotoUploadLimitHandler) stops any
file part at 5 MB and any body at two photos: right for every participant
form, too small for a video. On the admin's change page of a video, and
only for an operator allowed to change videos, it is swapped for this one,
which applies the video's own limits the same way: a body over
``UPLOAD_MAX_BODY_BYTES`` is not read, a file part stops being read at the
chunk that passes its limit. Everyone else keeps the 5 MB handler.

The swap must happen before the request body is read, and
CsrfViewMiddleware reads it before any view runs; so the URL's view is
CSRF-exempt and the admin view inside it (``admin_site.admin_view``, which
wraps with csrf_protect) checks the token after the swap.
"""

import functools

from django.core.files.uploadhandler import (
    FileUploadHandler,
    MemoryFileUploadHandler,
    StopUpload,
    TemporaryFileUploadHandler,
)
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from prakerja.induction import media
from prakerja.induction.errors import InductionError

CHANGE_VIDEO = "induction.change_inductionvideo"
VIDEO_TOO_LARGE = _("The video is larger than %(mb)s MB. Make it smaller (shorter, or a lower resolution or "
                    "bitrate) and upload it again.")
CAPTIONS_TOO_LARGE = _("The captions file is larger than %(kb)s KB.")
BODY_TOO_LARGE = _("The upload is larger than %(mb)s MB: nothing was saved.")


class VideoUploadLimitHandler(FileUploadHandler):
    LIMITS = {"video": media.VIDEO_MAX_BYTES, "captions": media.CAPTIONS_MAX_BYTES}

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > media.UPLOAD_MAX_BODY_BYTES:
            self.request.upload_refusal = InductionError(
                "upload_too_large", BODY_TOO_LARGE % {"mb": media.VIDEO_MAX_BYTES // (1024 * 1024)})
            return QueryDict(encoding=encoding), MultiValueDict()
        return None

    def receive_data_chunk(self, raw_data, start):
        limit = self.LIMITS.get(self.field_name, media.CAPTIONS_MAX_BYTES)
        if start + len(raw_data) > limit:
            message = (VIDEO_TOO_LARGE % {"mb": limit // (1024 * 1024)} if self.field_name == "video"
                       else CAPTIONS_TOO_LARGE % {"kb": limit // 1024})
            self.request.upload_refusal = InductionError("upload_too_large", message, self.field_name)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # Django's handlers that follow keep the file


def with_video_upload_limits(view):
    """Wrap an admin view (already CSRF-protecting) so that its uploads get the video limits."""

    @csrf_exempt  # the view inside checks the token, after the handlers are swapped
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and request.user.is_active and request.user.has_perm(CHANGE_VIDEO):
            request.upload_handlers = [VideoUploadLimitHandler(request), MemoryFileUploadHandler(request),
                                       TemporaryFileUploadHandler(request)]
        return view(request, *args, **kwargs)

    return wrapper

"""Evidence for a complaint or a reply (CMP-1): photos and PDFs, judged by what they are, stored privately.

What a file is comes from its first bytes, never from its name or the type the browser declared:

- a JPEG or PNG goes through the KTP photo rules (``registry.photos.process_photo``: decoded with
  pixel caps, at most 5 MB, re-encoded to a fresh JPEG without metadata), so an image's EXIF and GPS
  and anything riding in the file are gone;
- a PDF must start with ``%PDF-``, stay within ``COMPLAINT_PDF_MAX_BYTES`` and have at most
  ``COMPLAINT_PDF_MAX_PAGES`` pages, counted by pypdf under tight limits (a crafted file can declare
  a page tree of millions of nodes or a stream that inflates to gigabytes); an encrypted PDF is
  refused (nobody at the desk has its password, and it cannot be checked);
- anything else (a program renamed ``.jpg``, an HTML page named ``.pdf``) is refused.

A PDF is stored as sent: it is only ever served as a download (``Content-Disposition: attachment``,
``nosniff``), never shown inline by us. The stored name is random; the name the person sees keeps
their file's name with the extension of what it really is.

Checking happens before anything is stored, so a refused file leaves nothing behind; the view
stores the checked files only when it is about to call the service, and deletes them again if the
service refuses (``stored``).
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils.translation import gettext as _
from pypdf import PdfReader, apply_configuration
from pypdf.errors import DependencyError, PyPdfError

from prakerja.complaints.services import ComplaintError, EvidenceFile
from prakerja.registry.errors import RegistryError
from prakerja.registry.photos import process_photo

FIELD = "evidence"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PDF_MAGIC = b"%PDF-"
PDF_TYPE, JPEG_TYPE = "application/pdf", "image/jpeg"
CONTENT_TYPES = {PDF_TYPE, JPEG_TYPE}  # the only types ever stored, and so ever served
# pypdf's limits for a file of at most 5 MB with at most 20 pages: well above any real scan or
# exported document, far below what a crafted file would need to cost seconds or gigabytes.
PDF_LIMITS = {
    "page_tree_maximum_entries": 2_000, "page_tree_maximum_depth": 32, "page_tree_maximum_page_entries": 20_000,
    "array_maximum_element_count": 50_000, "dictionary_maximum_element_count": 10_000,
    "zlib_maximum_output_length": 32 * 1024 * 1024, "lzw_maximum_output_length": 32 * 1024 * 1024,
    "run_length_maximum_output_length": 32 * 1024 * 1024, "brotli_maximum_output_length": 32 * 1024 * 1024,
    "stream_decoding_work_maximum_length": 64 * 1024 * 1024, "jbig2dec_binary": None,
    "disable_legacy_handling": True,
}
PDF_XREF_ENTRIES = 100_000
# Whatever pypdf raises on a broken or hostile file: its own errors, and the built-in ones its parser
# lets through on malformed structures (a missing key, a wrong type, a bad number, a bad stream).
PDF_ERRORS = (PyPdfError, DependencyError, ValueError, TypeError, KeyError, IndexError, AttributeError,
              AssertionError, RecursionError, OverflowError, UnicodeError, zlib.error, struct.error, EOFError)


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed the checks, not yet stored."""

    data: bytes
    name: str  # as shown: the person's file name with the extension of what it is
    content_type: str


def evidence_check(uploads) -> list[CheckedFile]:
    """Check every file; the first one refused raises a ``ComplaintError`` on the evidence field."""
    uploads = [upload for upload in uploads or [] if upload is not None]
    if len(uploads) > settings.COMPLAINT_EVIDENCE_FILES:
        raise ComplaintError("evidence_too_many", _("Send at most %(n)s files.")
                             % {"n": settings.COMPLAINT_EVIDENCE_FILES}, FIELD)
    return [_check_one(upload) for upload in uploads]


def _check_one(upload) -> CheckedFile:
    name = display_name(getattr(upload, "name", "") or "")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head:
        raise ComplaintError("evidence_empty", _("%(name)s is empty.") % {"name": name}, FIELD)
    if head.startswith(PDF_MAGIC):
        return CheckedFile(_check_pdf(upload, name), _with_extension(name, ".pdf"), PDF_TYPE)
    if head.startswith(JPEG_MAGIC) or head.startswith(PNG_MAGIC):
        try:
            data = process_photo(upload, field=FIELD)
        except RegistryError as exc:
            raise ComplaintError(f"evidence_{exc.code}", _("%(name)s: %(reason)s")
                                 % {"name": name, "reason": exc.message}, FIELD) from exc
        return CheckedFile(data, _with_extension(name, ".jpg"), JPEG_TYPE)
    raise ComplaintError("evidence_type", _("%(name)s is not a JPEG or PNG photo or a PDF document. Send a photo "
                                            "(JPEG or PNG) or a PDF.") % {"name": name}, FIELD)


def _check_pdf(upload, name: str) -> bytes:
    limit = settings.COMPLAINT_PDF_MAX_BYTES
    too_large = ComplaintError("evidence_pdf_too_large", _("%(name)s is larger than %(mb)s MB. Send a smaller PDF.")
                               % {"name": name, "mb": limit // (1024 * 1024)}, FIELD)
    if upload.size > limit:
        raise too_large
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large
    unreadable = ComplaintError("evidence_pdf_unreadable", _(
        "%(name)s cannot be read as a PDF document. Save it again as a PDF, or send a photo.") % {"name": name}, FIELD)
    try:
        with apply_configuration(**PDF_LIMITS):
            reader = PdfReader(io.BytesIO(data), strict=False, xref_stream_maximum_entries=PDF_XREF_ENTRIES)
            if reader.is_encrypted:
                raise ComplaintError("evidence_pdf_encrypted", _("%(name)s is protected with a password. Send the "
                                                                 "PDF without a password.") % {"name": name}, FIELD)
            pages = reader.get_num_pages()
    except ComplaintError:
        raise
    except PDF_ERRORS as exc:
        raise unreadable from exc
    if pages < 1:
        raise unreadable
    if pages > settings.COMPLAINT_PDF_MAX_PAGES:
        raise ComplaintError("evidence_pdf_pages", _("%(name)s has %(pages)s pages; a PDF may have at most %(max)s.")
                             % {"name": name, "pages": pages, "max": settings.COMPLAINT_PDF_MAX_PAGES}, FIELD)
    return data


def display_name(raw: str) -> str:
    """The file's own name, without any folder, control characters or quotes, at most 100 characters."""
    base = os.path.basename(raw.replace("\\", "/"))
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?/\\;').strip(" .")
    return cleaned[-100:] or _("file")


def _with_extension(name: str, extension: str) -> str:
    stem, _ext = os.path.splitext(name)
    return f"{stem or _('file')}{extension}"


# --- storing ----------------------------------------------------------------------------------

def evidence_store(checked: list[CheckedFile]) -> list[EvidenceFile]:
    """Write each file under a random name in the private storage."""
    storage = storages["private"]
    stored = []
    try:
        for item in checked:
            extension = ".pdf" if item.content_type == PDF_TYPE else ".jpg"
            name = storage.save(f"complaints/{uuid.uuid4().hex}{extension}", ContentFile(item.data))
            stored.append(EvidenceFile(file=name, original_name=item.name, content_type=item.content_type,
                                       size=len(item.data)))
    except OSError:
        evidence_discard(stored)
        raise
    return stored


def evidence_discard(files: list[EvidenceFile]) -> None:
    storage = storages["private"]
    for item in files:
        storage.delete(item.file)


@contextlib.contextmanager
def stored(checked: list[CheckedFile]) -> Iterator[list[EvidenceFile]]:
    """Store the files for the service call inside; if it raises (a refusal, a rollback), delete them."""
    files = evidence_store(checked)
    try:
        yield files
    except BaseException:
        evidence_discard(files)
        raise

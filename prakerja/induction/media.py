"""The video and caption files (CRD-2): where they are, and what a real one looks like.

The shipped demo files live in induction/data/ (committed, so `make run`
needs no ffmpeg) and are named ``SHIPPED + <file>`` in the database;
replacements uploaded by operators are in the default storage. Both are
served by views.media, so a replacement needs no deploy.
"""

import struct
from dataclasses import dataclass
from pathlib import Path

from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from prakerja.induction.errors import InductionError

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED = "induction/shipped/"  # never produced by an upload (those go under induction/videos/ and captions/)

VIDEO_MAX_BYTES = 20 * 1024 * 1024
CAPTIONS_MAX_BYTES = 256 * 1024
# An upload's whole body: one video, one caption file and the form's fields.
UPLOAD_MAX_BODY_BYTES = VIDEO_MAX_BYTES + CAPTIONS_MAX_BYTES + 64 * 1024


def shipped_name(filename: str) -> str:
    return SHIPPED + filename


def media_open(name: str):
    """A binary file object for a stored name, shipped or uploaded."""
    if name.startswith(SHIPPED):
        filename = name.removeprefix(SHIPPED)
        if "/" in filename or filename.startswith("."):
            raise FileNotFoundError(name)
        return (DATA_DIR / filename).open("rb")
    return default_storage.open(name, "rb")


def media_size(name: str) -> int:
    if name.startswith(SHIPPED):
        return (DATA_DIR / name.removeprefix(SHIPPED)).stat().st_size
    return default_storage.size(name)


# --- MP4 ------------------------------------------------------------------------------

MAX_BOXES = 10_000  # a real file has a few dozen; a crafted one must not keep us looping


@dataclass(frozen=True)
class Mp4Info:
    brand: str
    duration_seconds: float | None  # from moov/mvhd; None when the file does not say


def _boxes(file, start: int, end: int):
    """(type, payload start, box end) of the ISO BMFF boxes between start and end."""
    offset, count = start, 0
    while offset + 8 <= end:
        count += 1
        if count > MAX_BOXES:
            return
        file.seek(offset)
        header = file.read(8)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header)
        payload = offset + 8
        if size == 1:  # a 64-bit size follows
            large = file.read(8)
            if len(large) < 8:
                return
            size, payload = struct.unpack(">Q", large)[0], offset + 16
        elif size == 0:  # to the end of the file
            size = end - offset
        if size < payload - offset or offset + size > end:
            return
        yield kind, payload, offset + size
        offset += size


def mp4_probe(file, size: int) -> Mp4Info:
    """Check that ``file`` is an MP4 (ISO BMFF starting with an ``ftyp`` box) and read its duration.

    Raises InductionError("not_mp4") otherwise. A name ending in .mp4 or a
    browser's Content-Type says nothing; the first box does.
    """
    file.seek(0)
    head = file.read(12)
    if len(head) < 12 or head[4:8] != b"ftyp" or struct.unpack(">I", head[:4])[0] < 12:
        raise InductionError("not_mp4", _("This file is not an MP4 video. Upload an .mp4 file (H.264)."), "video")
    brand = head[8:12].decode("latin-1")
    duration = None
    for kind, payload, box_end in _boxes(file, 0, size):
        if kind != b"moov":
            continue
        for child, child_payload, _child_end in _boxes(file, payload, box_end):
            if child != b"mvhd":
                continue
            file.seek(child_payload)
            version = file.read(1)
            file.read(3)  # flags
            if version == b"\x01":
                data = file.read(28)
                timescale, length = (struct.unpack(">QQIQ", data)[2:] if len(data) == 28 else (0, 0))
            else:
                data = file.read(16)
                timescale, length = (struct.unpack(">IIII", data)[2:] if len(data) == 16 else (0, 0))
            if timescale and length:
                duration = length / timescale
        break
    file.seek(0)
    return Mp4Info(brand, duration)


# --- WebVTT ---------------------------------------------------------------------------


def vtt_check(data: bytes) -> str:
    """The text of a WebVTT file, or InductionError("not_vtt") (the W3C signature is the first line)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InductionError("not_vtt", _("The captions file must be WebVTT text in UTF-8."), "captions")
    first = text.split("\n", 1)[0].rstrip("\r")
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise InductionError("not_vtt", _('This is not a WebVTT file: the first line must be "WEBVTT".'),
                             "captions")
    if "-->" not in text:
        raise InductionError("not_vtt", _("The captions file has no cues (lines with -->)."), "captions")
    return text

"""KTP photos and selfies (REG-4): decode, limit, re-encode, store privately.

A file is an image only if Pillow decodes it as JPEG or PNG; the name and
the declared content type are ignored. What is stored is a fresh JPEG
re-encoded from the pixels, so EXIF, GPS and anything else riding in the
file is gone.

Memory, not bytes on the wire, is what a photo costs: a 20000 x 20000 PNG
is a few KB and gigabytes decoded. So the pixel count is checked from the
header before any pixel is decoded, against a cap that depends on how the
file decodes (Pillow keeps 4 bytes a pixel for RGB):

- a baseline JPEG is decoded by libjpeg at 1/2, 1/4 or 1/8 scale straight
  to about the stored size (``draft``), so even 40 MP costs at most the
  16 MP a 3999 x 3999 file decodes to at full scale;
- a progressive (or otherwise multi-scan) JPEG makes libjpeg hold every DCT
  coefficient of the whole image whatever the scale, 3 bytes a pixel for
  ordinary colour and up to 8 for CMYK: coefficients and decoded pixels
  together must fit PHOTO_MAX_PROGRESSIVE_BYTES;
- a PNG cannot be decoded at a reduced scale at all: PHOTO_MAX_PNG_PIXELS.

The caps keep one photo, and so a request with two (they are decoded one
after the other), under 100 MiB; tests/registry/test_photo_memory.py
measures the worst cases. The picture is shrunk band by band and only then
rotated, so no second full-size copy is made.
"""

import io
import math
import uuid
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils.translation import gettext_lazy as _
from PIL import ExifTags, Image, PngImagePlugin, UnidentifiedImageError

from prakerja.registry.errors import RegistryError

ALLOWED_FORMATS = {"JPEG", "PNG"}
# JPEG frames a camera or editor writes: DCT, sequential or progressive,
# Huffman or arithmetic coded. Lossless and hierarchical frames are refused.
DCT_FRAMES = {0xC0, 0xC1, 0xC2, 0xC9, 0xCA}
# Of those, the ones libjpeg can decode row by row, without holding every
# DCT coefficient of the picture (if the first scan has every component).
SEQUENTIAL_FRAMES = {0xC0, 0xC1, 0xC9}
# JPEG frame (SOF) markers; C4, C8 and CC share the range but are not frames.
FRAME_MARKERS = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length field (TEM, RSTn, SOI).
STANDALONE_MARKERS = {0x01, *range(0xD0, 0xD9)}
# Output rows resized at a time (see _shrink_to_rgb).
BAND_ROWS = 64
# EXIF orientation -> the transposition that turns the picture upright.
TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
             4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
             6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}
# Pillow keeps every text chunk of a PNG in memory, by default up to 64 MB
# inflated from a few KB of zTXt. A photo needs none of them.
PngImagePlugin.MAX_TEXT_MEMORY = 1024 * 1024

TOO_LARGE = _("The photo is larger than 5 MB. Choose a smaller photo.")
TOO_MANY_PIXELS = _("The photo has too many pixels. Take a normal phone photo.")


def process_photo(upload, *, field: str) -> bytes:
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise RegistryError("photo_too_large", TOO_LARGE, field)
    upload.seek(0)
    data = upload.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ALLOWED_FORMATS:
                raise RegistryError("photo_format", _("Upload a JPEG or PNG photo."), field)
            width, height = image.size
            size = _stored_size(width, height)
            limit = settings.PHOTO_MAX_PNG_PIXELS if image.format == "PNG" else settings.PHOTO_MAX_PIXELS
            if width * height > limit:
                raise RegistryError("photo_pixels", TOO_MANY_PIXELS, field)
            if image.format == "JPEG":
                _jpeg_draft(image, data, field)
            image.load()
            orientation = image.getexif().get(ExifTags.Base.Orientation)
    except RegistryError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise RegistryError("photo_pixels", TOO_MANY_PIXELS, field) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise RegistryError("photo_unreadable", _("This file is not a JPEG or PNG photo."), field) from exc
    image = _shrink_to_rgb(image, size)
    if orientation in TRANSPOSE:
        image = image.transpose(TRANSPOSE[orientation])
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: no metadata
    return out.getvalue()


def _stored_size(width: int, height: int) -> tuple[int, int]:
    side = settings.PHOTO_MAX_SIDE
    if max(width, height) <= side:
        return width, height
    if width >= height:
        return side, max(1, round(height * side / width))
    return max(1, round(width * side / height)), side


def _shrink_to_rgb(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Resize to ``size`` and convert to RGB, one band of rows at a time.

    On the whole picture, resize() makes an intermediate of new width x old
    height and, for RGBA, a premultiplied full-size copy; convert() makes
    another. Bands keep those copies a few rows high. Each band is cut with
    the rows the bicubic filter reaches beyond it and resized in the order
    resize() uses for the whole picture (across, then down), so the result
    is the same up to the rounding of a coefficient.
    """
    width, height = image.size
    if image.size == size:
        return image if image.mode == "RGB" else image.convert("RGB")
    out = Image.new("RGB", size)
    scale = height / size[1]
    reach = math.ceil(2 * max(scale, 1)) + 1  # bicubic support is 2 output pixels
    for top in range(0, size[1], BAND_ROWS):
        bottom = min(size[1], top + BAND_ROWS)
        y0, y1 = top * scale, bottom * scale
        cut0, cut1 = max(0, math.floor(y0) - reach), min(height, math.ceil(y1) + reach)
        band = image.crop((0, cut0, width, cut1))
        if band.mode != "RGB":
            # Before resizing, as the whole picture was: P and 1 resize with
            # nearest neighbour only, and alpha is dropped, not premultiplied.
            band = band.convert("RGB")
        # Two explicit passes: for a band Pillow would go down first, which
        # clips the intermediate differently.
        band = band.resize((size[0], cut1 - cut0), Image.Resampling.BICUBIC)
        out.paste(band.resize((size[0], bottom - top), Image.Resampling.BICUBIC,
                              box=(0, y0 - cut0, size[0], y1 - cut0)), (0, top))
    return out


def _jpeg_draft(image, data: bytes, field: str) -> None:
    """Have libjpeg decode at the largest scale (1/2, 1/4, 1/8) that still
    gives the stored size, and refuse a multi-scan JPEG whose coefficients
    and pixels together would not fit PHOTO_MAX_PROGRESSIVE_BYTES."""
    width, height = image.size
    frame, frame_components, scan_components = _jpeg_first_scan(data)
    if frame not in DCT_FRAMES:
        raise RegistryError("photo_format", _("Upload a JPEG or PNG photo."), field)
    # libjpeg buffers the whole image when the frame is progressive or the
    # first scan leaves a component out (a non-interleaved sequential file).
    multi_scan = frame not in SEQUENTIAL_FRAMES or scan_components < frame_components
    scale = min(1.0, settings.PHOTO_MAX_SIDE / max(width, height))
    image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
    if multi_scan:
        # 64 coefficients of 2 bytes per 8 x 8 block of every component at
        # its own sampling, whatever the output scale; Pillow keeps 4 bytes
        # per decoded pixel.
        h_max = max(h for _id, h, _v, _table in image.layer)
        v_max = max(v for _id, _h, v, _table in image.layer)
        if not (h_max and v_max):
            raise ValueError("JPEG sampling factor of zero")
        coefficients = sum(math.ceil(width * h / (8 * h_max)) * math.ceil(height * v / (8 * v_max)) * 128
                           for _id, h, v, _table in image.layer)
        if coefficients + image.width * image.height * 4 > settings.PHOTO_MAX_PROGRESSIVE_BYTES:
            raise RegistryError("photo_pixels", TOO_MANY_PIXELS, field)


def _jpeg_first_scan(data: bytes) -> tuple[int, int, int]:
    """(frame marker, components in the frame, components in the first scan).

    Pillow stops reading at the first scan and does not tell whether the
    file is multi-scan; the segments before it say so.
    """
    pos, frame, frame_components = 2, None, None
    while pos + 4 < len(data):
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in STANDALONE_MARKERS:
            pos += 2
            continue
        if marker in FRAME_MARKERS and pos + 9 < len(data):
            frame, frame_components = marker, data[pos + 9]
        elif marker == 0xDA and frame is not None:
            return frame, frame_components, data[pos + 4]
        pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
    raise ValueError("no frame and scan header in the JPEG")


def store_photo(data: bytes) -> str:
    """Save under a random name in the private storage; returns the name."""
    return storages["private"].save(f"photos/{uuid.uuid4().hex}.jpg", ContentFile(data))


def delete_photo(name: str) -> None:
    if name:
        storages["private"].delete(name)

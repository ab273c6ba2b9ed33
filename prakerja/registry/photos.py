"""KTP photos and selfies (REG-4): decode, limit, re-encode, store privately.

A file is an image only if Pillow decodes it as JPEG or PNG; the name and
the declared content type are ignored. The pixel count is checked from the
header before any pixel is decoded (a 20000 x 20000 PNG is a few KB on the
wire and gigabytes in memory). What is stored is a fresh JPEG re-encoded
from the pixels, so EXIF, GPS and anything else riding in the file is gone.
"""

import io
import uuid
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from prakerja.registry.errors import RegistryError

ALLOWED_FORMATS = {"JPEG", "PNG"}


def process_photo(upload, *, field: str) -> bytes:
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise RegistryError("photo_too_large", _("The photo is larger than 5 MB. Choose a smaller photo."), field)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            image = Image.open(upload)
            if image.format not in ALLOWED_FORMATS:
                raise RegistryError("photo_format", _("Upload a JPEG or PNG photo."), field)
            width, height = image.size
            if width * height > settings.PHOTO_MAX_PIXELS:
                raise RegistryError("photo_pixels", _("The photo has too many pixels. Take a normal phone photo."),
                                    field)
            image.load()
    except RegistryError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise RegistryError("photo_pixels", _("The photo has too many pixels. Take a normal phone photo."),
                            field) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise RegistryError("photo_unreadable", _("This file is not a JPEG or PNG photo."), field) from exc
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((settings.PHOTO_MAX_SIDE, settings.PHOTO_MAX_SIDE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: no metadata
    return out.getvalue()


def store_photo(data: bytes) -> str:
    """Save under a random name in the private storage; returns the name."""
    return storages["private"].save(f"photos/{uuid.uuid4().hex}.jpg", ContentFile(data))


def delete_photo(name: str) -> None:
    if name:
        storages["private"].delete(name)

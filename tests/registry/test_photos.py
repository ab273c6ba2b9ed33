"""REG-4 photo decoding: the project's own limits refuse what would cost too much memory.

Every image here is under Pillow's decompression-bomb threshold, so a refusal
can only come from prakerja.registry.photos. Memory itself is measured in
test_photo_memory.py.
"""

import io
import math
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageChops, ImageDraw, ImageStat, PngImagePlugin

from prakerja.registry.errors import RegistryError
from prakerja.registry.photos import process_photo


def upload(image, fmt="JPEG", **save):
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return SimpleUploadedFile(f"photo.{fmt.lower()}", out.getvalue())


def refusal(file):
    with pytest.raises(RegistryError) as error:
        process_photo(file, field="ktp_photo")
    return error.value.code


def stored(file):
    return Image.open(io.BytesIO(process_photo(file, field="ktp_photo")))


def test_the_project_limit_refuses_a_41_megapixel_jpeg_not_pillows_guard(settings):
    assert settings.PHOTO_MAX_PIXELS == 40_000_000
    assert 8200 * 5000 < Image.MAX_IMAGE_PIXELS  # Pillow would decode it without a warning
    assert refusal(upload(Image.new("L", (8200, 5000)))) == "photo_pixels"
    assert stored(upload(Image.new("L", (8000, 5000)))).size == (2000, 1250)


def test_png_has_its_own_lower_pixel_limit(settings):
    assert settings.PHOTO_MAX_PNG_PIXELS == 4000 * 4000
    assert refusal(upload(Image.new("L", (4001, 4000)), "PNG")) == "photo_pixels"
    assert stored(upload(Image.new("L", (4000, 4000)), "PNG")).size == (2000, 2000)


def test_a_progressive_jpeg_must_fit_coefficients_and_pixels_in_the_budget(settings):
    # 4:4:4 at full scale: 6 bytes of coefficients and 4 of pixels a pixel;
    # 2588 x 2588 is the largest square within 64 MiB.
    assert settings.PHOTO_MAX_PROGRESSIVE_BYTES == 64 * 1024 * 1024
    progressive = {"progressive": True, "subsampling": 0}
    assert refusal(upload(Image.new("RGB", (2589, 2589)), **progressive)) == "photo_pixels"
    assert stored(upload(Image.new("RGB", (2588, 2588)), **progressive)).size == (2000, 2000)
    # A 12 MP phone photo saved progressive (4:2:0, decoded at half scale) fits.
    assert stored(upload(Image.new("RGB", (4000, 3000)), progressive=True)).size == (2000, 1500)


def jpeg_headers(frame=0xC0, width=4000, height=3000, scan_components=3):
    """SOI, a frame header of three 4:4:4 components, the first scan header, EOI: no image data."""
    def segment(marker, body):
        return struct.pack(">BBH", 0xFF, marker, len(body) + 2) + body
    sof = struct.pack(">BHHB", 8, height, width, 3) + b"".join(bytes([c, 0x11, 0]) for c in (1, 2, 3))
    sos = bytes([scan_components]) + b"".join(bytes([c, 0]) for c in range(1, scan_components + 1)) + b"\x00\x3f\x00"
    return SimpleUploadedFile("ktp.jpg", b"\xff\xd8" + segment(frame, sof) + segment(0xDA, sos) + b"\xff\xd9")


@pytest.mark.parametrize(("headers", "code"), [
    # A sequential file whose first scan has one component is decoded like a
    # progressive one: 72 MB of coefficients for 12 MP.
    (jpeg_headers(scan_components=1), "photo_pixels"),
    (jpeg_headers(scan_components=3), "photo_unreadable"),  # passes the limits, then has no data
    (jpeg_headers(frame=0xC3), "photo_format"),  # lossless: no reduced-scale decoding
])
def test_the_scan_layout_decides_the_jpeg_limit(headers, code):
    assert refusal(headers) == code


def test_png_text_chunks_are_limited():
    info = PngImagePlugin.PngInfo()
    for n in range(3):
        info.add_text(f"comment{n}", "a" * 800_000, zip=True)  # 2.4 MB inflated from a few KB
    assert refusal(upload(Image.new("RGB", (10, 10)), "PNG", pnginfo=info)) == "photo_unreadable"


def detailed(size):
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    for y in range(0, size[1], 23):
        draw.text(((y * 7) % 200, y), "3273015203950001 JAWA BARAT " * 8, fill=(y % 256, 40, 200), font_size=20)
    return image


def test_shrinking_in_bands_gives_the_whole_picture_resize():
    image = detailed((2600, 1900)).convert("RGBA")
    reference = io.BytesIO()
    image.convert("RGB").resize((2000, 1462), Image.Resampling.BICUBIC).save(
        reference, format="JPEG", quality=85, optimize=True)
    difference = ImageStat.Stat(ImageChops.difference(stored(upload(image, "PNG")), Image.open(reference)))
    psnr = 10 * math.log10(255**2 / (sum(rms**2 for rms in difference.rms) / 3))
    # About 68 dB: JPEG rounding only. Bands cut without the filter's reach
    # give 48 dB, bands off by a row 23 dB.
    assert psnr > 60


def test_a_jpeg_decoded_at_reduced_scale_keeps_its_stored_size_and_orientation():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to view
    photo = stored(upload(detailed((4001, 2500)), exif=exif.tobytes()))
    assert photo.size == (1250, 2000)
    assert not photo.getexif()

"""REG-4: personal data and photos; private storage; who may see a photo."""

import io
import struct
import zlib
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from prakerja.audit.models import AuditEntry
from prakerja.registry.errors import RegistryError
from prakerja.registry.models import Profile
from prakerja.registry.services.personal import personal_data_save
from tests.conftest import pass_second_factor

pytestmark = pytest.mark.django_db


def jpeg(name="ktp.jpg", size=(640, 400), with_gps=False):
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    exif = Image.Exif()
    if with_gps:
        exif[0x8825] = {1: "S", 2: (6.0, 54.0, 0.0)}  # GPSInfo
        exif[0x010F] = "PhoneMaker"
    image.save(out, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def png_header_only(width, height):
    """A PNG whose header claims width x height: a few bytes on the wire."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def save(user, **overrides):
    from prakerja.regions.selectors import regency_get

    data = {"ktp_address": "Jl. Merdeka 1, Bandung", "domicile_regency": regency_get(code="3273"),
            "domicile_street": "Jl. Asia Afrika 2", "education": "sma", "employment_status": "job_seeker",
            "ktp_photo": jpeg(), "selfie": jpeg("selfie.png"), **overrides}
    return personal_data_save(actor=user, **data)


def test_photos_are_reencoded_without_metadata_in_private_storage(identity_done, settings):
    profile = save(identity_done, ktp_photo=jpeg(with_gps=True))
    stored = settings.STORAGES["private"]["OPTIONS"]["location"]
    with Image.open(f"{stored}/{profile.ktp_photo}") as image:
        assert image.format == "JPEG"
        assert not image.getexif()  # no GPS, no camera
    assert profile.personal_data_at is not None
    assert not profile.ktp_photo.startswith(("/", "media"))


@pytest.mark.parametrize(("upload", "code"), [
    (SimpleUploadedFile("ktp.jpg", b"this is a text file, not a photo"), "photo_unreadable"),
    (SimpleUploadedFile("ktp.jpg", b"\xff\xd8" + b"0" * (30 * 1024 * 1024)), "photo_too_large"),
    (SimpleUploadedFile("bomb.png", png_header_only(20000, 20000)), "photo_pixels"),
])
def test_bad_photos_are_refused_and_change_nothing(identity_done, upload, code):
    with pytest.raises(RegistryError) as error:
        save(identity_done, ktp_photo=upload)
    assert error.value.code == code and error.value.field == "ktp_photo"
    assert Profile.objects.get(user=identity_done).personal_data_at is None


def test_gif_is_not_accepted(identity_done):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(RegistryError) as error:
        save(identity_done, ktp_photo=SimpleUploadedFile("ktp.jpg", out.getvalue()))
    assert error.value.code == "photo_format"


def test_photos_are_required_the_first_time_only(identity_done):
    with pytest.raises(RegistryError):
        save(identity_done, ktp_photo=None)
    save(identity_done)
    profile = save(identity_done, ktp_photo=None, selfie=None, domicile_street="Jl. Baru 3")
    assert profile.domicile_street == "Jl. Baru 3" and profile.ktp_photo


def test_only_the_owner_or_a_permitted_operator_sees_a_photo(client, identity_done, make_user, operator):
    profile = save(identity_done)
    url = reverse("registry_photo", args=[profile.public_id, "ktp"])
    client.force_login(identity_done)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    client.force_login(make_user(email="stranger@example.id"))
    assert client.get(url).status_code == 404
    # Operators need the permission, pass the second factor, and are logged.
    pass_second_factor(client, operator)
    assert client.get(url).status_code == 404
    operator.user_permissions.add(Permission.objects.get(codename="view_identity_photos"))
    assert client.get(url + "?reason=verify KTP").status_code == 200
    entry = AuditEntry.objects.get(action="registry.photo_view.ktp")
    assert entry.actor == operator and entry.target_id == str(profile.public_id) and entry.reason == "verify KTP"


def test_personal_data_page_lists_official_regencies(client, identity_done):
    client.force_login(identity_done)
    page = client.get(reverse("registry_personal")).content.decode()
    assert page.count("<optgroup") == 38
    assert 'value="3273"' in page


def test_personal_data_form_errors(client, identity_done):
    client.force_login(identity_done)
    response = client.post(reverse("registry_personal"), {"ktp_address": "", "domicile_regency": "0000",
                                                          "domicile_street": "x", "education": "sma",
                                                          "employment_status": "job_seeker"})
    errors = response.context["form"].errors
    assert "ktp_address" in errors and "domicile_regency" in errors


def test_saves_with_photos_are_limited_per_account(identity_done, make_user, settings, monkeypatch):
    settings.PHOTO_UPLOADS_PER_ACCOUNT_PER_HOUR = 2
    clock = SimpleNamespace(time=datetime(2026, 3, 2, 7, 25, tzinfo=UTC).timestamp)  # 14:25 WIB
    monkeypatch.setattr("prakerja.core.ratelimit.time", clock)
    save(identity_done)
    save(identity_done, selfie=None)
    with pytest.raises(RegistryError) as error:
        save(identity_done, ktp_photo=None)
    assert error.value.code == "photo_uploads_throttled"
    assert str(error.value.message).endswith(" 15:00 WIB.")
    # Saving without photos costs no decode and is not counted.
    profile = save(identity_done, ktp_photo=None, selfie=None, domicile_street="Jl. Baru 3")
    assert profile.domicile_street == "Jl. Baru 3"
    # Per account: someone else uploads as usual.
    save(make_user(email="tetangga@example.id"))
    # The count lives in the cache every web process shares, not in this one.
    cache.clear()
    save(identity_done)
    save(identity_done)
    with pytest.raises(RegistryError):
        save(identity_done)
    # The next window starts afresh at 15:00 WIB.
    clock.time = datetime(2026, 3, 2, 8, 0, tzinfo=UTC).timestamp
    save(identity_done)


def test_throttled_save_is_shown_on_the_form(client, identity_done, settings):
    settings.PHOTO_UPLOADS_PER_ACCOUNT_PER_HOUR = 0
    client.force_login(identity_done)
    response = client.post(reverse("registry_personal"), {
        "ktp_address": "Jl. Merdeka 1, Bandung", "domicile_regency": "3273", "domicile_street": "Jl. Asia Afrika 2",
        "education": "sma", "employment_status": "job_seeker", "ktp_photo": jpeg(), "selfie": jpeg("selfie.jpg")})
    [message] = response.context["form"].non_field_errors()
    assert message.endswith("WIB.")
    assert Profile.objects.get(user=identity_done).personal_data_at is None

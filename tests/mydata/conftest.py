import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

from prakerja.registry import crypto
from prakerja.registry.models import Profile
from prakerja.registry.nik import build_kk, build_nik, mask
from tests.cards.conftest import announced_wave, issue  # noqa: F401
from tests.conftest import PASSWORD
from tests.partners.conftest import (  # noqa: F401
    api,
    card,
    card_number,
    listing,
    make_listing,
    platform,
    provider,
    queued,
    ready_card,
    start_body,
    watched,
)


@pytest.fixture
def participant(ready_card, private_storage):  # noqa: F811
    """A card holder whose profile carries a NIK, a KK and both photos, and who knows their password."""
    from datetime import date

    user = ready_card.user
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    nik = build_nik(district_code="327301", birth_date=date(1995, 3, 12), female=True, serial=7)
    kk = build_kk(district_code="327301", issued=date(2015, 6, 15), serial=7)
    photo = storages["private"].save("ktp.jpg", ContentFile(b"\xff\xd8\xff\xe0 not really a jpeg"))
    selfie = storages["private"].save("selfie.jpg", ContentFile(b"\xff\xd8\xff\xe0 not really a jpeg"))
    Profile.objects.filter(user=user).update(
        nik_encrypted=crypto.encrypt(nik), nik_masked=mask(nik), nik_index=crypto.blind_index("nik", nik),
        kk_encrypted=crypto.encrypt(kk), kk_index=crypto.blind_index("kk", kk), ktp_photo=photo, selfie=selfie)
    user.nik, user.kk = nik, kk
    return user


def reauthenticated(client, user, next_url=None):
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"),
                           {"password": PASSWORD, "next": next_url or reverse("mydata")})
    assert response.status_code == 302, response.content
    return client

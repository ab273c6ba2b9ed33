"""PRV: the database never holds a NIK or KK in clear; keys rotate without downtime."""

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from prakerja.registry import crypto
from prakerja.registry.models import Profile
from tests.conftest import pass_second_factor
from tests.registry.conftest import KK, NIK

pytestmark = pytest.mark.django_db


def every_value_in_the_database() -> str:
    dump = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            cursor.execute(f'SELECT * FROM "{model._meta.db_table}"')  # noqa: S608 - table names from the ORM
            dump.extend(str(row) for row in cursor.fetchall())
    return "\n".join(dump)


def test_no_nik_or_kk_in_clear_anywhere(identity_done):
    dump = every_value_in_the_database()
    assert NIK not in dump and KK not in dump
    assert Profile.objects.get(user=identity_done).nik_masked in dump  # the mask is what screens show


def test_key_rotation(identity_done, settings):
    profile = Profile.objects.get(user=identity_done)
    old_key = settings.PERSONAL_DATA_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [new_key, old_key]  # deploy: new key first, old still reads
    assert crypto.decrypt(profile.nik_encrypted) == NIK
    call_command("rotate_personal_data", stdout=open("/dev/null", "w"))
    settings.PERSONAL_DATA_KEYS = [new_key]  # the old key is gone
    profile.refresh_from_db()
    assert crypto.decrypt(profile.nik_encrypted) == NIK and crypto.decrypt(profile.kk_encrypted) == KK
    settings.PERSONAL_DATA_KEYS = [old_key]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(profile.nik_encrypted)


def test_blind_index_finds_equal_numbers_only(settings):
    assert crypto.blind_index("nik", NIK) == crypto.blind_index("nik", NIK)
    assert crypto.blind_index("nik", NIK) != crypto.blind_index("kk", NIK)
    settings.PERSONAL_DATA_INDEX_KEY = "another-key"
    assert len(crypto.blind_index("nik", NIK)) == 64


def test_the_change_page_shows_the_mask_and_never_reveals_by_get(client, identity_done, operator):
    # Revealing is a POST with a typed reason (tests/registry/test_reveal.py).
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    from prakerja.audit.models import AuditEntry

    profile = Profile.objects.get(user=identity_done)
    operator.user_permissions.add(*Permission.objects.filter(codename__in=["view_profile", "view_personal_data"]))
    pass_second_factor(client, operator)
    url = reverse("admin:registry_profile_change", args=[profile.pk])
    page = client.get(url + "?reveal=complaint 123").content.decode()
    assert NIK not in page and KK not in page and profile.nik_masked in page
    assert not AuditEntry.objects.filter(action="registry.identity_reveal").exists()

"""User._get_session_auth_hash: Django's value, remembered per process, never a stale one."""

import pytest
from django.contrib.auth.base_user import AbstractBaseUser

from prakerja.accounts import models
from prakerja.accounts.models import User


def _django(user, secret=None):
    return AbstractBaseUser._get_session_auth_hash(user, secret=secret)


def test_the_value_is_djangos():
    user = User(email="a@example.com", password="argon2$one")  # noqa: S106 - a stored hash's shape, not a password
    assert user.get_session_auth_hash() == _django(user)
    assert user.get_session_auth_hash() == _django(user)  # remembered: the same
    fallbacks = models.settings.SECRET_KEY_FALLBACKS
    assert list(user.get_session_auth_fallback_hash()) == [_django(user, s) for s in fallbacks]


def test_a_new_password_or_secret_key_gives_a_new_value(settings):
    user = User(email="a@example.com", password="argon2$one")  # noqa: S106
    before = user.get_session_auth_hash()
    user.password = "argon2$two"  # noqa: S105
    assert user.get_session_auth_hash() == _django(user) != before
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert user.get_session_auth_hash() == _django(user)
    user.password = "argon2$one"  # noqa: S105
    assert user.get_session_auth_hash() == _django(user) != before
    settings.SECRET_KEY_FALLBACKS = ["an-old-key-" + "y" * 40]
    assert list(user.get_session_auth_fallback_hash()) == [_django(user, "an-old-key-" + "y" * 40)]


def test_what_is_remembered_is_bounded(monkeypatch):
    monkeypatch.setattr(models, "SESSION_AUTH_HASHES", 3)
    monkeypatch.setattr(models, "_session_auth_hashes", {})
    for i in range(10):
        user = User(email="a@example.com", password=f"argon2${i}")
        assert user.get_session_auth_hash() == _django(user)
        assert len(models._session_auth_hashes) <= 3


@pytest.mark.django_db
def test_a_password_change_still_signs_other_sessions_out(client, registrant):
    client.force_login(registrant)
    assert client.get("/dashboard/").status_code == 200
    registrant.set_password("Sandi-Baru-2026!")
    registrant.save()
    assert client.get("/dashboard/").status_code == 302

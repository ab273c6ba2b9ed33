"""The one authentication backend (prakerja/accounts/backends.py)."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import make_password
from django.forms.models import model_to_dict

from prakerja.accounts import backends
from prakerja.accounts.backends import AuthenticationBackend, user_by_pk
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_user_is_loaded_as_the_orm_loads_it(make_user):
    user = make_user()
    user.language = "en"
    user.save()
    orm = get_user_model().objects.get(pk=user.pk)
    fast = user_by_pk(user.pk)
    assert type(fast) is type(orm)
    assert model_to_dict(fast) | {"groups": None, "user_permissions": None} == \
        model_to_dict(orm) | {"groups": None, "user_permissions": None}
    for field in orm._meta.concrete_fields:  # every column, with its Python type (dates on SQLite too)
        assert getattr(fast, field.attname) == getattr(orm, field.attname), field.name
        assert type(getattr(fast, field.attname)) is type(getattr(orm, field.attname)), field.name
    assert fast._state.adding is False and fast._state.db == orm._state.db
    assert fast.get_session_auth_hash() == orm.get_session_auth_hash()


def test_missing_and_inactive_users_are_not_signed_in(make_user):
    user = make_user()
    backend = AuthenticationBackend()
    assert backend.get_user(user.pk) == user
    assert backend.get_user(user.pk + 1000) is None
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert backend.get_user(user.pk) is None


def test_a_deactivated_users_session_stops_working(client, make_user):
    user = make_user()
    client.force_login(user)
    assert client.get("/dashboard/").status_code == 200
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_wrong_password_is_hashed_once(make_user, monkeypatch):
    """Two backends each tried a wrong password: two Argon2 hashes an attempt."""
    make_user(email="siti@example.id")
    calls = []
    real = get_user_model().check_password

    def counting(self, raw):
        calls.append(raw)
        return real(self, raw)

    monkeypatch.setattr(get_user_model(), "check_password", counting)
    assert authenticate(None, email="siti@example.id", password="salah-sandi") is None
    assert len(calls) == 1
    assert authenticate(None, username="SITI@example.id", password=PASSWORD) is not None  # the admin's form


def test_an_unknown_address_costs_a_hash_too(db, monkeypatch):
    made = []
    monkeypatch.setattr(get_user_model(), "set_password", lambda self, raw: made.append(make_password(raw)))
    assert authenticate(None, email="nobody@example.id", password="apa-saja-2026") is None
    assert len(made) == 1


def test_the_query_is_compiled_once(make_user):
    user = make_user()
    backends._compiled.clear()
    user_by_pk(user.pk)
    compiled = dict(backends._compiled)
    user_by_pk(user.pk)
    assert backends._compiled == compiled and len(compiled) == 1

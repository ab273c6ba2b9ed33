"""The sign-in's session written once (prakerja/accounts/sessions.py), with the protection of Django's own.

Django's cycle_key creates the new session at once and the response saves it
again; ours makes the new key when the response saves. What must not change:
a key held before the sign-in is worthless after it (session fixation), the
signed-in session works, and a new key never lands on someone else's session.
"""

import pytest
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prakerja.accounts import sessions
from prakerja.accounts.sessions import SessionStore
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _our_sessions(settings):
    settings.SESSION_ENGINE = "prakerja.accounts.sessions"


def _session_writes(queries):
    return [q["sql"].split()[0] for q in queries
            if "django_session" in q["sql"] and q["sql"].split()[0] in ("INSERT", "UPDATE")]


def test_a_sign_in_writes_its_session_once_and_it_works(client, applicant):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert _session_writes(queries.captured_queries) == ["INSERT"]  # Django's: INSERT, then UPDATE
    key = client.cookies["sessionid"].value
    stored = Session.objects.get(session_key=key).get_decoded()
    assert stored["_auth_user_id"] == str(applicant.pk)
    assert SessionStore(key).load()["_auth_user_id"] == str(applicant.pk)  # the cached copy too
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_session_held_before_the_sign_in_is_worthless_after_it(client, applicant):
    """Session fixation: the key a visitor had (or was given) is dropped, its data carried to a new key."""
    session = client.session
    session["before"] = "kept"
    session.save()
    planted = session.session_key
    response = client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})
    assert response.status_code == 302
    key = client.cookies["sessionid"].value
    assert key != planted
    assert not Session.objects.filter(session_key=planted).exists()
    assert SessionStore(planted).load() == {}  # gone from the cache as well
    assert Session.objects.get(session_key=key).get_decoded()["before"] == "kept"


def test_a_new_key_that_is_taken_is_drawn_again(monkeypatch):
    """No lookup before the INSERT: a key already in use fails on the primary key, and another is drawn."""
    taken = SessionStore()
    taken["owner"] = "someone else"
    taken.create()
    fresh = "z" * 32
    draws = iter([taken.session_key, fresh])
    monkeypatch.setattr(sessions, "get_random_string", lambda length, chars: next(draws))
    store = SessionStore()
    store["owner"] = "me"
    store.create()
    assert store.session_key == fresh
    assert SessionStore(taken.session_key).load() == {"owner": "someone else"}
    assert Session.objects.get(session_key=taken.session_key).get_decoded() == {"owner": "someone else"}
    assert Session.objects.get(session_key=fresh).get_decoded() == {"owner": "me"}
    assert set(fresh) <= set(VALID_KEY_CHARS)


def test_a_key_drawn_between_the_rotation_and_the_save_is_not_updated_blindly():
    """cache_key draws a key for a keyless session; the rotated session is still created, not updated."""
    store = SessionStore()
    store["a"] = 1
    store.create()
    old = store.session_key
    store.cycle_key()
    assert store.session_key is None
    store.cache_key  # noqa: B018 - draws a key, never stored
    store["b"] = 2
    store.save()
    assert store.session_key not in (None, old)
    assert Session.objects.get(session_key=store.session_key).get_decoded() == {"a": 1, "b": 2}
    assert not Session.objects.filter(session_key=old).exists()


def test_logout_still_ends_the_session(client, applicant):
    client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})
    key = client.cookies["sessionid"].value
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_sign_in_stamps_last_login_with_one_update(client, applicant):
    """Django's update_last_login, replaced by one UPDATE of the column (accounts/receivers.py)."""
    from django.db.models.signals import post_save
    from django.utils import timezone

    saves = []
    post_save.connect(lambda sender, **kw: saves.append(sender), sender=type(applicant), weak=False,
                      dispatch_uid="test-last-login-saves")
    before = timezone.now()
    try:
        with CaptureQueriesContext(connection) as queries:
            client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})
    finally:
        post_save.disconnect(sender=type(applicant), dispatch_uid="test-last-login-saves")
    assert saves == []  # no model save (Django's update_last_login saves the user)
    updates = [q["sql"] for q in queries.captured_queries
               if q["sql"].startswith("UPDATE") and "accounts_user" in q["sql"]]
    assert len(updates) == 1 and "last_login" in updates[0] and "password" not in updates[0]
    applicant.refresh_from_db()
    assert applicant.last_login is not None and applicant.last_login >= before

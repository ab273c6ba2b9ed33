"""The signed-in user's row from Redis, read with the session (prakerja/accounts/usercache.py).

What must hold: a signed-in page asks the database nothing about the user
once the row is cached; and every change that matters to a session shows at
the next request, not when the cached row expires: a password change signs
the other sessions out, a deactivation signs them all out, an anonymisation
too, a language or name change shows at once.
"""


import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prakerja.accounts import usercache
from prakerja.accounts.sessions import SessionStore
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def redis_sessions(settings, redis_cache):
    settings.SESSION_ENGINE = "prakerja.accounts.sessions"


def _signed_in(user) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    # The account was made by the test a moment ago, which left a tombstone (no row is cached for
    # TOMBSTONE_TTL seconds after a change): as if it had been made earlier.
    cache.delete(usercache.user_key(user.pk))
    return client


class FailingCache:
    """The cache, with one operation failing as an unreachable Redis would."""

    def __init__(self, failing: str):
        self.failing = failing

    def __getattr__(self, name):
        if name == self.failing:
            def fail(*args, **kwargs):
                raise ConnectionError("redis is down")
            return fail
        return getattr(cache, name)


def _user_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q["sql"] for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]


def _signed_in_as(client) -> bool:
    response = client.get(reverse("inbox"))
    return response.status_code == 200


def test_a_signed_in_page_reads_the_user_from_the_cache(registrant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client = _signed_in(registrant)
    response, first = _user_queries(client, reverse("dashboard"))
    assert response.status_code == 200 and len(first) == 1  # not cached yet: read once, then cached
    response, second = _user_queries(client, reverse("dashboard"))
    assert response.status_code == 200 and second == []
    assert isinstance(cache.get(usercache.user_key(registrant.pk)), list)
    client_redis = cache._cache.get_client(write=False)
    assert 0 < client_redis.ttl(cache.make_and_validate_key(usercache.user_key(registrant.pk))) <= usercache.TTL
    # A second sign-in (it writes last_login only) keeps the row.
    again = Client()
    with django_capture_on_commit_callbacks(execute=True):
        again.post(reverse("account_login"), {"login": registrant.email, "password": PASSWORD})
    assert _user_queries(again, reverse("dashboard"))[1] == []


def test_a_request_that_read_the_old_row_cannot_cache_it_after_a_change(registrant,
                                                                        django_capture_on_commit_callbacks):
    """The race: a request reads the row, a change commits and forgets it, then the request caches what it read."""
    from prakerja.accounts.backends import user_row

    stale = user_row(registrant.pk)
    with django_capture_on_commit_callbacks(execute=True):
        registrant.is_active = False
        registrant.save(update_fields=["is_active"])
    usercache.remember(registrant.pk, stale)  # too late: the tombstone holds the key
    assert cache.get(usercache.user_key(registrant.pk)) == usercache.TOMBSTONE


def test_a_password_change_signs_the_other_sessions_out(registrant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        here, there = _signed_in(registrant), _signed_in(registrant)
    assert _signed_in_as(here) and _signed_in_as(there)  # both rows cached now
    with django_capture_on_commit_callbacks(execute=True):
        response = here.post(reverse("account_change_password"), {
            "oldpassword": PASSWORD, "password1": "Sandi-Baru-2026!x", "password2": "Sandi-Baru-2026!x"})
    assert response.status_code == 302
    assert _signed_in_as(here)  # Django keeps the session that changed it
    assert not _signed_in_as(there)


def test_deactivating_an_account_signs_it_out_everywhere(registrant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client = _signed_in(registrant)
    assert _signed_in_as(client) and _signed_in_as(client)
    with django_capture_on_commit_callbacks(execute=True):
        registrant.is_active = False
        registrant.save(update_fields=["is_active"])
    assert not _signed_in_as(client)


def test_an_anonymised_account_is_signed_out_at_once(registrant, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from prakerja.retention.services import _anonymise

    with django_capture_on_commit_callbacks(execute=True):
        client = _signed_in(registrant)
    assert _signed_in_as(client) and _signed_in_as(client)
    with django_capture_on_commit_callbacks(execute=True):
        _anonymise([registrant.pk], rule="deletion_request", now=timezone.now())
    assert not _signed_in_as(client)


def test_a_change_of_name_shows_at_the_next_page(registrant, make_wave, django_capture_on_commit_callbacks):
    make_wave()
    with django_capture_on_commit_callbacks(execute=True):
        client = _signed_in(registrant)
    client.get(reverse("dashboard"))
    assert "Halo, Siti" in client.get(reverse("dashboard")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        registrant.full_name = "Sari Wulan"
        registrant.save(update_fields=["full_name"])
    assert "Halo, Sari" in client.get(reverse("dashboard")).content.decode()


def test_a_session_keeps_its_user_id_beside_it_and_logout_drops_both(registrant,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client = _signed_in(registrant)
    key = client.cookies["sessionid"].value
    store = SessionStore(key)
    assert cache.get(store.cache_key)[SESSION_KEY] == str(registrant.pk)
    assert cache.get(store.uid_key) == registrant.pk
    client.post(reverse("account_logout"))
    assert cache.get(store.cache_key) is None and cache.get(store.uid_key) is None
    assert not _signed_in_as(client)


def test_a_session_cached_before_the_user_id_gets_it_at_its_next_load(registrant,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client = _signed_in(registrant)
    store = SessionStore(client.cookies["sessionid"].value)
    cache.delete(store.uid_key)
    assert _signed_in_as(client)
    assert cache.get(store.uid_key) == registrant.pk


def test_a_row_is_used_only_for_the_user_the_session_names(registrant, make_user):
    """The prefetched row answers for the session's own user id and only once."""
    other = make_user(email="lain@example.id")
    cached = [usercache.signature(), "row"]
    usercache.prefetch(str(registrant.pk), cached)
    assert usercache.take(other.pk) == (True, None)
    assert usercache.take(registrant.pk) == (False, None)  # used up by the first lookup
    usercache.prefetch(str(registrant.pk), cached)
    assert usercache.take(registrant.pk) == (True, ["row"])


def test_a_row_cached_by_code_with_other_columns_is_never_used(registrant, django_capture_on_commit_callbacks):
    """A row carries the signature of the user table's columns: one cached by other code (another deploy) is a
    miss, read again from the database; the key is the same, so both versions forget it alike."""
    with django_capture_on_commit_callbacks(execute=True):
        client = _signed_in(registrant)
    assert _signed_in_as(client)
    cache.set(usercache.user_key(registrant.pk), ["0" * 12, "not", "a", "row"], 60)
    response, queries = _user_queries(client, reverse("inbox"))
    assert response.status_code == 200 and len(queries) == 1


def test_a_cache_that_cannot_take_the_tombstone_fails_the_change(registrant, monkeypatch):
    """Forgetting writes the tombstone before the commit too: a change the cache could not hear of is refused."""
    from django.db import transaction

    monkeypatch.setattr(usercache, "cache", FailingCache("set_many"))
    with pytest.raises(ConnectionError), transaction.atomic():
        registrant.is_active = False
        registrant.save(update_fields=["is_active"])
    registrant.refresh_from_db()
    assert registrant.is_active


def test_a_cache_that_cannot_keep_the_row_still_serves_the_page(registrant, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client = _signed_in(registrant)

    monkeypatch.setattr(usercache, "cache", FailingCache("add"))
    assert _signed_in_as(client) and _signed_in_as(client)


def test_a_slow_read_is_not_cached(registrant, monkeypatch, django_capture_on_commit_callbacks):
    """A row read longer ago than half the tombstone's life may predate a change: it is used, not cached."""
    from prakerja.accounts import backends

    with django_capture_on_commit_callbacks(execute=True):
        client = _signed_in(registrant)
    import types

    clock = iter([100.0, 100.0 + usercache.TOMBSTONE_TTL])
    monkeypatch.setattr(backends, "time", types.SimpleNamespace(monotonic=lambda: next(clock)))
    assert _signed_in_as(client)
    assert cache.get(usercache.user_key(registrant.pk)) is None


def test_a_redis_that_forgot_the_script_still_signs_in(registrant, django_capture_on_commit_callbacks):
    """After a Redis restart (or SCRIPT FLUSH) the script is sent again, not a failed page."""
    with django_capture_on_commit_callbacks(execute=True):
        client = _signed_in(registrant)
    assert _signed_in_as(client) and _signed_in_as(client)
    cache._cache.get_client(write=True).script_flush()
    response, queries = _user_queries(client, reverse("inbox"))
    assert response.status_code == 200 and queries == []  # the session and the row still came from Redis


def test_a_cookie_naming_the_user_id_key_is_no_session(registrant, django_capture_on_commit_callbacks):
    """``<key>:u`` holds a user id beside the session; a session cookie naming it finds no session (not a 500)."""
    with django_capture_on_commit_callbacks(execute=True):
        client = _signed_in(registrant)
    key = client.cookies["sessionid"].value
    forged = Client()
    forged.cookies["sessionid"] = f"{key}:u"
    response = forged.get(reverse("inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert _signed_in_as(client)  # the real session is untouched

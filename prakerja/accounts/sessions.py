"""Django's cached_db sessions, with a sign-in writing the new session once instead of twice.

SESSION_ENGINE = "prakerja.accounts.sessions" (with Redis; prakerja/settings.py).

At sign-in Django's ``login()`` rotates the session key (``cycle_key``) so
that a key planted before the sign-in is worth nothing after it. Django's
``cycle_key`` creates the new session on the spot: a check that the random
key is unused (a cache GET and a database SELECT), an INSERT and a cache
SET; ``login()`` then writes the signed-in user into the session, so the
SessionMiddleware saves it again at the response (an UPDATE and a second
cache SET). Here the rotation drops the old key at once, as before, and the
new one is made when the session is saved at the response: a single INSERT
and cache SET with the signed-in data (``make bench``'s logins,
tests/accounts/test_login_cost_session.py).

A new key is not looked up before its INSERT either: the INSERT is told it
must create (``save(must_create=True)``), so a key already taken fails on
the table's primary key and another is drawn, as Django's own ``create``
does after the lookup.

The signed-in user's id is kept beside the cached session (``<key>:u``), so
that loading the session also brings the user's cached row in the same round
trip (prakerja/accounts/usercache.py).
"""

import logging

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.utils.crypto import get_random_string

from prakerja.accounts import usercache

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(CachedDBStore):
    # True between a rotation and the save that creates the session under its new key.
    _create_on_save = False

    def cycle_key(self):
        data = self._session
        key = self.session_key
        self._session_key = None
        self._session_cache = data
        self.modified = True  # the SessionMiddleware saves it, which creates it under a new key
        self._create_on_save = True
        if key:
            self.delete(key)

    @property
    def uid_key(self):
        return f"{self.cache_key}:u"

    def load(self):
        if not hasattr(self._cache, "session_and_user"):  # not Redis (prakerja/cache.py): cached_db as it is
            return super().load()
        # As cached_db's load, with the user id and the user's cached row read in the same round trip.
        try:
            data, uid, row = self._cache.session_and_user(self.cache_key, self.uid_key, usercache.key_prefix())
        except Exception:  # as cached_db: an unreadable cache falls back to the database
            data, uid, row = None, None, None
        if not isinstance(data, dict):
            # Not a session: a cookie naming another key of ours (``<key>:u`` holds a user id) finds none.
            data, uid, row = None, None, None
        if data is None:
            s = self._get_session_from_db()
            if s is None:
                usercache.prefetch(None, None)
                return {}
            data = self.decode(s.session_data)
            self._cache_set(data, self.get_expiry_age(expiry=s.expire_date))
        elif uid is None and _uid(data) is not None:  # cached before the id was kept beside it
            self._cache_set(data, self.get_expiry_age(expiry=data.get("_session_expiry")))
        usercache.prefetch(data.get(SESSION_KEY), row if uid is not None and str(uid) == data.get(SESSION_KEY)
                           else None)
        return data

    def _cache_set(self, data, timeout):
        try:
            if hasattr(self._cache, "set_session"):
                self._cache.set_session(self.cache_key, data, self.uid_key, _uid(data), timeout)
            else:
                self._cache.set(self.cache_key, data, timeout)
        except Exception:
            logger.exception("Error saving to cache (%s)", self._cache)

    def save(self, must_create=False):
        if self._create_on_save and not must_create:
            self._create_on_save = False
            # Whatever key may have been drawn meanwhile (cache_key does) was never stored.
            self._session_key = None
            return self.create()
        if self.session_key is None:
            return self.create()
        # As cached_db's save: the database row, then the cache, with the user id beside the session.
        DBStore.save(self, must_create)
        self._cache_set(self._session, self.get_expiry_age())

    def delete(self, session_key=None):
        DBStore.delete(self, session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        key = self.cache_key_prefix + session_key
        self._cache.delete_many([key, f"{key}:u"])

    def create(self):
        while True:
            self._session_key = get_random_string(32, VALID_KEY_CHARS)
            try:
                self.save(must_create=True)
            except CreateError:
                continue  # the key was taken: draw another
            self.modified = True
            return


def _uid(data: dict) -> int | None:
    """The signed-in user's id as the script concatenates it (an integer is stored bare), or None."""
    value = data.get(SESSION_KEY)
    return int(value) if isinstance(value, str) and value.isdigit() else None


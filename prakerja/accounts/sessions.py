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
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.utils.crypto import get_random_string


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

    def save(self, must_create=False):
        if self._create_on_save and not must_create:
            self._create_on_save = False
            # Whatever key may have been drawn meanwhile (cache_key does) was never stored.
            self._session_key = None
            return self.create()
        return super().save(must_create)

    def create(self):
        while True:
            self._session_key = get_random_string(32, VALID_KEY_CHARS)
            try:
                self.save(must_create=True)
            except CreateError:
                continue  # the key was taken: draw another
            self.modified = True
            return

"""The signed-in user's row, kept in Redis and read in the same round trip as the session.

With Redis (SESSION_ENGINE = "prakerja.accounts.sessions") every signed-in
request needs two things: its session, from the cache, and its user, which
Django reads from the database by primary key. The second was a database
round trip on every page, about a fifth of the CPU of a signed-in request
that does little else (``make bench``), and the busiest query the database
served. Here the user's row (the values the ORM's own query returns,
``backends.user_by_pk``) is cached under ``user_key(pk)``, and the session
store reads the session, the user id stored beside it (``<session key>:u``)
and that row in one Lua script: one round trip for both.

Correctness rests on forgetting a row whenever the user changes:

- ``post_save`` and ``post_delete`` of the user model forget it, at once and
  again when the transaction commits (a password change, an operator
  deactivating an account, a language choice); a cache that cannot take
  the tombstone fails the change rather than hide it;
- the ``UPDATE`` statements on users that matter to a request call
  ``forget`` themselves (anonymisation, the email confirmation stamp);
- forgetting leaves a tombstone for ``TOMBSTONE_TTL`` seconds, and a row is
  cached only where there is none (SET NX): a request that read the old row
  just before the change committed cannot cache it after the change forgot
  it, unless ``TOMBSTONE_TTL`` seconds pass between its read and its write
  (both are in ``AuthenticationBackend.get_user``, microseconds apart);
- a row lives at most ``TTL`` seconds in any case, and a row read more than
  half of ``TOMBSTONE_TTL`` before it would be written is not cached.

So a password change or a deactivation signs the account's other sessions
out at their next request, as Django does. ``last_login`` alone, which a
sign-in writes, does not forget the row: nothing a request does reads it,
and every sign-in would otherwise send the next requests to the database.
A row carries a signature of the user table's columns, so a deploy that
changes them never uses a row cached by the code before it; the key does
not, so old and new code forget the same key during a rolling deploy.

Without Redis (the embedded default) nothing here runs: the session store is
Django's database one, which sets no prefetched row, and the backend queries
the database as before.
"""

import contextvars
import hashlib

from django.core.cache import cache
from django.db import transaction

TTL = 900  # seconds: a row lives while its user is active, a quarter of an hour at most
TOMBSTONE_TTL = 10  # seconds: no row is cached this long after a change
TOMBSTONE = 0  # what a forgotten row's key holds meanwhile (not a row: rows are lists)

# Set by the session store when it loads a session: (user id as stored in the session, cached row or None).
# None when the store is not ours (no Redis), so the backend neither reads nor fills the cache.
_prefetched: contextvars.ContextVar[tuple[str | None, list | None] | None] = contextvars.ContextVar(
    "prakerja_prefetched_user", default=None)
_signature: dict[str, str] = {}  # "sig" -> hash of the user query's columns


def signature() -> str:
    sig = _signature.get("sig")
    if sig is None:
        from django.contrib.auth import get_user_model

        model = get_user_model()
        # The columns the user query reads (backends.user_row), with their types.
        columns = ",".join(f"{field.attname}:{field.get_internal_type()}" for field in model._meta.concrete_fields)
        sig = _signature["sig"] = hashlib.sha256(f"{model._meta.label}:{columns}".encode()).hexdigest()[:12]
    return sig


def key_prefix() -> str:
    # Not the signature: during a rolling deploy old and new code forget the same key (the value names it).
    return "user-row:"


def user_key(pk) -> str:
    return f"{key_prefix()}{pk}"


def prefetch(user_id: str | None, row: list | None) -> None:
    """The session store read this session's user id and, if cached, its row."""
    _prefetched.set((user_id, row))


def take(user_id) -> tuple[bool, list | None]:
    """For the backend: (whether the session store looked, the cached row of ``user_id`` or None).

    What was prefetched is used once: a later lookup in the same thread finds nothing.
    """
    found = _prefetched.get()
    if found is None:
        return False, None
    _prefetched.set(None)
    stored_id, row = found
    if (stored_id is None or str(stored_id) != str(user_id) or not isinstance(row, list) or not row
            or row[0] != signature()):
        return True, None  # another user, no row, a tombstone, or a row cached by code with other columns
    return True, row[1:]


def remember(pk, row: list) -> None:
    """Cache a row just read from the database, unless the key holds a tombstone (or a row)."""
    cache.add(user_key(pk), [signature(), *row], TTL)


def forget(pks) -> None:
    """Tombstones for these users' rows: now, so that a cache that cannot take them fails the change
    instead of hiding it, and again once the transaction commits (a row cached meanwhile from the old
    data is replaced; a failure then is logged, neither a 500 for a committed change nor a stop to the
    transaction's other callbacks)."""
    stones = dict.fromkeys((user_key(pk) for pk in pks), TOMBSTONE)
    if stones:
        cache.set_many(stones, TOMBSTONE_TTL)
        transaction.on_commit(lambda: cache.set_many(stones, TOMBSTONE_TTL), robust=True)


def _on_user_change(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) == {"last_login"}:
        return
    forget([instance.pk])


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.core.signals import request_finished
    from django.db.models.signals import post_delete, post_save

    model = get_user_model()
    post_save.connect(_on_user_change, sender=model, dispatch_uid="prakerja-user-cache-save")
    post_delete.connect(_on_user_change, sender=model, dispatch_uid="prakerja-user-cache-delete")
    # What a request prefetched does not outlive it in the worker's thread.
    request_finished.connect(_clear_prefetched, dispatch_uid="prakerja-user-cache-prefetched")


def _clear_prefetched(**kwargs):
    _prefetched.set(None)

import itertools
import os
import secrets
import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import signals
from django.utils import timezone

from prakerja.audit import chain
from prakerja.audit.models import AuditEntry
from prakerja.core.db import prepared_cursor

SYSTEM = "system"
# pg_advisory_xact_lock keys for "append to audit chain k": CHAIN_LOCK * 16 + k ("audit" in ASCII, then the
# chain); no other code may use them.
CHAIN_LOCK = 0x6175646974
assert chain.CHAINS <= 16
# Connections take chains in turn, from a random start in each process (drawn again in a forked child, or
# every worker forked from one parent would start at the same chain).
_chains = itertools.count()


def _start_chains() -> None:
    global _chains
    _chains = itertools.count(secrets.randbelow(chain.CHAINS))


def _start_chains_in_child() -> None:
    """A forked child (huey's process workers, gunicorn --preload) starts anew, and its inherited Django
    connections forget their chain: otherwise every child would append to its parent's."""
    from django.db import connections

    _start_chains()
    for connection in connections.all(initialized_only=True):
        connection.__dict__.pop("audit_chain", None)


_start_chains()
os.register_at_fork(after_in_child=_start_chains_in_child)


def _chain_of(connection) -> int:
    """The chain this database connection appends to (PostgreSQL), kept for the connection's life.

    A transaction only ever takes its own connection's chain lock, so two
    audit writers cannot deadlock on chain locks, and writers on different
    connections wait for each other only when they share a chain. SQLite
    lets one writer in at a time anyway: one chain (0).
    """
    if connection.vendor != "postgresql":
        return 0
    own = getattr(connection, "audit_chain", None)
    if own is None:
        own = connection.audit_chain = next(_chains) % chain.CHAINS
    return own


def _actor_fields(actor) -> tuple[Any, str]:
    if actor is None or actor == SYSTEM:
        return None, SYSTEM
    if isinstance(actor, str):  # a partner, "partner:<client code>"
        return None, actor
    # PRV: the log outlives a participant's data (retention anonymises the account, never this table),
    # so an operator is named and a participant only by public ID.
    return actor, (actor.email if actor.is_staff else f"participant:{actor.public_id}")


def _target_label(target: models.Model) -> str:
    # As for actors: an account is named by its email (User.__str__), so a participant's is their public ID.
    # Operators keep their email, which the log needs to say who was given or lost access.
    if isinstance(target, AbstractBaseUser) and not target.is_staff:
        return f"participant:{target.public_id}"
    return str(target)[:200]


def audit_record(*, actor, action: str, target: models.Model | None = None, reason: str = "",
                 data: dict | None = None) -> AuditEntry:
    """Write one audit row in the caller's transaction.

    Must be called inside the transaction of the change it records, so the
    change and its audit row commit or roll back together (STYLE.md 2).
    ``data`` must not hold personal data in clear (mask NIK, phone).

    The row links to the previous row of its chain by hash
    (prakerja.audit.chain). On PostgreSQL a transaction-scoped advisory lock
    per chain makes the writers of a chain append one at a time, so two of
    them never both link to the same last row; it is held until commit, so
    call this late in the transaction. SQLite needs no lock: every
    transaction there is BEGIN IMMEDIATE (settings.DATABASES), which already
    lets one writer at a time in.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    entry = _entry(connection, actor=actor, action=action, target=target, reason=reason, data=data)
    if connection.vendor == "postgresql":
        values = _pending(connection, entry)
        # As save() does: a failed insert (a fork refused by the unique prev_hash) leaves the block to roll back.
        with transaction.mark_for_rollback_on_error(connection.alias), prepared_cursor(connection) as cursor:
            cursor.execute(_APPEND, values)
            return audit_appended(entry, cursor.fetchone())
    entry.prev_hash = (AuditEntry.objects.filter(chain=entry.chain).order_by("-id")
                       .values_list("row_hash", flat=True).first() or chain.genesis(entry.chain))
    # Taken once the previous row is read (SQLite lets one writer in at a time), so created_at follows the
    # chain's (id) order.
    entry.created_at = timezone.now()
    entry.row_hash = chain.row_hash(entry.prev_hash, **{field: getattr(entry, field) for field in chain.FIELDS})
    entry.save(force_insert=True)
    return entry


def _entry(connection, *, actor, action: str, target: models.Model | None, reason: str, data: dict | None
           ) -> AuditEntry:
    user, label = _actor_fields(actor)
    target_type = target_id = target_label = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(getattr(target, "public_id", None) or target.pk)
        target_label = _target_label(target)
    entry = AuditEntry(
        public_id=uuid.uuid4(), actor=user, actor_label=label[:200], action=action, target_type=target_type,
        target_id=target_id, target_label=target_label, reason=reason, data=chain.json_round_trip(data or {}),
    )
    entry.chain = _chain_of(connection)
    return entry


# Every audited action of the platform runs this on PostgreSQL: one call, planned once per connection
# (prakerja.core.db), that locks the chain, links, stamps, hashes and inserts the row in the database
# (migration audit 0007); no query compiler. The model's save signals are sent as save() sends them, except
# that pre_save sees the row before the database gave it its time and hashes.
APPEND_CALL = ("prakerja_audit_append(%(a_chain)s::smallint, %(a_public_id)s, %(a_actor)s::bigint, %(a_label)s, "
               "%(a_action)s, %(a_target_type)s, %(a_target_id)s, %(a_target_label)s, %(a_reason)s, %(a_data)s, "
               "%(a_before)s, %(a_after)s)")
APPEND_COLUMNS = ("o_id", "o_created_at", "o_prev_hash", "o_row_hash")
_APPEND = f"SELECT {', '.join(APPEND_COLUMNS)} FROM {APPEND_CALL}"  # noqa: S608  # nosec B608
# The function takes the chain's lock and knows its genesis by itself (migration audit 0007); both must stay
# what they are here.
assert CHAIN_LOCK * 16 == 6697301481280 and chain.genesis(15) == "0" * 63 + "f"
_CONTENT = tuple(field for field in chain.FIELDS if field != "created_at")


def _pending(connection, entry: AuditEntry) -> dict:
    """PostgreSQL: pre_save sent, the parameters of ``APPEND_CALL`` for ``entry``."""
    if entry.actor is not None and entry.actor.pk is None:  # as save() refuses it, not a NULL actor_id
        raise ValueError("audit_record: the acting user is not saved")
    signals.pre_save.send(sender=AuditEntry, instance=entry, raw=False, using=connection.alias, update_fields=None)
    before, after = chain.canonical_parts(**{field: getattr(entry, field) for field in _CONTENT})
    return {"a_chain": entry.chain, "a_public_id": entry.public_id, "a_actor": entry.actor_id,
            "a_label": entry.actor_label, "a_action": entry.action, "a_target_type": entry.target_type,
            "a_target_id": entry.target_id, "a_target_label": entry.target_label, "a_reason": entry.reason,
            "a_data": connection.ops.adapt_json_value(entry.data, None), "a_before": before, "a_after": after}


def audit_pending(*, actor, action: str, target: models.Model | None = None, reason: str = "",
                  data: dict | None = None) -> tuple[AuditEntry, dict]:
    """PostgreSQL: ``audit_record``'s row for a caller that appends it inside a statement of its own.

    Returns the unsaved entry and the parameters of ``APPEND_CALL`` (a
    set-returning call with ``APPEND_COLUMNS``); once the statement has run
    the call, pass its row to ``audit_appended``. For the hottest write (a
    card debit: its spend and its audit row in one round trip); everything
    else calls ``audit_record``. The same rules: inside the transaction of
    the change, late in it (the chain's lock is held until commit).
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block or connection.vendor != "postgresql":
        raise RuntimeError("audit_pending is for a statement inside the transaction of the change (PostgreSQL)")
    entry = _entry(connection, actor=actor, action=action, target=target, reason=reason, data=data)
    return entry, _pending(connection, entry)


def audit_appended(entry: AuditEntry, row) -> AuditEntry:
    """The entry of ``audit_pending`` as saved, from the call's row (``APPEND_COLUMNS``); post_save sent."""
    connection = transaction.get_connection()
    entry.pk, entry.created_at, entry.prev_hash, entry.row_hash = row
    entry._state.adding, entry._state.db = False, connection.alias
    signals.post_save.send(sender=AuditEntry, instance=entry, created=True, update_fields=None, raw=False,
                           using=connection.alias)
    return entry

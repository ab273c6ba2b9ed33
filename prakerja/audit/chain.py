"""The hash chains over audit_auditentry (issue 14, finding 10).

The log is ``CHAINS`` chains side by side (the row's ``chain``). Each row
stores the hash of the previous row of its chain (by id) and its own:
``row_hash = sha256(prev_hash + canonical(row))``; a chain's first row links
to the chain's genesis value. Deleting, editing, re-ordering or moving a
row breaks the link at that row, which ``manage.py audit_verify`` reports.
One chain would make every audited transaction of the platform wait for
the one before it to commit (a writer holds its chain's lock until then);
a writer appends to the chain of its database connection, so writers on
different connections rarely wait for each other.

The canonical form below is a storage format: every stored hash depends on
it, so changing it (a field, a separator, a date format) makes every
existing row fail verification. Add a field only with a new chain version.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC

GENESIS = "0" * 64
# How many chains writers spread over (audit.services). Verification walks
# whatever chains the table holds, so changing it needs no migration.
CHAINS = 16


def genesis(chain: int) -> str:
    """What a chain's first row links to: chain 0 (the whole log before there were chains) GENESIS, chain k
    k as 64 hex digits, so no two chains start alike (prev_hash is unique)."""
    return f"{chain:064x}"

# The content fields, in the order audit_verify reads them.
FIELDS = ("public_id", "created_at", "actor_id", "actor_label", "action", "target_type", "target_id",
          "target_label", "reason", "data")


def _json_value(value):
    # PostgreSQL stores jsonb numbers as numeric and prints 1e+20 as
    # 100000000000000000000, which comes back as an int; integral floats are
    # hashed as ints so the hash survives that round trip (SQLite keeps the
    # text, so it does no harm there).
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    return value


def _text(*, public_id, created_at: str, actor_id, actor_label, action, target_type, target_id, target_label,
          reason, data) -> str:
    content = {
        "public_id": str(public_id),
        "created_at": created_at,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "target_label": target_label,
        "reason": reason,
        "data": _json_value(data),
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def canonical(*, created_at, **content) -> str:
    return _text(created_at=created_at.astimezone(UTC).isoformat(timespec="microseconds"), **content)


# The top-level created_at with an empty value, as _text writes it. Its first occurrence in the text is
# always the top-level one: only "action", "actor_id" and "actor_label" sort before it, and a JSON string
# cannot hold an unescaped quote.
_CREATED_AT_SLOT = '"created_at":""'


def canonical_parts(**content) -> tuple[str, str]:
    """``canonical`` of a row whose ``created_at`` is not known yet, as the text before and after that value:
    ``before + created_at.isoformat(timespec="microseconds") + after`` (UTC) is ``canonical(...)``. The
    database puts its clock's time in between when it appends the row (audit.services, PostgreSQL)."""
    text = _text(created_at="", **content)
    cut = text.index(_CREATED_AT_SLOT) + len(_CREATED_AT_SLOT) - 1
    return text[:cut], text[cut:]


def row_hash(prev_hash: str, **content) -> str:
    return hashlib.sha256((prev_hash + canonical(**content)).encode("ascii")).hexdigest()


def json_round_trip(data: dict) -> dict:
    """What a JSONField gives back for ``data``: tuples become lists, keys
    become strings. The hash must be taken over this, not over what the
    caller passed, or the row would fail verification once read back."""
    return json.loads(json.dumps(data, allow_nan=False))


@dataclass(frozen=True)
class Break:
    id: int
    public_id: str
    column: str
    expected: str
    found: str

    def __str__(self):
        return (f"audit log broken at entry id={self.id} public_id={self.public_id}: "
                f"{self.column} expected {self.expected}, found {self.found}")


@dataclass(frozen=True)
class Head:
    chain: int
    id: int
    row_hash: str


@dataclass(frozen=True)
class Verdict:
    count: int
    heads: tuple[Head, ...]
    broken: Break | None
    anchors_missing: tuple[str, ...]


def verify(rows: Iterable[tuple], *, anchors: Iterable[str] = ()) -> Verdict:
    """Walk ``(id, chain, prev_hash, row_hash, *FIELDS)`` tuples in (chain, id) order and stop at the first
    row whose link or content does not match. ``anchors`` are head hashes recorded earlier: each must still
    be in some chain, or the newest rows after it were cut off."""
    missing, heads, count = set(anchors), [], 0
    current, expected_prev, head_id, broken = None, "", None, None
    for id_, chain, prev_hash, stored_hash, *values in rows:
        if chain != current:
            if current is not None:
                heads.append(Head(current, head_id, expected_prev))
            current, expected_prev = chain, genesis(chain)
        content = dict(zip(FIELDS, values, strict=True))
        if prev_hash != expected_prev:
            broken = Break(id_, str(content["public_id"]), "prev_hash", expected_prev, prev_hash)
            break
        computed = row_hash(prev_hash, **content)
        if computed != stored_hash:
            broken = Break(id_, str(content["public_id"]), "row_hash", computed, stored_hash)
            break
        expected_prev, count, head_id = stored_hash, count + 1, id_
        missing.discard(stored_hash)
    else:  # the whole log walked: the last chain's head too
        if current is not None:
            heads.append(Head(current, head_id, expected_prev))
    return Verdict(count, tuple(heads), broken, tuple(sorted(missing)))

"""The hash chain over audit_auditentry (issue 14, finding 10).

Each row stores the previous row's hash (by id) and its own:
``row_hash = sha256(prev_hash + canonical(row))``. Deleting, editing or
re-ordering a row breaks the link at that row, which ``manage.py
audit_verify`` reports.

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


def canonical(*, public_id, created_at, actor_id, actor_label, action, target_type, target_id, target_label,
              reason, data) -> str:
    content = {
        "public_id": str(public_id),
        "created_at": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
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
class Verdict:
    count: int
    head_id: int | None
    head_hash: str
    broken: Break | None
    anchor_found: bool


def verify(rows: Iterable[tuple], *, anchor: str = "") -> Verdict:
    """Walk ``(id, prev_hash, row_hash, *FIELDS)`` tuples in id order and
    stop at the first row whose link or content does not match."""
    expected_prev, count, head_id, anchor_found = GENESIS, 0, None, False
    for id_, prev_hash, stored_hash, *values in rows:
        content = dict(zip(FIELDS, values, strict=True))
        if prev_hash != expected_prev:
            return Verdict(count, head_id, expected_prev,
                           Break(id_, str(content["public_id"]), "prev_hash", expected_prev, prev_hash), anchor_found)
        computed = row_hash(prev_hash, **content)
        if computed != stored_hash:
            return Verdict(count, head_id, expected_prev,
                           Break(id_, str(content["public_id"]), "row_hash", computed, stored_hash), anchor_found)
        expected_prev, count, head_id = stored_hash, count + 1, id_
        anchor_found = anchor_found or stored_hash == anchor
    return Verdict(count, head_id, expected_prev, None, anchor_found)

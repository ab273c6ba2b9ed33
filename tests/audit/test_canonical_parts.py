"""The text the database hashes around its own clock (PostgreSQL, audit.services._append) is canonical()."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import example, given
from hypothesis import strategies as st

from prakerja.audit import chain

text = st.text(max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False, allow_infinity=False)
    | text, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=12)
# Strings that look like the slot the parts are cut at, anywhere the caller's data can put them.
tricky = st.sampled_from(['"created_at":""', 'created_at', '","created_at":"', '\\"created_at\\":\\"\\"'])
labels = text | tricky


@given(public_id=st.uuids(), actor_id=st.none() | st.integers(1, 2**62), actor_label=labels, action=labels,
       target_type=labels, target_id=labels, target_label=labels, reason=labels,
       data=st.dictionaries(labels, json_values | tricky, max_size=5),
       created_at=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1),
                               timezones=st.sampled_from([UTC, timezone(timedelta(hours=7))])))
@example(public_id=uuid.UUID(int=1), actor_id=None, actor_label="", action="", target_type="", target_id="",
         target_label="", reason='"created_at":""', data={"created_at": "", "x": {"created_at": ""}},
         created_at=datetime(2026, 11, 27, 9, 0, 0, 5, tzinfo=UTC))
def test_the_parts_around_created_at_are_the_canonical_text(created_at, **content):
    before, after = chain.canonical_parts(**content)
    # What the database writes between them: its clock in UTC, to the microsecond (migration audit 0007).
    stamp = created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "+00:00"
    assert before + stamp + after == chain.canonical(created_at=created_at, **content)

"""Each audit row links to the one before it by hash (issue 14, finding 10)."""

import uuid
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from prakerja.audit import chain
from prakerja.audit.models import AuditEntry
from prakerja.audit.services import audit_record

pytestmark = pytest.mark.django_db

CONTENT = {
    "public_id": uuid.UUID("0b5f6c1e-2d3a-4c4b-9e8f-7a6b5c4d3e2f"),
    "created_at": datetime(2026, 11, 24, 6, 44, 1, 123456, tzinfo=UTC),
    "actor_id": 42,
    "actor_label": "operator@prakerja.test",
    "action": "applicant.suspend",
    "target_type": "accounts.user",
    "target_id": "5d1c8a5e-0000-4000-8000-000000000001",
    "target_label": "Siti Rahma",
    "reason": "double account",
    "data": {"to": "suspended", "from": "active"},
}


def test_the_canonical_form_is_fixed():
    # Every stored hash depends on this string: a change here is a change of
    # storage format, not a refactoring (prakerja/audit/chain.py).
    assert chain.canonical(**CONTENT) == (
        '{"action":"applicant.suspend","actor_id":42,"actor_label":"operator@prakerja.test",'
        '"created_at":"2026-11-24T06:44:01.123456+00:00","data":{"from":"active","to":"suspended"},'
        '"public_id":"0b5f6c1e-2d3a-4c4b-9e8f-7a6b5c4d3e2f","reason":"double account",'
        '"target_id":"5d1c8a5e-0000-4000-8000-000000000001","target_label":"Siti Rahma",'
        '"target_type":"accounts.user"}')
    assert chain.row_hash(chain.GENESIS, **CONTENT) == (
        "23e215df8ba14ea8a1df6f926ed5c8bfc3886717a0471416521491f979f825e1")


@pytest.mark.parametrize("field, other", [
    ("public_id", uuid.UUID("0b5f6c1e-2d3a-4c4b-9e8f-7a6b5c4d3e30")),
    ("created_at", datetime(2026, 11, 24, 6, 44, 1, 123457, tzinfo=UTC)),
    ("actor_id", None),
    ("actor_label", "system"),
    ("action", "applicant.unsuspend"),
    ("target_type", "waves.application"),
    ("target_id", "5d1c8a5e-0000-4000-8000-000000000002"),
    ("target_label", "Budi"),
    ("reason", "double account!"),
    ("data", {"to": "active", "from": "suspended"}),
])
def test_every_field_and_the_link_are_in_the_hash(field, other):
    assert chain.row_hash(chain.GENESIS, **{**CONTENT, field: other}) != chain.row_hash(chain.GENESIS, **CONTENT)
    assert chain.row_hash("1" * 64, **CONTENT) != chain.row_hash(chain.GENESIS, **CONTENT)


def test_the_same_instant_in_another_zone_hashes_the_same():
    from zoneinfo import ZoneInfo

    wib = CONTENT["created_at"].astimezone(ZoneInfo("Asia/Jakarta"))
    assert chain.row_hash(chain.GENESIS, **{**CONTENT, "created_at": wib}) == chain.row_hash(chain.GENESIS, **CONTENT)


def test_the_first_entry_links_to_the_genesis_value():
    with transaction.atomic():
        first = audit_record(actor=None, action="a.one")
    assert first.prev_hash == chain.genesis(first.chain)


def test_rows_link_in_id_order(operator, applicant):
    last = AuditEntry.objects.order_by("id").last()  # the operator's creation
    with transaction.atomic():
        first = audit_record(actor=operator, action="a.one", target=applicant, reason="r", data={"n": 1})
        second = audit_record(actor=None, action="a.two")
    with transaction.atomic():
        third = audit_record(actor="partner:tokopedia", action="a.three", target=applicant)
    assert first.prev_hash == last.row_hash
    assert second.prev_hash == first.row_hash
    assert third.prev_hash == second.row_hash
    assert first.pk < second.pk < third.pk
    assert len({first.row_hash, second.row_hash, third.row_hash}) == 3


def test_the_hash_is_taken_over_what_the_database_gives_back(operator, applicant):
    data = {"pair": (1, 2), 3: "int key", "big": 1e20, "tenth": 0.1, "one": 1.0, "small": 1.5e-07,
            "text": "Kota Bandung \u2013 Jawa Barat \u2713", "nested": {"b": [1.5, None, True], "a": {}}}
    with transaction.atomic():
        entry = audit_record(actor=operator, action="x", target=applicant, reason="why\nnot", data=data)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.created_at == entry.created_at  # microseconds survive on both vendors
    assert stored.data == entry.data
    assert stored.row_hash == chain.row_hash(stored.prev_hash, **{f: getattr(stored, f) for f in chain.FIELDS})


def test_a_second_successor_of_one_row_is_refused(operator):
    with transaction.atomic():
        first = audit_record(actor=operator, action="x")
        audit_record(actor=operator, action="y")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.create(actor_label="forger", action="z", prev_hash=first.row_hash, row_hash="f" * 64)


def test_a_forked_process_starts_at_its_own_chain():
    """gunicorn and the bench fork their workers: each must not begin where its parent's counter stood, nor
    keep the chain of a connection it inherited."""
    import os

    from django.db import connection

    from prakerja.audit import services

    connection.ensure_connection()
    connection.audit_chain = 5
    starts = set()
    for _ in range(12):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: report the chain its first connection would take, and leave at once
            kept = getattr(connection, "audit_chain", None)
            os.write(write, str(next(services._chains) % 16 if kept is None else 99).encode())
            os._exit(0)
        os.waitpid(pid, 0)
        starts.add(int(os.read(read, 8)))
        os.close(read)
        os.close(write)
    del connection.audit_chain
    assert 99 not in starts
    assert len(starts) > 1


def test_the_append_writes_every_column(operator):
    """On PostgreSQL the append is a function of migration audit 0007 that names the columns itself: a field
    added to the model must be added there too (a new migration), and this list with it."""
    assert {field.column for field in AuditEntry._meta.concrete_fields} == {
        "id", "public_id", "created_at", "actor_id", "actor_label", "action", "target_type", "target_id",
        "target_label", "reason", "data", "chain", "prev_hash", "row_hash"}
    with transaction.atomic():
        entry = audit_record(actor=operator, action="wave.publish", target=operator, reason="alasan é",
                             data={"b": [1, 2.0, "\u2028"], "a": {"z": None, "y": True}})
    stored = AuditEntry.objects.get(pk=entry.pk)
    for field in AuditEntry._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(entry, field.attname), field.name
    # The hash the database took is the one audit_verify recomputes from the stored row.
    assert chain.row_hash(stored.prev_hash, **{field: getattr(stored, field) for field in chain.FIELDS}) \
        == stored.row_hash


def test_saving_an_entry_tells_the_receivers_as_save_does(operator, monkeypatch):
    """The home page forgets its cache on some audited actions (web.services), through post_save."""
    from django.db.models.signals import post_save

    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.pk, instance.action, created, instance._state.adding))

    post_save.connect(receiver, sender=AuditEntry, dispatch_uid="test-audit-saved")
    try:
        with transaction.atomic():
            entry = audit_record(actor=operator, action="wave.publish")
    finally:
        post_save.disconnect(dispatch_uid="test-audit-saved", sender=AuditEntry)
    assert seen == [(entry.pk, "wave.publish", True, False)]
    assert AuditEntry.objects.get(pk=entry.pk).row_hash == entry.row_hash


@pytest.mark.postgres
@pytest.mark.parametrize("chain_number", [-1, 16, None])
def test_the_append_function_refuses_a_chain_that_does_not_exist(postgres_only, chain_number):
    """The function takes a chain's lock and genesis from the chain number itself (migration audit 0007): a number
    outside the log's chains would append under no writer's lock."""
    from django.db import DatabaseError, connection

    with pytest.raises(DatabaseError, match="out of range"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM prakerja_audit_append(%s::smallint, %s, NULL, 'system', 'x', '', '', '', '', "
                       "'{}'::jsonb, '{', '}')", [chain_number, uuid.uuid4()])

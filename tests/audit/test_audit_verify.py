"""manage.py audit_verify finds the first row someone with the table owner's
rights changed behind the triggers' back."""

import io
import uuid
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connection, transaction

from prakerja.audit import chain, triggers
from prakerja.audit.models import AuditEntry
from prakerja.audit.services import audit_record

pytestmark = pytest.mark.django_db


def verify(*args):
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def log(operator, applicant):
    """The whole log, in id (chain) order: what the personas wrote, then five more."""
    for n in range(5):
        with transaction.atomic():
            audit_record(actor=operator if n % 2 else None, action=f"step.{n}", target=applicant,
                         reason=f"reason {n}", data={"n": n, "to": "active"})
    return list(AuditEntry.objects.order_by("id"))


@pytest.fixture
def owner():
    """What an attacker holding the table owner's rights can do: lift the
    triggers. The test's transaction rollback puts them back."""
    triggers.uninstall(connection)

    def sql(statement, params=()):
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
    return sql


def test_an_intact_log_passes(log):
    out = verify()
    assert f"audit log intact: {len(log)} entries" in out
    assert f"head: id={log[-1].pk} row_hash={log[-1].row_hash}" in out


def test_an_empty_log_passes():
    assert "audit log intact: 0 entries" in verify()


def test_a_broken_log_exits_non_zero(log, owner):
    owner("DELETE FROM audit_auditentry WHERE id = %s", [log[2].pk])
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "audit_verify", "--skip-checks"])
    assert exit_.value.code == 1


@pytest.mark.parametrize("field, value", [
    ("public_id", uuid.uuid4()),
    ("created_at", "+1 microsecond"),
    ("actor", None),
    ("actor_label", "someone else"),
    ("action", "step.forged"),
    ("target_type", "waves.application"),
    ("target_id", "0"),
    ("target_label", "Budi"),
    ("reason", "reason 2 (amended)"),
    ("data", {"n": 2, "to": "suspended"}),
])
def test_an_edited_field_is_found(log, owner, field, value, operator):
    edited = log[2]
    if field == "created_at":
        value = edited.created_at + timedelta(microseconds=1)
    if field == "actor":
        value = None if edited.actor_id else operator
    AuditEntry.objects.filter(pk=edited.pk).update(**{field: value})
    with pytest.raises(CommandError, match=f"id={edited.pk} public_id=.*: row_hash expected"):
        verify()


def test_an_edited_last_entry_is_found(log, owner):
    AuditEntry.objects.filter(pk=log[-1].pk).update(reason="nothing happened")
    with pytest.raises(CommandError, match=f"id={log[-1].pk} public_id={log[-1].public_id}: row_hash expected"):
        verify()


def test_a_deleted_entry_is_found_at_the_next_one(log, owner):
    owner("DELETE FROM audit_auditentry WHERE id = %s", [log[2].pk])
    with pytest.raises(CommandError) as error:
        verify()
    assert str(error.value) == (
        f"audit log broken at entry id={log[3].pk} public_id={log[3].public_id}: "
        f"prev_hash expected {log[1].row_hash}, found {log[2].row_hash} (2 intact entries before it)")


def test_a_deleted_first_entry_is_found(log, owner):
    owner("DELETE FROM audit_auditentry WHERE id = %s", [log[0].pk])
    with pytest.raises(CommandError, match=f"id={log[1].pk} .*prev_hash expected {chain.genesis(log[1].chain)}"):
        verify()


def test_a_forged_link_is_found(log, owner):
    """A forger who knows the algorithm points entry 3 elsewhere and rehashes
    it, so the row agrees with itself: not with the row before it."""
    forged = log[3]
    prev = chain.row_hash(chain.GENESIS, **{field: getattr(log[0], field) for field in chain.FIELDS}).upper()
    content = {field: getattr(forged, field) for field in chain.FIELDS}
    AuditEntry.objects.filter(pk=forged.pk).update(prev_hash=prev, row_hash=chain.row_hash(prev, **content))
    with pytest.raises(CommandError, match=f"id={forged.pk} .*prev_hash expected {log[2].row_hash}, found {prev}"):
        verify()


def test_swapped_entries_are_found(log, owner):
    """Re-ordering history: entries 1 and 2 trade places, hashes and all."""
    columns = ["public_id", "created_at", "actor", "actor_label", "action", "target_type", "target_id",
               "target_label", "reason", "data", "prev_hash", "row_hash"]
    one, two = (AuditEntry.objects.get(pk=entry.pk) for entry in log[1:3])
    AuditEntry.objects.filter(pk=one.pk).update(prev_hash="moving", public_id=uuid.uuid4())
    AuditEntry.objects.filter(pk=two.pk).update(**{c: getattr(one, c) for c in columns})
    AuditEntry.objects.filter(pk=one.pk).update(**{c: getattr(two, c) for c in columns})
    assert AuditEntry.objects.get(pk=one.pk).action == two.action
    with pytest.raises(CommandError, match=f"id={one.pk} .*prev_hash expected {log[0].row_hash}"):
        verify()


def test_a_cut_off_tail_is_found_with_the_anchor(log, owner):
    """Deleting the newest entries leaves a valid shorter chain; only a head
    hash kept outside the database shows it."""
    anchor = log[-1].row_hash
    assert f"intact: {len(log)} entries" in verify("--anchor", anchor)
    owner("DELETE FROM audit_auditentry WHERE id >= %s", [log[-2].pk])
    assert f"intact: {len(log) - 2} entries" in verify()
    with pytest.raises(CommandError, match=f"cut short: no entry has the anchor hash {anchor}"):
        verify("--anchor", anchor)


def test_a_rewritten_history_is_found_with_the_anchor(log, owner):
    """A forger who rehashes every entry after the one they edit makes a
    valid chain, but not one that still reaches the recorded head."""
    anchor = log[-1].row_hash
    AuditEntry.objects.filter(pk=log[2].pk).update(reason="amended")
    prev = log[1].row_hash
    for entry in AuditEntry.objects.filter(pk__gte=log[2].pk).order_by("id"):
        new = chain.row_hash(prev, **{field: getattr(entry, field) for field in chain.FIELDS})
        AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=prev, row_hash=new)
        prev = new
    assert f"intact: {len(log)} entries" in verify()
    with pytest.raises(CommandError, match="cut short"):
        verify("--anchor", anchor)


@pytest.fixture
def fresh(operator, applicant):
    """Two chains with no row yet, (first, second): the fixtures' own rows went to this connection's chain,
    which on PostgreSQL is any of the 16 (audit.services picks it per connection)."""
    used = set(AuditEntry.objects.values_list("chain", flat=True))
    return tuple(k for k in range(1, chain.CHAINS) if k not in used)[:2]


@pytest.fixture
def chains(monkeypatch, operator, applicant, fresh):
    """Entries written to chain 0 and the two fresh chains in turn, as writers on three connections would
    (PostgreSQL) or as SQLite never does."""
    import prakerja.audit.services as services

    order = (0, *fresh)
    before = AuditEntry.objects.count()
    for n in range(9):
        monkeypatch.setattr(services, "_chain_of", lambda connection, n=n: order[n % 3])
        with transaction.atomic():
            audit_record(actor=operator, action=f"turn.{n}", target=applicant, data={"n": n})
    monkeypatch.undo()
    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert [entry.chain for entry in entries] == list(order) * 3
    return entries


def test_each_chain_links_its_own_rows(chains, fresh):
    by_chain = {k: [e for e in chains if e.chain == k] for k in fresh}
    for k, rows in by_chain.items():
        assert rows[0].prev_hash == chain.genesis(k) == f"{k:064x}"
        assert [later.prev_hash for later in rows[1:]] == [earlier.row_hash for earlier in rows[:-1]]
    out = verify()
    assert f"audit log intact: {AuditEntry.objects.count()} entries" in out
    for k in fresh:
        assert f"head: id={by_chain[k][-1].pk} row_hash={by_chain[k][-1].row_hash} (chain {k})" in out


def test_a_row_moved_to_another_chain_is_found(chains, owner, fresh):
    moved = chains[4]  # the first fresh chain's second row
    owner("UPDATE audit_auditentry SET chain = %s WHERE id = %s", [fresh[1], moved.pk])
    with pytest.raises(CommandError, match=f"id={chains[7].pk} .*prev_hash expected {chains[1].row_hash}"):
        verify()


def test_every_chains_anchor_must_be_reached(chains, owner):
    heads = [chains[-3].row_hash, chains[-2].row_hash, chains[-1].row_hash]
    anchors = [arg for head in heads for arg in ("--anchor", head)]
    assert "intact" in verify(*anchors)
    owner("DELETE FROM audit_auditentry WHERE id = %s", [chains[-2].pk])  # the first fresh chain's newest row
    assert "intact" in verify("--anchor", heads[0], "--anchor", heads[2])
    with pytest.raises(CommandError, match=f"cut short: no entry has the anchor hash {heads[1]}"):
        verify(*anchors)

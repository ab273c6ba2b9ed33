"""CRD-4: a debit's audit row is appended by the debit's own statement on PostgreSQL (one round trip, not two).

It must still be the row ``audit_record`` would write: linked into its
chain, saved with the model's signals as save() sends them, and never there
when no money moved (a refusal, a replay).
"""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import signals

from prakerja.audit.models import AuditEntry
from prakerja.audit.services import audit_pending
from prakerja.cards.services import CardError
from prakerja.ledger.services import LedgerError
from tests.cards.test_card_money import debit

BALANCE = 1_000_000


@pytest.fixture
def saves():
    """The AuditEntry save signals sent, in order: (signal, instance)."""
    sent = []

    def pre(sender, instance, **kwargs):
        sent.append(("pre_save", instance.pk, instance.action))

    def post(sender, instance, created, **kwargs):
        sent.append(("post_save", instance.pk, instance.row_hash, created))

    signals.pre_save.connect(pre, sender=AuditEntry, dispatch_uid="test-debit-pre")
    signals.post_save.connect(post, sender=AuditEntry, dispatch_uid="test-debit-post")
    yield sent
    signals.pre_save.disconnect(sender=AuditEntry, dispatch_uid="test-debit-pre")
    signals.post_save.disconnect(sender=AuditEntry, dispatch_uid="test-debit-post")


def test_a_debit_appends_its_row_to_the_chain_and_sends_the_save_signals(card, watched, saves, capsys):
    watched(card.user)
    debit(card, 250_000, "buy-1")
    entry = AuditEntry.objects.get(action="card.debit")
    assert (entry.target_id, entry.actor_label) == (str(card.public_id), "partner:tokopedia")
    assert entry.data == {"key": "buy-1", "amount": 250_000, "platform": "tokopedia"}
    assert saves == [("pre_save", None, "card.debit"), ("post_save", entry.pk, entry.row_hash, True)]
    call_command("audit_verify")
    assert "audit log intact" in capsys.readouterr().out


def test_a_replayed_debit_appends_nothing_and_sends_nothing_saved(card, watched, saves):
    watched(card.user)
    debit(card, 250_000, "buy-1")
    saves.clear()
    debit(card, 250_000, "buy-1")
    assert AuditEntry.objects.filter(action="card.debit").count() == 1
    assert [name for name, *_rest in saves if name == "post_save"] == []


@pytest.mark.parametrize("amount, error", [(BALANCE + 1, LedgerError), (1_000, CardError)])
def test_a_refused_debit_appends_nothing(card, watched, saves, amount, error):
    if error is LedgerError:
        watched(card.user)  # short of balance; otherwise the videos are not watched
    with pytest.raises(error):
        debit(card, amount, "buy-1")
    assert not AuditEntry.objects.filter(action="card.debit").exists()
    assert [name for name, *_rest in saves if name == "post_save"] == []


def test_a_pending_audit_row_is_only_for_a_transaction_on_postgresql(transactional_db, postgres_only):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_pending(actor=None, action="card.debit")
    with transaction.atomic():
        entry, params = audit_pending(actor="partner:tokopedia", action="card.debit", data={"amount": 1})
    assert entry.pk is None and params["a_label"] == "partner:tokopedia" and params["a_action"] == "card.debit"
    assert not AuditEntry.objects.exists()

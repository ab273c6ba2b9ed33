"""PRV-8: the ledger names who moved money for good, so a participant is a public ID, never an email.

The ledger is kept as accounting requires (CRD-3) and retention never
rewrites it; a participant's email in ``actor_label`` would outlive the
anonymised account. Operators keep their email (who did what), partners
their code, jobs "system".
"""

import pytest
from django.db import connection

from prakerja.ledger.models import Transaction
from prakerja.ledger.services import Leg, ledger_post, ledger_spend_card
from tests.accounts.operators import make_operator


def label(books, actor, key):
    card = books.card()
    ledger_post(key=key, kind="credit", legs=[Leg(books.budget, -100), Leg(card, 100)], actor=actor)
    return Transaction.objects.get(key=key).actor_label


def test_a_participant_is_named_by_public_id(books, applicant):
    found = label(books, applicant, "participant")
    assert found == f"participant:{applicant.public_id}" and applicant.email not in found


def test_an_operator_a_partner_and_the_system_keep_their_names(books):
    operator = make_operator("finance")
    assert label(books, operator, "operator") == operator.email
    assert label(books, "partner:tokopedia", "partner") == "partner:tokopedia"
    assert label(books, None, "system") == "system"


@pytest.mark.usefixtures("postgres_only")
def test_the_one_statement_spend_names_a_participant_the_same_way(books, applicant):
    assert connection.vendor == "postgresql"
    card = books.card()
    ledger_post(key="credit", kind="credit", legs=[Leg(books.budget, -1_000), Leg(card, 1_000)], actor=None)
    done = ledger_spend_card(key="buy", kind="debit", card_account_id=card.pk, to=books.settlement, amount=400,
                             actor=applicant, guard=("SELECT TRUE AS allowed", {}))
    assert done.transaction.actor_label == f"participant:{applicant.public_id}"
    assert Transaction.objects.get(key="buy").actor_label == f"participant:{applicant.public_id}"

"""``manage.py ledger_check``: recomputes every balance from the postings; a difference exits non-zero."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from prakerja.ledger.models import Account, BalanceShard
from prakerja.ledger.services import Leg, ledger_post


@pytest.fixture
def posted(books):
    card = books.card()
    ledger_post(key="c1", kind="credit", legs=[Leg(books.budget, -900), Leg(card, 900)], actor=None)
    ledger_post(key="d1", kind="debit", legs=[Leg(card, -400), Leg(books.settlement, 400)], actor=None)
    return card


def test_clean_books_pass(posted, capsys):
    call_command("ledger_check")
    assert "clean" in capsys.readouterr().out


def test_a_card_balance_changed_behind_the_ledgers_back_is_reported(posted, capsys):
    Account.objects.filter(pk=posted.pk).update(balance=5000)
    with pytest.raises(CommandError):
        call_command("ledger_check")
    assert f"card account {posted.pk}: stored balance 5000, postings sum to 500" in capsys.readouterr().err


def test_a_shared_balance_changed_is_reported(posted, books, capsys):
    BalanceShard.objects.filter(account=books.settlement).update(balance=1)
    with pytest.raises(CommandError):
        call_command("ledger_check")
    assert "account settlement:test: stored balance 1, postings sum to 400" in capsys.readouterr().err


def test_an_unbalanced_transaction_is_reported(posted, capsys):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_posting SET amount = -300 WHERE amount = -400")
        cursor.execute("UPDATE ledger_account SET balance = 600 WHERE id = %s", [posted.pk])
    with pytest.raises(CommandError):
        call_command("ledger_check")
    err = capsys.readouterr().err
    assert "transaction d1: 2 postings summing to 100" in err
    assert "all postings sum to 100, not 0" in err

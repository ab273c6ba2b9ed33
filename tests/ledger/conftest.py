import pytest

from prakerja.ledger.models import Account, AccountKind
from prakerja.ledger.services import shared_account


@pytest.fixture
def books(db):
    """The treasury, a budget, a settlement and a forfeiture account, and a factory for card accounts."""

    class Books:
        treasury = shared_account("treasury", AccountKind.TREASURY)
        budget = shared_account("budget:test", AccountKind.BUDGET)
        settlement = shared_account("settlement:test", AccountKind.SETTLEMENT)
        forfeit = shared_account("forfeit", AccountKind.FORFEIT)

        @staticmethod
        def card() -> Account:
            return Account.objects.create(kind=AccountKind.CARD)

    return Books

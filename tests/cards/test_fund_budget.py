import pytest
from django.core.management import CommandError, call_command

from prakerja.audit.models import AuditEntry
from prakerja.cards.services import budget_account
from prakerja.ledger.selectors import balance_of, differences
from prakerja.programme.selectors import active_programme


@pytest.mark.django_db
def test_funding_the_budget_records_once_per_reference(capsys):
    call_command("fund_budget", "5000000000", "--reference", "SP2D-001")
    call_command("fund_budget", "5000000000", "--reference", "SP2D-001")
    assert balance_of(budget_account(active_programme())) == 5_000_000_000
    assert AuditEntry.objects.filter(action="ledger.budget_fund").count() == 1
    with pytest.raises(CommandError, match="key_reused"):
        call_command("fund_budget", "1", "--reference", "SP2D-001")
    with pytest.raises(CommandError, match="amount_invalid"):
        call_command("fund_budget", "0", "--reference", "SP2D-002")
    assert differences() == []

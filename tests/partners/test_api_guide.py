"""docs/partner-api.md: the contract copied verbatim, and a guide whose examples work against a live server."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from prakerja.ledger.models import Account
from prakerja.partners.api import STATUS
from tests.partners.conftest import start_body  # noqa: F401 (the fixtures' module)
from tests.partners.test_payment_flow import sent_otp

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "partner-api.md"
SHARED = Path("/work/shared/partner-api.md")  # the source of truth, beside the checkout when it exists


def contract_part() -> str:
    text = DOCS.read_text()
    return text.split("<!-- contract:begin -->\n", 1)[1].split("<!-- contract:end -->", 1)[0]


@pytest.mark.skipif(not SHARED.exists(), reason="the shared contract is not beside this checkout")
def test_the_docs_carry_the_shared_contract_verbatim():
    assert contract_part() == SHARED.read_text()


def test_every_code_of_the_platform_endpoints_in_the_contract_is_the_apis():
    contract = contract_part()
    platform_part = contract.split("## Platform endpoints", 1)[1].split("## Provider endpoints", 1)[0]
    codes = set(re.findall(r"`(\w+)`", platform_part)) & set(re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", platform_part))
    codes -= {"card_number", "listing_code", "platform_order_id", "platform_user_id", "payment_id", "otp_expires_at",
              "voucher_code", "refunded_amount", "otp_sent", "created_at", "attempts_left"}
    assert codes and codes <= set(STATUS), codes - set(STATUS)
    for code, status in re.findall(r"\| (\d{3}) \| `(\w+)` \|", platform_part):
        assert STATUS[status] == int(code), status


def python_example() -> str:
    [example] = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.S)
    return example


def test_the_guides_shell_signature_gives_the_test_vector():
    if not shutil.which("openssl"):
        pytest.skip("no openssl")
    [command] = [block for block in re.findall(r"```sh\n(.*?)```", DOCS.read_text(), flags=re.S)
                 if block.startswith("printf")]
    result = subprocess.run(["sh", "-c", command.split("\n#", 1)[0]], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "7b8fb0118f6619c84c3efcdf8084c94497dcfec2188d5f6413b81e493b84ea91"


@pytest.mark.django_db(transaction=True)
def test_the_guides_python_example_buys_a_training_on_a_live_server(live_server, platform, ready_card, card_number,
                                                                    listing, queued, monkeypatch):
    module: dict = {"__name__": "prakerja_purchase"}
    exec(compile(python_example(), "prakerja_purchase.py", "exec"), module)  # noqa: S102 (our own docs)
    module["API"] = live_server.url
    answers = iter(["000000", None])  # a wrong OTP first (the guide asks again), then the one in the outbox

    def otp(payment_id):
        wrong = next(answers)
        right = sent_otp(payment_id)
        return right if wrong is None or wrong == right else wrong

    module["ask_otp"] = otp
    before = Account.objects.get(pk=ready_card.account_id).balance
    paid = module["buy"](card_number, listing.code, "INV/1", "u-88213",
                         {"name": "Rina", "email": "rina@prakerja.test", "phone": "+6281234567890"})
    assert paid["status"] == "paid" and paid["voucher_code"]
    assert module["call"]("GET", f"/payments/{paid['payment_id']}")["status"] == "paid"
    assert Account.objects.get(pk=ready_card.account_id).balance == before - listing.price
    with pytest.raises(module["ApiError"]) as refused:
        module["call"]("GET", "/payments/00000000-0000-4000-8000-000000000000")
    assert (refused.value.status, refused.value.code) == (404, "payment_not_found")

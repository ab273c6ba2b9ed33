"""A voucher code and a redeem code belong to one payment only (learning 0006 keeps them unique without the
LIKE twins PostgreSQL had beside them)."""

import pytest
from django.db import IntegrityError, transaction

from prakerja.learning.models import Payment
from tests.partners.conftest import start_body
from tests.partners.test_payment_flow import sent_otp


@pytest.mark.parametrize("field", ["voucher_code", "redeem_code"])
def test_a_code_is_never_on_two_payments(api, ready_card, card_number, platform, make_listing, queued, field):
    listing = make_listing(platform, price=100_000)
    for order in ("INV-1", "INV-2"):
        payment_id = api.post("/payments", start_body(card_number, listing, platform_order_id=order)).json()[
            "payment_id"]
        assert api.post(f"/payments/{payment_id}/confirm", {"otp": sent_otp(payment_id)}).status_code == 200
    first, second = Payment.objects.order_by("pk")
    assert getattr(first, field) and getattr(second, field) and getattr(first, field) != getattr(second, field)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=second.pk).update(**{field: getattr(first, field)})
    # Payments not yet paid have none, and any number of them may.
    api.post("/payments", start_body(card_number, listing, platform_order_id="INV-3"))
    api.post("/payments", start_body(card_number, listing, platform_order_id="INV-4"))
    assert Payment.objects.filter(**{f"{field}__isnull": True}).count() == 2

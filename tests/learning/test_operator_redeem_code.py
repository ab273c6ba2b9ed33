"""TRN-3: a partner manager replaces a leaked, unused redeem code from the payment's admin page.

The old code then answers "sudah dibatalkan" (``redeem_code_cancelled``) to its provider, the new one works;
a typed reason is required and audited; a used code or a cancelled purchase cannot be replaced.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.learning.models import Payment, PaymentStatus, VoidedRedeemCode
from prakerja.learning.redemptions import RedeemError, payment_by_code
from tests.accounts.operators import sign_in
from tests.learning.trainings import purchase

pytestmark = pytest.mark.django_db
REASON = "Kode tersebar di grup WhatsApp; tiket CS-2026-0311"


@pytest.fixture
def payment(ready_card, listing):
    return purchase(ready_card, listing, state="paid")


@pytest.fixture
def replacer(client, db):
    """A partner manager, reading the back office in English."""
    client.cookies["django_language"] = "en"
    user = sign_in(client, "partner_manager")
    assert user.has_perm("learning.add_voidedredeemcode")
    return user


def replace_url(payment) -> str:
    return reverse("admin:learning_payment_replace_code", args=[payment.pk])


def refusal_of(payment, code) -> str:
    with pytest.raises(RedeemError) as refused:
        payment_by_code(provider=payment.listing.course.provider, code=code)
    return refused.value.code


def test_a_partner_manager_replaces_the_code_the_old_one_answers_cancelled(client, replacer, payment):
    old = payment.redeem_code
    change = client.get(reverse("admin:learning_payment_change", args=[payment.pk])).content.decode()
    assert replace_url(payment) in change and old not in change  # the code is the participant's, never shown
    assert client.get(replace_url(payment)).status_code == 200
    response = client.post(replace_url(payment), {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:learning_payment_change", args=[payment.pk])
    payment.refresh_from_db()
    new = payment.redeem_code
    assert new and new != old
    assert refusal_of(payment, old) == "redeem_code_cancelled"
    assert refusal_of(payment, old.lower()) == "redeem_code_cancelled"  # as a person might type it
    provider = payment.listing.course.provider
    assert payment_by_code(provider=provider, code=new).pk == payment.pk
    voided = VoidedRedeemCode.objects.get(code=old)
    assert voided.payment_id == payment.pk and voided.voided_by == replacer and voided.reason == REASON
    entry = AuditEntry.objects.get(action="redemption.replace_code")
    assert entry.actor == replacer and entry.reason == REASON and entry.data == {"payment": str(payment.public_id)}
    page = client.get(response["Location"]).content.decode()
    assert "Redeem code replaced" in page and new not in page


def test_replacing_twice_voids_both_old_codes(client, replacer, payment):
    first = payment.redeem_code
    client.post(replace_url(payment), {"reason": REASON})
    payment.refresh_from_db()
    second = payment.redeem_code
    assert client.post(replace_url(payment), {"reason": REASON + " (lagi)"}).status_code == 302
    payment.refresh_from_db()
    assert refusal_of(payment, first) == refusal_of(payment, second) == "redeem_code_cancelled"
    assert payment_by_code(provider=payment.listing.course.provider, code=payment.redeem_code).pk == payment.pk


@pytest.mark.parametrize("data", [{}, {"reason": ""}, {"reason": "          "}, {"reason": "bocor"}])
def test_a_reason_is_required(client, replacer, payment, data):
    old = payment.redeem_code
    response = client.post(replace_url(payment), data)
    assert response.status_code == 400 and response.context["form"].errors["reason"]
    payment.refresh_from_db()
    assert payment.redeem_code == old and not VoidedRedeemCode.objects.exists()
    assert not AuditEntry.objects.filter(action="redemption.replace_code").exists()


def test_a_used_code_cannot_be_replaced(client, replacer, payment):
    Payment.objects.filter(pk=payment.pk).update(redeemed_at=timezone.now())
    old = payment.redeem_code
    change = client.get(reverse("admin:learning_payment_change", args=[payment.pk])).content.decode()
    assert replace_url(payment) not in change
    response = client.post(replace_url(payment), {"reason": REASON})  # posted anyway
    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    payment.refresh_from_db()
    assert payment.redeem_code == old and not VoidedRedeemCode.objects.exists()
    assert payment_by_code(provider=payment.listing.course.provider, code=old).pk == payment.pk


def test_a_cancelled_purchase_keeps_its_code(client, replacer, payment):
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.CANCELLED, cancelled_at=timezone.now())
    response = client.post(replace_url(payment), {"reason": REASON})
    assert response.status_code == 400 and "already been cancelled" in response.content.decode()
    assert not VoidedRedeemCode.objects.exists()


@pytest.mark.parametrize(("role", "refused"), [("auditor", 403), ("complaints_agent", 404), ("wave_manager", 404)])
def test_other_roles_cannot_replace(client, payment, role, refused):
    """The auditor reads payments but voids no code; roles that do not read payments do not see one."""
    sign_in(client, role)
    old = payment.redeem_code
    assert client.get(replace_url(payment)).status_code == refused
    assert client.post(replace_url(payment), {"reason": REASON}).status_code == refused
    payment.refresh_from_db()
    assert payment.redeem_code == old and not VoidedRedeemCode.objects.exists()
    if role == "auditor":
        change = client.get(reverse("admin:learning_payment_change", args=[payment.pk])).content.decode()
        assert replace_url(payment) not in change  # no link to what it may not do
        assert client.get(reverse("admin:learning_voidedredeemcode_changelist")).status_code == 200


def test_anonymous_is_sent_to_sign_in(client, payment):
    old = payment.redeem_code
    response = client.post(replace_url(payment), {"reason": REASON})
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    payment.refresh_from_db()
    assert payment.redeem_code == old

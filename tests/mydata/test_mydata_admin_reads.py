"""PRV-5: the admin pages that show a person's card, applications or messages are reads the person sees,
by role, once per operator and record per ten minutes; another person's are not theirs."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from prakerja.audit.models import AuditEntry
from prakerja.cards.models import Card
from prakerja.mydata.selectors import accesses_of
from prakerja.notifications.models import Channel, Message
from prakerja.waves.models import Application
from tests.cards.conftest import cards  # noqa: F401
from tests.mydata.test_mydata_accesses import operator

pytestmark = pytest.mark.django_db


def seen(user) -> list[tuple[str, str]]:
    with translation.override("en"):
        return sorted((access.what, access.who) for access in accesses_of(user))


def test_card_application_and_message_admin_pages_are_listed(participant, cards):  # noqa: F811
    manager_client, _manager = operator("wave_manager", "Dedi Gelombang")
    auditor_client, _auditor = operator("auditor")
    card = Card.objects.get(user=participant)
    application = Application.objects.filter(user=participant).first()
    message = Message.objects.create(user=participant, channel=Channel.EMAIL, idempotency_key="t:1",
                                     to_address=participant.email, template="identity_verified", body="Halo")
    for _ in range(2):  # a reload is the same look
        assert manager_client.get(reverse("admin:cards_card_change", args=[card.pk])).status_code == 200
        assert manager_client.get(reverse("admin:waves_application_change", args=[application.pk])).status_code == 200
        assert auditor_client.get(reverse("admin:notifications_message_change", args=[message.pk])).status_code == 200
    assert seen(participant) == sorted([
        ("Card and balance opened in the administration", "Wave manager"),
        ("Wave application opened in the administration", "Wave manager"),
        ("A message sent to you opened in the administration", "Auditor"),
    ])
    # Another card holder's card, opened by the same operator, is not the participant's.
    other = next(c for c in cards if c.user_id != participant.pk)
    assert manager_client.get(reverse("admin:cards_card_change", args=[other.pk])).status_code == 200
    assert len(seen(participant)) == 3
    assert ("Card and balance opened in the administration", "Wave manager") in seen(other.user)


def test_a_list_page_is_not_a_read_of_each_row(participant):
    manager_client, _manager = operator("wave_manager", "Dedi Gelombang")
    assert manager_client.get(reverse("admin:cards_card_changelist")).status_code == 200
    assert not AuditEntry.objects.filter(action="cards.admin_view").exists()


def test_a_partner_managers_decision_is_listed_with_its_reason(participant, listing):  # noqa: F811
    from prakerja.learning.completions import completion_decide
    from prakerja.learning.models import Completion
    from tests.learning.trainings import purchase

    _client, manager = operator("partner_manager", "Rudi Hartono")
    held = Completion.objects.get(payment=purchase(Card.objects.get(user=participant), listing, state="held"))
    with transaction.atomic():
        completion_decide(actor=manager, completion_id=held.public_id, accept=True,
                          reason="nama sesuai KTP, beda ejaan")
    with translation.override("en"):
        listed = [(a.what, a.who, a.reason) for a in accesses_of(participant) if "accepted" in a.what]
    assert listed == [
        ("Your held completion report accepted by the partner manager", "Partner manager",
         "nama sesuai KTP, beda ejaan")]


def test_an_account_opened_in_the_admin_is_listed(participant):
    verifier_client, _verifier = operator("verifier")
    for _ in range(2):
        assert verifier_client.get(reverse("admin:accounts_user_change", args=[participant.pk])).status_code == 200
    assert seen(participant) == [("Account opened in the administration", "Verifier")]

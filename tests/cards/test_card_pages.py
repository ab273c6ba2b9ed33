"""CRD-1, CRD-5 on the dashboard: the card panel, and the number shown only after the password is asked again."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from prakerja.audit.models import AuditEntry
from prakerja.cards.models import Card, CardStatus
from prakerja.cards.selectors import card_panel
from prakerja.registry.crypto import decrypt
from tests.conftest import PASSWORD


@pytest.fixture
def participant(card):
    user = card.user
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    from prakerja.regions.models import Regency
    from prakerja.registry.models import Profile

    Profile.objects.filter(user=user).update(domicile_regency=Regency.objects.get(code="3273"))
    return user


def dashboard(client, user, language="id"):
    client.force_login(user)
    client.cookies["django_language"] = language
    return client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_dashboard_shows_the_masked_card_and_balance_never_the_number(client, participant, card):
    page = dashboard(client, participant)
    number = decrypt(card.number_encrypted)
    assert f"•••• •••• •••• {card.last4}" in page and number not in page and number[:12] not in page
    assert "Rp1.000.000" in page
    assert "Jangan" in page or "rahasia" in page  # the reminder to keep it secret (Indonesian)


def test_in_english_too(client, participant):
    page = dashboard(client, participant, "en")
    assert "Rp1,000,000" in page and "Keep your card number secret" in page


def test_until_the_credit_the_balance_is_on_its_way(client, participant, card):
    Card.objects.filter(pk=card.pk).update(credited_at=None)
    page = dashboard(client, participant, "en")
    assert "on its way" in page and "Rp1,000,000" not in page


def test_the_countdown_to_the_first_purchase(participant, card):
    # Announced 1 March (WIB), 30 days: the last day is 31 March; on 29 March there are 2 days left.
    wib = timezone.get_fixed_timezone(420)
    deadline = timezone.datetime(2026, 4, 1, 0, 0, tzinfo=wib)
    Card.objects.filter(pk=card.pk).update(purchase_deadline=deadline)
    panel = card_panel(user_id=participant.pk, now=timezone.datetime(2026, 3, 29, 23, 59, tzinfo=wib))
    assert panel.days_left == 2 and str(panel.last_day) == "2026-03-31"
    panel = card_panel(user_id=participant.pk, now=timezone.datetime(2026, 3, 31, 12, 0, tzinfo=wib))
    assert panel.days_left == 0
    Card.objects.filter(pk=card.pk).update(first_purchase_at=timezone.now())
    assert card_panel(user_id=participant.pk).days_left is None  # bought: no countdown


def test_the_countdown_shows_on_the_dashboard(client, participant):
    with translation.override("en"):
        page = dashboard(client, participant, "en")
    assert "Buy your first training by" in page and "days left" in page


def test_a_revoked_card_says_so(client, participant, card):
    Card.objects.filter(pk=card.pk).update(status=CardStatus.REVOKED, ended_at=timezone.now(),
                                           status_reason="No first training bought in time")
    card.application.status = "revoked"
    card.application.save(update_fields=["status"])
    page = dashboard(client, participant, "en")
    assert "No first training bought in time" in page and card.last4 not in page


def test_the_show_link_and_the_payout_prompt_wait_for_the_videos(client, participant):
    page = dashboard(client, participant)
    assert reverse("card_number") not in page and "Sambungkan Sekarang" not in page
    assert "Tonton tiga video singkat di bawah ini" in page


@pytest.mark.parametrize("language,prompt", [("id", "Sambungkan Sekarang"), ("en", "Link now")])
def test_after_the_videos_the_panel_links_the_number_and_asks_to_link_a_payout_account(client, participant, watched,
                                                                                       language, prompt):
    watched(participant)
    page = dashboard(client, participant, language)
    assert f'href="{reverse("card_number")}"' in page and prompt in page


def test_the_number_asks_for_the_password_again(client, participant, watched):
    watched(participant)
    client.force_login(participant)
    response = client.get(reverse("card_number"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))


def test_before_the_videos_no_password_is_asked_only_to_say_watch_them(client, participant):
    client.force_login(participant)
    response = client.get(reverse("card_number"))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def reauthenticate(client, password=PASSWORD):
    return client.post(reverse("account_reauthenticate"), {"password": password, "next": reverse("card_number")})


def test_the_number_waits_for_the_videos(client, participant):
    client.force_login(participant)
    reauthenticate(client)
    response = client.get(reverse("card_number"))
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert not AuditEntry.objects.filter(action="card.reveal").exists()


def test_after_the_password_and_the_videos_the_number_shows_audited_and_uncached(client, participant, card, watched):
    watched(participant)
    client.force_login(participant)
    assert reauthenticate(client).status_code == 302
    response = client.get(reverse("card_number"))
    number = decrypt(card.number_encrypted)
    assert response.status_code == 200
    assert " ".join(number[i:i + 4] for i in range(0, 16, 4)) in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="card.reveal")
    assert entry.actor_id == participant.pk and number not in str(entry.data)


def test_a_wrong_password_shows_nothing_and_is_limited(client, participant, watched):
    watched(participant)
    client.force_login(participant)
    statuses = [reauthenticate(client, "salah-sekali").status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    limited = reauthenticate(client, "salah-sekali").content.decode()
    assert "Terlalu banyak percobaan" in limited and "Tunggu 15 menit" in limited  # our page, in Indonesian
    assert client.get(reverse("card_number")).status_code == 302
    # Even the right password waits out the limit.
    assert reauthenticate(client).status_code == 429
    assert not AuditEntry.objects.filter(action="card.reveal").exists()


def test_someone_without_a_card_gets_nothing(client, make_user, watched):
    user = make_user(email="nobody@example.id")
    client.force_login(user)
    assert reauthenticate(client).status_code == 302
    assert client.get(reverse("card_number")).status_code == 404


def test_a_revoked_card_number_is_not_shown(client, participant, card, watched):
    watched(participant)
    Card.objects.filter(pk=card.pk).update(status=CardStatus.REVOKED, ended_at=timezone.now() - timedelta(days=1))
    client.force_login(participant)
    reauthenticate(client)
    assert client.get(reverse("card_number")).status_code == 404

"""PRV-8: /retention/delete/ asks for the password again, then deletes or says why it waits."""

import io

from django.core.management import call_command
from django.urls import reverse

from prakerja.accounts.models import User
from prakerja.retention.models import DeletionRequest, Erasure
from tests.cards.conftest import announced_wave, card, issue  # noqa: F401
from tests.conftest import PASSWORD


def reauthenticated(client, user, password):
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": password, "next": reverse("retention_delete")})
    return client


def test_the_page_asks_for_the_password_first(client, registrant):
    client.force_login(registrant)
    response = client.post(reverse("retention_delete"))
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert not DeletionRequest.objects.exists()


def test_a_participant_with_a_balance_is_told_it_waits(client, card):  # noqa: F811
    response = reauthenticated(client, card.user, "x").post(reverse("retention_delete"))
    assert response.status_code == 200
    assert DeletionRequest.objects.get(user=card.user).reasons == ["balance"]
    assert not Erasure.objects.exists() and User.objects.get(pk=card.user.pk).is_active


def test_deleting_signs_the_person_out(client, registrant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = reauthenticated(client, registrant, PASSWORD).post(reverse("retention_delete"))
    assert response.status_code == 200
    assert Erasure.objects.filter(user=registrant).exists()
    assert "_auth_user_id" not in client.session


def test_the_command_reports_counts_and_changes_nothing_on_a_dry_run(registrant):
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "never_selected: eligible 0, would apply 0" in out.getvalue()
    assert "postponed (open_complaint): 0" in out.getvalue()
    assert not Erasure.objects.exists()

"""PRV, issue 14 finding 11: the full NIK and KK are revealed by POST only,
with the admin's CSRF check and a reason the operator typed; never by a link."""

import pytest
from django.test import Client
from django.urls import reverse

from prakerja.audit.models import AuditEntry
from tests.accounts.operators import make_profile, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]
REASON = "complaint CMP-1234: NIK rejected"


@pytest.fixture
def profile(applicant):
    return make_profile(applicant)


def reveal_url(profile):
    return reverse("admin:registry_profile_reveal", args=[profile.pk])


def change_url(profile):
    return reverse("admin:registry_profile_change", args=[profile.pk])


def reveals() -> int:
    return AuditEntry.objects.filter(action="registry.identity_reveal").count()


def test_verifier_reveals_by_post_with_a_typed_reason(client, profile):
    profile, nik, kk = profile
    verifier = sign_in(client, "verifier")
    page = client.get(change_url(profile)).content.decode()
    assert nik not in page and 'method="post"' in page and "csrfmiddlewaretoken" in page
    response = client.post(reveal_url(profile), {"reason": f"  {REASON}  "})
    body = response.content.decode()
    assert response.status_code == 200 and nik in body and kk in body
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="registry.identity_reveal")
    assert entry.actor == verifier and entry.reason == REASON and entry.target_id == str(profile.public_id)


def test_a_link_reveals_nothing(client, profile):
    profile, nik, kk = profile
    sign_in(client, "verifier")
    # The old way: a reason in the query string of the change page.
    page = client.get(change_url(profile), {"reveal": REASON}).content.decode()
    assert nik not in page and kk not in page
    # The reveal address itself answers GET with 405.
    response = client.get(reveal_url(profile), {"reason": REASON})
    assert response.status_code == 405 and nik not in response.content.decode()
    assert reveals() == 0


def test_a_post_without_the_csrf_token_is_refused(profile):
    profile, nik, _kk = profile
    client = Client(enforce_csrf_checks=True)
    sign_in(client, "verifier")
    response = client.post(reveal_url(profile), {"reason": REASON})
    assert response.status_code == 403 and nik not in response.content.decode()
    assert reveals() == 0


@pytest.mark.parametrize("reason", ["", "   ", "check", "x" * 501])
def test_the_reason_is_typed_and_meaningful(client, profile, reason):
    profile, nik, _kk = profile
    sign_in(client, "verifier")
    response = client.post(reveal_url(profile), {"reason": reason})
    assert response.status_code == 400 and nik not in response.content.decode()
    assert reveals() == 0


@pytest.mark.parametrize("role", ["auditor", "wave_manager", "finance"])
def test_roles_without_the_permission_cannot_reveal(client, profile, role):
    profile, nik, _kk = profile
    sign_in(client, role)
    response = client.post(reveal_url(profile), {"reason": REASON})
    assert response.status_code in (403, 404) and nik not in response.content.decode()
    assert reveals() == 0


def test_nothing_to_reveal_writes_no_row(client, profile):
    profile, _nik, _kk = profile
    profile.__class__.objects.filter(pk=profile.pk).update(nik_encrypted="", kk_encrypted="")
    sign_in(client, "verifier")
    assert client.post(reveal_url(profile), {"reason": REASON}).status_code == 200
    assert reveals() == 0

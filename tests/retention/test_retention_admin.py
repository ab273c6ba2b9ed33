"""PRV-8 in the admin: anonymisations and deletion requests, read only, a person named by public ID only."""

import pytest
from django.urls import reverse
from django.utils import timezone

from prakerja.retention.models import DeletionRequest, Erasure
from tests.accounts.operators import sign_in


@pytest.fixture
def rows(make_user):
    now = timezone.now()
    waiting = make_user(email="masih.menunggu@example.id", full_name="Masih Menunggu")
    erased = make_user(email="anon-x@anonymised.invalid", full_name="")
    request = DeletionRequest.objects.create(user=waiting, requested_at=now, checked_at=now, status="postponed",
                                             reasons=["balance", "open_complaint"])
    erasure = Erasure.objects.create(user=erased, rule="never_selected", erased_at=now)
    return waiting, request, erasure


def test_the_pages_show_the_public_id_and_the_reasons_never_the_email(client, rows):
    waiting, request, erasure = rows
    sign_in(client, "administrator")
    client.cookies["django_language"] = "id"
    for url in (reverse("admin:retention_deletionrequest_changelist"),
                reverse("admin:retention_deletionrequest_change", args=[request.pk])):
        page = client.get(url).content.decode()
        assert str(waiting.public_id) in page and "Masih ada saldo di kartu" in page
        assert waiting.email not in page and "Masih Menunggu" not in page
    page = client.get(reverse("admin:retention_erasure_change", args=[erasure.pk])).content.decode()
    assert str(erasure.user.public_id) in page and "Tidak pernah lolos, masa simpan berakhir" in page


def test_nothing_is_added_changed_or_deleted_here(client, rows):
    _waiting, request, erasure = rows
    sign_in(client, "administrator")
    assert client.get(reverse("admin:retention_erasure_add")).status_code == 403
    assert client.get(reverse("admin:retention_deletionrequest_delete", args=[request.pk])).status_code == 403
    response = client.post(reverse("admin:retention_erasure_change", args=[erasure.pk]), {"rule": "request"})
    assert response.status_code == 403
    erasure.refresh_from_db()
    assert erasure.rule == "never_selected"

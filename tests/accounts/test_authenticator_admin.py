"""Issue 20 review: the admin never shows an operator's TOTP secret (allauth's admin showed ``data``)."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from tests.accounts.operators import make_operator, sign_in

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ"


def test_the_secret_is_never_on_the_page(client, db):
    admin_user = sign_in(client, "administrator")
    other = make_operator("verifier")
    TOTP.activate(other, SECRET)
    authenticator = Authenticator.objects.get(user=other)
    for url in (reverse("admin:mfa_authenticator_changelist"),
                reverse("admin:mfa_authenticator_change", args=[authenticator.pk])):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert SECRET not in page and "secret" not in page.lower(), url
    assert admin_user.is_superuser


def test_it_cannot_be_added_or_changed_but_can_be_removed(client, db):
    sign_in(client, "administrator")
    other = make_operator("verifier")
    TOTP.activate(other, SECRET)
    authenticator = Authenticator.objects.get(user=other)
    assert client.get(reverse("admin:mfa_authenticator_add")).status_code == 403
    client.post(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]), {"type": "recovery_codes"})
    authenticator.refresh_from_db()
    assert authenticator.type == Authenticator.Type.TOTP
    response = client.post(reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=other).exists()

from allauth.account.internal.flows.login import record_authentication
from allauth.account.signals import email_confirmed
from allauth.mfa.signals import authenticator_added


def _record_activation(sender, request, user, authenticator, **kwargs):
    # Activating TOTP requires a valid code from the new authenticator, which
    # proves possession just as a login code does: count it as the session's
    # second factor so a new operator is not asked twice in a row.
    if request is not None:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)




def _stamp_confirmation(sender, request, email_address, **kwargs):
    """The first confirmation of any of the account's addresses, for the registration funnel (OPS-3)."""
    from django.utils import timezone

    from prakerja.accounts import usercache
    from prakerja.accounts.models import User

    User.objects.filter(pk=email_address.user_id, email_confirmed_at__isnull=True).update(
        email_confirmed_at=timezone.now())
    usercache.forget([email_address.user_id])


def _welcome(sender, request, email_address, **kwargs):
    from prakerja.notifications.services import notification_send

    user = email_address.user
    notification_send(template="welcome", key=f"welcome:{user.public_id}",
                      channels=["inbox", "email"], user=user)


def connect():
    authenticator_added.connect(_record_activation, dispatch_uid="prakerja-mfa-activation")
    email_confirmed.connect(_welcome, dispatch_uid="prakerja-welcome")
    email_confirmed.connect(_stamp_confirmation, dispatch_uid="prakerja-email-confirmed-at")

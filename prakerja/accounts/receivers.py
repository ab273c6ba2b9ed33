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


def _stamp_last_login(sender, user, **kwargs):
    """Django's ``update_last_login`` as one UPDATE of one column.

    Django saves the user (``save(update_fields=["last_login"])``), which builds
    and compiles the ORM's UPDATE and sends the model signals on every
    sign-in: about a tenth of a sign-in's CPU besides the password hash
    (``make bench``). Nothing listens for a ``last_login`` save (the user cache
    ignores it, prakerja/accounts/usercache.py).
    """
    from django.db import connections, router
    from django.utils import timezone

    model = type(user)
    alias = router.db_for_write(model, instance=user)
    connection = connections[alias]
    user.last_login = timezone.now()
    field, quote = model._meta.get_field("last_login"), connection.ops.quote_name
    # Names from the model's own metadata, quoted; values as parameters.
    table, column, pk = quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)
    sql = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s"  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, [field.get_db_prep_save(user.last_login, connection), user.pk])


def connect():
    from django.contrib.auth import user_logged_in

    # Under the dispatch_uid of Django's own update_last_login: django.contrib.auth, ready after this app
    # (INSTALLED_APPS), then finds the uid taken and does not add its receiver (a test counts the UPDATEs).
    user_logged_in.connect(_stamp_last_login, dispatch_uid="update_last_login")
    authenticator_added.connect(_record_activation, dispatch_uid="prakerja-mfa-activation")
    email_confirmed.connect(_welcome, dispatch_uid="prakerja-welcome")
    email_confirmed.connect(_stamp_confirmation, dispatch_uid="prakerja-email-confirmed-at")

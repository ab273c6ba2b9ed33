from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator


def session_passed_second_factor(request) -> bool:
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

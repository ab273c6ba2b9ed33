from django.shortcuts import redirect
from django.urls import reverse

from prakerja.accounts.mfa import has_totp, session_passed_second_factor

# Paths a staff member may reach before passing the second factor: the
# sign-in and 2FA pages themselves, static files, language switch, health.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz")


class StaffSecondFactorMiddleware:
    """Operators use a second factor (OPS-1), on every page, not just the admin.

    A staff member without TOTP is sent to set it up; one whose session did
    not pass the second factor is sent to confirm a code.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.session.session_key is None:
            # No session cookie, so no one is signed in: nothing to check,
            # and neither the session nor the user is loaded for it.
            return self.get_response(request)
        user = request.user
        if (user.is_authenticated and user.is_staff
                and not request.path.startswith(_OPEN_PREFIXES)
                and not session_passed_second_factor(request)):
            target = "mfa_reauthenticate" if has_totp(user) else "mfa_activate_totp"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)

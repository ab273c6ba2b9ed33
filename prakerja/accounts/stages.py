"""allauth's login steps, answered from what the password check already read (prakerja/accounts/backends.py).

After the password, allauth runs its login stages; two of them ask the
database something the backend's lookup of the address already knew: is the
address the person signed in with verified (EmailVerificationStage), and does
the account have an authenticator (mfa's AuthenticateStage). For a user the
backend noted, these answer from the notes; for any other (a login resumed
from the session, a sign-up, a login by code) they ask as allauth does.
AccountAdapter.get_login_stages puts them in allauth's places.
"""

from allauth.account.stages import EmailVerificationStage as AllauthEmailVerificationStage
from allauth.mfa.stages import AuthenticateStage as AllauthAuthenticateStage

from prakerja.accounts.backends import MFA_ENABLED, VERIFIED_LOGIN_EMAIL


class EmailVerificationStage(AllauthEmailVerificationStage):
    def handle(self):
        login = self.login
        noted = getattr(login.user, VERIFIED_LOGIN_EMAIL, None)
        if noted is not None and login.email and noted == login.email.lower():
            # Verified: allauth's stage lets a verified address through whatever the verification setting.
            return None, True
        return super().handle()


class AuthenticateStage(AllauthAuthenticateStage):
    def _should_handle(self, request) -> bool:
        if self.login.user is not None and getattr(self.login.user, MFA_ENABLED, None) is False:
            return False  # no TOTP or WebAuthn authenticator: allauth's stage would not ask for one
        return super()._should_handle(request)


REPLACING = {
    "allauth.account.stages.EmailVerificationStage": f"{__name__}.EmailVerificationStage",
    "allauth.mfa.stages.AuthenticateStage": f"{__name__}.AuthenticateStage",
}

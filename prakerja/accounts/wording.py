"""allauth strings whose Indonesian wording we set ourselves.

Marking them here puts them in our catalogue, which Django reads before
allauth's, so the forms say "Kata Sandi" everywhere (allauth's own
Indonesian mixes "Sandi" and "Kata sandi").
"""

from django.utils.translation import gettext_noop

OVERRIDES = [
    gettext_noop("Password"),
    gettext_noop("Password (again)"),
    gettext_noop("Remember Me"),
    gettext_noop("You must type the same password each time."),
]

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.managers import UserManager


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: an applicant/participant or an operator.

    Email is the login (REG-1). ``public_id`` is the identifier used in URLs
    and APIs; the integer primary key never leaves the database.
    """

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email"), max_length=254, unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    language = models.CharField(_("language"), max_length=8, default="id")
    is_staff = models.BooleanField(_("operator"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # When an email address of the account was first confirmed (allauth keeps only a flag): the
    # registration funnel's second step (OPS-3).
    email_confirmed_at = models.DateTimeField(_("email confirmed"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
        # The statistics recount a few recent days (stats.services): by time, not by scanning everyone.
        indexes = [models.Index(fields=["date_joined"], name="user_joined"),
                   models.Index(fields=["email_confirmed_at"], name="user_email_confirmed",
                                condition=Q(email_confirmed_at__isnull=False))]
        permissions = [
            ("view_personal_data", "Can see unmasked personal data (NIK, KK, photos)"),
            ("manage_operators", "Can create operators and assign roles"),
        ]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def _get_session_auth_hash(self, secret=None):
        """Django's, remembered per process: every signed-in request checks its session against it.

        It is an HMAC of the password hash under the secret key, so the same key and hash always give
        the same value; a new password or a rotated key is a new entry (SECRET_KEY_FALLBACKS included).
        """
        key = (secret or settings.SECRET_KEY, self.password)
        found = _session_auth_hashes.get(key)
        if found is None:
            if len(_session_auth_hashes) >= SESSION_AUTH_HASHES:
                _session_auth_hashes.clear()
            found = _session_auth_hashes[key] = super()._get_session_auth_hash(secret=secret)
        return found


# What User._get_session_auth_hash computed, by (secret, password hash); past this many it starts over.
SESSION_AUTH_HASHES = 4096
_session_auth_hashes: dict[tuple, str] = {}

"""The one authentication backend: allauth's, with the signed-in user loaded cheaply.

One backend, not Django's ModelBackend beside allauth's: with both, a wrong
password was hashed twice (each backend tried it), doubling the Argon2 cost
an attacker can make a failed login charge us. allauth's backend looks the
email up case-insensitively, accepts ``username`` for the admin's form, and
hashes a dummy password when no account matches, so a wrong password costs
the same with or without an account behind the address.

Every signed-in request loads its user by primary key (``get_user``).
Through the ORM that query is built and compiled anew each time, about a
third of the CPU of a signed-in request that does little else (``make
bench``). The SQL is the ORM's own, compiled once per database alias and
column list; the row becomes a ``User`` through ``Model.from_db`` as any
queryset's would. Inactive users are refused as ModelBackend refuses them.
With Redis the row comes from the cache, read with the session in one round
trip (prakerja/accounts/usercache.py).

A sign-in looks its address up the same way (``users_by_login_email``):
allauth's query, built and compiled by the ORM on every login, cost ten
times its execution; the same query also tells the login's later steps
what they would each have asked the database (prakerja/accounts/stages.py).
"""

import logging
import time

from allauth.account import app_settings as account_settings
from allauth.account.app_settings import LoginMethod
from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import Exists, F, OuterRef

from prakerja.accounts import usercache

logger = logging.getLogger(__name__)

# (alias, model label) -> (sql, attnames, converters): the ORM's own query for one user by primary key.
_compiled: dict[tuple[str, str], tuple[str, list[str], dict]] = {}


def _user_query(model, alias: str) -> tuple[str, list[str], dict]:
    key = (alias, model._meta.label)
    found = _compiled.get(key)
    if found is None:
        compiler = model._default_manager.using(alias).filter(pk=0).query.get_compiler(alias)
        sql, params = compiler.as_sql()
        if list(params) != [0]:
            raise RuntimeError(f"unexpected parameters in the user query: {params!r}")
        columns = [column for column, _sql, _alias in compiler.select]
        attnames = [column.target.attname for column in columns]
        # What the ORM applies to each value read (SQLite's datetimes and
        # booleans, a field's from_db_value): computed once, as the SQL.
        converters = compiler.get_converters(columns)
        found = _compiled[key] = (sql, attnames, converters)
    return found


def user_by_pk(pk):
    """The user with this primary key, or None: ``User._default_manager.get(pk=pk)`` without the compiler."""
    row = user_row(pk)
    return None if row is None else user_from_row(row)


def user_row(pk) -> list | None:
    """The values of ``user_by_pk``'s query for this primary key, converted as the ORM would, or None."""
    model = get_user_model()
    alias = router.db_for_read(model)
    connection = connections[alias]
    sql, _attnames, converters = _user_query(model, alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.pk.get_db_prep_value(pk, connection)])
        row = cursor.fetchone()
    return None if row is None else _convert(list(row), converters, connection)


def user_from_row(row: list):
    """A ``User`` from ``user_row``'s values, as a queryset would make it."""
    model = get_user_model()
    alias = router.db_for_read(model)
    _sql, attnames, _converters = _user_query(model, alias)
    return model.from_db(alias, attnames, row)


def _convert(values: list, converters: dict, connection) -> list:
    for index, (functions, expression) in converters.items():
        value = values[index]
        for function in functions:
            value = function(value, expression, connection)
        values[index] = value
    return values


# What the login's later steps would each ask the database again (prakerja/accounts/stages.py),
# noted on the user the password was checked for: the address it signed in with, when verified,
# and whether it has an authenticator that allauth's MFA step asks for.
VERIFIED_LOGIN_EMAIL = "_prakerja_verified_login_email"
MFA_ENABLED = "_prakerja_mfa_enabled"
_MFA_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]  # as allauth.mfa.stages.AuthenticateStage
_SENTINEL = "prakerja-login-email-placeholder"
_ANNOTATIONS = ("login_email", "login_email_verified", "login_has_mfa")


def _login_query(model, alias: str):
    """The ORM's query for the accounts behind an address, compiled once: SQL, parameters, where the email goes."""
    key = (alias, model._meta.label, "login")
    found = _compiled.get(key)
    if found is None:
        queryset = model._default_manager.using(alias).filter(emailaddress__email=_SENTINEL).annotate(
            login_email=F("emailaddress__email"), login_email_verified=F("emailaddress__verified"),
            login_has_mfa=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"), type__in=_MFA_TYPES)))
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        params = list(params)
        if params.count(_SENTINEL) != 1:
            raise RuntimeError(f"unexpected parameters in the login query: {params!r}")
        fields = compiler.klass_info["select_fields"]
        columns = [column for column, _sql, _alias in compiler.select]
        attnames = [columns[index].target.attname for index in fields]
        if fields != list(range(len(fields))):
            raise RuntimeError("the login query's model columns are not first")
        extra = [compiler.annotation_col_map[name] for name in _ANNOTATIONS]
        found = _compiled[key] = (sql, params, params.index(_SENTINEL), attnames, extra,
                                  compiler.get_converters(columns))
    return found


def users_by_login_email(email: str) -> list[tuple]:
    """(user, address, verified, has_mfa) for each EmailAddress row whose email is ``email`` (already lowercased).

    ``EmailAddress.objects.filter(email=email).select_related("user")`` as
    allauth's login lookup asks it, plus whether the account has a TOTP or
    WebAuthn authenticator, in one query compiled once (the ORM builds and
    compiles it in about 0.6 ms, executing it takes 0.07 ms).
    """
    model = get_user_model()
    alias = router.db_for_read(model)
    connection = connections[alias]
    sql, params, where, attnames, extra, converters = _login_query(model, alias)
    params = list(params)
    params[where] = email
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        values = _convert(list(row), converters, connection)
        user = model.from_db(alias, attnames, values[:len(attnames)])
        found.append((user, *(values[index] for index in extra)))
    return found


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id):
        # With Redis the session store has read the user's cached row with the session (usercache.py).
        looked, row = usercache.take(user_id)
        if row is None:
            started = time.monotonic()
            row = user_row(user_id)
            # A read that took long may predate a change whose tombstone has expired: not cached.
            if looked and row is not None and time.monotonic() - started < usercache.TOMBSTONE_TTL / 2:
                try:
                    usercache.remember(user_id, row)
                except Exception:  # the cache is down: the page is served from the database
                    logger.warning("user_cache_unavailable", exc_info=True)
        user = None if row is None else user_from_row(row)
        return user if user is not None and self.user_can_authenticate(user) else None

    def _mitigate_timing_attack(self, password):
        # No account matched: allauth hashes the password so that this costs what checking one would.
        # Ours verifies a dummy hash instead, as a matching account's check would (hashers.py).
        from django.contrib.auth.hashers import get_hasher

        from prakerja.accounts.hashers import OwaspArgon2PasswordHasher

        hasher = get_hasher()
        if isinstance(hasher, OwaspArgon2PasswordHasher):
            hasher.verify_dummy(password)
        else:
            super()._mitigate_timing_attack(password)

    def _authenticate_by_email(self, email, password):
        """allauth's lookup (userkit.filter_users_by_email, prefer_verified, for_login), noting facts on the user.

        The same candidates in the same order of preference: the accounts
        whose address matches, the verified ones only when there are any,
        else also accounts whose User.email matches. The query that finds
        the addresses (users_by_login_email, compiled once) also answers
        whether each account has an MFA authenticator, so a successful
        sign-in does not ask the database twice more (email verification,
        MFA).
        """
        if not email or LoginMethod.EMAIL not in account_settings.LOGIN_METHODS:
            return None
        email = email.lower()
        mails = [found for found in users_by_login_email(email) if found[1].lower() == email]
        verified = [found for found in mails if found[2]]
        users = []
        for user, _address, is_verified, has_mfa in verified or mails:
            user.__dict__[MFA_ENABLED] = has_mfa
            if is_verified:
                user.__dict__[VERIFIED_LOGIN_EMAIL] = email
            users.append(user)
        if account_settings.USER_MODEL_EMAIL_FIELD and not verified:
            model = get_user_model()
            users += [user for user in model.objects.filter(**{account_settings.USER_MODEL_EMAIL_FIELD: email})
                      if getattr(user, account_settings.USER_MODEL_EMAIL_FIELD).lower() == email]
        seen = set()
        for user in users:
            if user.pk in seen:
                continue
            seen.add(user.pk)
            if self._check_password(user, password):
                return user
        return None

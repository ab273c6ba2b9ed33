"""Shared fixtures: the personas, the sandbox process, and the CI guard.

With CI=true the suite must run against PostgreSQL and reach Redis; a
missing service stops the run with an error instead of skipping tests.
"""

import os
import shutil
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.utils import timezone

from prakerja.regions.models import Province, Regency
from prakerja.registry.models import Profile

CI = os.environ.get("CI") == "true"
# CI runs the suite twice: on PostgreSQL (required), then on the embedded
# SQLite default (scripts/test.sh sets this for the second pass).
SQLITE_PASS = os.environ.get("PRAKERJA_TEST_SQLITE_PASS") == "1"
PASSWORD = "Sandi-Rahasia-2026"


def assert_refused(call, error, code: str, message: str):
    """``call()`` raises ``error`` (a DomainError) with ``code`` and, in English, ``message``; returns it."""
    from django.utils import translation

    with translation.override("en"), pytest.raises(error) as raised:
        call()
    assert (raised.value.code, str(raised.value)) == (code, message)
    return raised.value
CHROMIUM = "/usr/bin/chromium"


def pytest_configure(config):
    from huey.contrib.djhuey import HUEY

    # Tasks run in-process at enqueue time (after the transaction commits),
    # so a test sees the whole effect of a service call.
    HUEY.immediate = True


@pytest.fixture(scope="session", autouse=True)
def _ci_services(django_db_setup, django_db_blocker):
    if not CI:
        return
    with django_db_blocker.unblock():
        vendor = connection.vendor
    if vendor != "postgresql" and not SQLITE_PASS:
        pytest.exit(f"CI=true but the test database is {vendor}, not PostgreSQL", returncode=1)
    try:
        import redis

        redis.Redis.from_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")).ping()
    except Exception as exc:
        pytest.exit(f"CI=true but Redis is unreachable: {exc}", returncode=1)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Argon2 at OWASP cost is ~20 ms a hash; tests hash hundreds of times.
    # tests/accounts/test_hashers.py checks the real first hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The hashed-manifest storage needs collectstatic; tests serve the sources.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language (Indonesian). A request through the test client
    activates the cookie's language in this thread (web.middleware.LanguageMiddleware) and nothing
    puts it back, so an English page in one test would otherwise leak English into the next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from prakerja.regions.selectors import clear_cache
    from prakerja.waves.selectors import forget_open_waves

    cache.clear()  # rate-limit counters must not leak between tests
    clear_cache()  # nor region codes a rolled-back refresh changed
    forget_open_waves()  # nor the open waves a process holds for a second
    yield


@pytest.fixture(autouse=True)
def _one_rate_limit_window(monkeypatch):
    """Our fixed-window limits (prakerja.core.ratelimit) see one instant for the whole test.

    A test that makes three requests against a limit of two would otherwise pass
    or fail by whether a window boundary fell between its requests (it did once,
    in CI). A test about windows passing sets its own clock over this one.
    """
    import time
    from types import SimpleNamespace

    from prakerja.core import ratelimit

    now = time.time()
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture(autouse=True)
def _transactional_setup(request):
    """Transactional tests flush the database after themselves.

    The apps reload their reference data on the post_migrate signal that
    follows a flush. The audit trigger that refuses the flush (DELETE on
    SQLite, TRUNCATE on PostgreSQL) is lifted at teardown, before the flush;
    the audit app puts it back on that same post_migrate.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    if not (transactional or {"transactional_db", "live_server"} & set(request.fixturenames)):
        yield
        return
    if not transactional:
        request.getfixturevalue("transactional_db")
    else:
        request.getfixturevalue("_django_db_helper")
    from prakerja.audit.triggers import allow_flush

    yield
    allow_flush(connection)  # the flush follows; post_migrate puts the trigger back


@pytest.fixture
def make_user(db):
    from prakerja.accounts.models import User

    def make(email="siti@example.id", full_name="Siti Rahma", verified=True, **fields):
        user = User.objects.create_user(email=email, password=PASSWORD, full_name=full_name, **fields)
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
        return user

    return make


def pass_second_factor(client, user):
    """Log ``user`` in as if they had entered their TOTP code (StaffSecondFactorMiddleware)."""
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [{"method": "mfa", "at": 0}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


@pytest.fixture
def applicant(make_user):
    return make_user()


@pytest.fixture
def operator(db):
    from prakerja.accounts.services import operator_create

    return operator_create(actor="system", email="operator@prakerja.test", full_name="Budi Operator",
                           roles=["wave_manager"], password=PASSWORD)


@pytest.fixture
def complete_profile(db):
    """A registrant whose profile is complete, living in Kota Bandung (Jawa Barat)."""
    def make(user, regency_code="3273"):
        Profile.objects.update_or_create(user=user, defaults={
            "domicile_regency": Regency.objects.get(code=regency_code), "completed_at": timezone.now(),
            "identity_status": "verified", "nik_index": f"test-index-{user.pk}"})
        return user
    return make


@pytest.fixture
def registrant(applicant, complete_profile):
    return complete_profile(applicant)


@pytest.fixture
def make_wave(db):
    from prakerja.waves.models import Wave

    def make(number=7, opens=-1, closes=3, announce=5, quota=800_000, provinces=(), **fields):
        now = timezone.now()
        wave = Wave.objects.create(number=number, opens_at=now + timedelta(days=opens),
                                   closes_at=now + timedelta(days=closes),
                                   announce_at=now + timedelta(days=announce), national_quota=quota, **fields)
        wave.eligible_provinces.set(Province.objects.filter(code__in=provinces))
        return wave
    return make


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    from prakerja.sandbox.testing import start_sandbox

    process = start_sandbox(tmp_path_factory.mktemp("sandbox") / "sandbox.sqlite3")
    yield process
    process.stop()


@pytest.fixture
def sandbox_mail(sandbox, settings):
    """Send email over real SMTP to the sandbox, SMS to its gateway endpoint."""
    sandbox.clear()
    sandbox.clear_faults()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sandbox.smtp_port
    settings.SMS_GATEWAY_URL = f"{sandbox.url}/sms/send"
    settings.SMS_GATEWAY_API_KEY = "sandbox-sms-key"
    return sandbox


@pytest.fixture
def postgres_only():
    """Race tests need PostgreSQL's row locks; with CI=true it must be there."""
    if connection.vendor != "postgresql":
        if CI and not SQLITE_PASS:
            pytest.fail("race tests must run on PostgreSQL in CI")
        pytest.skip("race tests need PostgreSQL (DATABASE_URL)")


@pytest.fixture(scope="session")
def redis_url():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:
        if CI:
            pytest.fail(f"Redis required in CI: {exc}")
        pytest.skip(f"Redis not reachable at {url}")
    return url


@pytest.fixture
def redis_cache(settings, redis_url):
    """The production cache on a real Redis, under a key prefix of this test's own."""
    import uuid

    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "prakerja.cache.PooledRedisCache",
                                   "LOCATION": redis_url, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    yield cache
    # This test's keys only: a FLUSHDB (cache.clear) would wipe another xdist worker's test mid-way.
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(scope="session")
def chromium_path():
    if not shutil.which("chromium") and not os.path.exists(CHROMIUM):
        if CI:
            pytest.fail("chromium is required in CI (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed")
    return CHROMIUM


@pytest.fixture
def private_storage(settings, tmp_path):
    """KTP photos and selfies in a folder of the test's own."""
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}

"""allauth's login limits counted in fewer round trips (prakerja/accounts/ratelimits.py, prakerja/cache.py).

The counting must stay allauth's: the same keys, the same hits in the same
format under the same locks, so that allauth's own code (the per-view limits,
clearing after a password reset) and ours read each other's counts, and a
limit refuses at the same count. These run against Redis (TEST_REDIS_URL),
under a key prefix of their own.
"""

import time
import uuid

import pytest
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from prakerja.accounts import ratelimits
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _redis_cache(settings, redis_url):
    settings.CACHES = {"default": {"BACKEND": "prakerja.cache.PooledRedisCache", "LOCATION": redis_url,
                                   "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "5/m/ip,2/5m/key"}
    assert hasattr(cache, "lock_and_get")


def _post(ip="10.1.2.3"):
    return RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)


def _keys(request, key):
    return [allauth_ratelimit.get_cache_key(request, app="allauth.account", action="login_failed", rate=rate, key=key)
            for rate in allauth_ratelimit.get_rates(app="allauth.account", action="login_failed")]


def test_ours_and_allauths_count_the_same_hits():
    request = _post()
    first = ratelimits.consume(request, action="login_failed", key="siti")
    second = allauth_ratelimit.consume(request, app="allauth.account", action="login_failed", key="siti")
    assert first and second
    # The per-key limit (2 in 5 minutes) is reached whoever counted: both refuse the third.
    assert ratelimits.consume(request, action="login_failed", key="siti") is None
    assert allauth_ratelimit.consume(request, app="allauth.account", action="login_failed", key="siti") is None
    # The per-ip rate comes first: it kept the refused attempts' hits, as allauth's does.
    per_ip, per_key = _keys(request, "siti")
    assert len(cache.get(per_ip)) == 4 and len(cache.get(per_key)) == 2


def test_the_hits_are_stored_as_allauth_stores_them_and_the_locks_are_released():
    request = _post()
    before = time.time()
    usage = ratelimits.consume(request, action="login_failed", key="budi")
    for cache_key in _keys(request, "budi"):
        history = cache.get(cache_key)
        assert isinstance(history, list) and len(history) == 1 and before <= history[0] <= time.time()
        assert cache.get(f"{cache_key}:lock") is None
        assert cache._cache.get_client().ttl(cache.make_and_validate_key(cache_key)) > 0
    assert [u.cache_key for u in usage.usage] == _keys(request, "budi")


def test_a_rollback_takes_back_only_its_own_hit():
    request = _post()
    first = ratelimits.consume(request, action="login_failed", key="ani")
    time.sleep(0.01)
    second = ratelimits.consume(request, action="login_failed", key="ani")
    first.rollback()
    for cache_key, kept in zip(_keys(request, "ani"), second.usage, strict=True):
        assert cache.get(cache_key) == [kept.timestamp]
        assert cache.get(f"{cache_key}:lock") is None


def test_a_lock_held_elsewhere_is_waited_for_as_allauth_waits(monkeypatch):
    """Another request holds the per-key lock: allauth's code waits, then counts nothing (None)."""
    monkeypatch.setattr(allauth_ratelimit, "CACHE_LOCK_WAIT_TIMEOUT", 0.05)
    request = _post()
    per_ip, per_key = _keys(request, "dewi")
    cache.add(f"{per_key}:lock", True, 10)
    assert ratelimits.consume(request, action="login_failed", key="dewi") is None
    assert cache.get(f"{per_ip}:lock") is None  # the lock ours took for the other rate is given back
    cache.delete(f"{per_key}:lock")
    assert ratelimits.consume(request, action="login_failed", key="dewi")


def test_failed_sign_ins_are_limited_per_account_and_a_right_password_does_not_wipe_them(client, applicant):
    """The adapter's pre_authenticate through ours: 2 failures per (client, account) in 5 minutes."""
    url = reverse("account_login")
    assert client.post(url, {"login": applicant.email, "password": "Salah-Sandi-1"}).status_code == 200
    signed_in = client.post(url, {"login": applicant.email, "password": PASSWORD})
    assert signed_in.status_code == 302  # its own hit was rolled back, the failure before it stays
    client.post(reverse("account_logout"))
    assert client.post(url, {"login": applicant.email, "password": "Salah-Sandi-1"}).status_code == 200
    blocked = client.post(url, {"login": applicant.email, "password": PASSWORD})
    assert "Terlalu banyak" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_refusing_rate_stops_the_count_as_allauths_does(settings):
    """Rates are applied in order; after the first refusal the later ones record nothing."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "1/m/ip,2/5m/key"}
    request = _post("10.9.9.9")
    assert ratelimits.consume(request, action="login_failed", key="a")
    assert ratelimits.consume(request, action="login_failed", key="b") is None
    per_ip, per_key_b = _keys(request, "b")
    assert len(cache.get(per_ip)) == 1 and cache.get(per_key_b) is None
    assert cache.get(f"{per_key_b}:lock") is None


def test_addresses_of_one_ipv6_64_share_the_per_account_budget(applicant, make_user):
    """Failed logins are counted per (client, account) (RATE_LIMIT_LOGIN_FAILED): an IPv6 client is its /64, so
    twelve guesses from twelve addresses of one /64 meet more refusals than twelve from twelve IPv4 clients,
    which are twelve clients; another /64 is another client."""
    from django.test import Client
    from django.urls import reverse

    def refusals(user, addresses):
        refused = 0
        for i, address in enumerate(addresses):
            response = Client(REMOTE_ADDR=address).post(reverse("account_login"),
                                                        {"login": user.email, "password": f"Salah-{i}"})
            refused += "Terlalu banyak" in response.content.decode()
        return refused

    apart = refusals(make_user(email="kontrol@example.id"), [f"203.0.113.{i + 1}" for i in range(12)])
    together = refusals(applicant, [f"2001:db8::{i + 1:x}" for i in range(12)])
    # Counted per address, the /64 met 7 refusals (allauth's own per-IP limits cut IPv6 to /64 too); per /64, 10.
    assert apart == 0 and together >= 9
    assert refusals(applicant, ["2001:db8:0:1::1"]) == 0

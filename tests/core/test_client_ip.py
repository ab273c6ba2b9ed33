"""Behind a load balancer, who is the client? (issue 14, finding 2)"""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from prakerja.core.http import client_ip
from tests.conftest import PASSWORD

BALANCER = "10.0.0.2"


def _request(remote=BALANCER, xff=None, **headers):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    for name, value in headers.items():
        meta[f"HTTP_{name.upper().replace('-', '_')}"] = value
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(remote="203.0.113.9", xff="198.51.100.1")) == "203.0.113.9"


def test_one_trusted_proxy_takes_the_address_it_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(xff="198.51.100.7")) == "198.51.100.7"
    # A client that forges the header only adds entries on the left.
    assert client_ip(_request(xff="1.2.3.4, 198.51.100.7")) == "198.51.100.7"


def test_two_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(xff="6.6.6.6, 198.51.100.7, 10.0.0.9")) == "198.51.100.7"


def test_fewer_hops_than_proxies_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(remote="203.0.113.9", xff="6.6.6.6")) == "203.0.113.9"


def test_garbage_in_the_header_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(xff="not-an-ip")) == BALANCER


def test_a_client_ip_header_set_by_the_balancer(settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    assert client_ip(_request(xff="6.6.6.6", **{"X-Real-IP": "198.51.100.8"})) == "198.51.100.8"


def test_ports_and_ipv6_are_normalised(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(xff="198.51.100.7:5123")) == "198.51.100.7"
    assert client_ip(_request(xff="[2001:db8::1]:443")) == "2001:db8::1"


# --- through allauth, behind one balancer -----------------------------------------------------------
pytestmark = pytest.mark.django_db


def _login(client, email, password, forwarded):
    return client.post(reverse("account_login"), {"login": email, "password": password},
                       REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=forwarded)


def test_failed_logins_of_one_client_do_not_block_everyone(client, settings, make_user):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip,5/5m/key"}
    victim = make_user(email="korban@example.id")
    other = make_user(email="lain@example.id")
    for i in range(6):
        _login(client, f"tebak{i}@example.id", "Salah-Sandi-1", "198.51.100.66")
    # The attacker's client is blocked ...
    blocked = _login(client, other.email, PASSWORD, "198.51.100.66")
    assert "_auth_user_id" not in client.session and "Terlalu banyak" in blocked.content.decode()
    # ... but a person behind the same balancer, from another client, is not.
    _login(client, victim.email, PASSWORD, "198.51.100.10")
    assert client.session["_auth_user_id"] == str(victim.pk)


def test_a_stranger_cannot_lock_a_chosen_account(client, settings, make_user):
    settings.TRUSTED_PROXY_COUNT = 1
    victim = make_user(email="korban@example.id")
    for _ in range(8):
        _login(client, victim.email, "Salah-Sandi-1", "198.51.100.66")
    assert "Terlalu banyak" in _login(client, victim.email, "Salah-Sandi-1", "198.51.100.66").content.decode()
    _login(client, victim.email, PASSWORD, "198.51.100.10")
    assert client.session["_auth_user_id"] == str(victim.pk)


def test_a_forged_forwarded_header_does_not_escape_the_limit(client, settings, make_user):
    settings.TRUSTED_PROXY_COUNT = 1
    victim = make_user(email="korban@example.id")
    # The attacker rotates the left-most entry; the balancer appends the truth.
    for i in range(8):
        _login(client, victim.email, "Salah-Sandi-1", f"1.2.3.{i}, 198.51.100.66")
    response = _login(client, victim.email, PASSWORD, "9.9.9.9, 198.51.100.66")
    assert "_auth_user_id" not in client.session
    assert "Terlalu banyak" in response.content.decode()


def test_signups_are_limited_per_client_not_nationally(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}

    def signup(i, forwarded):
        return client.post(reverse("account_signup"), {
            "full_name": "Siti Rahma", "email": f"s{i}@example.id", "password1": PASSWORD,
            "password2": PASSWORD, "statement": "on"}, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=forwarded)

    assert [signup(i, "198.51.100.1").status_code for i in range(3)] == [302, 302, 429]
    assert signup(9, "198.51.100.2").status_code == 302


def test_the_request_log_names_the_same_client(client, settings):
    import structlog
    from django_structlog.signals import bind_extra_request_metadata

    settings.TRUSTED_PROXY_COUNT = 1
    seen = []

    def record(sender, request, **kwargs):  # connected after ours, so it sees what ours bound
        seen.append(structlog.contextvars.get_contextvars().get("ip"))

    bind_extra_request_metadata.connect(record)
    try:
        client.get(reverse("home"), REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    finally:
        bind_extra_request_metadata.disconnect(record)
    assert seen == ["198.51.100.7"]

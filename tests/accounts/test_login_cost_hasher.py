"""Argon2id verification through libsodium where it gives argon2-cffi's answer (prakerja/accounts/hashers.py).

Same parameters, same stored hashes: only which library computes the check
changes, for the hashes both compute alike. What must not change: every
right password is accepted and every wrong one refused, hashes of other
parameters or variants still verify (argon2-cffi), every check takes its turn
through the gate, and a login for an unknown address costs what a real check
costs (no account enumeration by timing).
"""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password

from prakerja.accounts import hashers
from prakerja.accounts.hashers import OwaspArgon2PasswordHasher

PASSWORDS = ["Bench-Masuk-2026", "sandi dengan spasi", "kata-sandi-ü-日本", ""]


@pytest.fixture
def sodium(monkeypatch):
    """Counts the checks libsodium did (PyNaCl is a pinned dependency: it is always there)."""
    verify = hashers.sodium_verifier()
    assert verify is not None
    calls = []

    def counting(*args):
        calls.append(args)
        return verify(*args)

    monkeypatch.setattr(hashers, "sodium_verifier", lambda: counting)
    return calls


def _cffi_verify(password, encoded):
    return Argon2PasswordHasher.verify(OwaspArgon2PasswordHasher(), password, encoded)


def test_our_hashes_are_checked_by_libsodium_with_argon2_cffis_answers(sodium):
    hasher = OwaspArgon2PasswordHasher()
    for stored in PASSWORDS[:2]:
        encoded = hasher.encode(stored, hasher.salt())
        assert encoded.startswith("argon2$argon2id$v=19$m=7168,t=5,p=1$")
        for tried in PASSWORDS:
            assert hasher.verify(tried, encoded) is _cffi_verify(tried, encoded) is (tried == stored)
    assert len(sodium) == 2 * len(PASSWORDS)


def test_a_hash_made_elsewhere_with_our_parameters_is_checked_the_same(sodium):
    import argon2

    encoded = "argon2" + argon2.PasswordHasher(time_cost=5, memory_cost=7 * 1024, parallelism=1).hash("abc")
    assert OwaspArgon2PasswordHasher().verify("abc", encoded) is True
    assert OwaspArgon2PasswordHasher().verify("abd", encoded) is False
    assert len(sodium) == 2


@pytest.mark.parametrize("make", [
    # Django's own Argon2 parameters (8 lanes), as an older account may still have.
    lambda: Argon2PasswordHasher().encode("abc", Argon2PasswordHasher().salt()),
    # Argon2i, and a short hash: libsodium would refuse what argon2-cffi accepts.
    lambda: "argon2" + __import__("argon2").PasswordHasher(
        time_cost=2, memory_cost=19 * 1024, parallelism=1, type=__import__("argon2").Type.I).hash("abc"),
    lambda: "argon2" + __import__("argon2").PasswordHasher(
        time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=8).hash("abc"),
])
def test_other_hashes_are_checked_by_argon2_cffi(sodium, make):
    encoded = make()
    assert OwaspArgon2PasswordHasher().verify("abc", encoded) is True
    assert OwaspArgon2PasswordHasher().verify("abd", encoded) is False
    assert sodium == []


def test_libsodium_checks_take_their_turn_through_the_gate(sodium, monkeypatch, settings):
    settings.PASSWORD_HASHERS = ["prakerja.accounts.hashers.OwaspArgon2PasswordHasher"]
    held = []
    real = hashers._gate.held

    def counting():
        held.append(1)
        return real()

    monkeypatch.setattr(hashers._gate, "held", counting)
    hasher = OwaspArgon2PasswordHasher()
    encoded = hasher.encode("abc", hasher.salt())
    held.clear()
    assert check_password("abc", encoded, preferred=hasher)
    assert held == [1] and len(sodium) == 1


def test_it_can_be_switched_off(monkeypatch):
    monkeypatch.setattr(hashers, "_sodium", [])
    monkeypatch.setenv("PRAKERJA_SODIUM", "false")
    assert hashers.sodium_verifier() is None
    hasher = OwaspArgon2PasswordHasher()
    assert hasher.verify("abc", hasher.encode("abc", hasher.salt()))


@pytest.mark.django_db
def test_an_unknown_address_costs_a_check_not_a_new_hash(settings, make_user, monkeypatch):
    """allauth hashes anew for an unknown address; with checks cheaper than hashes that would tell accounts
    apart by time. Ours checks a dummy hash: the same work as a known address with a wrong password."""
    from prakerja.accounts.backends import AuthenticationBackend

    settings.PASSWORD_HASHERS = ["prakerja.accounts.hashers.OwaspArgon2PasswordHasher"]
    make_user(email="ada@example.id")
    checks, hashes = [], []
    real_verify, real_encode = OwaspArgon2PasswordHasher.verify, OwaspArgon2PasswordHasher.encode
    hashers._dummy_hash()  # made once per process, not per login
    monkeypatch.setattr(OwaspArgon2PasswordHasher, "verify",
                        lambda self, p, e: checks.append(e) or real_verify(self, p, e))
    monkeypatch.setattr(OwaspArgon2PasswordHasher, "encode",
                        lambda self, p, s: hashes.append(p) or real_encode(self, p, s))
    backend = AuthenticationBackend()
    assert backend.authenticate(None, email="tidak-ada@example.id", password="Salah-Sandi-1") is None
    assert backend.authenticate(None, email="ada@example.id", password="Salah-Sandi-1") is None
    assert len(checks) == 2 and hashes == []
    assert checks[0] == hashers._dummy_hash() and hashers.sodium_can_verify("$" + checks[0].split("$", 1)[1])

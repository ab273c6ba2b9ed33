import re

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_first_hasher_is_argon2id_at_owasp_minimum(settings):
    from django.contrib.auth.hashers import Argon2PasswordHasher, check_password

    import prakerja.settings as project
    from prakerja.accounts.hashers import OwaspArgon2PasswordHasher

    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS  # the conftest swaps in MD5 for speed
    encoded = make_password("Sandi-Rahasia-2026")
    assert encoded.startswith("argon2$argon2id$v=19$m=7168,t=5,p=1$")
    # The gated hasher verifies every Argon2 hash, not Django's of the same name.
    assert type(identify_hasher(encoded)) is OwaspArgon2PasswordHasher
    older = Argon2PasswordHasher().encode("Sandi-Rahasia-2026", Argon2PasswordHasher().salt())
    assert type(identify_hasher(older)) is OwaspArgon2PasswordHasher
    upgraded = []
    assert check_password("Sandi-Rahasia-2026", older, setter=upgraded.append)
    assert upgraded == ["Sandi-Rahasia-2026"]  # Django's default parameters are upgraded at login


def test_hashes_of_the_earlier_parameters_verify_and_are_upgraded(settings):
    """Accounts hashed at 19 MiB, t=2 (before the 7 MiB, t=5 row of OWASP's table) keep signing in."""
    import argon2
    from django.contrib.auth.hashers import check_password

    import prakerja.settings as project

    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS
    earlier = "argon2" + argon2.PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1).hash("Sandi-2026")
    upgraded = []
    assert not check_password("Sandi-2027", earlier, setter=upgraded.append)
    assert check_password("Sandi-2026", earlier, setter=upgraded.append)
    assert upgraded == ["Sandi-2026"]
    assert make_password("Sandi-2026").startswith("argon2$argon2id$v=19$m=7168,t=5,p=1$")


def test_settings_name_the_owasp_hasher_first():
    import prakerja.settings as project

    assert project.PASSWORD_HASHERS[0] == "prakerja.accounts.hashers.OwaspArgon2PasswordHasher"


def test_optional_login_code_after_the_password(client, applicant, settings, mailoutbox,
                                                django_capture_on_commit_callbacks):
    settings.ACCOUNT_LOGIN_BY_CODE_ENABLED = True
    settings.ACCOUNT_LOGIN_BY_CODE_REQUIRED = {"password"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})
    assert response["Location"] == reverse("account_confirm_login_code")
    assert client.get(reverse("dashboard")).status_code == 302  # not in yet
    code = re.search(r"\b(\d{6})\b", mailoutbox[-1].body).group(1)  # REG-2: a 6-digit code
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_login_code_is_off_by_default(client, applicant):
    response = client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})
    assert response["Location"] == reverse("dashboard")

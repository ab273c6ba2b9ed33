"""PRAKERJA_ENV=production refuses unsafe settings and passes check --deploy."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "PRAKERJA_ENV": "production", "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(64),
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/0", "ALLOWED_HOSTS": "prakerja.example.id",
    "PERSONAL_DATA_KEYS": "9kmY6b3f0d8fjYQh2mHnG0fC9A6Q0mC3nH7l4u6m4Xk=",
    "PERSONAL_DATA_INDEX_KEY": secrets.token_urlsafe(32),
    "SMS_GATEWAY_URL": "https://sms.example.id/v1/send", "SMS_GATEWAY_API_KEY": secrets.token_urlsafe(24),
    "CIVIL_REGISTRY_URL": "https://dukcapil.example.id/verify", "CIVIL_REGISTRY_API_KEY": secrets.token_urlsafe(24),
    "EMAIL_HOST": "smtp.example.id", "EMAIL_PORT": "587", "SITE_URL": "https://prakerja.example.id",
}


def manage(*args, **env):
    drop = {*GOOD, "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**clean, **env}, timeout=120)


@pytest.mark.parametrize(("change", "complaint"), [
    ({"SECRET_KEY": ""}, "SECRET_KEY"),
    ({"DEBUG": "true"}, "DEBUG"),
    ({"DATABASE_URL": ""}, "PostgreSQL"),
    ({"REDIS_URL": ""}, "REDIS_URL"),
    ({"SITE_URL": ""}, "SITE_URL"),  # the default is http://127.0.0.1:8000
    ({"SITE_URL": "http://prakerja.example.id"}, "SITE_URL"),
    ({"PERSONAL_DATA_KEYS": ""}, "PERSONAL_DATA_KEYS"),
    # Finding 8: the sandbox's endpoints, ports and keys, and short personal-data keys.
    ({"SMS_GATEWAY_URL": ""}, "SMS_GATEWAY_URL"),  # the default is the sandbox
    ({"SMS_GATEWAY_URL": "http://127.0.0.1:9000/sms"}, "SMS_GATEWAY_URL"),
    ({"SMS_GATEWAY_URL": "http://localhost/sms"}, "SMS_GATEWAY_URL"),
    ({"SMS_GATEWAY_URL": "http://[::1]/sms"}, "SMS_GATEWAY_URL"),
    ({"SMS_GATEWAY_URL": "http://sms.example.id:8001/sms"}, "SMS_GATEWAY_URL"),
    ({"CIVIL_REGISTRY_URL": ""}, "CIVIL_REGISTRY_URL"),
    ({"CIVIL_REGISTRY_URL": "http://127.0.0.2/verify"}, "CIVIL_REGISTRY_URL"),
    ({"EMAIL_HOST": ""}, "EMAIL_HOST"),
    ({"EMAIL_HOST": "127.0.0.1"}, "EMAIL_HOST"),
    ({"EMAIL_PORT": "8025"}, "EMAIL_HOST"),
    ({"SMS_GATEWAY_API_KEY": "sandbox-sms-key"}, "SMS_GATEWAY_API_KEY"),
    ({"SMS_GATEWAY_API_KEY": ""}, "SMS_GATEWAY_API_KEY"),
    ({"CIVIL_REGISTRY_API_KEY": "sandbox-dukcapil-key"}, "CIVIL_REGISTRY_API_KEY"),
    ({"PERSONAL_DATA_INDEX_KEY": "short-index-key"}, "PERSONAL_DATA_INDEX_KEY"),
    ({"PERSONAL_DATA_KEYS": "dGVuLWJ5dGVz"}, "PERSONAL_DATA_KEYS"),
    ({"PERSONAL_DATA_KEYS": "9kmY6b3f0d8fjYQh2mHnG0fC9A6Q0mC3nH7l4u6m4Xk=,not-a-key"}, "PERSONAL_DATA_KEYS key 2"),
])
def test_refuses_to_start_with_unsafe_settings(change, complaint):
    env = {**GOOD, **change}
    env = {k: v for k, v in env.items() if v != ""}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "refuses to start" in result.stderr and complaint in result.stderr


def test_safe_production_settings_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **GOOD)
    assert result.returncode == 0, result.stderr


def test_a_malformed_value_fails_loudly():
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0 and "DEBUG='maybe' is not a boolean" in result.stderr


def test_secret_from_a_file(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text(GOOD["SECRET_KEY"])
    env = {k: v for k, v in GOOD.items() if k != "SECRET_KEY"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY_FILE=str(key_file), **env)
    assert result.returncode == 0, result.stderr

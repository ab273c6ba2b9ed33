"""Issue 14, finding 7: the demo operator's password and TOTP secret are in the
source, so the demo commands refuse to run in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from prakerja.accounts.models import User

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("command", ["load_demo", "demo_totp", "demo_banner", "simulate_wave"])
def test_demo_commands_refuse_in_production(settings, command, capsys):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="PRAKERJA_ENV=production"):
        call_command(command)
    assert not User.objects.exists()
    assert capsys.readouterr().out == ""  # no code, no password printed


def test_demo_commands_still_work_elsewhere(settings, capsys):
    settings.PRODUCTION = False
    call_command("load_demo")
    assert User.objects.get(email="admin@prakerja.test").is_superuser
    call_command("demo_totp")
    assert capsys.readouterr().out.strip()[-6:].isdigit()


def sandbox_population(env_name: str, tmp_path, *args) -> subprocess.CompletedProcess:
    # The sandbox has its own settings, so its command runs as an operator runs it.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "prakerja.sandbox.settings",
           "SANDBOX_DB": str(tmp_path / "sandbox.sqlite3"), "PRAKERJA_ENV": env_name}
    return subprocess.run([sys.executable, "-m", "django", "sandbox_population", *args],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_sandbox_population_refuses_in_production(tmp_path):
    refused = sandbox_population("production", tmp_path, "--families", "1")
    assert refused.returncode != 0 and "PRAKERJA_ENV=production" in refused.stderr
    assert "generated" not in refused.stdout
    # Elsewhere the same command gets past the guard to its own checks.
    elsewhere = sandbox_population("development", tmp_path)
    assert elsewhere.returncode != 0 and "give --families" in elsewhere.stderr

"""manage.py create_partner and rotate_partner_secret: credentials as JSON, shown once; clean errors."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from prakerja.audit.models import AuditEntry
from prakerja.partners import signing
from prakerja.partners.models import Partner
from prakerja.partners.services import current_secret, signature_valid

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_partner_prints_its_credentials_as_json():
    out = run("create_partner", "--type", "platform", "--code", "bukalapak", "--name", "Bukalapak",
              "--group", "Grup BL", "--webhook-url", "https://bukalapak.example/prakerja/hooks")
    printed = json.loads(out)
    assert set(printed) == {"client_code", "secret"} and printed["client_code"] == "bukalapak"
    assert out.strip() == json.dumps(printed)
    partner = Partner.objects.get(code="bukalapak")
    assert (partner.kind, partner.name, partner.group, partner.webhook_url) == (
        "platform", "Bukalapak", "Grup BL", "https://bukalapak.example/prakerja/hooks")
    assert current_secret(partner) == printed["secret"] and len(printed["secret"]) >= 32
    assert printed["secret"] not in partner.secrets.get().secret_encrypted  # stored encrypted
    assert AuditEntry.objects.filter(action="partner.create", target_id=str(partner.public_id)).exists()


def test_a_provider():
    printed = json.loads(run("create_partner", "--type", "provider", "--code", "lpk-maju", "--name", "LPK Maju"))
    assert Partner.objects.get(code=printed["client_code"]).kind == "provider"


def test_a_taken_code_is_refused_cleanly():
    run("create_partner", "--type", "platform", "--code", "pintaria", "--name", "Pintaria")
    with pytest.raises(CommandError, match="(?i)kode klien"):
        run("create_partner", "--type", "provider", "--code", "pintaria", "--name", "Lain")
    assert Partner.objects.filter(code="pintaria").count() == 1


@pytest.mark.parametrize("code", ["Tokopedia", "-x", "a", "kode dengan spasi", "x" * 40])
def test_an_invalid_code_is_refused_cleanly(code):
    with pytest.raises(CommandError) as refused:
        run("create_partner", "--type", "platform", "--code", code, "--name", "X")
    assert "code" in str(refused.value)
    assert not Partner.objects.exists()


def test_bad_type_and_webhook_for_a_provider_are_refused():
    with pytest.raises(CommandError):
        run("create_partner", "--type", "bank", "--code", "bank", "--name", "Bank")
    with pytest.raises(CommandError, match="platforms only"):
        run("create_partner", "--type", "provider", "--code", "lpk", "--name", "LPK",
            "--webhook-url", "https://lpk.example/")
    with pytest.raises(CommandError):
        run("create_partner", "--type", "platform", "--code", "toko", "--name", "Toko", "--webhook-url", "nope")
    assert not Partner.objects.exists()


def test_errors_exit_non_zero_from_the_shell(capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "create_partner", "--type", "platform", "--code", "BAD CODE",
                           "--name", "X"]).execute()
    assert exited.value.code != 0
    captured = capsys.readouterr()
    assert captured.out == "" and "CommandError" in captured.err


def test_rotate_prints_a_new_secret_and_the_old_one_still_verifies():
    old = json.loads(run("create_partner", "--type", "platform", "--code", "sekolahmu", "--name", "Sekolahmu"))
    new = json.loads(run("rotate_partner_secret", "--code", "sekolahmu"))
    assert new["client_code"] == "sekolahmu" and new["secret"] != old["secret"]
    partner = Partner.objects.get(code="sekolahmu")
    assert current_secret(partner) == new["secret"]
    for secret in (old["secret"], new["secret"]):  # the old one during its grace
        given = signing.signature(secret, client_code="sekolahmu", timestamp="1", method="GET", path="/x", body=b"")
        assert signature_valid(partner, timestamp="1", method="GET", path="/x", body=b"", given=given)
    assert AuditEntry.objects.filter(action="partner.rotate_secret").count() == 1


def test_rotating_an_unknown_partner_is_refused():
    with pytest.raises(CommandError, match="No partner"):
        run("rotate_partner_secret", "--code", "tidak-ada")

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_cache_and_queue(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["cache"]["ok"] and body["queue"]["ok"]
    assert body["queue"]["worker"] in ("ok", "stale")


def test_healthz_fails_when_the_database_is_down(client, monkeypatch):
    def broken():
        raise ConnectionError("down")

    monkeypatch.setitem(__import__("prakerja.web.health", fromlist=["CHECKS"]).CHECKS, "database", broken)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "error": "ConnectionError"}


def test_worker_heartbeat_is_seen(client):
    from prakerja.web.health import worker_heartbeat

    worker_heartbeat()
    assert client.get(reverse("healthz")).json()["queue"]["worker"] == "ok"


def test_indonesian_by_default_english_on_request(client):
    page = client.get(reverse("account_login")).content.decode()
    assert '<html lang="id">' in page and "Masuk" in page and "Ingat Saya" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("account_login")).content.decode()
    assert '<html lang="en">' in page and "Sign in" in page and "Remember Me" in page


def test_signup_uses_the_spec_wording(client):
    page = client.get(reverse("account_signup")).content.decode()
    for text in ("Daftar", "Nama Lengkap", "Kata sandi"):
        assert text.lower() in page.lower(), text


def test_translations_are_compiled():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "scripts/compile_messages.py", "--check"], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr


def test_forms_tie_errors_to_fields(client):
    page = client.post(reverse("account_signup"), {"email": "bukan-email"}).content.decode()
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_email_error"' in page and 'id="id_email_error"' in page
    assert '<label for="id_full_name">' in page


def test_security_headers(client):
    response = client.get(reverse("account_login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_browser_language_does_not_override_indonesian(client):
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="id">' in page


def test_switching_language_is_remembered_on_the_account(client, applicant):
    client.force_login(applicant)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    applicant.refresh_from_db()
    assert applicant.language == "en"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})  # unknown: ignored
    applicant.refresh_from_db()
    assert applicant.language == "en"

"""NIK, KK, phone numbers, OTPs, passwords and card numbers never reach a log line."""

import json
import logging

import structlog

from prakerja.logging import configure_logging

NIK, KK, CARD = "3273014101900003", "3273011234560007", "5000 1234 5678 9012"
PHONES = ["+6281234567890", "081234567890", "62 812-3456-7890"]
OTP, PASSWORD = "482913", "Sandi-Rahasia-2026"


def test_personal_data_is_scrubbed_from_structured_and_plain_logs(capsys):
    configure_logging(fmt="json", level="INFO")
    log = structlog.get_logger("prakerja.test")
    log.info("identity_checked", nik=NIK, kk=KK, phone=PHONES[0], otp=OTP, password=PASSWORD,
             card_number=CARD, detail=f"nik {NIK} kk {KK} card {CARD} hp {PHONES[1]}")
    log.info(f"user typed OTP {OTP} and phone {PHONES[2]}")
    logging.getLogger("django.request").warning("Bad request with %s and %s", NIK, PHONES[1])
    logging.getLogger("huey").info("payload {'code': '%s'} password: %s", OTP, PASSWORD)
    log.info("request_finished", request="GET /accounts/password/reset/key/1-abcdef123/", code=200)
    try:
        raise ValueError(f"NIK {NIK} is invalid")
    except ValueError:
        log.exception("crash")
    output = capsys.readouterr().err
    for secret in [NIK, KK, CARD, CARD.replace(" ", ""), *PHONES, OTP, PASSWORD, "abcdef123"]:
        assert secret not in output, secret
    lines = [json.loads(line) for line in output.strip().splitlines()]
    assert lines[0]["event"] == "identity_checked" and lines[0]["nik"] == "[redacted]"
    assert any(line.get("code") == 200 for line in lines)  # an HTTP status is not a secret
    assert "[redacted]" in output


def test_ordinary_numbers_survive():
    from prakerja.logging import redact_text

    assert redact_text("wave 7 quota 800000 took 1234 ms") == "wave 7 quota 800000 took 1234 ms"

"""Issue 16 item 6: a wave you can watch, and a demo with one announced wave."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from prakerja.notifications.models import Message
from prakerja.registry import crypto
from prakerja.registry.nik import parse_nik
from prakerja.selection.models import RunStatus
from prakerja.waves.models import Application, Wave

pytestmark = pytest.mark.django_db(transaction=True)


def test_simulate_wave_selects_and_announces(capsys):
    call_command("simulate_wave", "--applicants", "300", "--quota", "100")
    out = capsys.readouterr().out
    wave = Wave.objects.get()
    assert wave.selection_run.status == RunStatus.DONE and wave.results_published_at and wave.seed
    assert f"seed revealed: {wave.seed}" in out
    assert Application.objects.filter(wave=wave).count() == 300
    assert Application.objects.filter(wave=wave, status="passed").count() == 100
    assert Message.objects.filter(channel="inbox").count() == 300
    # The registrants follow the civil registry's numbering: each NIK encodes the birth date stored.
    for application in Application.objects.filter(wave=wave).select_related("user__profile")[:20]:
        profile = application.user.profile
        info = parse_nik(crypto.decrypt(profile.nik_encrypted))
        born = crypto.decrypt(profile.birth_date_encrypted)
        assert (info.year_2, info.month, info.day) == (int(born[2:4]), int(born[5:7]), int(born[8:10]))
    call_command("verify_draw", str(wave.number))
    assert capsys.readouterr().out.startswith("MATCH: ")
    # CRD-1, CRD-3: the passed hold credited cards, and the books agree with the postings.
    from prakerja.cards.models import Card

    assert Card.objects.filter(wave=wave, credited_at__isnull=False).count() == 100
    call_command("ledger_check")
    assert "clean" in capsys.readouterr().out


def test_the_demo_has_an_announced_wave_and_a_participant_who_passed(client, settings):
    settings.PRODUCTION = False
    call_command("load_demo")
    call_command("load_demo")  # idempotent
    announced = Wave.objects.get(results_published_at__isnull=False)
    assert announced.seed and Wave.objects.count() == 2
    rina = Application.objects.get(user__email="rina@prakerja.test")
    assert rina.wave == announced and rina.status == "passed"
    assert client.login(username="rina@prakerja.test", password="Prakerja-Demo-2026")
    assert "Lulus" in client.get(reverse("dashboard")).content.decode()

"""Issue 14: the words of the press guides registrants follow click by click
(SPEC REG and WAV), on the rendered Indonesian pages."""

import re

import pytest
from django.urls import reverse

from prakerja.programme.models import Programme
from tests.web import participant_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user, make_wave):
    return participant_pages.build(make_user, make_wave)


def page(client, world, who, url_name, *args):
    client.force_login(world.users[who])
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def text(html):
    """What a reader sees: tags dropped, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_personal_data_button_is_berikutnya(client, world):
    html = page(client, world, "at_personal", "registry_personal")
    assert '<button type="submit" class="btn">Berikutnya</button>' in html
    assert "Simpan" not in text(html)


@pytest.mark.parametrize(("with_ktp", "label"), [(True, "Foto selfie dengan KTP"), (False, "Foto selfie")])
def test_selfie_label_follows_the_programme_setting(client, world, with_ktp, label):
    Programme.objects.filter(is_active=True).update(selfie_with_ktp=with_ktp)
    html = page(client, world, "at_personal", "registry_personal")
    assert f'<label for="id_selfie">{label}</label>' in html


def test_the_page_is_called_dashboard(client, world):
    html = page(client, world, "complete", "dashboard")
    assert "<title>Dashboard · Prakerja</title>" in html
    assert f'<a href="{reverse("dashboard")}">Dashboard</a>' in html
    assert "dasbor" not in html.lower()


def test_a_failed_wave_says_gagal_and_kamu_belum_berhasil_on_the_dashboard(client, world):
    seen = text(page(client, world, "failed", "dashboard"))
    assert "Gelombang 6: Gagal" in seen
    assert "Kamu Belum Berhasil (Tidak Lolos)" in seen


def test_a_failed_wave_says_gagal_and_kamu_belum_berhasil_in_the_history(client, world):
    html = page(client, world, "history", "waves_history")
    assert "<h1>Riwayat Gelombang</h1>" in html
    rows = {text(row).split(" ")[0]: text(row) for row in re.findall(r"<tr><td>.*?</tr>", html)}
    assert set(rows) == {"3", "4", "5", "6"}
    for wave in ("3", "4", "5"):
        assert "Gagal Kamu Belum Berhasil" in rows[wave], rows[wave]
    assert "Lulus" in rows["6"] and "Belum Berhasil" not in rows["6"]


def test_the_stepper_says_pernyataan_pendaftar_as_the_page_does(client, world):
    html = page(client, world, "at_statement", "registry_statement")
    assert "<h1>Pernyataan Pendaftar</h1>" in html
    stepper = re.search(r'<ol class="steps".*?</ol>', html, re.S).group(0)
    assert "Pernyataan Pendaftar" in text(stepper)
    assert "<title>Pernyataan Pendaftar · Prakerja</title>" in html


@pytest.mark.parametrize(("seconds", "wording"), [
    (60, "Waktu pengerjaan 1 menit sejak tes dimulai"),  # semi-bansos
    (25 * 60, "Waktu pengerjaan 25 menit sejak tes dimulai"),  # normal
    (90, "Waktu pengerjaan 90 detik sejak tes dimulai"),  # not whole minutes: not rounded
])
def test_the_motivation_test_length_is_in_minutes(client, world, seconds, wording):
    Programme.objects.filter(is_active=True).update(test_duration_seconds=seconds)
    assert wording in text(page(client, world, "at_test", "registry_test"))


def test_english_keeps_the_english_words(client, world):
    client.force_login(world.users["at_test"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    seen = text(client.get(reverse("registry_test")).content.decode())
    assert "You have 1 minute from the moment you start" in seen
    assert "Statement" in seen

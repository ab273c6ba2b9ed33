"""Done-when of issue 3, in a real browser on the sandbox: REG-3..7 with a demo identity,
with bad input at each step."""

import io
import re
import time

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Sandi-Rahasia-2026"


def jpeg_file(tmp_path, name):
    path = tmp_path / name
    out = io.BytesIO()
    Image.new("RGB", (800, 500), (30, 90, 160)).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return str(path)


def wait_for_sms(sandbox, phone, count=1, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sms = [m for m in sandbox.outbox(to=phone) if m["channel"] == "sms"]
        if len(sms) >= count:
            return sms[0]["body"]
        time.sleep(0.2)
    raise AssertionError("no SMS")


def test_registration_steps_on_the_sandbox(page, live_server, sandbox_mail, settings, make_user, tmp_path, shot):
    settings.CIVIL_REGISTRY_URL = f"{sandbox_mail.url}/dukcapil/verify"
    user = make_user(email="siti.r@example.id", full_name="Siti Rahmawati")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Kata Sandi", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("link", name="Lanjutkan: Identitas (NIK)").click()

    # REG-3, bad input first.
    page.get_by_label("NIK").fill("32730152039500AB")
    page.get_by_label("Nomor Kartu Keluarga (KK)").fill("3273010108160001")
    page.get_by_label("Tanggal Lahir").fill("1995-03-12")
    page.get_by_role("button", name="Berikutnya").click()
    expect(page.get_by_text("NIK hanya boleh berisi angka.")).to_be_visible()
    page.get_by_label("NIK").fill("3273015203950001")
    page.get_by_label("Tanggal Lahir").fill("1995-03-13")
    page.get_by_role("button", name="Berikutnya").click()
    expect(page.get_by_text("Tanggal lahir tidak sesuai dengan NIK")).to_be_visible()
    page.get_by_label("Nomor Kartu Keluarga (KK)").fill("3273010108160009")  # Dukcapil will disagree
    page.get_by_label("Tanggal Lahir").fill("1995-03-12")
    page.get_by_role("button", name="Berikutnya").click()
    expect(page.get_by_text("NIK dan KK tidak sesuai")).to_be_visible()
    expect(page.get_by_text("1500537")).to_be_visible()
    shot(page, "identity-rejected-id")
    page.get_by_label("Nomor Kartu Keluarga (KK)").fill("3273010108160001")
    page.get_by_role("button", name="Berikutnya").click()
    page.wait_for_url("**/registration/personal-data/")

    # REG-4.
    page.get_by_label("Alamat Tempat Tinggal (sesuai KTP)").fill("Jl. Merdeka No. 1, Bandung")
    page.get_by_label("Alamat Domisili: kabupaten/kota").select_option("3273")
    page.get_by_label("Alamat Domisili: jalan, RT/RW, kelurahan").fill("Jl. Asia Afrika No. 2")
    page.get_by_label("Pendidikan").select_option("sma")
    page.get_by_label("Status Kebekerjaan").select_option("job_seeker")
    fake = tmp_path / "ktp.jpg"
    fake.write_text("bukan foto")
    page.get_by_label("Foto KTP").set_input_files(str(fake))
    page.get_by_label(re.compile("Foto selfie")).set_input_files(jpeg_file(tmp_path, "selfie.jpg"))
    page.get_by_role("button", name="Berikutnya").click()
    expect(page.get_by_text("Berkas ini bukan foto JPEG atau PNG.")).to_be_visible()
    page.get_by_label("Foto KTP").set_input_files(jpeg_file(tmp_path, "ktp2.jpg"))
    page.get_by_label(re.compile("Foto selfie")).set_input_files(jpeg_file(tmp_path, "selfie2.jpg"))
    page.get_by_role("button", name="Berikutnya").click()
    page.wait_for_url("**/registration/phone/")

    # REG-5.
    page.get_by_label("Nomor HP").fill("0812-9876-5432")
    page.get_by_role("button", name="Kirim").click()
    code = re.search(r"\b(\d{6})\b", wait_for_sms(sandbox_mail, "+6281298765432")).group(1)
    page.get_by_label("Kode OTP 6 angka dari SMS").fill(f"{(int(code) + 1) % 10**6:06d}")
    page.get_by_role("button", name="Verifikasi").click()
    expect(page.get_by_text("Kode salah. Sisa 2 kali percobaan.")).to_be_visible()
    shot(page, "phone-wrong-code-id")
    page.get_by_label("Kode OTP 6 angka dari SMS").fill(code)
    page.get_by_role("button", name="Verifikasi").click()
    page.wait_for_url("**/registration/statement/")

    # REG-6.
    expect(page.get_by_role("heading", name="Pernyataan Pendaftar")).to_be_visible()
    page.get_by_role("button", name="Saya Setuju").click()
    expect(page.get_by_text("Centang pernyataan ini untuk melanjutkan.")).to_be_visible()
    page.locator("#id_agree").check()
    page.get_by_role("button", name="Saya Setuju").click()
    page.wait_for_url("**/registration/test/")

    # REG-7.
    page.get_by_role("button", name="Mulai Tes Sekarang").click()
    shot(page, "test-question-id")
    for _ in range(30):
        if "/dashboard/" in page.url:
            break
        expect(page.locator("[data-countdown]")).to_be_visible()
        page.locator("input[type=radio]").first.check()
        with page.expect_navigation():
            page.get_by_role("button", name="Berikutnya").click()
    page.wait_for_url("**/dashboard/")
    expect(page.get_by_text("Profil kamu sudah lengkap.")).to_be_visible()
    shot(page, "dashboard-complete-id")
    page.select_option("#language", "en")
    page.get_by_role("button", name="Ubah").click()
    expect(page.get_by_text("Your profile is complete.")).to_be_visible()

"""The shipped demo videos (CRD-2): their slides and captions, in Indonesian.

`render_induction_videos` draws these into induction/data/<slug>.mp4 and
<slug>.vtt; `apps.ensure_videos` registers them on post_migrate with the
titles and durations below. Operators replace the videos in the admin.
Edit a text here, then run the command again and commit its output.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Slide:
    heading: str
    lines: tuple[str, ...]
    seconds: int
    captions: tuple[str, ...]  # spread evenly over the slide's time


@dataclass(frozen=True)
class ShippedVideo:
    slug: str
    position: int
    title_id: str
    title_en: str
    slides: tuple[Slide, ...]

    @property
    def duration_seconds(self) -> int:
        return sum(slide.seconds for slide in self.slides)


VIDEOS = (
    ShippedVideo("programme", 1, "Cara kerja Program Kartu Prakerja", "How the Prakerja programme works", (
        Slide("Selamat, kamu lolos!", ("Tiga video singkat ini", "menjelaskan langkah berikutnya."), 6,
              ("Selamat, kamu lolos seleksi Kartu Prakerja!",
               "Tiga video singkat ini menjelaskan langkah berikutnya.")),
        Slide("Apa itu Kartu Prakerja?", ("Bantuan biaya pelatihan", "untuk meningkatkan", "keterampilan kerja."), 7,
              ("Kartu Prakerja adalah bantuan biaya pelatihan.",
               "Gunakan saldonya untuk meningkatkan keterampilan kerja.")),
        Slide("Langkah kamu", ("1. Tonton tiga video", "2. Sambungkan rekening", "3. Beli pelatihan pertama",
                               "4. Selesaikan dan beri ulasan"), 8,
              ("Tonton ketiga video ini, lalu sambungkan rekening.",
               "Beli pelatihan pertama, selesaikan, lalu beri ulasan.")),
        Slide("Perhatikan batas waktu", ("Beli pelatihan pertama", "sebelum batas waktu.",
                                         "Jika tidak, kepesertaan dicabut."), 7,
              ("Beli pelatihan pertama sebelum batas waktu.",
               "Jika tidak, kepesertaan kamu dicabut.")),
        Slide("Jaga kerahasiaan", ("Jangan berikan nomor kartu", "dan kode OTP", "kepada siapa pun."), 6,
              ("Jangan berikan nomor kartu dan kode OTP kepada siapa pun,",
               "termasuk kepada petugas Prakerja.")),
    )),
    ShippedVideo("purchase", 2, "Cara membeli pelatihan dengan Kartu Prakerja",
                 "How to buy a training with the card", (
        Slide("Cari Pelatihan", ("Pilih pelatihan di", "mitra platform digital."), 6,
              ("Buka Cari Pelatihan dan pilih pelatihan", "di salah satu mitra platform digital.")),
        Slide("Masukkan nomor kartu", ("Ketik 16 digit", "nomor Kartu Prakerja", "di halaman pembayaran."), 7,
              ("Di halaman pembayaran platform,", "ketik 16 digit nomor Kartu Prakerja kamu.")),
        Slide("Kode OTP", ("Kode OTP dikirim lewat SMS.", "Masukkan hanya di platform", "tempat kamu membeli."), 7,
              ("Kode OTP dikirim lewat SMS ke nomor HP kamu.",
               "Masukkan kode itu hanya di platform tempat kamu membeli.")),
        Slide("Kode voucher", ("Harga dipotong dari saldo.", "Kamu menerima kode voucher."), 6,
              ("Harga pelatihan dipotong dari saldo kartu,", "lalu kamu menerima kode voucher.")),
        Slide("Kode redeem", ("Tukarkan kode redeem", "di lembaga pelatihan,", "lalu mulai belajar."), 6,
              ("Tukarkan kode redeem di lembaga pelatihan", "dan mulailah belajar.")),
    )),
    ShippedVideo("payout", 3, "Cara menyambungkan rekening insentif", "How to link a payout account", (
        Slide("Insentif ke rekening", ("Bank: BNI, BCA", "E-wallet: OVO, GoPay,", "LinkAja, DANA"), 7,
              ("Insentif dibayar ke rekening bank BNI atau BCA,", "atau ke e-wallet OVO, GoPay, LinkAja, atau DANA.")),
        Slide("Syarat rekening", ("NIK sama dengan kartu", "Akun sudah premium", "Nomor HP e-wallet sama"), 8,
              ("NIK pemilik rekening harus sama dengan NIK kartu, dan akun sudah premium.",
               "Untuk e-wallet, nomor HP-nya harus sama dengan nomor HP akun Prakerja.")),
        Slide("Sambungkan Sekarang", ("Pilih bank atau e-wallet,", "masukkan nomornya,", "lalu konfirmasi."), 7,
              ("Tekan Sambungkan Sekarang, pilih bank atau e-wallet,", "masukkan nomornya, lalu konfirmasi.")),
        Slide("Siap belajar", ("Rekening tersambung.", "Sekarang kamu bisa", "membeli pelatihan."), 6,
              ("Setelah rekening tersambung,", "kamu bisa membeli pelatihan pertama.")),
    )),
)

BY_SLUG = {video.slug: video for video in VIDEOS}

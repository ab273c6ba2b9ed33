"""Demo partners and catalogue (TRN-1): the nine platforms, a few providers, a few hundred courses.

Everything here is public on purpose: the secrets are in this file and the
banner prints them, so ``load_demo`` refuses to run in production. Generated
from fixed word lists with a fixed seed, so every run builds the same
catalogue; a second run finds it and changes nothing. Courses and listings
are written with ``bulk_create`` (``make run`` and the tests load this).

One provider, Cakrawala Mandiri, is in the same (invented) corporate group as
the Skill Academy platform: its one listing there is a conflict of interest
awaiting its two approvals, as TRN-1's operators would see it.
"""

import random
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from prakerja.audit.services import SYSTEM, audit_record
from prakerja.catalog.models import Course, CourseKind, Listing, ListingStatus
from prakerja.catalog.search import refresh_courses
from prakerja.partners.models import Partner
from prakerja.partners.services import partner_create
from prakerja.regions.models import Regency


@dataclass(frozen=True)
class DemoPartner:
    code: str
    name: str
    kind: str
    group: str = ""
    prefix: str = ""  # listing codes (platforms) or course codes (providers)
    categories: tuple[str, ...] = ()

    @property
    def secret(self) -> str:
        # Tokopedia's secret is the contract's test vector (docs/partner-api.md), and the sandbox shop's.
        return "sandbox-secret" if self.code == "tokopedia" else f"sandbox-{self.code}"


CONFLICT_GROUP = "Grup Cakrawala (demo)"
PLATFORMS = (
    DemoPartner("tokopedia", "Tokopedia", "platform", prefix="TKP"),
    DemoPartner("bukalapak", "Bukalapak", "platform", prefix="BKL"),
    DemoPartner("pintaria", "Pintaria", "platform", prefix="PNT"),
    DemoPartner("pijarmahir", "Pijar Mahir", "platform", prefix="PJM"),
    DemoPartner("maubelajarapa", "MauBelajarApa", "platform", prefix="MBA"),
    DemoPartner("sekolahmu", "Sekolahmu", "platform", prefix="SKM"),
    DemoPartner("sisnaker", "Sisnaker", "platform", prefix="SSN"),
    DemoPartner("kariermu", "Kariermu", "platform", prefix="KRM"),
    DemoPartner("skillacademy", "Skill Academy", "platform", group=CONFLICT_GROUP, prefix="SKA"),
)
PROVIDERS = (
    DemoPartner("nusantara-cendekia", "LPK Nusantara Cendekia", "provider", prefix="LNC",
                categories=("technology", "languages", "management")),
    DemoPartner("cakrawala-mandiri", "Lembaga Pelatihan Cakrawala Mandiri", "provider", group=CONFLICT_GROUP,
                prefix="CKM", categories=("sales", "business", "finance")),
    DemoPartner("widya-karya", "Widya Karya Edukasi", "provider", prefix="WKE",
                categories=("creative", "technology", "languages")),
    DemoPartner("bina-terampil", "Bina Terampil Indonesia", "provider", prefix="BTI",
                categories=("trades", "agriculture", "health")),
    DemoPartner("dapur-rempah", "Akademi Kuliner Dapur Rempah", "provider", prefix="ADR",
                categories=("food", "tourism", "business")),
)
DEMO_PARTNERS = PLATFORMS + PROVIDERS
COURSES_PER_PROVIDER = 60
SEED = 18  # issue 18
# Real regencies (Kemendagri codes) for offline courses.
OFFLINE_REGENCIES = ("3171", "3273", "3578", "3374", "3471", "5171", "7371", "1271", "1371", "6371", "3573", "6472")
STREETS = ("Jl. Merdeka", "Jl. Sudirman", "Jl. Diponegoro", "Jl. Gajah Mada", "Jl. Ahmad Yani", "Jl. Pahlawan",
           "Jl. Veteran", "Jl. Pemuda", "Jl. Imam Bonjol", "Jl. Hasanuddin")

TOPICS = {
    "sales": ("Teknik Penjualan Online", "Pemasaran Media Sosial", "Copywriting untuk Jualan",
              "Strategi Harga dan Promosi", "Layanan Pelanggan yang Memikat", "Jualan di Marketplace"),
    "technology": ("Dasar Pemrograman Python", "Membuat Website dengan HTML dan CSS", "Analisis Data dengan Excel",
                   "Administrasi Jaringan Komputer", "Keamanan Siber untuk Kantor", "Pengembangan Aplikasi Android"),
    "languages": ("Bahasa Inggris untuk Wawancara Kerja", "Bahasa Inggris Bisnis", "Bahasa Jepang Dasar",
                  "Bahasa Korea untuk Pekerja Migran", "Bahasa Mandarin Percakapan", "Menulis Surat Lamaran"),
    "business": ("Memulai Usaha Rumahan", "Menyusun Rencana Bisnis UMKM", "Mengelola Keuangan Usaha Kecil",
                 "Membangun Merek Lokal", "Mengurus Izin Usaha (NIB)", "Franchise dan Kemitraan"),
    "management": ("Kepemimpinan untuk Supervisor", "Manajemen Proyek Praktis", "Manajemen Waktu dan Prioritas",
                   "Administrasi Perkantoran", "Manajemen Sumber Daya Manusia", "Komunikasi di Tempat Kerja"),
    "finance": ("Akuntansi Dasar", "Pembukuan dengan Aplikasi", "Perpajakan untuk UMKM",
                "Perencanaan Keuangan Pribadi", "Menyusun Laporan Keuangan", "Brevet Pajak A dan B"),
    "creative": ("Desain Grafis dengan Canva", "Fotografi Produk", "Editing Video untuk Media Sosial",
                 "Ilustrasi Digital", "Desain Antarmuka (UI/UX)", "Membuat Konten Kreatif"),
    "food": ("Membuat Kue Kering untuk Dijual", "Masakan Nusantara", "Barista dan Kopi Spesialti",
             "Keamanan Pangan dan Higiene", "Usaha Katering Rumahan", "Membuat Roti dan Pastri"),
    "tourism": ("Pemandu Wisata Profesional", "Pelayanan Hotel (Front Office)", "Tata Graha Hotel",
                "Mengelola Homestay", "Perencanaan Perjalanan Wisata", "Pelayanan Restoran"),
    "agriculture": ("Budidaya Hidroponik", "Budidaya Ikan Lele", "Pertanian Organik",
                    "Pengolahan Hasil Pertanian", "Budidaya Jamur Tiram", "Peternakan Ayam Petelur"),
    "health": ("Perawatan Lansia (Caregiver)", "Pertolongan Pertama", "Asisten Apoteker",
               "Kebugaran dan Instruktur Senam", "Gizi Keluarga", "Pengasuhan Anak (Baby Sitter)"),
    "trades": ("Teknisi AC dan Pendingin", "Instalasi Listrik Rumah", "Perbaikan Sepeda Motor",
               "Teknisi Telepon Seluler", "Pengelasan Dasar", "Menjahit dan Tata Busana"),
}
LEVELS = ("untuk Pemula", "Tingkat Lanjut", "bagi Pelaku UMKM", "dalam Praktik", "Siap Kerja", "Intensif",
          "dari Nol", "untuk Pencari Kerja", "Terapan", "Bersertifikat")
SKILLS = ("keterampilan praktis yang dicari pemberi kerja", "studi kasus dari dunia usaha",
          "latihan langsung bersama instruktur berpengalaman", "contoh nyata dari pelaku usaha",
          "modul yang bisa diulang kapan saja", "tugas akhir untuk portofolio", "tips mengelola waktu belajar",
          "kuis di setiap bab", "diskusi kelompok")
AUDIENCES = ("pencari kerja", "karyawan yang ingin naik jabatan", "pelaku usaha mikro dan kecil",
             "korban pemutusan hubungan kerja", "lulusan baru", "ibu rumah tangga yang ingin berusaha")
OUTCOMES = ("mendapat sertifikat elektronik", "siap melamar kerja di bidang ini", "mampu memulai usaha sendiri",
            "menyusun portofolio sederhana", "lebih percaya diri menghadapi wawancara")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu")


def platform_prefix(code: str) -> str:
    return next(p.prefix for p in PLATFORMS if p.code == code)


def _partners() -> dict[str, Partner]:
    """The demo partners, created once (audited) with their fixed secrets."""
    existing = set(Partner.objects.filter(code__in=[p.code for p in DEMO_PARTNERS]).values_list("code", flat=True))
    for demo in DEMO_PARTNERS:
        if demo.code not in existing:
            # Platforms tell their webhooks to the sandbox, which checks them with the same demo secret.
            webhook = f"{settings.SANDBOX_URL}/webhooks/{demo.code}" if demo.kind == "platform" else ""
            partner_create(kind=demo.kind, code=demo.code, name=demo.name, actor=SYSTEM, secret=demo.secret,
                           group=demo.group, webhook_url=webhook)
    return Partner.objects.in_bulk([p.code for p in DEMO_PARTNERS], field_name="code")


def _schedule(rng: random.Random, kind: str, hours: int) -> str:
    if kind == CourseKind.WEBINAR:
        sessions = max(1, hours // 3)
        day = rng.choice(DAYS)
        start = rng.choice((9, 13, 19))
        return f"Setiap {day}, {start:02d}.00-{start + 3:02d}.00 WIB ({sessions} sesi)"
    if kind == CourseKind.SELF_PACED:
        return f"Belajar kapan saja; akses materi {rng.choice((3, 6, 12))} bulan"
    days = max(1, hours // 8)
    return f"Senin-Jumat, 08.00-16.00 WIB ({days} hari)"


def _courses(rng: random.Random, providers: dict[str, Partner]) -> list[Course]:
    regencies = list(Regency.objects.filter(code__in=OFFLINE_REGENCIES).order_by("code"))
    courses = []
    for demo in PROVIDERS:
        titles = [(category, f"{topic} {level}") for category in demo.categories for topic in TOPICS[category]
                  for level in LEVELS]
        rng.shuffle(titles)
        for n in range(1, COURSES_PER_PROVIDER + 1):
            category, title = titles[n - 1]
            kind = rng.choices([CourseKind.WEBINAR, CourseKind.SELF_PACED, CourseKind.OFFLINE],
                               weights=[4, 4, 2] if regencies else [1, 1, 0])[0]
            hours = rng.choice((4, 6, 8, 10, 12, 16, 20, 24, 32, 40))
            regency = rng.choice(regencies) if kind == CourseKind.OFFLINE else None
            description = (
                f"Pelatihan \"{title}\" membekali peserta dengan {rng.choice(SKILLS)} dan "
                f"{rng.choice(SKILLS)}. Cocok untuk {rng.choice(AUDIENCES)}. Total {hours} jam pelajaran; "
                f"di akhir pelatihan peserta {rng.choice(OUTCOMES)}. Diselenggarakan oleh {demo.name}.")
            courses.append(Course(
                provider=providers[demo.code], code=f"{demo.prefix}-{n:04d}", title=title, description=description,
                category=category, kind=kind, hours=hours, schedule=_schedule(rng, kind, hours),
                province_id=regency.province_id if regency else None,
                location=f"{rng.choice(STREETS)} No. {rng.randint(1, 200)}, {regency.name}" if regency else ""))
    return courses


def _price(rng: random.Random, base: int) -> int:
    """Rp100.000 to Rp1.000.000, in whole thousands, near the course's usual price."""
    return min(1_000_000, max(100_000, base + rng.randint(-10, 10) * 5_000))


def _listings(rng: random.Random, courses: list[Course], platforms: dict[str, Partner], operator, now):
    others = [p.code for p in PLATFORMS if p.code not in ("tokopedia", "skillacademy")]
    numbers = dict.fromkeys((p.code for p in PLATFORMS), 0)
    listings = []
    conflicted_done = False
    for course in courses:
        chosen = rng.sample(others, rng.randint(0, 2))
        if rng.random() < 0.55:
            chosen.insert(0, "tokopedia")
        conflicted = course.provider.group == CONFLICT_GROUP
        if not conflicted and rng.random() < 0.2:
            chosen.append("skillacademy")
        if conflicted and not conflicted_done:
            chosen.append("skillacademy")  # the one conflict of interest, awaiting two approvals
        if not chosen:
            chosen = [rng.choice(others)]
        base = rng.randint(100, 1000) * 1_000
        for code in chosen:
            numbers[code] += 1
            platform = platforms[code]
            conflict = platform.related_to(course.provider)
            pending = conflict or rng.random() < 0.02
            conflicted_done = conflicted_done or conflict
            listings.append(Listing(
                platform=platform, course=course, code=f"{platform_prefix(code)}-{numbers[code]:05d}",
                price=_price(rng, base), conflict_of_interest=conflict,
                status=ListingStatus.PENDING if pending else ListingStatus.APPROVED,
                decided_by=None if pending else operator, decided_at=None if pending else now))
    # The contract's example (docs/partner-api.md): TKP-00123 at Rp750.000, on sale.
    example = next((x for x in listings if x.code == "TKP-00123"), None)
    if example is not None:
        example.price, example.status = 750_000, ListingStatus.APPROVED
        example.decided_by, example.decided_at = operator, now
    return listings


def load_partners(*, operator) -> bool:
    """Create the demo partners and catalogue once; return whether anything was created.

    ``operator`` (the demo administrator) is recorded as the one who approved the demo listings.
    """
    with transaction.atomic():
        before = Partner.objects.filter(code__in=[p.code for p in DEMO_PARTNERS]).count()
        partners = _partners()
        created = before < len(DEMO_PARTNERS)
        first_course = f"{PROVIDERS[0].prefix}-0001"
        if Course.objects.filter(code=first_course).exists():
            return created
        rng = random.Random(SEED)
        now = timezone.now()
        courses = Course.objects.bulk_create(_courses(rng, partners))
        listings = Listing.objects.bulk_create(_listings(rng, courses, partners, operator, now))
        # bulk_create skips the signals that keep "Cari Pelatihan"'s columns: compute them here.
        refresh_courses([course.pk for course in courses])
        audit_record(actor=operator, action="demo.catalogue_load", data={
            "courses": len(courses), "listings": len(listings),
            "pending": sum(1 for x in listings if x.status == ListingStatus.PENDING)})
    return True


def banner_lines() -> str:
    """For demo_banner: the demo partners' credentials. Demo only: these secrets are public."""
    lines = [" Demo partner API credentials (DEMO ONLY: public secrets, never in production)",
             "   client code           secret"]
    for demo in DEMO_PARTNERS:
        lines.append(f"   {demo.code:<21} {demo.secret:<30} {demo.kind}: {demo.name}")
    return "\n".join(lines)

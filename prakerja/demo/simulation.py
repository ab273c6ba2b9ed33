"""A wave you can watch (issue 16, item 6): synthetic registrants, a close, the selection, the announcement.

The registrants are made by the civil registry's own numbering rules
(registry.nik.build_nik and build_kk, which the sandbox's Dukcapil uses for
its population): families sharing a KK, birth dates encoded in the NIK,
a few too young, a few whose identity is still pending, some laid off. They
are written in bulk, as verified by the registry, and never sign in (no
usable password). Then the real selection and the real announcement run.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.regions.models import Regency
from prakerja.registry import crypto
from prakerja.registry.models import Profile
from prakerja.registry.nik import build_kk, build_nik, mask
from prakerja.selection import services as selection
from prakerja.waves.models import Application, ConsentVersion, Wave

BATCH = 2000


@dataclass
class Simulated:
    wave: Wave
    applicants: int
    report: dict = field(default_factory=dict)


def verified_profile(*, nik: str, kk: str, born: date, female: bool, regency_id: int, street: str,
                     education: str, employment: str, identity_status: str = "verified", **more) -> dict:
    """A complete profile's fields as the registry stores them: NIK, KK and birth date encrypted, blind indexes."""
    now = timezone.now()
    return {"nik_encrypted": crypto.encrypt(nik), "nik_index": crypto.blind_index("nik", nik),
            "nik_masked": mask(nik), "kk_encrypted": crypto.encrypt(kk), "kk_index": crypto.blind_index("kk", kk),
            "birth_date_encrypted": crypto.encrypt(born.isoformat()), "birth_year": born.year,
            "birth_month": born.month, "female": female, "identity_status": identity_status,
            "identity_checked_at": now, "domicile_regency_id": regency_id, "domicile_street": street,
            "ktp_address": street, "education": education, "employment_status": employment, "completed_at": now,
            **more}


def _born(rng: random.Random) -> date:
    roll = rng.random()
    if roll < 0.03:  # too young on the closing day
        return date(2010, 1, 1) + timedelta(days=rng.randint(0, 2000))
    return date(1966, 1, 1) + timedelta(days=rng.randint(0, 365 * 38))


def _people(count: int, rng: random.Random, serial_base: int) -> list[dict]:
    regencies = list(Regency.objects.values_list("code", "id"))
    people: list[dict] = []
    serial = serial_base
    while len(people) < count:
        code, regency_id = rng.choice(regencies)
        district = f"{code}{rng.randint(1, 10):02d}"
        serial += 1
        kk = build_kk(district_code=district, issued=date(2015, 1, 1) + timedelta(days=rng.randint(0, 3000)),
                      serial=1 + serial % 9999)
        for _ in range(min(count - len(people), rng.choice([1, 1, 1, 2, 2, 3, 4]))):
            serial += 1
            female = rng.random() < 0.5
            born = _born(rng)
            nik = build_nik(district_code=district, birth_date=born, female=female, serial=1 + serial % 9999)
            people.append({"nik": nik, "kk": kk, "born": born, "female": female, "regency_id": regency_id,
                           "serial": serial})
    return people


def simulate_wave(*, applicants: int, quota: int | None = None, seed: int = 16, actor=None,
                  closed_days_ago: int = 1, announce: bool = True, extra_users=(), progress=None) -> Simulated:
    """Create a closed wave with ``applicants`` synthetic registrants (plus ``extra_users``, each
    already registered with a complete profile), run its selection, and announce it."""
    rng = random.Random(seed)
    now = timezone.now()
    number = (Wave.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    closes = now - timedelta(days=closed_days_ago)
    wave = Wave.objects.create(number=number, opens_at=closes - timedelta(days=7), closes_at=closes,
                               announce_at=closes, national_quota=quota or max(1, applicants // 3))
    consent = ConsentVersion.objects.order_by("-version").first()
    tag = f"w{number}s{seed}"
    people = _people(applicants, rng, serial_base=number * 100_000)
    regency_province = dict(Regency.objects.values_list("id", "province_id"))
    for start in range(0, len(people), BATCH):
        chunk = people[start:start + BATCH]
        with transaction.atomic():
            users = User.objects.bulk_create([
                User(email=f"sim-{tag}-{p['serial']}@simulasi.invalid", full_name=f"Peserta Simulasi {p['serial']}",
                     password="!", email_confirmed_at=timezone.now()) for p in chunk])
            if not users or users[0].pk is None:  # SQLite before RETURNING, or an old backend
                users = list(User.objects.filter(email__in=[u.email for u in users]).order_by("pk"))
            profiles = []
            for user, p in zip(users, chunk, strict=True):
                pending = rng.random() < 0.03
                profiles.append(Profile(user=user, **verified_profile(
                    nik=p["nik"], kk=p["kk"], born=p["born"], female=p["female"], regency_id=p["regency_id"],
                    identity_status="pending" if pending else "verified", street="Jl. Simulasi",
                    education=rng.choice(["sma", "s1", "smp"]),
                    employment="laid_off" if rng.random() < 0.05 else rng.choice(["job_seeker", "employed"]))))
            Profile.objects.bulk_create(profiles)
            Application.objects.bulk_create([
                Application(wave=wave, user=user, province_id=regency_province[p["regency_id"]], consent=consent,
                            status="processing") for user, p in zip(users, chunk, strict=True)])
        if progress:
            progress(min(start + BATCH, len(people)), len(people))
    for user in extra_users:
        profile = user.profile
        Application.objects.get_or_create(wave=wave, user=user, defaults={
            "province_id": profile.domicile_regency.province_id, "consent": consent, "status": "processing"})
    Wave.objects.filter(pk=wave.pk).update(closed_at=closes)
    wave.refresh_from_db()
    run = selection.selection_run_wave(actor=actor, wave=wave)
    if announce:
        # Published at the announcement time, as the schedule would have done.
        announcement = selection.results_publish(actor=actor, wave=wave, now=min(timezone.now(), wave.announce_at))
        selection.announcement_continue(announcement=announcement)  # the task finds it finished
        wave.refresh_from_db()
        _issue_cards(wave=wave, actor=actor)
    return Simulated(wave=wave, applicants=applicants + len(extra_users), report=run.report)


def _issue_cards(*, wave, actor) -> None:
    """CRD-1, CRD-3: the budget funded for the wave's participants, then their cards issued and credited here
    (the task would do the same a moment later and find it done)."""
    from prakerja.cards.models import CardIssuance
    from prakerja.cards.services import budget_fund
    from prakerja.cards.services.issuance import issuance_continue
    from prakerja.programme.selectors import active_programme

    programme = active_programme()
    passed = Application.objects.filter(wave=wave, status="passed").count()
    if passed and programme.training_balance:
        with transaction.atomic():
            budget_fund(programme=programme, amount=passed * programme.training_balance,
                        key=f"simulate:fund:wave-{wave.number}", actor=actor)
    issuance_continue(issuance=CardIssuance.objects.get(wave=wave))

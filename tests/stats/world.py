"""Crafted data for the statistics tests: people, waves, purchases and tickets over several WIB days,
with the times that catch a wrong day boundary (a minute before and after WIB midnight), operators
that must not count, unconfirmed emails, rejected identities, unknown provinces, overlapping wave
windows and an application made in another province than the profile's domicile.

``expected_*`` count the same things again in Python from the rows themselves (no SQL grouping),
keyed (day, metric, wave_number, province_code) like ``DailyCount``.
"""

import random
from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.complaints.categories import Category
from prakerja.complaints.models import OPEN_STATUSES, Ticket
from prakerja.complaints.services import response_hours
from prakerja.regions.models import Province, Regency
from prakerja.registry.models import Profile, TestAttempt
from prakerja.waves.models import Application, ConsentVersion, Wave

WIB = ZoneInfo("Asia/Jakarta")
FIRST = date(2026, 3, 2)
DAYS = [FIRST + timedelta(days=n) for n in range(6)]
LAST = DAYS[-1]
REGENCIES = ["3273", "3578", "3171", None]  # Jawa Barat, Jawa Timur, DKI Jakarta, not given yet


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WIB)


def local_day(moment: datetime) -> date:
    return moment.astimezone(WIB).date()


def edge_time(rng: random.Random, day: date) -> datetime:
    """Most times anywhere in the day; some a minute either side of WIB midnight."""
    choice = rng.random()
    if choice < 0.15:
        return at(day, 23, 59)
    if choice < 0.3:
        return at(day, 0, 0) + timedelta(seconds=30)
    return at(day, rng.randint(0, 23), rng.randint(0, 59))


def make_waves():
    """Wave 81 open D1 10:00 to D3 10:00 WIB; wave 82 from D3 00:00 (two hours of overlap) to D5 12:00."""
    w81 = Wave.objects.create(number=81, opens_at=at(DAYS[1], 10), closes_at=at(DAYS[3], 10),
                              announce_at=at(DAYS[5], 18), national_quota=100)
    w82 = Wave.objects.create(number=82, opens_at=at(DAYS[3], 0), closes_at=at(DAYS[5], 12),
                              announce_at=at(DAYS[5], 20), national_quota=100)
    return [w81, w82]


def make_people(n=70, seed=20):
    """Registrants (and two operators) with every funnel step at crafted times."""
    rng = random.Random(seed)
    waves = make_waves()
    consent = ConsentVersion.objects.first()
    regencies = {code: Regency.objects.select_related("province").get(code=code) for code in REGENCIES if code}
    for i in range(n):
        staff = i < 2
        joined = edge_time(rng, rng.choice(DAYS))
        user = User.objects.create_user(email=f"orang{i}@example.id", password="x", full_name=f"Orang {i}",
                                        is_staff=staff, date_joined=joined)
        confirmed = staff or rng.random() < 0.75
        EmailAddress.objects.create(user=user, email=user.email, verified=confirmed, primary=True)
        if confirmed:  # what the email_confirmed receiver stamps, some hours after signing up
            User.objects.filter(pk=user.pk).update(email_confirmed_at=joined + timedelta(hours=rng.randint(0, 30)))
            user.refresh_from_db()
        if not staff and rng.random() < 0.12:
            continue  # registered, nothing more
        regency_code = rng.choice(REGENCIES)
        later = joined + timedelta(hours=rng.randint(0, 50))
        identity = rng.choices(["verified", "rejected", "pending"], weights=[75, 15, 10])[0]
        Profile.objects.create(
            user=user, domicile_regency=regencies.get(regency_code), identity_status=identity,
            nik_index=f"idx-{i}", identity_checked_at=later if identity != "pending" else None,
            phone=f"+62812000{i:05d}" if rng.random() < 0.7 else None,
            phone_verified_at=later + timedelta(hours=1) if rng.random() < 0.6 else None)
        if rng.random() < 0.6:
            submitted = later + timedelta(hours=2) if rng.random() < 0.85 else None
            TestAttempt.objects.create(user=user, question_ids=[1, 2], started_at=later, deadline=later + timedelta(
                minutes=30), submitted_at=submitted)
        if identity == "verified" and rng.random() < 0.55:
            wave = rng.choice(waves)
            # Mostly where they live; sometimes elsewhere (or a domicile not yet given): the
            # application's province is what counts for joining.
            province_code = (regencies[regency_code].province.code if regency_code and rng.random() < 0.8
                             else rng.choice(["32", "35", "51"]))
            span = (wave.closes_at - wave.opens_at).total_seconds()
            moment = wave.opens_at + timedelta(seconds=rng.randint(0, int(span) - 1))
            application = Application.objects.create(wave=wave, user=user, consent=consent,
                                                     province=Province.objects.get(code=province_code))
            Application.objects.filter(pk=application.pk).update(joined_at=moment)
    return waves


def _domicile(profile) -> str:
    if profile is None or profile.domicile_regency_id is None:
        return ""
    return profile.domicile_regency.province.code


def _profile(user):
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def expected_funnel() -> Counter:
    """The funnel counted from the rows, one by one, in Python."""
    waves = list(Wave.objects.all())
    found = Counter()

    def add(metric, moment, province, own_wave=None):
        day = local_day(moment)
        found[(day, metric, 0, province)] += 1
        if own_wave is not None:
            found[(day, metric, own_wave, province)] += 1
            return
        for wave in waves:
            if wave.opens_at <= moment < wave.closes_at:
                found[(day, metric, wave.number, province)] += 1

    people = User.objects.filter(is_staff=False).select_related("profile__domicile_regency__province")
    for user in people:
        profile = _profile(user)
        province = _domicile(profile)
        add("registered", user.date_joined, province)
        if user.email_confirmed_at is not None:
            add("email_confirmed", user.email_confirmed_at, province)
        if profile is not None:
            if profile.identity_status == "verified" and profile.identity_checked_at:
                add("nik_verified", profile.identity_checked_at, province)
            if profile.phone_verified_at:
                add("phone_verified", profile.phone_verified_at, province)
        attempt = TestAttempt.objects.filter(user=user).first()
        if attempt and attempt.submitted_at:
            add("test_done", attempt.submitted_at, province)
    for application in Application.objects.select_related("wave", "province"):
        add("joined", application.joined_at, application.province.code, own_wave=application.wave.number)
    return found


# --- complaints ------------------------------------------------------------------------------------
def make_tickets(users, seed=21, now=None):
    rng = random.Random(seed)
    now = now or timezone.now()
    categories = list(Category.values)
    for n in range(40):
        created = edge_time(rng, rng.choice(DAYS))
        answered = created + timedelta(minutes=rng.choice([20, 90, 300, 1500, 3000, 5000])) if rng.random() < 0.7 \
            else None
        status = rng.choice(["received", "in_progress", "waiting", "resolved", "closed"])
        system = n % 8 == 0  # a ticket the system opened for an event: work for the desk, not a complaint
        Ticket.objects.create(
            number=f"PGD-T{n:03d}-X", source="system" if system else "participant",
            event_key=f"completion:{n}" if system else "", user=rng.choice([*users, None]), name="Orang",
            email="orang@example.id", category=rng.choice(categories), subcategory="registration_other",
            description="Keluhan saya.", status=status, created_at=created, updated_at=created,
            first_response_at=answered, closed_at=created + timedelta(days=1) if status == "closed" else None,
            due_at=(now - timedelta(hours=1) if rng.random() < 0.5 else now + timedelta(hours=5))
            if status in OPEN_STATUSES else None)


def expected_complaints(today: date, now: datetime) -> Counter:
    found = Counter()
    for ticket in Ticket.objects.exclude(source="system").select_related("user__profile__domicile_regency__province"):
        province = _domicile(_profile(ticket.user)) if ticket.user else ""
        cat = ticket.category
        found[(local_day(ticket.created_at), f"complaints.received.{cat}", 0, province)] += 1
        if ticket.first_response_at:
            day = local_day(ticket.first_response_at)
            seconds = (ticket.first_response_at - ticket.created_at).total_seconds()
            found[(day, f"complaints.answered.{cat}", 0, province)] += 1
            found[(day, f"complaints.answer_seconds.{cat}", 0, province)] += int(seconds)
            for hours in (1, 4, 24, 72):
                if seconds <= hours * 3600:
                    found[(day, f"complaints.within_{hours}h.{cat}", 0, province)] += 1
            if seconds <= response_hours(cat) * 3600:
                found[(day, f"complaints.on_target.{cat}", 0, province)] += 1
        if ticket.status in OPEN_STATUSES:
            found[(today, f"complaints.open.{cat}", 0, province)] += 1
            if ticket.due_at and ticket.due_at < now:
                found[(today, f"complaints.overdue.{cat}", 0, province)] += 1
    return +found


def with_all(found: Counter) -> Counter:
    """The rows and, per (day, metric, wave), the sum of every province under "*", as the refresh stores it."""
    summed = Counter(found)
    for (day, metric, wave, _province), value in found.items():
        summed[(day, metric, wave, "*")] += value
    return summed


def stored(prefixes=None) -> Counter:
    from prakerja.stats.models import DailyCount

    found = Counter()
    for row in DailyCount.objects.all():
        if prefixes is None or row.metric.startswith(prefixes):
            found[(row.day, row.metric, row.wave_number, row.province_code)] += row.value
    return found

from datetime import date, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.accounts.services import operator_create
from prakerja.audit.services import SYSTEM
from prakerja.demo.complaints import load_complaints
from prakerja.demo.partners import load_partners
from prakerja.stats.services import stats_rebuild
from prakerja.waves.models import Wave
from prakerja.waves.services import wave_save

DEMO_PASSWORD = "Prakerja-Demo-2026"
# A fixed TOTP secret for the demo operator only, so a demo can sign in to
# the back office at once (`manage.py demo_totp` prints the current code).
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
APPLICANT = ("siti@prakerja.test", "Siti Rahmawati")
# A participant who passed an announced wave (the sandbox's demo identity Rina Kartika).
PARTICIPANT = ("rina@prakerja.test", "Rina Kartika")
PARTICIPANT_IDENTITY = {"nik": "1275014506980001", "kk": "1275011710180001", "born": date(1998, 6, 5),
                        "regency": "1275", "phone": "+6281200000098"}
OPERATOR = ("admin@prakerja.test", "Admin Prakerja")


def refuse_in_production(command: str) -> None:
    """The demo operator is an administrator whose password and TOTP secret are
    in this file: in production that is a back door (issue 14, finding 7)."""
    if settings.PRODUCTION:
        raise CommandError(f"{command} refuses to run with PRAKERJA_ENV=production: "
                           "its accounts and secrets are public.")


class Command(BaseCommand):
    help = "Load demo accounts (idempotent: running it twice changes nothing)."

    def handle(self, *args, **options):
        refuse_in_production("load_demo")
        with transaction.atomic():
            email, name = APPLICANT
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=name)
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True})
            User.objects.filter(pk=user.pk, email_confirmed_at__isnull=True).update(email_confirmed_at=timezone.now())
        email, name = OPERATOR
        operator = User.objects.filter(email=email).first()
        if operator is None:
            operator = operator_create(actor=SYSTEM, email=email, full_name=name,
                                       roles=["administrator"], password=DEMO_PASSWORD)
        if not Authenticator.objects.filter(user=operator, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(operator, DEMO_TOTP_SECRET)
        self._demo_past_wave(operator)
        self._demo_wave(operator)
        load_partners(operator=operator)
        load_complaints(operator=operator, participant_email=PARTICIPANT[0])
        stats_rebuild()  # OPS-3: count the demo's days now, so the statistics show numbers at once
        self.stdout.write("demo data loaded")

    @staticmethod
    def _demo_past_wave(operator):
        """One wave already drawn and announced: a revealed seed, the statistics, and a participant who passed."""
        if Wave.objects.filter(results_published_at__isnull=False).exists():
            return
        from prakerja.demo.simulation import simulate_wave, verified_profile
        from prakerja.regions.models import Regency
        from prakerja.registry.models import Profile

        email, name = PARTICIPANT
        who = PARTICIPANT_IDENTITY
        with transaction.atomic():
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email=email, password=DEMO_PASSWORD, full_name=name)
            EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            User.objects.filter(pk=user.pk, email_confirmed_at__isnull=True).update(email_confirmed_at=timezone.now())
            Profile.objects.update_or_create(user=user, defaults=verified_profile(
                nik=who["nik"], kk=who["kk"], born=who["born"], female=True,
                regency_id=Regency.objects.get(code=who["regency"]).pk, street="Jl. Gatot Subroto No. 5, Medan",
                education="s1", employment="laid_off",  # drawn first (SEL-4)
                phone=who["phone"], phone_verified_at=timezone.now()))
        simulate_wave(applicants=60, quota=40, actor=operator, closed_days_ago=5, extra_users=[user])

    @staticmethod
    def _demo_wave(operator):
        """An open wave for every province, so a demo can join one."""
        now = timezone.now()
        if Wave.objects.filter(closes_at__gt=now).exists():
            return
        number = (Wave.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        wave_save(actor=operator, wave=None, number=number, kind="regular", opens_at=now - timedelta(hours=1),
                  closes_at=now + timedelta(days=7), announce_at=now + timedelta(days=9),
                  national_quota=800_000, provinces=[], province_quotas={})

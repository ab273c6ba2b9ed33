from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from prakerja.registry.models import HOLDING_STATUSES, IdentityStatus, Profile, StatementVersion

STEPS = [
    ("identity", _("Identity (NIK)"), "registry_identity"),
    ("personal", _("Personal data"), "registry_personal"),
    ("phone", _("Phone number"), "registry_phone"),
    ("statement", _("Statement"), "registry_statement"),
    ("test", _("Motivation test"), "registry_test"),
]


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    url: str
    done: bool
    current: bool
    available: bool


def birth_date_of(profile: Profile) -> date | None:
    """The full birth date, decrypted: only for the civil registry and age rules."""
    from prakerja.registry import crypto

    return date.fromisoformat(crypto.decrypt(profile.birth_date_encrypted)) if profile.birth_date_encrypted else None


def identity_stands(profile: Profile) -> bool:
    """Verified, or still with the civil registry (REG-3): not rejected, not missing."""
    return profile.identity_status in HOLDING_STATUSES


def profile_of(user) -> Profile:
    profile = Profile.objects.select_related("domicile_regency__province").filter(user=user).first()
    return profile or Profile(user=user)


def steps_done(profile: Profile) -> dict[str, bool]:
    # An identity waiting for the civil registry does not block the next
    # steps (REG-3: "the person is told they can continue").
    return {
        "identity": profile.identity_status in (IdentityStatus.VERIFIED, IdentityStatus.PENDING,
                                                IdentityStatus.CHECKING),
        "personal": profile.personal_data_at is not None,
        "phone": profile.phone_verified_at is not None,
        "statement": profile.statement_accepted_at is not None,
        "test": profile.pk is not None and _test_done(profile),
    }


def _test_done(profile: Profile) -> bool:
    from prakerja.registry.models import TestAttempt

    return TestAttempt.objects.filter(user_id=profile.user_id, submitted_at__isnull=False).exists()


def registration_steps(profile: Profile) -> list[Step]:
    """The dashboard's stepper: done steps, the current one, the ones still locked."""
    done = steps_done(profile)
    current = next((key for key, _label, _url in STEPS if not done[key]), None)
    seen_current, steps = False, []
    for key, label, url_name in STEPS:
        is_current = key == current
        steps.append(Step(key=key, label=label, url=reverse(url_name), done=done[key], current=is_current,
                          available=done[key] or is_current or not seen_current))
        seen_current = seen_current or is_current
    return steps


def step_allowed(profile: Profile, key: str) -> bool:
    """A step opens once every step before it is done."""
    done = steps_done(profile)
    for step_key, _label, _url in STEPS:
        if step_key == key:
            return True
        if not done[step_key]:
            return False
    return False


def statement_current() -> StatementVersion | None:
    return StatementVersion.objects.order_by("-version").first()


def regency_choices() -> list:
    """Regencies grouped by province, for one <select> with <optgroup>s (no JavaScript needed)."""
    from prakerja.regions.models import Regency

    groups: dict[str, list] = {}
    for regency in Regency.objects.select_related("province").order_by("province__code", "name"):
        groups.setdefault(regency.province.name, []).append((regency.code, regency.name))
    return list(groups.items())


def phone_pending(user):
    """The unverified number a code was last sent to, if any."""
    from prakerja.registry.models import PhoneVerification

    return (PhoneVerification.objects.filter(user=user, verified_at__isnull=True)
            .order_by("-last_sent_at", "-pk").only("phone", "expires_at", "locked_until").first())


def test_question(*, user, question_id):
    """A question of the bank, if ``question_id`` names one and the person has started the test."""
    from prakerja.registry.models import Question, TestAttempt

    try:
        question_id = int(question_id or 0)
    except (TypeError, ValueError):
        return None
    if not TestAttempt.objects.filter(user=user).exists():
        return None
    return Question.objects.filter(pk=question_id).first()


def identities_due(*, limit: int = 500) -> list[int]:
    """Pending identities due for another question to the civil registry, or abandoned mid-check."""
    from prakerja.registry.models import IDENTITY_CHECKS

    return IDENTITY_CHECKS.due_ids(limit=limit)


def overdue_tests(*, limit: int = 500) -> list[int]:
    """Motivation tests whose time ran out with nobody there to submit them."""
    from django.utils import timezone

    from prakerja.registry.models import TestAttempt

    return list(TestAttempt.objects.filter(submitted_at__isnull=True, deadline__lte=timezone.now())
                .values_list("pk", flat=True)[:limit])

"""Shared by the participant's and the desk's complaint tests: a participant, a complaints agent, a ticket factory.

Evidence goes to a private storage folder of each test's own.
"""

import pytest
from django.utils import timezone

from prakerja.complaints.services import ticket_open
from prakerja.registry.models import Profile

PHONE = "+6281234567890"


@pytest.fixture(autouse=True)
def _evidence_storage(private_storage):
    return private_storage


@pytest.fixture
def participant(make_user):
    """A participant with an account and a verified phone (REG-5), reading the pages in English."""
    user = make_user(email="siti.rahmawati@example.id", full_name="Siti Rahmawati")
    Profile.objects.create(user=user, phone=PHONE, phone_verified_at=timezone.now())
    return user


@pytest.fixture
def complaints_agent(db):
    from tests.accounts.operators import make_operator

    return make_operator("complaints_agent")


@pytest.fixture
def make_ticket(db):
    """A ticket opened by ``user`` through the form's service (received; inbox and email told)."""
    def make(user, *, subcategory="cannot_sign_in", category="registration", description=None, evidence=(),
             **fields):
        data = {"name": user.full_name, "phone": PHONE, "email": user.email, "category": category,
                "subcategory": subcategory, "consent": True, "evidence": list(evidence),
                "description": description or "Saya tidak bisa masuk ke akun saya sejak kemarin sore.", **fields}
        return ticket_open(user=user, **data)

    return make

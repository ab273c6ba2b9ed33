"""PRV-8: the retention job on crafted data: dry-run counts, the run, postponements, what the law keeps."""

import io
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.audit.models import AuditEntry
from prakerja.ledger.models import Posting, Transaction
from prakerja.registry.models import Profile
from prakerja.registry.photos import store_photo
from prakerja.retention.models import DeletionRequest, Erasure
from prakerja.retention.services import deletion_request, retention_run
from prakerja.waves.models import Application
from tests.cards.conftest import announced_wave, card, issue  # noqa: F401
from tests.complaints.conftest import make_ticket  # noqa: F401
from tests.selection.test_run import person

DAYS = 24 * 3600


def aged(user, days):
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=days))
    return user


def with_photos(user, *, checked_days_ago=None):
    names = {"ktp_photo": store_photo(b"ktp"), "selfie": store_photo(b"selfie")}
    extra = {}
    if checked_days_ago is not None:
        extra["identity_checked_at"] = timezone.now() - timedelta(days=checked_days_ago)
    Profile.objects.filter(user=user).update(phone="+6281234567890", ktp_address="Jl. Merdeka 1",
                                             nik_encrypted="x", kk_encrypted="y", **names, **extra)
    return names


@pytest.fixture
def world(db, private_storage, make_wave, card, make_ticket):  # noqa: F811
    old_wave = make_wave(number=1, opens=-830, closes=-820, announce=-810)
    people = {
        "never_joined": aged(person(identity="not_started"), 800),
        "old_failed": person(wave=old_wave, status="failed").user,
        "old_passed": person(wave=old_wave, status="passed").user,
        "recent": person(),
        "complaint": aged(person(), 800),
        "photo_only": person(),
        "balance": card.user,
    }
    aged(people["old_failed"], 830)
    aged(people["old_passed"], 830)
    make_ticket(people["complaint"])
    files = {name: with_photos(user, checked_days_ago=100 if name == "photo_only" else 1)
             for name, user in people.items()}
    return people, files


def snapshot(user):
    user = User.objects.select_related("profile").get(pk=user.pk)
    return (user.email, user.full_name, user.is_active, user.profile.nik_index, user.profile.phone,
            user.profile.ktp_photo, user.profile.selfie, user.profile.ktp_address)


def test_dry_run_counts_what_the_run_then_does(world, django_capture_on_commit_callbacks):
    people, files = world
    request = deletion_request(user=people["balance"])
    assert request.status == "postponed" and request.reasons == ["balance"]  # a balance postpones

    dry = retention_run(dry_run=True)
    assert dry["never_selected"] == {"eligible": 3, "apply": 2, "postponed": {
        "open_complaint": 1, "balance": 0, "active_application": 0}}
    assert dry["requests"] == {"eligible": 1, "apply": 0, "postponed": {
        "open_complaint": 0, "balance": 1, "active_application": 0}}
    assert dry["photos"]["apply"] == 1
    assert not Erasure.objects.exists()  # the dry-run changes nothing

    before = {name: snapshot(user) for name, user in people.items()}
    audit_ids = set(AuditEntry.objects.values_list("pk", flat=True))
    postings, transactions = Posting.objects.count(), Transaction.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        done = retention_run(dry_run=False)
    assert done == dry

    erased = set(Erasure.objects.values_list("user_id", flat=True))
    assert erased == {people["never_joined"].pk, people["old_failed"].pk}
    for name in ("never_joined", "old_failed"):
        user = User.objects.select_related("profile").get(pk=people[name].pk)
        assert user.email.endswith("@anonymised.invalid") and not user.is_active and not user.full_name
        assert not user.has_usable_password()
        profile = user.profile
        assert (profile.nik_encrypted, profile.kk_encrypted, profile.ktp_address, profile.phone,
                profile.ktp_photo, profile.selfie) == ("", "", "", None, "", "")
        assert profile.nik_index.startswith("erased:")
        assert profile.birth_year == 1995 and profile.birth_month is None  # statistics keep the year
        for stored in files[name].values():
            assert not storages["private"].exists(stored)
    # The application row stays, with the user pseudonymised.
    assert Application.objects.filter(user=people["old_failed"], status="failed").exists()
    for name in ("old_passed", "recent", "complaint", "balance"):
        assert snapshot(people[name]) == before[name], name
        for stored in files[name].values():
            assert storages["private"].exists(stored)
    # Photos of a verified identity checked 100 days ago: gone, the person otherwise untouched.
    photo_only = snapshot(people["photo_only"])
    assert photo_only[5:7] == ("", "") and photo_only[:5] == before["photo_only"][:5]
    assert not any(storages["private"].exists(name) for name in files["photo_only"].values())

    # Nothing kept by law is lost; the chain still verifies; each batch is audited without a person in it.
    assert audit_ids <= set(AuditEntry.objects.values_list("pk", flat=True))
    assert (Posting.objects.count(), Transaction.objects.count()) == (postings, transactions)
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()
    applied = AuditEntry.objects.filter(action="retention.apply")
    assert sorted(row.data["rule"] for row in applied) == ["never_selected", "photos"]
    for row in applied:
        assert set(row.data) == {"rule", "people", "files"} and row.actor_label == "system"
    request.refresh_from_db()
    assert request.status == "postponed" and request.reasons == ["balance"]

    # Idempotent: a second run changes nothing more.
    after = {name: snapshot(user) for name, user in people.items()}
    again = retention_run(dry_run=False)
    assert again["never_selected"]["apply"] == again["photos"]["apply"] == again["requests"]["apply"] == 0
    assert {name: snapshot(user) for name, user in people.items()} == after
    assert AuditEntry.objects.filter(action="retention.apply").count() == 2


def test_batches_are_audited_one_row_each(world, settings):
    settings.RETENTION = {**settings.RETENTION, "BATCH_SIZE": 1}
    retention_run(dry_run=False)
    rows = AuditEntry.objects.filter(action="retention.apply", data__rule="never_selected")
    assert [row.data["people"] for row in rows] == [1, 1]


def test_a_postponed_request_is_done_once_the_hold_ends(world, django_capture_on_commit_callbacks):
    people, _files = world
    person_ = people["complaint"]
    request = deletion_request(user=person_)
    assert request.status == "postponed" and request.reasons == ["open_complaint"]
    assert not Erasure.objects.filter(user=person_).exists()
    audit = AuditEntry.objects.get(action="retention.deletion_postponed")
    assert audit.data == {"reasons": ["open_complaint"]} and person_.email not in audit.actor_label
    from prakerja.complaints.models import Ticket

    Ticket.objects.filter(user=person_).update(status="closed", closed_at=timezone.now())
    report = retention_run(dry_run=False)
    assert report["requests"]["apply"] == 1
    request.refresh_from_db()
    assert request.status == "done" and request.done_at and Erasure.objects.get(user=person_).rule == "request"
    ticket = Ticket.objects.get(user=person_)
    assert (ticket.name, ticket.phone) == ("", "") and ticket.email.endswith("@anonymised.invalid")


def test_a_request_with_nothing_holding_it_erases_at_once(world, django_capture_on_commit_callbacks):
    people, files = world
    with django_capture_on_commit_callbacks(execute=True):
        request = deletion_request(user=people["recent"])
    assert request.status == "done" and request.reasons == []
    user = User.objects.get(pk=people["recent"].pk)
    assert not user.is_active and user.email.endswith("@anonymised.invalid")
    assert not any(storages["private"].exists(name) for name in files["recent"].values())
    assert DeletionRequest.objects.filter(user=user).count() == 1

"""NTF: messages for a set of people, one INSERT ... SELECT per channel (the announcement's and the cards' writer)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.notifications.bulk import messages_insert_select, texts_rendered
from prakerja.notifications.models import Message, Status
from prakerja.registry.models import Profile

pytestmark = pytest.mark.django_db

TEXTS = {(language, part): f"{part} in {language}" for language in ("id", "en")
         for part in ("subject", "inbox", "email", "sms")}


def tell(users, *, key=("test-notice:", ":7"), **kwargs):
    """The helper over the people themselves: the user's own id is the row to key on."""
    ids = [user.pk for user in users]
    return messages_insert_select(**{
        "template": "test_notice", "key": key, "key_id": "u.id", "source": "accounts_user u",
        "where": f"u.id IN ({', '.join(['%s'] * len(ids))})", "params": ids, "texts": TEXTS, **kwargs})


@pytest.fixture
def people(make_user):
    """Siti (Indonesian, verified phone), John (English, phone not verified), Ani (no profile at all)."""
    siti = make_user()
    john = make_user(email="john@example.id", full_name="John Smith", language="en")
    ani = make_user(email="ani@example.id", full_name="Ani Lestari")
    Profile.objects.create(user=siti, phone="+6281234567890", phone_verified_at=timezone.now())
    Profile.objects.create(user=john, phone="+6281234567891")
    return siti, john, ani


def test_each_person_is_told_on_each_channel_in_their_language(people):
    siti, john, ani = people
    tell(people)
    for user, language in ((siti, "id"), (john, "en"), (ani, "id")):
        inbox = Message.objects.get(user=user, channel="inbox")
        email = Message.objects.get(user=user, channel="email")
        assert (inbox.subject, inbox.body) == (f"subject in {language}", f"inbox in {language}")
        assert (email.subject, email.body, email.to_address) == (f"subject in {language}", f"email in {language}",
                                                                 user.email)
        assert inbox.idempotency_key == email.idempotency_key == f"test-notice:{user.pk}:7"
        assert inbox.template == email.template == "test_notice"


def test_sms_goes_only_to_a_verified_phone(people):
    siti, _john, _ani = people
    tell(people)
    sms = Message.objects.get(channel="sms")  # John's phone is not verified, Ani has none
    assert (sms.user, sms.to_address, sms.subject, sms.body) == (siti, "+6281234567890", "", "sms in id")


def test_inbox_rows_are_sent_and_the_others_queued_and_due(people):
    now = timezone.now()
    queued, users = tell(people, now=now)
    assert sorted(users) == sorted(user.pk for user in people)
    outbound = Message.objects.exclude(channel="inbox")
    assert sorted(queued) == sorted(outbound.values_list("pk", flat=True)) and len(queued) == 4
    assert set(outbound.values_list("status", "attempts", "sent_at")) == {(Status.QUEUED, 0, None)}
    assert set(Message.objects.filter(channel="inbox").values_list("status", flat=True)) == {Status.SENT}
    # Stored as the ORM stores a datetime (raw SQL on SQLite compares text): due exactly at ``now``.
    assert outbound.filter(next_attempt_at__lte=now).count() == 4
    assert not outbound.filter(next_attempt_at__lte=now - timedelta(microseconds=1)).exists()
    assert Message.objects.filter(channel="inbox", sent_at=now, created_at=now).count() == 3


def test_a_repeat_inserts_nothing(people):
    first = tell(people)
    assert tell(people) == ([], [])  # the key is unique per channel: a second worker or a rerun adds nothing
    assert Message.objects.count() == len(first[0]) + len(first[1]) == 7
    # Another key for the same people is another message.
    assert len(tell(people, key=("test-notice:", ":3"))[1]) == 3


def test_only_the_channels_asked_for(people):
    queued, users = tell(people, channels=("inbox",))
    assert queued == [] and len(users) == 3
    assert set(Message.objects.values_list("channel", flat=True)) == {"inbox"}


def test_one_statement_per_channel_however_many_people(people, make_user, django_assert_num_queries):
    # Set-based (a wave's worth of messages is never a Python loop): the cost is per channel, not per person.
    with django_assert_num_queries(3):
        tell(people[:1])
    crowd = [make_user(email=f"p{n}@example.id") for n in range(20)]
    with django_assert_num_queries(3):
        tell(crowd)
    assert Message.objects.filter(channel="inbox").count() == 21


def test_texts_are_rendered_once_for_every_language():
    texts = texts_rendered("card_revoked", {})
    assert set(texts) == {(language, part) for language in ("id", "en")
                          for part in ("subject", "inbox", "email", "sms")}
    assert texts["en", "subject"] == "Your Kartu Prakerja participation has been revoked (kepesertaan dicabut)"
    assert texts["id", "subject"].startswith("Kepesertaan Kartu Prakerja kamu dicabut")
    assert set(texts_rendered("wave_failed", {"n": 3}, parts=("subject", "inbox"))) == {
        (language, part) for language in ("id", "en") for part in ("subject", "inbox")}

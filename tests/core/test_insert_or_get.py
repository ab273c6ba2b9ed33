"""core.db.insert_or_get: get_or_create in one statement where the row is new, the winner's row where it is not."""

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from prakerja.core.db import insert_or_get
from prakerja.notifications.models import Message

UNIQUE = ("idempotency_key", "channel")


def message(key="k-1", channel="sms", body="first", **fields):
    return Message(idempotency_key=key, channel=channel, to_address="+6281234567890", template="t", body=body,
                   **fields)


@pytest.mark.django_db
def test_a_new_row_is_inserted_in_one_statement(django_assert_num_queries):
    with django_assert_num_queries(1):
        row, created = insert_or_get(message(), unique=UNIQUE)
    assert created is True
    stored = Message.objects.get()
    assert row.pk == stored.pk and stored.body == "first"
    assert stored.created_at is not None  # the fields' pre_save ran (auto_now_add)
    assert row._state.adding is False and row._state.db == "default"


@pytest.mark.django_db
def test_an_existing_row_is_returned_not_overwritten():
    first, _ = insert_or_get(message(), unique=UNIQUE)
    again, created = insert_or_get(message(body="second"), unique=UNIQUE)
    assert created is False
    assert again.pk == first.pk and again.body == "first"
    assert Message.objects.count() == 1
    # The unique fields together: the same key on another channel is another row.
    other, created = insert_or_get(message(channel="email"), unique=UNIQUE)
    assert created is True and other.pk != first.pk and Message.objects.count() == 2


@pytest.mark.django_db
def test_a_conflict_on_another_unique_column_is_an_error_not_a_found_row():
    first, _ = insert_or_get(message(), unique=UNIQUE)
    with pytest.raises(IntegrityError):
        insert_or_get(message(key="k-2", public_id=first.public_id), unique=UNIQUE)
    assert Message.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres_only")
def test_a_concurrent_insert_of_the_same_key_waits_for_the_winner_then_returns_its_row():
    """The loser waits on the unique index for the winner's transaction, then finds the committed row."""
    inserted, release, results, errors = threading.Event(), threading.Event(), {}, []

    def winner():
        try:
            with transaction.atomic():
                results["winner"] = insert_or_get(message(body="winner"), unique=UNIQUE)
                inserted.set()
                release.wait(30)
        except Exception as exc:  # asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    def loser():
        try:
            with transaction.atomic():
                results["loser"] = insert_or_get(message(body="loser"), unique=UNIQUE)
        except Exception as exc:  # asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=winner)
    first.start()
    assert inserted.wait(30)
    second = threading.Thread(target=loser)
    second.start()
    second.join(0.5)
    assert second.is_alive(), "the second insert must wait for the first transaction"
    release.set()
    first.join(30)
    second.join(30)
    assert errors == []
    (won, won_created), (lost, lost_created) = results["winner"], results["loser"]
    assert won_created is True and lost_created is False
    assert lost.pk == won.pk and lost.body == "winner"
    assert Message.objects.count() == 1
    assert connection.vendor == "postgresql"

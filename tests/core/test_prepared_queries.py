"""core.db.prepared_queries: ORM queries planned once per connection (PostgreSQL), the same rows as without."""

import pytest
from django.db import connection

from prakerja.core.db import prepared_queries
from prakerja.notifications.models import Message


def _message(key):
    return Message.objects.create(idempotency_key=key, channel="sms", to_address="+6281234567890", template="t",
                                  body=f"body of {key}")


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_the_rows_are_the_same(django_assert_num_queries):
    _message("a"), _message("b")
    rows = Message.objects.filter(idempotency_key__in=["a", "b"]).order_by("idempotency_key")
    with prepared_queries(connection), django_assert_num_queries(1):
        inside = [(m.pk, m.idempotency_key, m.body, m.created_at) for m in rows.all()]
    outside = [(m.pk, m.idempotency_key, m.body, m.created_at) for m in rows.all()]
    assert inside == outside and len(inside) == 2


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.usefixtures("postgres_only")
def test_a_query_inside_is_prepared_and_one_outside_is_not():
    _message("a")
    with prepared_queries(connection):
        assert Message.objects.filter(idempotency_key="a").count() == 1
    assert Message.objects.filter(channel="sms").count() == 1
    statements = _prepared()
    assert any("idempotency_key" in s and "$1" in s for s in statements), statements
    assert not any('"channel" = $1' in s for s in statements), statements


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.usefixtures("postgres_only")
def test_the_connection_gets_its_cursors_back_even_after_an_error():
    connection.ensure_connection()
    factory = connection.connection.cursor_factory
    with pytest.raises(ZeroDivisionError), prepared_queries(connection):
        1 / 0  # noqa: B018
    assert connection.connection.cursor_factory is factory


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.usefixtures("postgres_only")
def test_behind_a_pooler_nothing_is_prepared(settings):
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
    try:
        _message("a")
        with prepared_queries(connection):
            assert Message.objects.filter(idempotency_key="a").count() == 1
        assert not any("idempotency_key" in s for s in _prepared())
    finally:
        connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = False


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.usefixtures("postgres_only")
def test_the_query_log_names_a_prepared_statement():
    """connection.queries and CaptureQueriesContext show what ran, the first time and once it is prepared."""
    from django.test.utils import CaptureQueriesContext

    from prakerja.core.db import prepared_cursor

    with CaptureQueriesContext(connection) as captured:
        for _ in range(2):
            with prepared_cursor(connection) as cursor:
                cursor.execute("SELECT %s::int + 1 AS logged", [41])
                assert cursor.fetchone() == (42,)
    assert [q["sql"] for q in captured.captured_queries] == ["SELECT $1::int + 1 AS logged"] * 2


@pytest.mark.django_db
def test_a_prepared_cursor_is_a_plain_one_off_postgresql():
    """The dashboard calls it on every database: on SQLite it runs the same statement unprepared."""
    from prakerja.core.db import prepared_cursor

    with prepared_cursor(connection) as cursor:
        cursor.execute("SELECT %s + 1", [41])
        assert cursor.fetchone() == (42,)

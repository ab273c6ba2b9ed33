"""A purchase reads only what it selected (prakerja/learning/services.py, _CARD_FIELDS).

The purchase path loads narrow rows (``only()``) because it is the partner API's busiest; a field read
later that was left out is not an error but a query of its own per call, silently. Django loads a deferred
field through ``refresh_from_db(fields=...)``: no purchase may call it.
"""

import pytest
from django.db.models import Model

from tests.partners.conftest import start_body
from tests.partners.test_payment_flow import sent_otp


@pytest.fixture
def deferred_loads(monkeypatch):
    loads = []
    real = Model.refresh_from_db

    def spy(self, using=None, fields=None, **kwargs):
        loads.append((type(self).__name__, tuple(fields or ())))
        return real(self, using=using, fields=fields, **kwargs)

    monkeypatch.setattr(Model, "refresh_from_db", spy)
    return loads


def test_a_purchase_loads_no_deferred_field(api, ready_card, card_number, listing, queued, deferred_loads):
    response = api.post("/payments", start_body(card_number, listing))
    assert response.status_code == 201, response.content
    payment_id = response.json()["payment_id"]
    assert deferred_loads == []
    response = api.post(f"/payments/{payment_id}/confirm", {"otp": sent_otp(payment_id)})
    assert response.status_code == 200, response.content
    assert deferred_loads == []


def test_the_other_payment_calls_load_no_deferred_field(api, ready_card, card_number, listing, queued,
                                                        deferred_loads):
    payment_id = api.post("/payments", start_body(card_number, listing)).json()["payment_id"]
    assert api.get(f"/payments/{payment_id}").status_code == 200
    api.post(f"/payments/{payment_id}/confirm", {"otp": sent_otp(payment_id)})
    assert api.post(f"/payments/{payment_id}/cancel", {}).status_code == 200
    assert deferred_loads == []



def _statements(captured) -> list[str]:
    """What went to the database, transaction control aside (the test's own transaction makes the API's
    atomic blocks savepoints, which a served request would not have)."""
    return [q["sql"] or "" for q in captured
            if not (q["sql"] or "").startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))]


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
def test_a_purchase_is_a_handful_of_statements(api, ready_card, card_number, platform, make_listing, queued):
    """Each round trip costs the web worker and the database CPU on the partner API's busiest calls.

    Start: the idempotency claim, the card (its induction and its binding read with it), the listing, the
    payment, the SMS, its audit row, the idempotency answer, the call's audit row. Confirm: the claim, the
    payment, the binding, the debit (its audit row in the same statement), the payment, its audit row, the
    answer, the call's audit row. A purchase before it warms what every later one finds ready (the partner's
    cached secret, the platform's settlement account, the card's binding).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    listing = make_listing(platform, price=100_000)  # two purchases fit the balance

    def purchase():
        with CaptureQueriesContext(connection) as start:
            response = api.post("/payments", start_body(card_number, listing))
        assert response.status_code == 201, response.content
        payment_id = response.json()["payment_id"]
        otp = sent_otp(payment_id)
        with CaptureQueriesContext(connection) as confirm:
            response = api.post(f"/payments/{payment_id}/confirm", {"otp": otp})
        assert response.status_code == 200, response.content
        return _statements(start.captured_queries), _statements(confirm.captured_queries)

    purchase()
    start, confirm = purchase()
    assert len(start) == 8, start
    assert len(confirm) == 8, confirm
    # The two reads whose planning cost more than their run are planned once per connection.
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "cards_card"' in s and '"number_index" = $' in s for s in prepared), prepared
    assert any('FROM "learning_payment"' in s and "FOR UPDATE" in s for s in prepared), prepared
    assert any('FROM "catalog_listing"' in s and '"code" = $' in s for s in prepared), prepared

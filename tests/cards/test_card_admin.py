"""The back office reads cards and the books, never a card number, and changes nothing (CRD-1, CRD-3)."""

from django.urls import reverse

from prakerja.registry.crypto import decrypt
from tests.accounts.operators import sign_in


def test_an_auditor_sees_a_card_masked_and_cannot_change_it(client, card, django_assert_max_num_queries):
    sign_in(client, "auditor")
    number = decrypt(card.number_encrypted)
    with django_assert_max_num_queries(20):
        listing = client.get(reverse("admin:cards_card_changelist")).content.decode()
    page = client.get(reverse("admin:cards_card_change", args=[card.pk])).content.decode()
    for html in (listing, page):
        assert card.last4 in html and number not in html and number[:12] not in html
    assert "1000000" in page.replace(".", "").replace(",", "")  # the balance
    assert client.post(reverse("admin:cards_card_change", args=[card.pk]), {"status": "revoked"}).status_code == 403


def test_finance_reads_the_books_read_only(client, card):
    sign_in(client, "finance")
    listing = client.get(reverse("admin:ledger_transaction_changelist"))
    assert listing.status_code == 200 and "credit:wave-70" in listing.content.decode()
    assert client.get(reverse("admin:ledger_transaction_add")).status_code == 403
    assert client.get(reverse("admin:cards_card_changelist")).status_code == 403

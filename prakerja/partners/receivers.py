"""Receivers of the lower apps' signals: a webhook row in their transaction, delivery after it commits.

Cards and learning sit below partners and never import it (cards/signals.py,
learning/signals.py); ``apps.PartnersConfig.ready`` connects these.
"""

from django.db import transaction

from prakerja.partners import webhooks


def _deliver_on_commit(ids: list[int]) -> None:
    if ids:
        from prakerja.partners.tasks import deliver_webhooks

        transaction.on_commit(lambda: deliver_webhooks(ids))


def card_revoked_webhooks(sender, *, card_ids, reason, revoked_at, **kwargs) -> int:
    ids = webhooks.cards_revoked_enqueue(card_ids=card_ids, reason=reason, revoked_at=revoked_at)
    _deliver_on_commit(ids)
    return len(ids)


def payment_cancelled_webhook(sender, *, payment, refunded, reason, **kwargs) -> int:
    ids = webhooks.payment_cancelled_enqueue(payment=payment, refunded=refunded, reason=reason)
    _deliver_on_commit(ids)
    return len(ids)

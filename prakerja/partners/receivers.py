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


def partner_changed(sender, instance, **kwargs) -> None:
    """A partner or one of its secrets was saved or deleted: the signature cache forgets it."""
    from prakerja.partners.models import Partner
    from prakerja.partners.services import forget_partner

    code = getattr(instance, "code", None)
    if code is None:  # a secret: its partner may be going too (a cascade), so by id
        code = Partner.objects.filter(pk=instance.partner_id).values_list("code", flat=True).first()
    if code:
        forget_partner(code)

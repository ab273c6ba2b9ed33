"""Signals the card app sends to apps above it.

Cards sit below partners (the partner API reads cards), so cards never
import partners; an app that must react to a card event connects a receiver
that calls its own service.
"""

from django.dispatch import Signal

# Sent inside the transaction that revokes a set of cards ("kepesertaan
# dicabut", CRD-5), once per chunk. kwargs: ``card_ids`` (list of card
# primary keys), ``reason`` (Indonesian text), ``revoked_at`` (aware
# datetime). Receivers run in that transaction and must be set-based: a
# chunk is up to a thousand cards.
cards_revoked = Signal()

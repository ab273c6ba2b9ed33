"""Signals the learning app sends to apps above it.

Learning sits below partners, so it never imports partners; partners
connects a receiver that writes the platform's webhook.
"""

from django.dispatch import Signal

# Sent inside the transaction in which an operator (not the platform itself)
# cancelled a payment. kwargs: ``payment`` (the Payment, now cancelled),
# ``refunded`` (rupiah returned to the card), ``reason`` (the operator's
# typed reason, which the platform receives), ``actor`` (the operator).
payment_cancelled_by_operator = Signal()

# Sent inside the transaction in which a participant reviewed a finished
# training (TRN-5); the incentives (INC-1) start from it. kwargs: ``review``.
review_submitted = Signal()

# Sent inside the transaction in which a provider's completion report was held for an operator
# (TRN-4: it did not match the account); the complaints desk opens a ticket for it (CMP-3).
# kwargs: ``completion``.
completion_held = Signal()

# Sent inside the transaction in which an operator accepted or rejected a held report.
# kwargs: ``completion`` (decided), ``accepted`` (bool), ``reason``.
completion_decided = Signal()

"""Signals the registry sends to apps above it.

The registry sits below waves (waves reads profiles), so it never imports
waves; apps that must react to a registry event connect a receiver that
calls their own service.
"""

from django.dispatch import Signal

# Sent inside the transaction that marks a pending identity rejected by the
# civil registry (REG-3). kwargs: ``user``, ``reason`` (Indonesian text for
# the person). Receivers run in that transaction.
identity_rejected = Signal()

"""Adapters for the systems that carry messages out: SMTP and an SMS gateway.

Each raises DeliveryError with ``permanent`` telling the caller whether a
retry could help (a refused recipient: no; a timeout or a 5xx: yes).
"""

from dataclasses import dataclass


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Receipt:
    provider_message_id: str = ""

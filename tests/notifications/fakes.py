"""Stand-ins for an SMTP connection, for tests that need the relay to refuse."""

import smtplib


class RefusingConnection:
    """An SMTP relay that refuses every recipient (a permanent error)."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.id": (550, b"no such user")})

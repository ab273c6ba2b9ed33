"""The SMTP sink: every message the platform mails lands in the outbox."""

import asyncio
import re
from email import message_from_bytes, policy
from html import unescape

from django.db import close_old_connections

from prakerja.sandbox.models import OutboxMessage


def _text_of(message) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if part.get_content_type() == "text/html":
        content = unescape(re.sub(r"<[^>]+>", "", content))
    return content.strip()


def store(envelope_rcpts: list[str], data: bytes) -> None:
    close_old_connections()
    try:
        message = message_from_bytes(data, policy=policy.default)
        subject, body = str(message.get("Subject", "")), _text_of(message)
        OutboxMessage.objects.bulk_create(
            [OutboxMessage(channel="email", to=rcpt.lower(), subject=subject, body=body) for rcpt in envelope_rcpts]
        )
    finally:
        close_old_connections()


class OutboxHandler:
    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        # The ORM is synchronous: run it in a worker thread, off the SMTP loop.
        await asyncio.get_running_loop().run_in_executor(None, store, list(envelope.rcpt_tos), envelope.content)
        return "250 OK"

"""Messages for a whole set of people, written by the database (NTF).

Why set-based: the announcement tells a wave's applicants (WAV-6) and the
card jobs tell everyone whose card is revoked, expired or due (CRD-5,
CRD-6), so a wave's worth of messages is never a Python loop.
``notification_send`` renders and stores one person's messages with a query
and a savepoint per row; here every text is rendered once per language (none
names a person) and each channel is one ``INSERT ... SELECT`` that picks
the text by the person's language. The unique (idempotency key, channel)
with ``ON CONFLICT DO NOTHING`` makes a repeat (a second worker, a rerun)
insert nothing, so the same intent never makes two messages.

The caller owns the transaction and sends what is returned (delivery, the
unread counts) through ``transaction.on_commit``.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

PARTS = ("subject", "inbox", "email", "sms")
CHANNELS = ("inbox", "sms", "email")

_COLUMNS = ("public_id, idempotency_key, channel, user_id, to_address, template, subject, body, html_body, "
            "status, attempts, next_attempt_at, last_error, provider_message_id, created_at, sent_at, sensitive")
# An SMS goes to a verified phone only: an unverified number may be someone else's.
_VERIFIED_PHONE = ("JOIN registry_profile p ON p.user_id = u.id AND p.phone IS NOT NULL "
                   "AND p.phone_verified_at IS NOT NULL")


def texts_rendered(template: str, context: dict, parts: Iterable[str] = PARTS) -> dict[tuple[str, str], str]:
    """Each part of ``notifications/messages/<template>/`` in every language, as {(language, part): text}."""
    texts = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for part in parts:
                texts[language, part] = render_to_string(
                    f"notifications/messages/{template}/{part}.txt", context).strip()
    return texts


def _by_language(texts: Mapping[tuple[str, str], str], part: str) -> tuple[str, list]:
    """A CASE choosing ``part`` by the person's language (``u.language``); the default language otherwise."""
    default = settings.LANGUAGE_CODE
    branches, params = [], []
    for language, _name in settings.LANGUAGES:
        if language != default:
            branches.append("WHEN u.language = %s THEN %s")
            params += [language, texts[language, part]]
    return f"CASE {' '.join(branches)} ELSE %s END", [*params, texts[default, part]]


def messages_insert_select(*, template: str, key: tuple[str, str], key_id: str, source: str, where: str,
                           params: Sequence, texts: Mapping[tuple[str, str], str],
                           channels: Iterable[str] = CHANNELS, now: datetime | None = None,
                           ) -> tuple[list[int], list[int]]:
    """Write ``template``'s messages on ``channels`` for every row of ``FROM source WHERE where``.

    ``source`` names the rows to tell joined to their person as
    ``accounts_user u`` (``"cards_card c JOIN accounts_user u ON u.id = c.user_id"``);
    ``where`` (required: SQLite needs it before ``ON CONFLICT``) takes
    ``params``. The idempotency key is ``key[0] || <key_id> || key[1]``,
    where ``key_id`` is the SQL of the row's id (``c.id``): one row, one key,
    unique per channel. Inbox rows are stored ``sent``; email and SMS rows
    ``queued`` and due at ``now`` (the clock by default), SMS only for a
    verified phone. ``texts`` is what ``texts_rendered`` returns.

    Returns (the email and SMS ids to deliver, the users whose inbox got a
    row), both only for rows this call inserted.
    """
    now = connection.ops.adapt_datetimefield_value(now or timezone.now())  # raw SQL: as the ORM would store it
    uuid = "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"
    queued, users = [], []
    for channel in channels:
        address, join = {"inbox": ("''", ""), "sms": ("p.phone", _VERIFIED_PHONE), "email": ("u.email", "")}[channel]
        subject, subject_params = _by_language(texts, "subject") if channel != "sms" else ("''", [])
        body, body_params = _by_language(texts, channel)
        status, sent_at = ("sent", now) if channel == "inbox" else ("queued", None)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO notifications_message ({_COLUMNS}) SELECT {uuid}, "  # noqa: S608  # nosec B608
                f"CAST(%s AS TEXT) || CAST({key_id} AS TEXT) || CAST(%s AS TEXT), %s, u.id, {address}, %s, "
                f"{subject}, {body}, '', %s, 0, %s, '', '', %s, %s, %s FROM {source} {join} WHERE {where} "
                "ON CONFLICT DO NOTHING RETURNING id, user_id",
                [*key, channel, template, *subject_params, *body_params, status, now, now, sent_at, False, *params])
            rows = cursor.fetchall()
        if channel == "inbox":
            users += [user for _pk, user in rows]
        else:
            queued += [pk for pk, _user in rows]
    return queued, users

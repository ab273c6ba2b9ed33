"""The dashboard's one query.

The dashboard is the page everybody reloads at a wave's opening. Built from
the apps' selectors it costs four ORM queries; most of the time goes into
compiling them, not into PostgreSQL. This statement reads the same columns
in one round trip. It uses only joins and correlated subqueries, so it runs
unchanged on PostgreSQL and SQLite. The latest application is picked once
and joined, so its status and its wave's publication time (WAV-6) always
come from the same row. tests/web/test_dashboard_snapshot.py checks it
against the selectors it stands in for. On PostgreSQL the statement is
prepared (``core.db.prepared_cursor``): planning it cost more than running it
(about 0.25 ms against 0.13 ms), and it runs on every dashboard.
"""

from dataclasses import dataclass
from datetime import UTC

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from prakerja.core.db import prepared_cursor

SQL = """
SELECT p.completed_at, p.identity_status, r.province_id,
       a.status, a.status_reason, w.number, w.results_published_at, w.selection_started_at,
       (SELECT COUNT(*) FROM notifications_message m
         WHERE m.user_id = p.user_id AND m.channel = 'inbox' AND m.read_at IS NULL)
FROM registry_profile p
LEFT JOIN regions_regency r ON r.id = p.domicile_regency_id
LEFT JOIN waves_application a ON a.id = (
    SELECT a2.id FROM waves_application a2 WHERE a2.user_id = p.user_id
    ORDER BY a2.joined_at DESC, a2.id DESC LIMIT 1)
LEFT JOIN waves_wave w ON w.id = a.wave_id
WHERE p.user_id = %s
"""


@dataclass(frozen=True)
class DashboardSnapshot:
    completed_at: object
    identity_status: str
    domicile_province_id: int | None
    application_status: str | None
    application_reason: str | None
    application_wave: int | None
    application_published_at: object  # the wave's results_published_at (WAV-6)
    application_selection_started_at: object  # the wave's selection_started_at (WAV-3: in play reads as selecting)
    unread: int


def dashboard_snapshot(*, user_id: int) -> DashboardSnapshot | None:
    with prepared_cursor(connection) as cursor:
        cursor.execute(SQL, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    completed_at, identity_status, province_id, status, reason, wave_number, published_at, started_at, unread = row
    return DashboardSnapshot(_aware(completed_at), identity_status, province_id, status, reason, wave_number,
                             _aware(published_at), _aware(started_at), unread)


def _aware(value):
    # A raw cursor skips the ORM's converters: SQLite gives text or a naive
    # datetime, both in UTC (USE_TZ); PostgreSQL gives an aware datetime.
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value

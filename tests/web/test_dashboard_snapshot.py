"""The dashboard's single query agrees with the selectors it stands in for."""

import pytest
from django.db import connection
from django.urls import reverse

from prakerja.notifications.selectors import inbox_unread_count
from prakerja.notifications.services import notification_send
from prakerja.registry.selectors import profile_of
from prakerja.waves.selectors import latest_application
from prakerja.waves.services import application_join
from prakerja.web.selectors import dashboard_snapshot

pytestmark = pytest.mark.django_db


def test_snapshot_matches_the_selectors(registrant, make_wave):
    for i in range(3):
        notification_send(template="welcome", key=f"k{i}", channels=["inbox"], user=registrant)
    application_join(actor=registrant, wave=make_wave(), consent_version=1)
    snapshot = dashboard_snapshot(user_id=registrant.pk)
    profile, latest = profile_of(registrant), latest_application(user=registrant)
    assert snapshot.completed_at == profile.completed_at
    assert snapshot.identity_status == profile.identity_status
    assert snapshot.domicile_province_id == profile.domicile_regency.province_id
    assert (snapshot.application_status, snapshot.application_wave) == (latest.status, latest.wave.number)
    assert snapshot.unread == inbox_unread_count(user=registrant) == 3


def test_no_profile_no_snapshot(applicant):
    assert dashboard_snapshot(user_id=applicant.pk) is None


def test_complete_dashboard_runs_two_queries(client, registrant, make_wave, django_assert_max_num_queries):
    application_join(actor=registrant, wave=make_wave(), consent_version=1)
    client.force_login(registrant)
    client.get(reverse("dashboard"))  # warm the session
    with django_assert_max_num_queries(3):  # session (none when cached), user, the snapshot
        page = client.get(reverse("dashboard")).content.decode()
    assert "Menunggu Gelombang Ditutup" in page


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
def test_snapshot_is_planned_once_per_connection(registrant, make_wave):
    """Its planning cost PostgreSQL more than its run (0.25 ms against 0.13 ms, on every dashboard)."""
    application_join(actor=registrant, wave=make_wave(), consent_version=1)
    first = dashboard_snapshot(user_id=registrant.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                       ["%FROM registry_profile p%"])
        prepared = [row[0] for row in cursor.fetchall()]
    assert len(prepared) == 1, prepared
    assert dashboard_snapshot(user_id=registrant.pk) == first  # the prepared statement reads the same

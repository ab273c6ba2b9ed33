"""REG-8: the stepper, step order, resuming, and a profile completed once."""

import pytest
from django.urls import reverse

from prakerja.registry.selectors import profile_of, registration_steps

pytestmark = pytest.mark.django_db


def test_new_registrant_starts_at_identity(client, applicant):
    client.force_login(applicant)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'aria-current="step"' in page and reverse("registry_identity") in page
    steps = registration_steps(profile_of(applicant))
    assert [s.current for s in steps] == [True, False, False, False, False]


def test_later_steps_stay_closed_until_earlier_ones_are_done(client, applicant):
    client.force_login(applicant)
    for name in ("registry_personal", "registry_phone", "registry_statement", "registry_test"):
        assert client.get(reverse(name))["Location"] == reverse("dashboard")


def test_resumes_where_it_stopped_after_logout(client, identity_done):
    client.force_login(identity_done)
    client.post(reverse("account_logout"))
    client.force_login(identity_done)
    steps = registration_steps(profile_of(identity_done))
    assert steps[0].done and steps[1].current
    assert client.get(reverse("registry_personal")).status_code == 200


def test_dashboard_query_count(client, identity_done, django_assert_max_num_queries):
    client.force_login(identity_done)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("dashboard")).status_code == 200

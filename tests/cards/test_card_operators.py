"""CRD-5, WAV-1: operators see the places revocation gave back, per wave and province, and a
supplementary wave ("gelombang tambahan") can take them as its quota."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from prakerja.accounts.services import operator_create
from prakerja.audit.models import AuditEntry
from prakerja.cards.operator_selectors import revoked_places
from prakerja.cards.services.supplementary import SupplementaryRefused, supplementary_wave_create
from prakerja.waves.models import ProvinceQuota, Wave, WaveKind
from tests.conftest import PASSWORD, pass_second_factor
from tests.selection.test_run import person

PAGE = "cards_operators_revoked"
BANDUNG, SURABAYA, MAKASSAR = "3273", "3578", "7371"  # Jawa Barat 32, Jawa Timur 35, Sulawesi Selatan 73


def staff(role):
    return operator_create(actor="system", email=f"{role}@prakerja.test", full_name=f"Operator {role}",
                           roles=[role], password=PASSWORD)


@pytest.fixture
def revoked(make_wave):
    """Wave 50: 3 revoked in Jawa Barat, 1 in Jawa Timur (and some who were not); wave 51: 2 in Sulawesi Selatan."""
    w50 = make_wave(number=50, opens=-60, closes=-50, announce=-45)
    w51 = make_wave(number=51, opens=-40, closes=-30, announce=-25)
    for regency, status in ((BANDUNG, "revoked"), (BANDUNG, "revoked"), (BANDUNG, "revoked"),
                            (SURABAYA, "revoked"), (SURABAYA, "passed"), (BANDUNG, "failed")):
        person(wave=w50, regency=regency, status=status)
    for _n in range(2):
        person(wave=w51, regency=MAKASSAR, status="revoked")
    return w50, w51


def form_data(source, number=52, **overrides):
    start = timezone.localtime() + timedelta(days=2)
    data = {"from_wave": source.number, "number": number, "per_province": "on",
            "opens_at": start.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (start + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "announce_at": (start + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_counts_per_wave_and_province(revoked):
    rows = {(r["wave__number"], r["province__code"]): r["revoked"] for r in revoked_places()}
    assert rows == {(50, "32"): 3, (50, "35"): 1, (51, "73"): 2}


@pytest.mark.parametrize("role", ["wave_manager", "auditor", "administrator"])
def test_the_page_for_a_role_that_may_see_it(client, revoked, role):
    pass_second_factor(client, staff(role))
    response = client.get(reverse(PAGE))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Jawa Barat" in page and "Sulawesi Selatan" in page
    waves = {w["number"]: w["total"] for w in response.context["waves"]}
    assert waves == {50: 4, 51: 2} and response.context["total"] == 6
    # Creating a wave is the wave manager's (and the administrator's); the auditor only reads.
    assert (reverse("cards_operators_supplementary") in page) == (role != "auditor")


@pytest.mark.parametrize("role", ["verifier", "finance", "complaints_agent", "partner_manager"])
def test_the_page_is_refused_to_other_roles(client, revoked, role):
    pass_second_factor(client, staff(role))
    assert client.get(reverse(PAGE)).status_code == 403


def test_the_page_is_refused_to_a_participant_and_to_anonymous(client, revoked, registrant):
    response = client.get(reverse(PAGE))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(registrant)
    assert client.get(reverse(PAGE)).status_code == 403


def test_the_page_costs_the_same_queries_whatever_the_waves_and_provinces(client, revoked, make_wave):
    pass_second_factor(client, staff("wave_manager"))
    client.get(reverse(PAGE))  # warm: the session, the permissions cache
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(PAGE)).status_code == 200
    for number in (53, 54, 55):
        wave = make_wave(number=number, opens=-90 - number, closes=-89 - number, announce=-88 - number)
        for regency in (BANDUNG, SURABAYA, MAKASSAR):
            person(wave=wave, regency=regency, status="revoked")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(PAGE))
    assert len(response.context["waves"]) == 5
    assert len(many.captured_queries) == len(few.captured_queries) <= 6, [q["sql"] for q in many.captured_queries]
    grouped = [q["sql"] for q in many.captured_queries if "waves_application" in q["sql"]]
    assert len(grouped) == 1 and "GROUP BY" in grouped[0]


def test_a_supplementary_wave_takes_the_revoked_places_per_province(client, revoked):
    manager = staff("wave_manager")
    pass_second_factor(client, manager)
    w50, _w51 = revoked
    response = client.post(reverse("cards_operators_supplementary"), form_data(w50))
    assert response.status_code == 302 and response["Location"] == reverse(PAGE)
    wave = Wave.objects.get(number=52)
    assert wave.kind == WaveKind.SUPPLEMENTARY and wave.national_quota == 4
    assert dict(ProvinceQuota.objects.filter(wave=wave).values_list("province__code", "quota")) == {"32": 3, "35": 1}
    assert set(wave.eligible_provinces.values_list("code", flat=True)) == {"32", "35"}
    entry = AuditEntry.objects.get(action="wave.supplementary_create")
    assert entry.actor_id == manager.pk and entry.data["from_wave"] == 50 and entry.data["national_quota"] == 4
    assert AuditEntry.objects.filter(action="wave.create", target_id=str(wave.public_id)).exists()
    # The times were entered in WIB.
    assert timezone.localtime(wave.opens_at).strftime("%Y-%m-%dT%H:%M") == form_data(w50)["opens_at"]


def test_a_supplementary_wave_can_take_one_national_pool(client, revoked):
    pass_second_factor(client, staff("wave_manager"))
    w50, _w51 = revoked
    response = client.post(reverse("cards_operators_supplementary"), form_data(w50, per_province=None))
    assert response.status_code == 302
    wave = Wave.objects.get(number=52)
    assert wave.national_quota == 4 and not ProvinceQuota.objects.filter(wave=wave).exists()
    assert not wave.eligible_provinces.exists()


def test_the_places_of_a_wave_are_reused_once(client, revoked):
    pass_second_factor(client, staff("wave_manager"))
    w50, _w51 = revoked
    assert client.post(reverse("cards_operators_supplementary"), form_data(w50)).status_code == 302
    later = form_data(w50, number=53, opens_at=(timezone.localtime() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
                      closes_at=(timezone.localtime() + timedelta(days=23)).strftime("%Y-%m-%dT%H:%M"),
                      announce_at=(timezone.localtime() + timedelta(days=25)).strftime("%Y-%m-%dT%H:%M"))
    response = client.post(reverse("cards_operators_supplementary"), later)
    assert response.status_code == 400
    assert "sudah dipakai oleh gelombang tambahan" in str(response.context["form"].non_field_errors())
    assert not Wave.objects.filter(number=53).exists()


def test_the_wave_rules_still_apply(client, revoked):
    pass_second_factor(client, staff("wave_manager"))
    w50, _w51 = revoked
    data = form_data(w50)
    data["closes_at"] = data["opens_at"]
    response = client.post(reverse("cards_operators_supplementary"), data)
    assert response.status_code == 400 and "closes_at" in response.context["form"].errors
    assert not Wave.objects.filter(number=52).exists()
    assert not AuditEntry.objects.filter(action="wave.supplementary_create").exists()


def test_a_wave_number_already_taken_is_refused_on_the_form(client, revoked):
    pass_second_factor(client, staff("wave_manager"))
    w50, _w51 = revoked
    response = client.post(reverse("cards_operators_supplementary"), form_data(w50, number=51))
    assert response.status_code == 400 and "number" in response.context["form"].errors
    assert Wave.objects.filter(kind=WaveKind.SUPPLEMENTARY).count() == 0


def test_creating_needs_the_wave_permission(client, revoked, registrant):
    w50, _w51 = revoked
    url = reverse("cards_operators_supplementary")
    response = client.post(url, form_data(w50))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    pass_second_factor(client, staff("auditor"))  # sees the counts, may not create a wave
    assert client.post(url, form_data(w50)).status_code == 403
    assert client.get(url).status_code in (403, 405)
    assert not Wave.objects.filter(number=52).exists()


def test_nothing_to_reuse_is_refused(make_wave):
    empty = make_wave(number=60, opens=-60, closes=-50, announce=-45)
    start = timezone.now() + timedelta(days=2)
    with pytest.raises(SupplementaryRefused) as refused:
        supplementary_wave_create(actor="system", from_wave=empty, number=61, opens_at=start,
                                  closes_at=start + timedelta(days=3), announce_at=start + timedelta(days=5))
    assert refused.value.code == "nothing_revoked"


def test_an_overlapping_supplementary_wave_is_refused_by_the_wave_rules(revoked):
    w50, w51 = revoked
    with pytest.raises(ValidationError):
        supplementary_wave_create(actor="system", from_wave=w50, number=62, opens_at=w51.opens_at,
                                  closes_at=w51.closes_at, announce_at=w51.announce_at)


def test_revocation_by_the_sweep_shows_on_the_page(client, cards, queued):
    from prakerja.cards.models import Card
    from prakerja.cards.services import revocation as rev

    deadline = rev.midnight_wib(datetime(2026, 3, 17).date())
    Card.objects.update(purchase_deadline=deadline)
    rev.cards_revoke_due(now=deadline)
    pass_second_factor(client, staff("auditor"))
    waves = client.get(reverse(PAGE)).context["waves"]
    assert [(w["number"], w["total"]) for w in waves] == [(70, 3)]

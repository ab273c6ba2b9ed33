"""PRV (issue 14, finding 5): what is stored in clear leaves at least 10,000 candidates for a NIK.

The attacker is a reader of the database or of the admin without an audited
reveal. They know every clear column of the profile and, from the KTP
address, the district. The test enumerates every 16-digit NIK consistent
with that knowledge and the NIK's structure, on sample identities.
"""

import calendar
import re
from datetime import date

import pytest
from django.urls import reverse

from prakerja.registry.models import Profile
from prakerja.registry.nik import FEMALE_DAY_OFFSET, build_kk, build_nik, parse_nik
from prakerja.registry.services.identity import identity_submit
from tests.conftest import pass_second_factor

pytestmark = pytest.mark.django_db
FLOOR = 10_000

SAMPLES = [  # (district, birth date, female, serial): short and long months, both sexes, small serials
    ("327301", date(1995, 3, 12), True, 1),
    ("317101", date(1988, 7, 4), False, 1),
    ("327301", date(2001, 2, 28), False, 2),
    ("357801", date(1970, 12, 31), True, 15),
]
ENCRYPTED_OR_KEYED = re.compile(r"_(encrypted|index)$")


def clear_values(profile: Profile) -> dict:
    return {f.attname: getattr(profile, f.attname) for f in Profile._meta.concrete_fields
            if not ENCRYPTED_OR_KEYED.search(f.attname)}


def candidates(clear: dict, district: str):
    """Every NIK consistent with the clear columns (plus the district, from the address)."""
    pattern = re.compile(clear["nik_masked"].replace("*", r"\d"))
    # A plain date in clear (not a timestamp) is taken to be the birth date.
    clear_dates = {v for v in clear.values() if type(v) is date}
    for year in range(1940, 2010):
        if clear.get("birth_year") not in (None, year):
            continue
        for month in range(1, 13):
            if clear.get("birth_month") not in (None, month):
                continue
            for day in range(1, calendar.monthrange(year, month)[1] + 1):
                if clear_dates and date(year, month, day) not in clear_dates:
                    continue
                for female in (True, False):
                    if clear.get("female") not in (None, female):
                        continue
                    head = f"{district}{day + (FEMALE_DAY_OFFSET if female else 0):02d}{month:02d}{year % 100:02d}"
                    for serial in range(1, 10_000):
                        if pattern.fullmatch(nik := f"{head}{serial:04d}"):
                            yield nik


@pytest.mark.parametrize(("district", "born", "female", "serial"), SAMPLES)
def test_clear_columns_leave_at_least_ten_thousand_candidates(applicant, civil, district, born, female, serial):
    nik = build_nik(district_code=district, birth_date=born, female=female, serial=serial)
    kk = build_kk(district_code=district, issued=date(2015, 6, 15), serial=1)
    identity_submit(actor=applicant, nik=nik, kk=kk, birth_date=born, full_name=applicant.full_name)
    clear = clear_values(Profile.objects.get(user=applicant))
    found = 0
    for candidate in candidates(clear, district):
        parse_nik(candidate)  # every candidate is a well-formed NIK
        found += 1
        if found >= FLOOR and candidate != nik:
            break
    assert found >= FLOOR, f"only {found} NIKs fit what is stored in clear"


def test_the_admin_shows_no_more_than_the_clear_columns(client, applicant, civil, django_user_model):
    born = date(1995, 3, 12)
    nik = build_nik(district_code="327301", birth_date=born, female=True, serial=1)
    identity_submit(actor=applicant, nik=nik, kk=build_kk(district_code="327301", issued=date(2015, 6, 15), serial=1),
                    birth_date=born, full_name=applicant.full_name)
    admin = django_user_model.objects.create_superuser(email="root@prakerja.test", password="x", full_name="Root")
    pass_second_factor(client, admin)
    profile = Profile.objects.get(user=applicant)
    page = client.get(reverse("admin:registry_profile_change", args=[profile.pk])).content.decode()
    assert profile.nik_masked in page
    assert nik not in page and nik[6:12] not in page
    assert "1995-03-12" not in page and "12 Maret 1995" not in page and "12 March 1995" not in page

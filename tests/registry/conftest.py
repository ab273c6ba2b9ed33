from datetime import date

import pytest

from prakerja.registry.nik import build_kk, build_nik

BIRTH = date(1995, 3, 12)
NIK = build_nik(district_code="327301", birth_date=BIRTH, female=True, serial=1)  # Kota Bandung
KK = build_kk(district_code="327301", issued=date(2015, 6, 15), serial=1)


class FakeCivilRegistry:
    """Stands in for the adapter in unit tests; tests/civil and the browser
    test exercise the real HTTP client against the sandbox."""

    def __init__(self):
        self.reasons = ()
        self.error = None
        self.calls = []

    def verify(self, request):
        from prakerja.civil.gateway import VerifyResult

        self.calls.append(request)
        if self.error is not None:
            raise self.error
        return VerifyResult(matched=not self.reasons, reasons=tuple(self.reasons))


@pytest.fixture
def civil(monkeypatch):
    fake = FakeCivilRegistry()
    monkeypatch.setattr("prakerja.registry.services.identity.get_civil_registry", lambda: fake)
    return fake


@pytest.fixture
def identity_done(applicant, civil):
    from prakerja.registry.services.identity import identity_submit

    identity_submit(actor=applicant, nik=NIK, kk=KK, birth_date=BIRTH, full_name=applicant.full_name)
    return applicant

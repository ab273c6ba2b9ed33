"""NIK and KK numbers: structure only, no database and no registry (REG-3).

A NIK (Nomor Induk Kependudukan) is 16 digits, ``PPRRDD DDMMYY SSSS``:

- ``PPRRDD``: the Kemendagri code of the province (PP), regency/city (RR)
  and district (DD) where it was issued;
- ``DDMMYY``: the birth date; women's day is increased by 40;
- ``SSSS``: a serial, from 0001.

A KK (Kartu Keluarga) number has the same shape with the family card's
issue date in the middle. This module parses and builds both; whether the
region code exists is the caller's question (``regions`` app), and whether
the person exists is the civil registry's.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

FEMALE_DAY_OFFSET = 40


class NumberError(ValueError):
    """A NIK or KK that is not well formed; ``code`` is stable, ``message`` is for people."""

    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code
        self.message = message


@dataclass(frozen=True)
class NikInfo:
    nik: str
    province_code: str  # "32"
    regency_code: str  # "3273" (province + regency)
    district_code: str  # "327301"
    day: int
    month: int
    year_2: int  # two digits: the century is not in the number
    female: bool
    serial: int

    def matches_birth_date(self, birth_date: date) -> bool:
        return (birth_date.day, birth_date.month, birth_date.year % 100) == (self.day, self.month, self.year_2)


def _digits(value: str, *, kind: str) -> str:
    value = (value or "").strip().replace(" ", "").replace("-", "").replace(".", "")
    if not value.isdigit() or not value.isascii():
        raise NumberError(f"{kind}_not_digits", _("%(kind)s may only contain digits.") % {"kind": kind.upper()})
    if len(value) != 16:
        raise NumberError(f"{kind}_length", _("%(kind)s must be 16 digits; you entered %(n)d.")
                          % {"kind": kind.upper(), "n": len(value)})
    return value


def _valid_day_month(day: int, month: int, year_2: int) -> bool:
    # The century is unknown; 2000 is a leap year, so 29 February is accepted
    # for any two-digit year that is a leap year in either century.
    for century in (1900, 2000):
        try:
            date(century + year_2, month, day)
            return True
        except ValueError:
            continue
    return False


def parse_nik(value: str) -> NikInfo:
    nik = _digits(value, kind="nik")
    raw_day, month, year_2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = raw_day > FEMALE_DAY_OFFSET
    day = raw_day - FEMALE_DAY_OFFSET if female else raw_day
    if not _valid_day_month(day, month, year_2):
        raise NumberError("nik_birth_date", _("The birth date in this NIK (digits 7-12) is not a real date."))
    serial = int(nik[12:16])
    if serial == 0:
        raise NumberError("nik_serial", _("The last four digits of a NIK cannot be 0000."))
    if nik[2:4] == "00" or nik[4:6] == "00":
        raise NumberError("nik_region", _("The first six digits of this NIK are not a real region code."))
    return NikInfo(nik=nik, province_code=nik[:2], regency_code=nik[:4], district_code=nik[:6], day=day,
                   month=month, year_2=year_2, female=female, serial=serial)


def validate_kk(value: str) -> str:
    """Return the normalised KK number or raise NumberError."""
    kk = _digits(value, kind="kk")
    if kk[2:4] == "00" or kk[4:6] == "00":
        raise NumberError("kk_region", _("The first six digits of this KK number are not a real region code."))
    day, month, year_2 = int(kk[6:8]), int(kk[8:10]), int(kk[10:12])
    if not _valid_day_month(day, month, year_2):
        raise NumberError("kk_date", _("Digits 7-12 of this KK number are not a real issue date."))
    if int(kk[12:16]) == 0:
        raise NumberError("kk_serial", _("The last four digits of a KK number cannot be 0000."))
    return kk


def build_nik(*, district_code: str, birth_date: date, female: bool, serial: int) -> str:
    """The NIK a person with these facts would carry (synthetic populations, tests)."""
    if len(district_code) != 6 or not district_code.isdigit() or not 1 <= serial <= 9999:
        raise ValueError("district_code must be 6 digits and serial 1..9999")
    day = birth_date.day + (FEMALE_DAY_OFFSET if female else 0)
    return f"{district_code}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def build_kk(*, district_code: str, issued: date, serial: int) -> str:
    if len(district_code) != 6 or not district_code.isdigit() or not 1 <= serial <= 9999:
        raise ValueError("district_code must be 6 digits and serial 1..9999")
    return f"{district_code}{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}{serial:04d}"


MASK_KEEP = 6


def mask(number: str) -> str:
    """``327301**********``: the region (province, regency, district) stays.

    PRV: what is stored or shown in clear, together, must leave at least
    10,000 candidates for the number. The birth year and month are stored in
    clear and the district is in the KTP address, so the day (28-31 values)
    and the serial (9,999) are what remain unknown; showing any serial digit
    would cut that below the floor (tests/registry/test_nik_candidates.py).
    """
    if not number:
        return ""
    return f"{number[:MASK_KEEP]}{'*' * (len(number) - MASK_KEEP)}" if len(number) > MASK_KEEP else "*" * len(number)

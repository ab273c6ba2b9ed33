"""REG-3: NIK and KK structure, with property tests."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prakerja.registry.nik import NumberError, build_kk, build_nik, mask, parse_nik, validate_kk

districts = st.from_regex(r"[1-9][1-9][0-9][1-9][0-9][1-9]", fullmatch=True)
birth_dates = st.dates(min_value=date(1940, 1, 1), max_value=date(2039, 12, 31))


@given(district=districts, born=birth_dates, female=st.booleans(), serial=st.integers(1, 9999))
def test_build_then_parse_round_trips(district, born, female, serial):
    info = parse_nik(build_nik(district_code=district, birth_date=born, female=female, serial=serial))
    assert info.district_code == district and info.female == female and info.serial == serial
    assert info.matches_birth_date(born)
    assert (info.day, info.month) == (born.day, born.month)


@given(district=districts, born=birth_dates, female=st.booleans(), serial=st.integers(1, 9999),
       other=birth_dates)
def test_birth_date_mismatch_is_detected(district, born, female, serial, other):
    info = parse_nik(build_nik(district_code=district, birth_date=born, female=female, serial=serial))
    same = (other.day, other.month, other.year % 100) == (born.day, born.month, born.year % 100)
    assert info.matches_birth_date(other) == same


@given(st.text(max_size=20))
def test_anything_else_is_a_clear_error_never_a_crash(text):
    try:
        parse_nik(text)
    except NumberError as exc:
        assert exc.code.startswith("nik_") and str(exc.message)


def test_women_have_forty_added_to_the_day():
    info = parse_nik("3273014101900003")
    assert info.female and info.day == 1 and info.month == 1 and info.year_2 == 90
    assert not parse_nik("3273010101900003").female


@pytest.mark.parametrize(("value", "code"), [
    ("32730141019000AB", "nik_not_digits"),
    ("327301410190000", "nik_length"),
    ("32730141019000031", "nik_length"),
    ("3273013213900003", "nik_birth_date"),  # month 13
    ("3273017202900003", "nik_birth_date"),  # day 32 for a woman
    ("3273013002900003", "nik_birth_date"),  # 30 February
    ("3273014101900000", "nik_serial"),
    ("3200014101900003", "nik_region"),
    ("３２７３０１４１０１９０００３", "nik_not_digits"),  # full-width digits
])
def test_malformed_niks(value, code):
    with pytest.raises(NumberError) as error:
        parse_nik(value)
    assert error.value.code == code


def test_spaces_and_dashes_are_forgiven():
    assert parse_nik(" 3273-0141-0190-0003 ").nik == "3273014101900003"


@given(district=districts, issued=st.dates(min_value=date(1980, 1, 1), max_value=date(2030, 1, 1)),
       serial=st.integers(1, 9999))
def test_kk_round_trip(district, issued, serial):
    kk = build_kk(district_code=district, issued=issued, serial=serial)
    assert validate_kk(kk) == kk


@pytest.mark.parametrize(("value", "code"), [
    ("327301150620", "kk_length"), ("3273011506200X01", "kk_not_digits"),
    ("3273013206200001", "kk_date"), ("3273011506200000", "kk_serial"), ("3273001506200001", "kk_region"),
])
def test_malformed_kk(value, code):
    with pytest.raises(NumberError) as error:
        validate_kk(value)
    assert error.value.code == code


def test_mask():
    assert mask("3273014101900003") == "327301**********"
    assert mask("") == ""

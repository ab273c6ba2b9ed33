"""REG-4: the official Kemendagri provinces and regencies/cities, loaded by migration."""

import pytest

from prakerja.regions import selectors
from prakerja.regions.models import Province, Regency, RegencyKind
from prakerja.regions.selectors import province_list, regency_code_exists, regency_get, regency_list

pytestmark = pytest.mark.django_db


def test_the_decree_has_38_provinces_and_514_regencies_and_cities():
    assert Province.objects.count() == 38
    assert Regency.objects.count() == 514
    assert Regency.objects.filter(kind=RegencyKind.KOTA).count() == 98


@pytest.mark.parametrize(("code", "name", "kind"), [
    ("3273", "Kota Bandung", RegencyKind.KOTA),
    ("3171", "Kota Administrasi Jakarta Pusat", RegencyKind.KOTA),
    ("3174", "Kota Administrasi Jakarta Selatan", RegencyKind.KOTA),
    ("3101", "Kabupaten Administrasi Kepulauan Seribu", RegencyKind.KABUPATEN),
    ("1101", "Kabupaten Aceh Selatan", RegencyKind.KABUPATEN),
])
def test_known_regencies(code, name, kind):
    regency = regency_get(code=code)
    assert (regency.name, regency.kind, regency.province.code, str(regency)) == (name, kind, code[:2], name)


def test_provinces_and_their_regencies():
    assert [(p.code, p.name) for p in province_list()[:2]] == [("11", "Aceh"), ("12", "Sumatera Utara")]
    assert str(Province.objects.get(code="32")) == "Jawa Barat"
    # Papua Barat Daya, the newest province (2022), is in the list.
    assert Province.objects.get(code="96").name == "Papua Barat Daya"
    assert regency_list(province_code="96").count() > 0
    codes = list(regency_list(province_code="32").values_list("code", flat=True))
    assert "3273" in codes and codes == sorted(codes) and all(code.startswith("32") for code in codes)


def test_unknown_codes():
    assert regency_get(code="9999") is None
    assert not regency_code_exists("9999") and not regency_code_exists("32")
    assert regency_code_exists("3273") and regency_code_exists("3578")


def test_the_code_check_is_answered_from_memory(django_assert_num_queries):
    regency_code_exists("3273")
    with django_assert_num_queries(0):
        assert regency_code_exists("3578")


def test_other_processes_see_a_new_code_after_the_cache_expires(monkeypatch):
    # A refresh clears only its own process's cache; the others expire.
    assert not regency_code_exists("3280")
    Regency.objects.create(code="3280", name="Kabupaten Contoh", kind=RegencyKind.KABUPATEN,
                           province=Province.objects.get(code="32"))
    assert not regency_code_exists("3280")
    later = selectors.time.monotonic() + selectors.CODES_TTL_SECONDS + 1
    monkeypatch.setattr(selectors.time, "monotonic", lambda: later)
    assert regency_code_exists("3280")

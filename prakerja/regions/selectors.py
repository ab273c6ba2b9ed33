from functools import lru_cache

from prakerja.regions.models import Province, Regency


def province_list():
    return Province.objects.all()


def regency_list(*, province_code: str):
    return Regency.objects.filter(province__code=province_code)


def regency_get(*, code: str) -> Regency | None:
    return Regency.objects.select_related("province").filter(code=code).first()


@lru_cache(maxsize=1)
def _regency_codes() -> frozenset[str]:
    # Asked on every NIK check; the list changes only by a refresh (which clears this).
    return frozenset(Regency.objects.values_list("code", flat=True))


def regency_code_exists(code: str) -> bool:
    return code in _regency_codes()


def clear_cache() -> None:
    _regency_codes.cache_clear()

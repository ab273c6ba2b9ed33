import time

from django.db.models import QuerySet

from prakerja.regions.models import Province, Regency

# regions_refresh runs in its own process (manage.py) and can only clear its
# own copy; web and worker processes notice a refreshed list after this long.
CODES_TTL_SECONDS = 300

_codes: frozenset[str] = frozenset()
_codes_loaded_at = 0.0


def province_list() -> QuerySet[Province]:
    return Province.objects.all()


def regency_list(*, province_code: str) -> QuerySet[Regency]:
    return Regency.objects.filter(province__code=province_code)


def regency_get(*, code: str) -> Regency | None:
    return Regency.objects.select_related("province").filter(code=code).first()


def regency_code_exists(code: str) -> bool:
    # Asked on every NIK check; 514 short strings are cheaper to keep than a
    # query each time. An empty table (mid-flush in tests) is never cached.
    global _codes, _codes_loaded_at
    if not _codes or time.monotonic() - _codes_loaded_at > CODES_TTL_SECONDS:
        _codes = frozenset(Regency.objects.values_list("code", flat=True))
        _codes_loaded_at = time.monotonic()
    return code in _codes


def clear_cache() -> None:
    global _codes
    _codes = frozenset()

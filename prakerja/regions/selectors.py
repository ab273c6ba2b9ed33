from prakerja.regions.models import Province, Regency


def province_list():
    return Province.objects.all()


def regency_list(*, province_code: str):
    return Regency.objects.filter(province__code=province_code)


def regency_get(*, code: str) -> Regency | None:
    return Regency.objects.select_related("province").filter(code=code).first()


_codes: frozenset[str] = frozenset()


def regency_code_exists(code: str) -> bool:
    # Asked on every NIK check; the list changes only by a refresh, which
    # clears this. An empty table is never cached.
    global _codes
    if not _codes:
        _codes = frozenset(Regency.objects.values_list("code", flat=True))
    return code in _codes


def clear_cache() -> None:
    global _codes
    _codes = frozenset()

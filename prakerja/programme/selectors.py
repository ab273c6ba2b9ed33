from django.core.exceptions import ImproperlyConfigured

from prakerja.programme.models import Programme, Switches


class NoActiveProgramme(ImproperlyConfigured):
    """No programme period is active: an operator must activate one (the presets ship one active)."""


def active_programme() -> Programme:
    programme = Programme.objects.filter(is_active=True).first()
    if programme is None:
        raise NoActiveProgramme("no active programme period: activate one in the admin (Programme periods)")
    return programme


def switches() -> Switches:
    return Switches.objects.get_or_create(pk=1)[0]

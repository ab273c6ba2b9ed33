from django.core.exceptions import ImproperlyConfigured

from prakerja.programme.models import Programme


def active_programme() -> Programme:
    programme = Programme.objects.filter(is_active=True).first()
    if programme is None:
        raise ImproperlyConfigured("no active programme period: activate one in the admin")
    return programme

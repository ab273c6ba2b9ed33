from django.utils import formats, timezone

from prakerja.core.errors import DomainError


class RegistryError(DomainError):
    """A refusal the registrant must see during registration (REG-3..8)."""


def retry_time(when) -> str:
    """When a limit lifts, as the person reads it (WIB); the date only if not today."""
    local = timezone.localtime(when)
    if local.date() == timezone.localdate():
        return formats.time_format(local, "H:i")
    return formats.date_format(local, "j F Y, H:i")

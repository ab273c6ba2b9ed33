from django.utils import formats, timezone


class RegistryError(Exception):
    """A refusal the registrant must see: ``code`` is stable, ``message`` is translated.

    ``field`` names the form field the message belongs to, if any.
    """

    def __init__(self, code: str, message, field: str | None = None):
        super().__init__(str(message))
        self.code = code
        self.message = message
        self.field = field


def retry_time(when) -> str:
    """When a limit lifts, as the person reads it (WIB); the date only if not today."""
    local = timezone.localtime(when)
    if local.date() == timezone.localdate():
        return formats.time_format(local, "H:i")
    return formats.date_format(local, "j F Y, H:i")

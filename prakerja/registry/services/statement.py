"""REG-6: "Pernyataan Pendaftar", with the accepted version and time stored."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.registry.errors import RegistryError
from prakerja.registry.models import StatementVersion
from prakerja.registry.selectors import statement_current
from prakerja.registry.services.progress import profile_for_update, profile_refresh_completion


def statement_accept(*, actor, version: int):
    current = statement_current()
    if current is None or current.version != version:
        # The text changed while the page was open: accept only what was read.
        raise RegistryError("statement_changed", _("The statement was updated. Read it again and accept."))
    with transaction.atomic():
        profile = profile_for_update(actor)
        profile.statement_version = StatementVersion.objects.get(pk=current.pk)
        profile.statement_accepted_at = timezone.now()
        profile.save(update_fields=["statement_version", "statement_accepted_at"])
        profile_refresh_completion(profile_id=profile.pk)
    return profile

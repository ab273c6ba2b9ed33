"""PRV-6 and PRV-7: the person's download of their data, and their request to correct it."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from prakerja.audit.services import audit_record
from prakerja.core.errors import DomainError
from prakerja.core.ratelimit import Limit, consume_all

FORMATS = ("json", "pdf")
# A download decrypts the NIK and KK and renders a PDF: a few per account, and
# never two in a row by accident (a double click, a reload).
EXPORTS_PER_MINUTE = Limit("mydata-exports-minute", 1, 60)
EXPORTS_PER_10_MINUTES = Limit("mydata-exports", getattr(settings, "MYDATA_EXPORTS_PER_10_MINUTES", 3), 600)

# Which fields a person may ask to correct, and where the complaints desk files the request (CMP-1).
# The identity fields go to the NIK/KK desk, the rest to registration.
CORRECTABLE = {
    "full_name": ("identity", "data_correction"),
    "nik": ("identity", "data_correction"),
    "kk": ("identity", "data_correction"),
    "birth_date": ("identity", "data_correction"),
    "sex": ("identity", "data_correction"),
    "ktp_address": ("identity", "data_correction"),
    "domicile": ("registration", "data_correction_registration"),
    "education": ("registration", "data_correction_registration"),
    "employment_status": ("registration", "data_correction_registration"),
    "phone": ("registration", "data_correction_registration"),
    "email": ("registration", "data_correction_registration"),
}


class MyDataError(DomainError):
    pass


def mydata_export(*, actor, fmt: str) -> None:
    """Count and audit one download of the person's own data (PRV-6): before the file is made."""
    if fmt not in FORMATS:
        raise MyDataError("bad_format", _("Choose JSON or PDF."))
    checks = [(EXPORTS_PER_MINUTE, str(actor.public_id)), (EXPORTS_PER_10_MINUTES, str(actor.public_id))]
    if consume_all(checks) is not None:
        raise MyDataError("too_many", _("You have just downloaded your data. Wait a few minutes, then try again."))
    with transaction.atomic():
        audit_record(actor=actor, action="mydata.export", target=actor, data={"format": fmt})


def correction_request(*, actor, field: str, field_label: str, wrong: str, right: str, consent: bool):
    """PRV-7: a correction of personal data is a complaint ticket on the right desk (CMP-1)."""
    from prakerja.complaints.services import ticket_open
    from prakerja.registry.models import Profile

    if field not in CORRECTABLE:
        raise MyDataError("bad_field", _("Choose the data to correct from the list."), "field")
    category, subcategory = CORRECTABLE[field]
    description = "\n".join([
        _("Request to correct personal data."),
        _("Field: %(field)s") % {"field": field_label},
        _("What is wrong: %(wrong)s") % {"wrong": wrong},
        _("The right value: %(right)s") % {"right": right},
    ])
    phone = Profile.objects.filter(user=actor).values_list("phone", flat=True).first() or ""
    return ticket_open(user=actor, name=actor.full_name, phone=phone, email=actor.email, category=category,
                       subcategory=subcategory, description=description, consent=consent)

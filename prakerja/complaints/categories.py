"""CMP-1: what a complaint is about, with its sub-categories, and the response-time targets (CMP-2).

Categories and sub-categories are codes in the database and labels on screen. The response-time
target of a category is ``ResponseTarget`` (editable by an administrator in the admin); when a
category has no row, ``COMPLAINT_RESPONSE_HOURS`` (settings) gives the default.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    IDENTITY = "identity", _("NIK/KK verification")
    WAVE = "wave", _("Wave and selection")
    VIDEOS = "videos", _("Induction videos")
    PURCHASE = "purchase", _("Training purchase")
    CERTIFICATE = "certificate", _("Certificate")
    INCENTIVE = "incentive", _("Incentive")
    PAYOUT_ACCOUNT = "payout_account", _("Payout account")
    OTHER = "other", _("Other")


SUBCATEGORIES: dict[str, list[tuple[str, object]]] = {
    Category.REGISTRATION: [
        ("no_confirmation_email", _("The confirmation email did not arrive")),
        ("cannot_sign_in", _("I cannot sign in to my account")),
        ("phone_otp", _("The phone verification code did not arrive")),
        ("motivation_test", _("Problem with the motivation test")),
        ("data_correction_registration", _("I want my registration data corrected")),
        ("registration_other", _("Something else about registration"))],
    Category.IDENTITY: [
        ("nik_used", _("My NIK is used by another account")),
        ("nik_rejected", _("My NIK or KK was not recognised")),
        ("data_mismatch", _("My data does not match the civil registry")),
        ("data_correction", _("I want my personal data corrected")),
        ("identity_other", _("Something else about NIK/KK verification"))],
    Category.WAVE: [
        ("cannot_join", _("I cannot join a wave")),
        ("result", _("Question about my selection result")),
        ("wave_other", _("Something else about waves and selection"))],
    Category.VIDEOS: [
        ("video_wont_play", _("A video does not play")),
        ("progress_not_saved", _("My progress was not saved")),
        ("videos_other", _("Something else about the videos"))],
    Category.PURCHASE: [
        ("payment_failed", _("My payment failed but the balance was deducted")),
        ("otp_not_received", _("The payment code did not arrive")),
        ("redeem_code", _("The redeem code does not work")),
        ("purchase_other", _("Something else about a purchase"))],
    Category.CERTIFICATE: [
        ("certificate_missing", _("My certificate has not appeared")),
        ("certificate_wrong", _("My certificate has wrong data")),
        ("certificate_other", _("Something else about the certificate"))],
    Category.INCENTIVE: [
        ("incentive_missing", _("I have not received an incentive")),
        ("incentive_amount", _("The incentive amount is wrong")),
        ("incentive_other", _("Something else about incentives"))],
    Category.PAYOUT_ACCOUNT: [
        ("cannot_link", _("I cannot link my e-wallet or bank account")),
        ("wrong_account", _("The linked account is wrong")),
        ("payout_other", _("Something else about the payout account"))],
    Category.OTHER: [("other", _("Other"))],
}

SUBCATEGORY_CHOICES = [(code, label) for choices in SUBCATEGORIES.values() for code, label in choices]
CATEGORY_OF = {code: category for category, choices in SUBCATEGORIES.items() for code, _label in choices}

# Sub-categories the system opens tickets under (CMP-3), never offered on the form.
SYSTEM_SUBCATEGORIES = [
    ("completion_held", _("Held completion report")),
    ("incentive_held", _("Held incentive payment")),
]
CATEGORY_OF.update({"completion_held": Category.CERTIFICATE, "incentive_held": Category.INCENTIVE})
ALL_SUBCATEGORY_CHOICES = SUBCATEGORY_CHOICES + SYSTEM_SUBCATEGORIES


def subcategory_label(code: str) -> str:
    return str(dict(ALL_SUBCATEGORY_CHOICES).get(code, code))

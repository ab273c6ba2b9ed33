"""The participant's complaint forms (CMP-1, CMP-2): shape only; every rule is in services.py and evidence.py.

The sub-category is one select with a group per category (``<optgroup>``), so the pair is chosen in
one step and needs no JavaScript; the category follows from it (``categories.CATEGORY_OF``).
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.forms import NAME_RE
from prakerja.complaints.categories import CATEGORY_OF, SUBCATEGORIES, Category
from prakerja.registry.errors import RegistryError
from prakerja.registry.services.phone import normalise_phone

DESCRIPTION_MIN, BODY_MAX = 20, 4000
CHOOSE = _("Choose a category and a sub-category from the list.")  # the service's words (bad_category)
CONSENT_REQUIRED = _("Tick the consent box to send the complaint.")  # the service's words (consent_required)


def subcategory_choices():
    return [("", _("Choose a category")),
            *[(Category(category).label, list(choices)) for category, choices in SUBCATEGORIES.items()]]


FORM_SUBCATEGORIES = {code for choices in SUBCATEGORIES.values() for code, _label in choices}


def first_subcategory(value: str) -> str:
    """``?kategori=certificate`` (or a sub-category's code) -> the sub-category to preselect."""
    if value in SUBCATEGORIES:
        return SUBCATEGORIES[value][0][0]
    return value if value in FORM_SUBCATEGORIES else ""


def evidence_help() -> str:
    return gettext("Up to %(n)s files: photos (JPEG or PNG, at most 5 MB each) or PDF documents (at most %(mb)s MB "
                   "and %(pages)s pages each). A screenshot of the problem helps.") % {
        "n": settings.COMPLAINT_EVIDENCE_FILES, "mb": settings.COMPLAINT_PDF_MAX_BYTES // (1024 * 1024),
        "pages": settings.COMPLAINT_PDF_MAX_PAGES}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Up to COMPLAINT_EVIDENCE_FILES files in one input; what they are is judged by evidence.py."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Evidence (optional)"))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", "image/jpeg,image/png,application/pdf,.pdf,.jpg,.jpeg,.png")

    def clean(self, data, initial=None):
        one = super().clean
        files = [one(item, initial) for item in data if item] if isinstance(data, (list, tuple)) else (
            [one(data, initial)] if data else [])
        if len(files) > settings.COMPLAINT_EVIDENCE_FILES:
            raise forms.ValidationError(gettext("Send at most %(n)s files.") % {"n": settings.COMPLAINT_EVIDENCE_FILES})
        return files


def _description_field(label):
    return forms.CharField(
        label=label, min_length=DESCRIPTION_MIN, max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": BODY_MAX}),
        error_messages={"required": _("Describe what happened."),
                        "min_length": _("Describe what happened in at least %(limit_value)d characters."),
                        "max_length": _("A message has at most 4000 characters.")})


class ComplaintForm(forms.Form):
    """"Formulir Pengaduan". Signed in, the email is the account's (the answers go there and to the inbox);
    locked out, the person types it and a code is sent to it before the ticket opens."""

    name = forms.CharField(label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}),
                           error_messages={"required": _("Write your full name.")})
    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel",
                                                          "placeholder": "0812 3456 7890"}),
                            help_text=_("The desk may call you about this complaint."),
                            error_messages={"required": _("Enter a mobile number such as 0812 3456 7890.")})
    email = forms.EmailField(label=_("Email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                             help_text=_("We send a 6-digit code to this address; the complaint is sent once you "
                                         "enter it. The answers come here too."),
                             error_messages={"required": _("Enter your email address."),
                                             "invalid": _("Enter an email address such as nama@contoh.id.")})
    subcategory = forms.ChoiceField(label=_("What is the complaint about?"), choices=subcategory_choices,
                                    error_messages={"required": CHOOSE, "invalid_choice": CHOOSE})
    description = _description_field(_("Describe the problem"))
    evidence = EvidenceField()
    consent = forms.BooleanField(label=_("I agree that the data in this complaint and the files I send are used to "
                                         "handle my complaint."),
                                 error_messages={"required": CONSENT_REQUIRED})

    def __init__(self, *args, signed_in: bool, category_note: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = evidence_help()
        if signed_in:
            del self.fields["email"]
        if category_note:
            self.fields["subcategory"].help_text = category_note

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not NAME_RE.match(name):
            raise forms.ValidationError(_("Write your full name, letters only."))
        return name

    def clean_phone(self):
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except RegistryError as exc:
            raise forms.ValidationError(exc.message) from exc

    @property
    def category(self) -> str:
        return CATEGORY_OF[self.cleaned_data["subcategory"]]


class CodeForm(forms.Form):
    code = forms.CharField(label=_("6-digit code from the email"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                         "pattern": "[0-9]*"}),
                           error_messages={"required": _("Enter the 6-digit code."),
                                           "min_length": _("Enter the 6-digit code."),
                                           "max_length": _("Enter the 6-digit code.")})

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit() or not code.isascii():
            raise forms.ValidationError(_("Enter the 6-digit code."))
        return code


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your message"), max_length=BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 5, "maxlength": BODY_MAX}),
                           error_messages={"required": _("Write a message."),
                                           "max_length": _("A message has at most 4000 characters.")})
    evidence = EvidenceField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = evidence_help()

from django import forms
from django.utils.translation import gettext_lazy as _

FIELDS = [
    ("full_name", _("Full name")),
    ("nik", _("NIK")),
    ("kk", _("KK number")),
    ("birth_date", _("Date of birth")),
    ("sex", _("Sex")),
    ("ktp_address", _("Address as on the KTP")),
    ("domicile", _("Domicile")),
    ("education", _("Education")),
    ("employment_status", _("Employment status")),
    ("phone", _("Mobile number")),
    ("email", _("Email")),
]


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=_("Which data is wrong?"), choices=[("", "---------"), *FIELDS])
    wrong = forms.CharField(label=_("What is wrong?"), max_length=500, strip=True,
                            widget=forms.Textarea(attrs={"rows": 3}))
    right = forms.CharField(label=_("What is the right value?"), max_length=500, strip=True)
    consent = forms.BooleanField(label=_("I agree that the data in this complaint and the files I send are used to "
                                         "handle my complaint."),
                                 error_messages={"required": _("Tick the consent box to send the complaint.")})

    def field_label(self) -> str:
        return str(dict(FIELDS)[self.cleaned_data["field"]])

from django import forms
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.forms import NAME_RE
from prakerja.registry.models import Education, EmploymentStatus

DIGITS = {"inputmode": "numeric", "autocomplete": "off", "maxlength": "19"}


class IdentityForm(forms.Form):
    full_name = forms.CharField(label=_("Full name (as on your KTP)"), max_length=150)
    nik = forms.CharField(label=_("NIK"), max_length=24, widget=forms.TextInput(attrs=DIGITS),
                          help_text=_("16 digits, on your KTP."))
    kk = forms.CharField(label=_("Family card number (KK)"), max_length=24, widget=forms.TextInput(attrs=DIGITS),
                         help_text=_("16 digits, on your Kartu Keluarga."))
    birth_date = forms.DateField(label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}),
                                 error_messages={"invalid": _("Enter a date such as 1995-03-12.")})

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not NAME_RE.match(name):
            raise forms.ValidationError(_("Write the full name as on your KTP, letters only."))
        return name


class PersonalDataForm(forms.Form):
    ktp_address = forms.CharField(label=_("Address as on your KTP"), max_length=500,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    domicile_regency = forms.ChoiceField(label=_("Domicile: regency or city"))
    domicile_street = forms.CharField(label=_("Domicile: street address"), max_length=255)
    education = forms.ChoiceField(label=_("Education"), choices=[("", "---------"), *Education.choices])
    employment_status = forms.ChoiceField(label=_("Employment status"),
                                          choices=[("", "---------"), *EmploymentStatus.choices])
    ktp_photo = forms.FileField(label=_("Photo of your KTP"), required=False,
                                widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
                                help_text=_("JPEG or PNG, at most 5 MB."))
    selfie = forms.FileField(label=_("Selfie"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png",
                                                                    "capture": "user"}),
                             help_text=_("JPEG or PNG, at most 5 MB."))

    def __init__(self, *args, regency_choices, selfie_with_ktp: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domicile_regency"].choices = [("", "---------"), *regency_choices]
        if selfie_with_ktp:
            self.fields["selfie"].label = _("Selfie holding your KTP")


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel",
                                                          "placeholder": "0812 3456 7890"}))


class CodeForm(forms.Form):
    code = forms.CharField(label=_("6-digit code from the SMS"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class StatementForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    agree = forms.BooleanField(label=_("I have read the statement above, it is true, and I consent to the "
                                       "processing of my personal data."),
                               error_messages={"required": _("Tick this statement to continue.")})


class AnswerForm(forms.Form):
    question = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.TypedChoiceField(label=_("Your answer"), coerce=int, widget=forms.RadioSelect,
                                    error_messages={"required": _("Choose one of the answers.")})

    def __init__(self, *args, question, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = list(enumerate(question.choices))
        self.fields["choice"].label = question.text
        self.initial.setdefault("question", question.pk)

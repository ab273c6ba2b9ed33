import re

from django import forms
from django.utils.translation import gettext_lazy as _

NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '.,-]+[^\W\d_]+)*\.?$")


class SignupForm(forms.Form):
    """Extra fields of "Daftar" (REG-1): the full name and the ticked statement."""

    field_order = ["full_name", "email", "password1", "password2", "statement"]

    full_name = forms.CharField(
        label=_("Full name"), max_length=150, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": ""}),
        error_messages={"max_length": _("Full name is at most %(limit_value)d characters.")},
    )
    statement = forms.BooleanField(
        label=_("I declare that the data I fill in is true and I agree to the terms and the privacy policy."),
        error_messages={"required": _("Tick this statement to continue.")},
    )

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not NAME_RE.match(name):
            raise forms.ValidationError(_("Write the full name as on your KTP, letters only."))
        return name

    def signup(self, request, user):
        """allauth's hook; the adapter's save_user already stored the name."""


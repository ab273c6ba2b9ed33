"""What the demo shop's and the provider desk's forms share: the retry token and a participant's contact."""

import re

from django import forms

REQUIRED = {"required": "Wajib diisi."}


class TokenForm(forms.Form):
    """A form whose submission carries a token: the Idempotency-Key of its API call derives from it."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=32, min_length=32)

    def clean_token(self):
        token = self.cleaned_data["token"]
        if not re.fullmatch(r"[0-9a-f]{32}", token):
            raise forms.ValidationError("Formulir tidak valid; muat ulang halaman.")
        return token


class ContactFields(forms.Form):
    """The participant as a partner knows them: name, email, phone (spaces and dashes dropped)."""

    name = forms.CharField(max_length=200, error_messages=REQUIRED)
    email = forms.EmailField(max_length=254, error_messages={**REQUIRED, "invalid": "Alamat email tidak valid."})
    phone = forms.CharField(max_length=20, error_messages=REQUIRED)

    def clean_phone(self):
        phone = re.sub(r"[\s-]", "", self.cleaned_data["phone"])
        if not re.fullmatch(r"\+?\d{8,15}", phone):
            raise forms.ValidationError("Nomor HP tidak valid (contoh: 081234567890).")
        return phone

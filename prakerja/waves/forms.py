from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from prakerja.waves.models import Wave


class JoinForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    agree = forms.BooleanField(label=pgettext_lazy("wave consent", "I agree"),
                               error_messages={"required": _("Tick this box to continue.")})


class WaveAdminForm(forms.ModelForm):
    """Operators enter times in WIB (TIME_ZONE); quotas per province as CODE=QUOTA lines."""

    province_quotas = forms.CharField(
        label=_("Quotas per province"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One line per province: code=quota, for example 32=120000. Leave empty for none."))

    class Meta:
        model = Wave
        fields = ["number", "kind", "opens_at", "closes_at", "announce_at", "national_quota", "eligible_provinces"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["province_quotas"] = "\n".join(
                f"{q.province.code}={q.quota}" for q in self.instance.province_quotas.select_related("province"))

    def clean_province_quotas(self):
        quotas = {}
        for number, line in enumerate(self.cleaned_data["province_quotas"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            code, _sep, quota = line.partition("=")
            if not (code.strip().isdigit() and len(code.strip()) == 2 and quota.strip().isdigit()):
                raise forms.ValidationError(_("Line %(n)d: write code=quota, for example 32=120000.") % {"n": number})
            quotas[code.strip()] = int(quota.strip())
        from prakerja.regions.models import Province

        unknown = set(quotas) - set(Province.objects.filter(code__in=quotas).values_list("code", flat=True))
        if unknown:
            raise forms.ValidationError(_("Unknown province code: %(codes)s") % {"codes": ", ".join(sorted(unknown))})
        return quotas

"""The statistics' filter form (GET): wave, province, dates. Bad input is a form error, never a 500."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.stats.models import ALL_WAVES
from prakerja.stats.selectors import Filters

# Kartu Prakerja began in 2020; a bound keeps a typed year 9999 from asking for 100,000 months.
FIRST_DAY = date(2020, 1, 1)
UNKNOWN_PROVINCE = "none"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class StatsFilter(forms.Form):
    wave = forms.TypedChoiceField(label=_("Wave"), required=False, coerce=int, empty_value=ALL_WAVES,
                                  error_messages={"invalid_choice": _("There is no such wave.")})
    province = forms.ChoiceField(label=_("Province"), required=False,
                                 error_messages={"invalid_choice": _("There is no such province.")})
    date_from = forms.DateField(label=_("From (date)"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("Up to (date)"), required=False, widget=DateInput)

    def __init__(self, *args, waves, provinces, with_wave=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wave"].choices = [("", _("All waves")), *((n, _("Wave %(n)s") % {"n": n}) for n in waves)]
        self.fields["province"].choices = [("", _("All provinces")), *provinces.items(),
                                           (UNKNOWN_PROVINCE, _("Province not known"))]
        if not with_wave:
            del self.fields["wave"]

    def _clean_day(self, name):
        day = self.cleaned_data.get(name)
        last = timezone.localdate() + timedelta(days=366)
        if day is not None and not FIRST_DAY <= day <= last:
            raise forms.ValidationError(_("Choose a date from 1 January 2020 up to one year from today."))
        return day

    def clean_date_from(self):
        return self._clean_day("date_from")

    def clean_date_to(self):
        return self._clean_day("date_to")

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and last < first:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> Filters:
        data = self.cleaned_data
        province = data.get("province") or None
        return Filters(wave=data.get("wave") or ALL_WAVES,
                       province="" if province == UNKNOWN_PROVINCE else province,
                       date_from=data.get("date_from"), date_to=data.get("date_to"))

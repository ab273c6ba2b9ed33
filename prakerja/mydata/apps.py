from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MydataConfig(AppConfig):
    name = "prakerja.mydata"
    verbose_name = _("My data")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo accounts and a demo wave for `make run` (never in production).

    It sits above every domain app, so the demo may reach into waves without
    accounts importing waves.
    """

    name = "prakerja.demo"
    verbose_name = _("Demo")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "prakerja.learning"
    verbose_name = _("Trainings and purchases")

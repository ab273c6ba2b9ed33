from django.apps import AppConfig


class InductionConfig(AppConfig):
    name = "prakerja.induction"

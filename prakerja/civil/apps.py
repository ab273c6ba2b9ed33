from django.apps import AppConfig


class CivilConfig(AppConfig):
    name = "prakerja.civil"

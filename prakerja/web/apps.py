from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "prakerja.web"
    verbose_name = "Web"

from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "prakerja.sandbox"
    label = "sandbox"

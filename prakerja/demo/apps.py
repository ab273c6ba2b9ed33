from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo accounts and a demo wave for `make run` (never in production).

    It sits above every domain app, so the demo may reach into waves without
    accounts importing waves.
    """

    name = "prakerja.demo"

from django.db import models


class OutboxMessage(models.Model):
    """Every email and SMS the platform sent, as the outside world received it."""

    channel = models.CharField(max_length=8)  # "email" | "sms"
    to = models.CharField(max_length=254, db_index=True)
    subject = models.CharField(max_length=500, blank=True)
    body = models.TextField()
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return f"{self.channel} to {self.to}"

    def as_dict(self) -> dict:
        return {"channel": self.channel, "to": self.to, "subject": self.subject, "body": self.body,
                "sent_at": self.sent_at.isoformat()}


class Fault(models.Model):
    """An injected failure: the next ``remaining`` calls to ``target`` fail with ``mode``.

    Lets tests drive the platform's retry paths against a real HTTP server.
    """

    target = models.CharField(max_length=32, db_index=True)  # "sms", "dukcapil", later "payout"
    mode = models.CharField(max_length=16)  # "500" | "400" | "timeout"
    delay = models.FloatField(default=10.0)
    remaining = models.PositiveIntegerField(default=1)

    def __str__(self):
        return f"{self.target}: {self.mode} x{self.remaining}"


class Person(models.Model):
    """A resident in the sandbox civil registry (a synthetic population)."""

    nik = models.CharField(max_length=16, unique=True)
    kk = models.CharField(max_length=16, db_index=True)
    name = models.CharField(max_length=150)
    birth_date = models.DateField()
    female = models.BooleanField()
    district_code = models.CharField(max_length=6)  # province, regency, district: "327301"

    def __str__(self):
        return self.name

    def as_dict(self) -> dict:
        return {"nik": self.nik, "kk": self.kk, "name": self.name, "birth_date": self.birth_date.isoformat(),
                "female": self.female, "district_code": self.district_code}


from prakerja.sandbox.provider_models import DeskAction  # noqa: E402, F401 - the provider desk's table, kept in its own module
from prakerja.sandbox.shop_models import ShopOrder  # noqa: E402, F401 - the demo shop's table, kept in its own module

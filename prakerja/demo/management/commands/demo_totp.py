import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand

from prakerja.demo.management.commands.load_demo import DEMO_TOTP_SECRET, refuse_in_production


class Command(BaseCommand):
    help = "Print the current TOTP code of the demo operator (demo data only)."

    def handle(self, *args, **options):
        refuse_in_production("demo_totp")
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter)))

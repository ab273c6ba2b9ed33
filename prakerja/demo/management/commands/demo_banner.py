from django.core.management.base import BaseCommand

from prakerja.demo.management.commands.load_demo import (
    APPLICANT,
    DEMO_PASSWORD,
    OPERATOR,
    PARTICIPANT,
    refuse_in_production,
)
from prakerja.demo.partners import banner_lines

BANNER = """
==============================================================================
 Prakerja is starting (Ctrl-C stops everything)

   Web site          http://127.0.0.1:8000/
   Back office       http://127.0.0.1:8000/backoffice/ (operators: what needs doing, complaints, statistics)
   Raw records       http://127.0.0.1:8000/admin/
   Complaint form    http://127.0.0.1:8000/complaints/
   Waves (public)    http://127.0.0.1:8000/waves/
   Health            http://127.0.0.1:8000/healthz
   Sandbox outbox    http://127.0.0.1:8001/outbox   (emails and SMS land here)
   Demo shop         http://127.0.0.1:8001/shop/    (a digital platform: buy with the card)
   Provider desk     http://127.0.0.1:8001/provider/ (a training provider: redeem, report completion)
   Find a training   http://127.0.0.1:8000/trainings/
   Check certificate http://127.0.0.1:8000/certificates/
   Partner API docs  http://127.0.0.1:8000/api/partner/v1/docs

 Demo logins (password for all: {password})
   Applicant         {applicant}   (registration not finished yet)
   Participant       {participant}   (passed an announced wave: her Kartu
                     Prakerja and the three induction videos are on the dashboard)
   Operator          {operator}   second factor: run
                     .venv/bin/python manage.py demo_totp   for the 6-digit code

 Buy a training: sign in as the participant, watch the three short videos,
 press "Lihat" on the card (her password again) and copy the 16 digits; then
 at the demo shop choose her as the shopper, pick a course, enter the number,
 and type the OTP that arrives in the sandbox outbox. Her redeem code is then
 on her dashboard under "Pelatihanmu": at the provider desk (the order page
 links it) check and use it, then report completion with her details as she
 registered; the certificate appears on her dashboard at once, with "Beri
 Ulasan" beside it, and anyone can check it at /certificates/.

 New account: http://127.0.0.1:8000/accounts/signup/ then open the outbox for
 the confirmation link. Demo identities for the NIK step (the sandbox civil
 registry knows them; more at http://127.0.0.1:8001/):
   Siti Rahmawati  NIK 3273015203950001  KK 3273010108160001  born 1995-03-12
   (the demo applicant above; give your account a demo person's full name)
   Budi Santoso    NIK 3171010407880001  KK 3171012002120001  born 1988-07-04
==============================================================================
"""


class Command(BaseCommand):
    help = "Print the URLs and demo logins that `make run` serves."

    def handle(self, *args, **options):
        refuse_in_production("demo_banner")
        self.stdout.write(BANNER.format(password=DEMO_PASSWORD, applicant=APPLICANT[0], operator=OPERATOR[0],
                                        participant=PARTICIPANT[0]))
        self.stdout.write(banner_lines() + "\n" + "=" * 78)

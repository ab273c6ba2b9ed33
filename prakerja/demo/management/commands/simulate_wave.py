"""``manage.py simulate_wave --applicants N [--quota Q] [--seed S] [--no-announce]``: a wave you can watch."""

import json

from django.core.management.base import BaseCommand

from prakerja.demo.management.commands.load_demo import refuse_in_production
from prakerja.demo.simulation import simulate_wave


class Command(BaseCommand):
    help = ("Create a closed wave of synthetic registrants (made by the civil registry's numbering rules), "
            "run its selection and announce it.")

    def add_arguments(self, parser):
        parser.add_argument("--applicants", type=int, default=1000)
        parser.add_argument("--quota", type=int, default=None, help="national quota (default: a third)")
        parser.add_argument("--seed", type=int, default=16, help="seed of the synthetic population (not the draw)")
        parser.add_argument("--no-announce", action="store_true", help="stop after the selection")

    def handle(self, *args, applicants, quota, seed, no_announce, **options):
        refuse_in_production("simulate_wave")

        def progress(done, total):
            self.stdout.write(f"\rregistrants {done}/{total} ({100 * done // total}%)", ending="")
            self.stdout.flush()

        result = simulate_wave(applicants=applicants, quota=quota, seed=seed, actor="command:simulate_wave",
                               announce=not no_announce, progress=progress)
        self.stdout.write("")
        wave = result.wave
        self.stdout.write(json.dumps(result.report, indent=2, default=str))
        self.stdout.write(f"wave {wave.number}: seed commitment {wave.seed_commitment}")
        if wave.seed:
            self.stdout.write(f"seed revealed: {wave.seed}\ncheck it: manage.py verify_draw {wave.number}")

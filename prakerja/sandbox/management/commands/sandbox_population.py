import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from prakerja.env import env_str
from prakerja.sandbox import population
from prakerja.sandbox.models import Person


class Command(BaseCommand):
    help = ("The sandbox civil registry's population: generate families, load or export a CSV "
            "(nik,kk,name,birth_date,female,district_code). Run with DJANGO_SETTINGS_MODULE=prakerja.sandbox.settings.")

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, help="generate this many families")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--csv", type=Path, help="load people from a CSV (upsert by NIK)")
        parser.add_argument("--export", type=Path, help="write everyone to a CSV")

    def handle(self, *args, families, seed, csv, export, **options):
        # The sandbox has its own settings and never reads the platform's, so
        # it reads the variable the platform's settings read. A stand-in civil
        # registry that answers "verified" for made-up people has no place
        # next to production (issue 14, finding 7).
        if env_str("PRAKERJA_ENV") == "production":
            raise CommandError("sandbox_population refuses to run with PRAKERJA_ENV=production.")
        if not (families or csv or export):
            raise CommandError("give --families, --csv or --export")
        if csv:
            self.stdout.write(f"loaded {population.load_csv(csv)} people from {csv}")
        if families:
            started = time.monotonic()
            people = population.generate(families=families, seed=seed)
            self.stdout.write(f"generated {len(people)} people in {families} families "
                              f"({time.monotonic() - started:.1f} s)")
        if export:
            self.stdout.write(f"exported {population.export_csv(export)} people to {export}")
        self.stdout.write(f"population: {Person.objects.count()}")

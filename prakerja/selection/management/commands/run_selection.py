"""``manage.py run_selection WAVE``: run (or resume) a closed wave's selection now and print its report."""

import json

from django.core.management.base import BaseCommand, CommandError

from prakerja.selection.services import SelectionRefused, selection_run_wave
from prakerja.waves.models import Wave


class Command(BaseCommand):
    help = "Run or resume the selection of a closed wave (SEL-1..5); refused while another run holds it."

    def add_arguments(self, parser):
        parser.add_argument("wave", type=int, help="the wave number")

    def handle(self, *args, wave, **options):
        found = Wave.objects.filter(number=wave).first()
        if found is None:
            raise CommandError(f"no wave {wave}")
        try:
            run = selection_run_wave(actor="command:run_selection", wave=found)
        except SelectionRefused as refused:
            raise CommandError(str(refused.message)) from refused
        self.stdout.write(json.dumps({"stages": run.stages_done, "seconds": run.timings, **run.report},
                                     indent=2, default=str))

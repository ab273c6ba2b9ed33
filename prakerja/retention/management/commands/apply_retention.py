from django.core.management.base import BaseCommand

from prakerja.retention.services import retention_run


class Command(BaseCommand):
    help = "Apply the retention rules (PRV-8); --dry-run reports the counts per rule and per postponement reason."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count only; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        report = retention_run(dry_run=dry_run)
        verb = "would apply" if dry_run else "applied"
        for rule, counts in report.items():
            self.stdout.write(f"{rule}: eligible {counts['eligible']}, {verb} {counts['apply']}")
            for reason, number in counts["postponed"].items():
                self.stdout.write(f"  postponed ({reason}): {number}")

"""Re-encrypt everything kept under the personal-data keys (PRV): a registrant's NIK, KK and birth date, card
numbers (CRD-1), partners' signing secrets. Here, above every app that keeps such a value, so one command
covers them all (docs/operations.md, "Rotating the personal-data key")."""

from django.core.management.base import BaseCommand

from prakerja.cards.models import Card
from prakerja.partners.models import PartnerSecret
from prakerja.registry import crypto
from prakerja.registry.models import Profile

# (model, its encrypted fields, a name for the output)
TARGETS = [
    (Profile, ["nik_encrypted", "kk_encrypted", "birth_date_encrypted"], "profiles (NIK, KK, birth date)"),
    (Card, ["number_encrypted"], "card numbers"),
    (PartnerSecret, ["secret_encrypted"], "partner secrets"),
]


class Command(BaseCommand):
    help = ("Re-encrypt NIK and KK numbers, birth dates, card numbers and partner secrets under the first key of "
            "PERSONAL_DATA_KEYS. Run after putting a new key first; afterwards the old key can be removed. Safe "
            "to interrupt and run again.")

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, batch, **options):
        for model, fields, label in TARGETS:
            rows_with_data = model.objects.exclude(**{fields[0]: ""})
            done = last = 0
            total = rows_with_data.count()
            while True:
                rows = list(rows_with_data.filter(pk__gt=last).order_by("pk").values("pk", *fields)[:batch])
                if not rows:
                    break
                for row in rows:
                    # Conditional on the old ciphertext: a concurrent write wins.
                    model.objects.filter(pk=row["pk"], **{f: row[f] for f in fields}).update(
                        **{f: crypto.rotate(row[f]) for f in fields if row[f]})
                done += len(rows)
                last = rows[-1]["pk"]
                self.stdout.write(f"{label}: re-encrypted {done}/{total}")
            self.stdout.write(self.style.SUCCESS(f"done: {done} {label} re-encrypted under the newest key"))

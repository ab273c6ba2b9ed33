from django.core.management.base import BaseCommand

from prakerja.registry import crypto
from prakerja.registry.models import Profile

ENCRYPTED_FIELDS = ["nik_encrypted", "kk_encrypted", "birth_date_encrypted"]


class Command(BaseCommand):
    help = ("Re-encrypt NIK and KK numbers and birth dates under the first key of PERSONAL_DATA_KEYS. Run after "
            "putting a new key first; afterwards the old key can be removed. Safe to interrupt and run again.")

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, batch, **options):
        done = last = 0
        total = Profile.objects.exclude(nik_encrypted="").count()
        while True:
            rows = list(Profile.objects.filter(pk__gt=last).exclude(nik_encrypted="").order_by("pk")
                        .values("pk", *ENCRYPTED_FIELDS)[:batch])
            if not rows:
                break
            for row in rows:
                # Conditional on the old ciphertext: a concurrent write wins.
                Profile.objects.filter(pk=row["pk"], **{f: row[f] for f in ENCRYPTED_FIELDS}).update(
                    **{f: crypto.rotate(row[f]) for f in ENCRYPTED_FIELDS if row[f]})
            done += len(rows)
            last = rows[-1]["pk"]
            self.stdout.write(f"re-encrypted {done}/{total}")
        self.stdout.write(self.style.SUCCESS(f"done: {done} profiles re-encrypted under the newest key"))

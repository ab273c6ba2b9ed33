"""Seed the bench database: registrants with complete profiles, logged-in sessions, an open wave.

Run by bench/run.py inside the bench environment (DATABASE_URL, REDIS_URL set).
Writes one line per user to the sessions file: "<sessionid> <csrftoken>".
"""

import random
import secrets
import string
import sys
from datetime import timedelta

import django


def main(count: int, out_path: str) -> None:
    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.utils import timezone

    from prakerja.accounts.models import User
    from prakerja.regions.models import Regency
    from prakerja.registry.models import IdentityStatus, Profile
    from prakerja.waves.models import Wave

    rng = random.Random(7)
    regencies = list(Regency.objects.all())
    users = User.objects.bulk_create(
        [User(email=f"bench{i}@example.id", full_name=f"Peserta Bench {i}", password="!unusable")
         for i in range(count)], batch_size=2000)
    users = list(User.objects.filter(email__startswith="bench").order_by("pk"))
    EmailAddress.objects.bulk_create([EmailAddress(user=u, email=u.email, verified=True, primary=True)
                                      for u in users], batch_size=2000)
    now = timezone.now()
    Profile.objects.bulk_create([Profile(user=u, domicile_regency=rng.choice(regencies), completed_at=now,
                                         identity_status=IdentityStatus.VERIFIED, nik_index=f"bench-{u.pk}")
                                 for u in users], batch_size=2000)
    Wave.objects.create(number=1, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=3),
                        announce_at=now + timedelta(days=5), national_quota=800_000)
    alphabet = string.ascii_letters + string.digits
    with open(out_path, "w") as out:
        for user in users:
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            csrf = "".join(secrets.choice(alphabet) for _ in range(32))
            out.write(f"{session.session_key} {csrf}\n")
    print(f"seeded {len(users)} registrants, wave {Wave.objects.get().public_id}")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])

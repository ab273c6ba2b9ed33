"""Seed the bench database: registrants with complete profiles, logged-in sessions, an open wave.

Run by bench/run.py inside the bench environment (DATABASE_URL, REDIS_URL set).
Writes one line per user to the sessions file: "<sessionid> <csrftoken>", and
one to the logins file: "<email> <csrftoken>".

Every registrant has the password BENCH_PASSWORD, hashed once with the
project's first hasher (Argon2id, OWASP parameters) and the encoded hash
reused: a shared salt does not change what verifying costs, and 30,000
hashes at about 20 ms would take ten minutes.
"""

import random
import string
import sys
from datetime import timedelta
from pathlib import Path

import django

BENCH_PASSWORD = "Bench-Masuk-2026"  # noqa: S105 - seeded bench accounts only


def main(count: int, out_path: str, logins_path: str) -> None:
    django.setup()
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import get_hasher, make_password
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.models import Session
    from django.core.cache import caches
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from prakerja.accounts.models import User
    from prakerja.accounts.sessions import SessionStore
    from prakerja.regions.models import Regency
    from prakerja.registry.models import IdentityStatus, Profile
    from prakerja.waves.models import Wave

    rng = random.Random(7)
    regencies = list(Regency.objects.all())
    encoded = make_password(BENCH_PASSWORD)
    assert encoded.startswith("argon2$argon2id$") and not get_hasher().must_update(encoded), encoded
    users = User.objects.bulk_create(
        [User(email=f"bench{i}@example.id", full_name=f"Peserta Bench {i}", password=encoded,
              email_confirmed_at=timezone.now())
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
    # Sessions as SessionStore.create() would leave them (a database row, the
    # cached copy and the user id beside it), written in bulk: one at a time took minutes.
    cache = caches[settings.SESSION_CACHE_ALIAS]
    age = settings.SESSION_COOKIE_AGE
    alphabet = string.ascii_letters + string.digits
    rows, cached, lines, logins = [], {}, [], []
    for user in users:
        store = SessionStore(session_key=get_random_string(32, VALID_KEY_CHARS))
        data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
                HASH_SESSION_KEY: user.get_session_auth_hash()}
        rows.append(Session(session_key=store.session_key, session_data=store.encode(data),
                            expire_date=now + timedelta(seconds=age)))
        cached[store.cache_key] = data
        cached[store.uid_key] = user.pk  # the signed-in user's id beside the session (prakerja/accounts/sessions.py)
        lines.append(f"{store.session_key} {get_random_string(32, alphabet)}\n")
        logins.append(f"{user.email} {get_random_string(32, alphabet)}\n")
    Session.objects.bulk_create(rows, batch_size=2000)
    items = list(cached.items())
    for start in range(0, len(items), 2000):
        cache.set_many(dict(items[start:start + 2000]), age)
    Path(out_path).write_text("".join(lines))
    Path(logins_path).write_text("".join(logins))
    print(f"seeded {len(users)} registrants, wave {Wave.objects.get().public_id}")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3])

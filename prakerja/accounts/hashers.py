from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's minimum (m=19 MiB, t=2, p=1).

    Django's default Argon2 parameters cost about 130 ms a login on a
    2-core machine; these cost about 22 ms and are still OWASP's
    recommended floor. The algorithm name stays "argon2", so hashes made
    with other parameters keep verifying and are upgraded on next login.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

"""Password hashing: Argon2id at OWASP's parameters, at most one hash per core at a time.

Argon2id is memory-hard: each hash fills its memory parameter (7 MiB). A web
machine serves many requests at once (workers times threads), and a burst of
logins would run as many hashes side by side, each evicting the others'
memory from the CPU caches. So hashes take turns through a machine-wide gate
of one slot per core (a lock file per slot, held with flock: the kernel frees
a slot when its process dies). A login that waits for a slot waits less than
it would have shared the cores.

Which of OWASP's equivalent parameter sets: OWASP's password storage cheat
sheet lists five Argon2id settings that "provide an equal level of defense"
and differ only in trading memory for passes (m=46 MiB t=1, 19 MiB t=2,
12 MiB t=3, 9 MiB t=4, 7 MiB t=5, all p=1). What a set costs a server is not
equal: with one hash per core running, the memory of all of them must share
the last-level cache. Measured here (2 cores, a 32 MiB L3 shared by the VM),
verifications a second with two at once: 19 MiB t=2 about 68, 12 MiB t=3
about 88, 9 MiB t=4 about 96, 7 MiB t=5 about 113. The last row costs the
same per hash alone (16 to 18 ms against 29) and far less when the cores are
busy, so it is ours. Hashes of the earlier parameters (19 MiB, t=2) still
verify and are rehashed at the next sign-in.

Verifying is most of a sign-in's CPU, so a hash of our parameters is
verified by libsodium's Argon2id (through PyNaCl, whose wheel bundles
libsodium): the same algorithm, parameters and PHC string, computed with
the AVX2/AVX-512 code libsodium picks for the CPU at run time, about a
quarter less CPU than argon2-cffi's portable build here (``make bench``'s logins;
tests/accounts/test_login_cost_hasher.py checks both agree). Every other
hash, and every new hash, goes through argon2-cffi as before.
"""

import contextlib
import fcntl
import os
import random
import re
import tempfile
import threading
from pathlib import Path

from django.contrib.auth.hashers import Argon2PasswordHasher


class _Gate:
    """At most ``slots`` holders at once across every process of this machine and user."""

    def __init__(self, slots: int, directory: Path):
        self.slots = max(1, slots)
        self.directory = directory
        self._setup = threading.Lock()
        self._fds: list[int] | None = None
        self._pid: int | None = None
        # flock is held per open file, which this process's threads share:
        # each slot also has a lock for the threads of this process.
        self._local = [threading.Lock() for _ in range(self.slots)]

    def _files(self) -> list[int]:
        with self._setup:
            if self._fds is None or self._pid != os.getpid():  # a forked worker opens its own
                self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
                self._fds = [os.open(self.directory / f"slot-{i}", os.O_RDWR | os.O_CREAT, 0o600)
                             for i in range(self.slots)]
                self._pid = os.getpid()
                self._local = [threading.Lock() for _ in range(self.slots)]
            return self._fds

    @contextlib.contextmanager
    def held(self):
        fds = self._files()
        start = random.randrange(self.slots)  # noqa: S311 - spreading waiters, not a secret
        order = [(start + i) % self.slots for i in range(self.slots)]
        taken = None
        for index in order:
            if self._local[index].acquire(blocking=False):
                try:
                    fcntl.flock(fds[index], fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    self._local[index].release()
                    continue
                taken = index
                break
        if taken is None:  # every slot busy: queue on one
            taken = start
            self._local[taken].acquire()
            fcntl.flock(fds[taken], fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fds[taken], fcntl.LOCK_UN)
            self._local[taken].release()


_gate = _Gate(os.cpu_count() or 1, Path(tempfile.gettempdir()) / f"prakerja-argon2-{os.getuid()}")


# --- libsodium's Argon2id verification ---------------------------------------------------------

# What libsodium verifies exactly as argon2-cffi does: Argon2id, version 1.3, one lane (libsodium
# has no other), plain base64 salt and hash; under crypto_pwhash_STRBYTES (128) with its NUL.
# Salt of at least 8 bytes and hash of at least 16 (libsodium's minimums; argon2-cffi's are lower).
_SODIUM_FORMAT = re.compile(r"\$argon2id\$v=19\$m=[0-9]+,t=[0-9]+,p=1\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{22,}")
_SODIUM_MAX_LENGTH = 127
_sodium_lock = threading.Lock()
_sodium: list = []  # [the verify function, or None when switched off], filled once


def _load_sodium():
    """PyNaCl's binding of libsodium's crypto_pwhash_argon2id_str_verify (its wheel bundles libsodium)."""
    from nacl.exceptions import CryptoError
    from nacl.pwhash import argon2id

    def verify(phc: bytes, secret: bytes) -> bool:
        try:
            return bool(argon2id.verify(phc, secret))  # a CFFI call: the GIL is let go while it hashes
        except CryptoError:  # a wrong password (InvalidkeyError), or a string libsodium will not read
            return False

    return verify


def sodium_verifier():
    """libsodium's Argon2id verification ``(phc, password) -> bool``; None when PRAKERJA_SODIUM=false."""
    if not _sodium:
        with _sodium_lock:
            if not _sodium:
                enabled = os.environ.get("PRAKERJA_SODIUM", "true").lower() not in ("0", "false", "no", "off")
                _sodium.append(_load_sodium() if enabled else None)
    return _sodium[0]


def sodium_can_verify(phc: str) -> bool:
    return len(phc) <= _SODIUM_MAX_LENGTH and _SODIUM_FORMAT.fullmatch(phc) is not None


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at one of OWASP's minimum settings (m=7 MiB, t=5, p=1), through the gate.

    Django's default Argon2 parameters cost about 130 ms a login on a
    2-core machine; these cost under 20 ms and are OWASP's recommended
    floor (the module's docstring says why this row of OWASP's table). The
    algorithm name stays "argon2", so hashes made with other parameters
    keep verifying and are upgraded on next login.
    """

    time_cost = 5
    memory_cost = 7 * 1024  # KiB
    parallelism = 1

    def encode(self, password, salt):
        with _gate.held():
            return super().encode(password, salt)

    def verify(self, password, encoded):
        algorithm, rest = encoded.split("$", 1)
        phc = "$" + rest
        verify = sodium_verifier() if algorithm == self.algorithm and sodium_can_verify(phc) else None
        with _gate.held():
            if verify is not None:
                secret = password.encode()  # argon2-cffi hashes a str as its UTF-8 bytes too
                return verify(phc.encode("ascii"), secret)
            return super().verify(password, encoded)

    def verify_dummy(self, password) -> None:
        """The cost of verifying a password against an account of ours, for a login that found no account.

        allauth's backend hashes the password instead (``set_password``):
        with verification through libsodium cheaper than a new hash, the
        time would tell whether an address has an account.
        """
        self.verify(password, _dummy_hash())


_dummy: list[str] = []


def _dummy_hash() -> str:
    if not _dummy:
        _dummy.append(OwaspArgon2PasswordHasher().encode("prakerja-no-such-account", "prakerjadummysalt0123"))
    return _dummy[0]

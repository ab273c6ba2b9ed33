"""Password hashing: Argon2id at OWASP's parameters, at most one hash per core at a time.

Argon2id is memory-hard: each hash fills 19 MiB. A web machine serves many
requests at once (workers times threads), and a burst of logins would run
as many hashes side by side, each evicting the others' memory from the CPU
caches. Measured here on 2 cores: 2 hashes at a time give about 68 a second,
20 at a time about 46. So hashes take turns through a machine-wide gate of
one slot per core (a lock file per slot, held with flock: the kernel frees a
slot when its process dies). A login that waits for a slot waits less than
it would have shared the cores.
"""

import contextlib
import fcntl
import os
import random
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


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's minimum (m=19 MiB, t=2, p=1), through the gate.

    Django's default Argon2 parameters cost about 130 ms a login on a
    2-core machine; these cost about 22 ms and are still OWASP's
    recommended floor. The algorithm name stays "argon2", so hashes made
    with other parameters keep verifying and are upgraded on next login.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

    def encode(self, password, salt):
        with _gate.held():
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with _gate.held():
            return super().verify(password, encoded)

"""Argon2 hashes take turns through a machine-wide gate (prakerja/accounts/hashers.py)."""

import multiprocessing
import threading
import time

from django.contrib.auth.hashers import check_password, make_password

from prakerja.accounts import hashers
from prakerja.accounts.hashers import _Gate


def test_no_more_holders_than_slots_among_threads(tmp_path):
    gate = _Gate(2, tmp_path)
    inside, most, lock = [0], [0], threading.Lock()

    def work():
        with gate.held():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.02)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert most[0] == 2


def _hold(directory, held, release):
    gate = _Gate(1, directory)
    with gate.held():
        held.set()
        release.wait(10)


def test_a_slot_held_by_another_process_is_waited_for(tmp_path):
    context = multiprocessing.get_context("fork")
    held, release = context.Event(), context.Event()
    other = context.Process(target=_hold, args=(tmp_path, held, release))
    other.start()
    try:
        assert held.wait(10)
        gate, entered = _Gate(1, tmp_path), threading.Event()

        def enter():
            with gate.held():
                entered.set()

        waiter = threading.Thread(target=enter)
        waiter.start()
        assert not entered.wait(0.3)  # the other process holds the only slot
        release.set()
        assert entered.wait(10)
        waiter.join()
    finally:
        release.set()
        other.join(10)


def test_a_dead_holder_frees_its_slot(tmp_path):
    context = multiprocessing.get_context("fork")
    held, release = context.Event(), context.Event()
    other = context.Process(target=_hold, args=(tmp_path, held, release))
    other.start()
    assert held.wait(10)
    other.kill()
    other.join(10)
    with _Gate(1, tmp_path).held():
        pass


def test_the_project_hasher_goes_through_the_gate(settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["prakerja.accounts.hashers.OwaspArgon2PasswordHasher"]
    entries = []

    class Counting(_Gate):
        def held(self):
            entries.append(1)
            return super().held()

    monkeypatch.setattr(hashers, "_gate", Counting(1, hashers._gate.directory))
    encoded = make_password("Sandi-Rahasia-2026")
    assert check_password("Sandi-Rahasia-2026", encoded)
    assert len(entries) == 2  # one hash, one verification

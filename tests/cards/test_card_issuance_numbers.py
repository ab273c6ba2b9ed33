"""CRD-1 at scale: the issue pass's numbers are drawn ahead (PostgreSQL: in a thread, written by COPY), and a
number some card already has is drawn again, on either path (PostgreSQL: the unique index refuses the chunk's
first try, and the retry looks its numbers up)."""

import threading

from django.utils import timezone

from prakerja.cards.models import Card
from prakerja.cards.numbers import index_of, is_valid
from prakerja.cards.services import issuance as issuing
from prakerja.ledger.selectors import differences
from prakerja.registry.crypto import decrypt
from prakerja.waves.models import Wave
from tests.selection.test_run import person


def numbers():
    return [decrypt(card.number_encrypted) for card in Card.objects.order_by("pk")]


def test_a_number_already_issued_is_drawn_again(announced_wave, issue, make_wave, monkeypatch):
    issue(announced_wave)
    issued = numbers()
    later = make_wave(number=71, opens=-40, closes=-30, announce=-25, quota=2)
    Wave.objects.filter(pk=later.pk).update(closed_at=timezone.now(), results_published_at=timezone.now())
    for _ in range(2):
        person(wave=later, status="passed")
    # The next draws repeat the numbers already on cards, twice over; then chance takes over again.
    repeats, real, lock = iter(issued * 2), issuing.new_number, threading.Lock()

    def rigged(prefix=None):
        with lock:  # the PostgreSQL path draws in a thread of its own
            return next(repeats, None) or real(prefix)

    clashes, taken = [], issuing._taken

    def seen(indexes):
        clashes.extend(found := taken(indexes))
        return found

    monkeypatch.setattr(issuing, "new_number", rigged)
    monkeypatch.setattr(issuing, "_taken", seen)
    issue(later)
    assert len(clashes) >= 2  # the repeats were caught against the cards of the first wave
    every = numbers()
    assert len(every) == 5 and len(set(every)) == 5 and every[:3] == issued
    assert all(is_valid(n) for n in every)
    assert [card.number_index for card in Card.objects.order_by("pk")] == [index_of(n) for n in every]
    assert differences() == []


def test_a_big_chunk_is_issued_in_one_go(announced_wave, issue):
    done = issue(announced_wave, chunk_size=10_000)  # numbers drawn ahead for more cards than the wave has
    assert done.issued == 3 and done.credited == 3 and len(set(numbers())) == 3
    assert differences() == []

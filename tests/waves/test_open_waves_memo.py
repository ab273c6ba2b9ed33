"""The open waves: shared through the cache, and held by each process for OPEN_WAVES_HERE seconds."""

import pytest

from prakerja.waves import selectors

pytestmark = pytest.mark.django_db


class CountingCache:
    def __init__(self, cache):
        self.cache, self.reads = cache, 0

    def get(self, key, default=None):
        self.reads += 1
        return self.cache.get(key, default)

    def __getattr__(self, name):
        return getattr(self.cache, name)


def test_a_process_holds_the_answer_a_second_then_asks_the_cache(make_wave, monkeypatch):
    wave = make_wave()
    counting = CountingCache(selectors.cache)
    monkeypatch.setattr(selectors, "cache", counting)
    clock = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock[0])
    assert selectors.open_wave_for(province_id=1).pk == wave.pk
    assert counting.reads == 1
    clock[0] += selectors.OPEN_WAVES_HERE / 2
    assert selectors.open_wave_for(province_id=1).pk == wave.pk
    assert counting.reads == 1  # held here
    clock[0] += selectors.OPEN_WAVES_HERE
    assert selectors.open_wave_for(province_id=1).pk == wave.pk
    assert counting.reads == 2  # past the second: the shared answer again


def test_forgetting_drops_the_process_copy_too(make_wave):
    assert selectors.open_wave_for(province_id=1) is None
    wave = make_wave()
    assert selectors.open_wave_for(province_id=1) is None  # still the answer held (and cached)
    selectors.forget_open_waves()  # what a wave's saving does on commit
    assert selectors.open_wave_for(province_id=1).pk == wave.pk

"""The process-wide memo the lessons share their results through."""

import threading
import time

import numpy as np
import pytest

from ui.caching import shared


def counting(max_entries=8, ttl=None):
    calls = []

    @shared(max_entries=max_entries, ttl=ttl)
    def square(x, scale=1, _ignored=None):
        calls.append(x)
        return np.asarray(x) ** 2 * scale

    return square, calls


def test_a_value_is_computed_once_and_keyed_by_content():
    square, calls = counting()
    grid = np.arange(6.0).reshape(2, 3)
    first = square(grid)
    assert square(grid.copy()) is first                          # equal content, same key
    assert square(grid, scale=1) is first and square(x=grid) is first
    assert square(grid.T.copy()) is not first                    # the same bytes in another shape
    assert square(grid.astype(np.float32)) is not first          # the same values in another dtype
    assert square(grid, 2) is not first and len(calls) == 4


def test_underscore_arguments_are_not_part_of_the_key():
    square, calls = counting()
    square(3, _ignored="a picture")
    square(3, _ignored="another picture")
    assert len(calls) == 1


def test_big_arrays_are_keyed_by_their_digest_and_still_exactly():
    square, calls = counting()
    big = np.zeros((64, 64))
    square(big)
    changed = big.copy()
    changed[63, 63] = 1e-12
    square(changed)
    square(big.copy())
    assert len(calls) == 2


def test_the_least_recently_used_go_first():
    square, calls = counting(max_entries=2)
    square(1), square(2), square(1), square(3)                   # 2 is the least recently used
    assert square.cache_size() == 2
    square(1)
    assert len(calls) == 3
    square(2)
    assert len(calls) == 4


def test_entries_expire_after_ttl():
    square, calls = counting(ttl=0.05)
    square(1)
    time.sleep(0.1)
    square(1)
    assert len(calls) == 2


def test_exceptions_are_not_kept():
    attempts = []

    @shared(max_entries=4)
    def flaky(x):
        attempts.append(x)
        if len(attempts) == 1:
            raise ValueError("first time")
        return x

    with pytest.raises(ValueError):
        flaky(1)
    assert flaky(1) == 1 and len(attempts) == 2


def test_sessions_asking_at_once_compute_once():
    started, release = threading.Event(), threading.Event()
    calls = []

    @shared(max_entries=4)
    def slow(x):
        calls.append(x)
        started.set()
        release.wait(5)
        return object()

    results = []
    threads = [threading.Thread(target=lambda: results.append(slow(7))) for _ in range(8)]
    for thread in threads:
        thread.start()
    started.wait(5)
    release.set()
    for thread in threads:
        thread.join(5)
    assert len(calls) == 1 and len(results) == 8 and len({id(r) for r in results}) == 1


def test_unhashable_arguments_fail_loudly():
    square, _ = counting()
    with pytest.raises(TypeError):
        square({"a": 1})

"""Results shared read-only by every session: a bounded, thread-safe memo per function, for the whole process.

``st.cache_resource`` costs 0.15-0.3 ms per call even when the value is
there (it hashes every argument through its general hasher, and looks up the
name of each positional argument with ``inspect.signature``), and a lesson
makes several calls per rerun. The lessons' arguments are small and plain
(numbers, strings, small grids, and SHA-256 digests standing for pictures), so
a key made of them directly is exact and takes microseconds.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import threading
import time
from collections import OrderedDict

import numpy as np

_BIG_ARRAY = 4096          # bytes; a larger array is keyed by its SHA-256 rather than by its bytes


def shared(max_entries: int, ttl: float | None = None):
    """Memoise a function's results in this process, at most ``max_entries`` of them (the least recently
    used go first), each for at most ``ttl`` seconds.

    Arguments named with a leading underscore are left out of the key, as with
    ``st.cache_resource``: a picture goes in as ``_pixels`` beside the digest that
    stands for it. Sessions asking for the same missing value at once compute it
    once; the others wait for it. Callers must not change what they get back.
    """
    def decorate(func):
        parameters = inspect.signature(func).parameters
        names = list(parameters)
        defaults = {name: p.default for name, p in parameters.items() if p.default is not inspect.Parameter.empty}
        store: OrderedDict = OrderedDict()
        lock = threading.Lock()
        computing: dict[tuple, threading.Lock] = {}

        def lookup(key):
            with lock:
                entry = store.get(key)
                if entry is None or (ttl is not None and time.monotonic() - entry[0] > ttl):
                    return None
                store.move_to_end(key)
                return entry

        @functools.wraps(func)
        def memoised(*args, **kwargs):
            bound = defaults | dict(zip(names, args)) | kwargs
            key = tuple(_key(bound.get(name)) for name in names if not name.startswith("_"))
            if (entry := lookup(key)) is not None:
                return entry[1]
            with lock:
                key_lock = computing.setdefault(key, threading.Lock())
            try:
                with key_lock:
                    if (entry := lookup(key)) is not None:
                        return entry[1]
                    value = func(**bound)            # an exception is not kept: the next call tries again
                    with lock:
                        store[key] = (time.monotonic(), value)
                        store.move_to_end(key)
                        while len(store) > max_entries:
                            store.popitem(last=False)
                    return value
            finally:
                with lock:
                    computing.pop(key, None)

        memoised.cache_size = lambda: len(store)
        return memoised

    return decorate


def _key(value):
    """A hashable stand-in for an argument that equals another's exactly when the values do."""
    if isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value).tobytes()
        if len(data) > _BIG_ARRAY:
            data = hashlib.sha256(data).digest()
        return ("ndarray", value.dtype.str, value.shape, data)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_key(item) for item in value))
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return _key(value.item())
    hash(value)                      # anything else must be hashable itself: fail here, not deep in a dict
    return (type(value).__name__, value)

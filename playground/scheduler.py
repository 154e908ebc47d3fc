"""Places to train: a server-wide cap on how many sessions train at once, and a fair queue.

One server process trains every browser session's network in its own thread, and all those
threads share one Python interpreter with the threads that serve the pages. Thirty networks
training at once each get a thirtieth of it and the pages queue behind them. So a session
that plays asks `TrainingPlaces` for a place: the first `capacity` get one and train, the
others wait in order ("queued, 3 ahead of you") and start as places free up (a session that
pauses, resets, or whose tab closes gives its place back).

Nothing here imports Streamlit: the page keeps one `TrainingPlaces` per server process.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

__all__ = ["CAPACITY_VARIABLE", "TrainingPlaces", "default_capacity"]

CAPACITY_VARIABLE = "MLP_MAX_TRAINING"
MAX_CAPACITY = 256


def default_capacity() -> int:
    """From `MLP_MAX_TRAINING` when set (1 to 256), else two per core: while one network
    waits on its matrix products (outside the interpreter lock) another runs its Python."""
    raw = os.environ.get(CAPACITY_VARIABLE, "").strip()
    if raw.isdigit() and 1 <= int(raw) <= MAX_CAPACITY:
        return int(raw)
    return 2 * (os.cpu_count() or 1)


class TrainingPlaces:
    """At most `capacity` holders at once; the rest wait first come, first served.

    A holder is any hashable object (a training session). `request` is cheap and may be
    called often: it returns 0 when the holder has a place (now or already), else how many
    holders are ahead of it in the queue plus one.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._lock = threading.Lock()
        self._holders: set[object] = set()
        self._waiting: OrderedDict[object, None] = OrderedDict()

    def request(self, holder: object) -> int:
        key = holder
        with self._lock:
            if key in self._holders:
                return 0
            if key not in self._waiting:
                self._waiting[key] = None
            self._promote()
            if key in self._holders:
                return 0
            return list(self._waiting).index(key) + 1

    def release(self, holder: object) -> None:
        """Give the place back (or leave the queue); a holder that has neither is ignored."""
        key = holder
        with self._lock:
            self._holders.discard(key)
            self._waiting.pop(key, None)
            self._promote()

    def _promote(self) -> None:
        while self._waiting and len(self._holders) < self.capacity:
            key, _ = self._waiting.popitem(last=False)
            self._holders.add(key)

    @property
    def training(self) -> int:
        with self._lock:
            return len(self._holders)

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)

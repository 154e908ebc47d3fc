"""Places to train: a server-wide cap on how many sessions train at once, and a fair queue.

One server process trains every browser session's network in its own thread, and all those
threads share one Python interpreter with the threads that serve the pages. Thirty networks
training at once each get a thirtieth of it and the pages queue behind them. So a session
that plays asks `TrainingPlaces` for a place: the first `capacity` get one and train, the
others wait in order ("queued, 3 ahead of you") and start as places free up (a session that
pauses, resets, or whose tab closes gives its place back). A place is held for at most
`place_seconds` while others wait (`MLP_PLACE_SECONDS`, default 30 s); then its holder goes to
the back of the queue, so in a class of thirty nobody waits for a neighbour who never pauses.

The sessions that hold a place then take turns: `turn()` lets `at_once` of them (one by
default) run their steps at the same moment, first come first served, each for one short
chunk. Measured with four tabs playing on two cores, the training threads held the
interpreter lock in 96% of the samples and the pages and live views got 3%: a click on Pause
took 20-35 s to show. One training thread at a time competes with the page threads on even
terms instead of outnumbering them, and networks that spend their time in the matrix
products (outside the lock) lose little.

Pages come first: the page and its live views run inside `page_work()`, and while any does,
`pages_busy()` is true and the workers train in short slices with pauses between them (see
`session.Worker`), so a click or a new tab is served within a fraction of a second.

With training processes (the default, see `training_pool`) the sessions train there, every
one at once, and the places are only a guard: 20 per process unless `MLP_MAX_TRAINING` says
otherwise (`TrainingSession.admit`). What follows the first paragraph above, the turns and
the pages' priority, is the thread mode's (`MLP_TRAINING_PROCESSES=0`).

Nothing here imports Streamlit: the page keeps one `TrainingPlaces` per server process.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = [
    "AT_ONCE_VARIABLE",
    "CAPACITY_VARIABLE",
    "PLACE_SECONDS_VARIABLE",
    "TrainingPlaces",
    "default_at_once",
    "default_capacity",
    "default_place_seconds",
]

CAPACITY_VARIABLE = "MLP_MAX_TRAINING"
AT_ONCE_VARIABLE = "MLP_TRAINING_AT_ONCE"
PLACE_SECONDS_VARIABLE = "MLP_PLACE_SECONDS"
MAX_CAPACITY = 256
DEFAULT_PLACE_SECONDS = 30.0
MAX_PLACE_SECONDS = 24 * 3600


def default_capacity(otherwise: int | None = None) -> int:
    """From `MLP_MAX_TRAINING` when set (1 to 256), else `otherwise` (the training processes'
    share, see `training_pool`), else two per core: while one network waits on its matrix
    products (outside the interpreter lock) another runs its Python."""
    raw = os.environ.get(CAPACITY_VARIABLE, "").strip()
    if raw.isdigit() and 1 <= int(raw) <= MAX_CAPACITY:
        return int(raw)
    if otherwise is not None:
        return max(1, min(otherwise, MAX_CAPACITY))
    return 2 * (os.cpu_count() or 1)


def default_at_once() -> int:
    """From `MLP_TRAINING_AT_ONCE` when set (1 to 256), else 1: how many sessions run their
    steps at the same moment (the others wait for their turn)."""
    raw = os.environ.get(AT_ONCE_VARIABLE, "").strip()
    if raw.isdigit() and 1 <= int(raw) <= MAX_CAPACITY:
        return int(raw)
    return 1


def default_place_seconds() -> float:
    """From `MLP_PLACE_SECONDS` when set (a whole number of seconds, 1 to a day), else 30:
    how long a session keeps its place while others wait for one."""
    raw = os.environ.get(PLACE_SECONDS_VARIABLE, "").strip()
    if raw.isdigit() and 1 <= int(raw) <= MAX_PLACE_SECONDS:
        return float(raw)
    return DEFAULT_PLACE_SECONDS


class TrainingPlaces:
    """At most `capacity` holders at once; the rest wait first come, first served.

    A holder is any hashable object (a training session). `request` is cheap and may be
    called often: it returns 0 when the holder has a place (now or already), else how many
    holders are ahead of it in the queue plus one. A holder that has had its place for
    `place_seconds` while others waited goes to the back of the queue when it asks again.
    `clock` tells the time in seconds for that (`time.monotonic`; a test passes its own).
    """

    def __init__(
        self,
        capacity: int,
        at_once: int = 1,
        place_seconds: float = DEFAULT_PLACE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        if at_once < 1:
            raise ValueError(f"at_once must be at least 1, got {at_once}")
        if not place_seconds > 0:
            raise ValueError(f"place_seconds must be positive, got {place_seconds}")
        self.capacity = capacity
        self.at_once = at_once
        self.place_seconds = place_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._holders: dict[object, float] = {}  # holder: since when it holds its place
        self._waiting: OrderedDict[object, None] = OrderedDict()
        self._turns = threading.Condition()
        self._turn_queue: deque[object] = deque()
        self._running = 0
        self._pages = 0  # page and live-view runs under way

    @contextmanager
    def page_work(self) -> Iterator[None]:
        """Mark the `with` block as serving a page: training gives way while it runs."""
        with self._lock:
            self._pages += 1
        try:
            yield
        finally:
            with self._lock:
                self._pages -= 1

    def pages_busy(self) -> bool:
        """Whether a page or live view is being drawn right now (read without the lock: a
        stale answer only costs one slice of training or one pause)."""
        return self._pages > 0

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for a turn to run steps (first come, first served; `at_once` at a time), and
        hold it for the `with` block."""
        ticket = object()
        with self._turns:
            self._turn_queue.append(ticket)
            while self._turn_queue[0] is not ticket or self._running >= self.at_once:
                self._turns.wait()
            self._turn_queue.popleft()
            self._running += 1
            self._turns.notify_all()  # the next in the queue may start too if at_once > 1
        try:
            yield
        finally:
            with self._turns:
                self._running -= 1
                self._turns.notify_all()

    def request(self, holder: object) -> int:
        key = holder
        with self._lock:
            since = self._holders.get(key)
            if since is not None:
                if not self._waiting or self._clock() - since < self.place_seconds:
                    return 0
                del self._holders[key]  # its time is up and others wait: to the back
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
            self._holders.pop(key, None)
            self._waiting.pop(key, None)
            self._promote()

    def _promote(self) -> None:
        while self._waiting and len(self._holders) < self.capacity:
            key, _ = self._waiting.popitem(last=False)
            self._holders[key] = self._clock()

    @property
    def training(self) -> int:
        with self._lock:
            return len(self._holders)

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)

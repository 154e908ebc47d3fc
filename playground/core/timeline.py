"""A bounded record of a run's past moments, so that a paused run can be looked back on.

A toy network trains thousands of steps a second, so keeping every moment would grow without
end. A `Timeline` keeps every moment up to `capacity` of them; from then on it keeps

- the `recent` newest moments, whatever their steps;
- the first moment recorded in each stretch of steps, the stretches doubling in length from
  the start: steps 0, then 1, 2–3, 4–7, 8–15, … Each doubling is split into `RESOLUTION`
  stretches while they fit in the budget; when they no longer fit, neighbouring stretches
  merge in pairs (as `history.CompactSeries` merges points), down to one per doubling and
  beyond;
- and, while there is room, the other moments recorded, the oldest of them leaving first.

So the first steps, where a network changes most, stay as finely kept as the last ones, and
the gap between two kept moments is never more than the steps before the earlier one (when
every step is recorded). Recording is O(1) on average; nothing here imports Streamlit.
"""

from __future__ import annotations

import bisect
import threading
from collections import deque
from typing import Generic, TypeVar

__all__ = ["RESOLUTION", "Timeline"]

Moment = TypeVar("Moment")

RESOLUTION = 8  # stretches per doubling of the step at the finest spacing


def stretch_of(step: int) -> int:
    """The finest stretch a step falls in: floor(RESOLUTION · log2(step + 1)).

    Worked out in whole numbers, the largest k with 2**k <= (step + 1)**RESOLUTION, so two
    steps on either side of a boundary never land in the same stretch by rounding.
    """
    return ((step + 1) ** RESOLUTION).bit_length() - 1


class Timeline(Generic[Moment]):
    """Moments (any object, e.g. a snapshot) recorded at rising steps, at most `capacity`.

    `record` and the readers take a lock, so a worker thread may record while a page reads.
    """

    def __init__(self, capacity: int = 60, recent: int = 20) -> None:
        if not 0 < recent < capacity:
            raise ValueError("recent must be at least 1 and less than capacity")
        self.capacity = capacity
        self.recent = recent
        self._kept: dict[int, Moment] = {}  # step -> moment, in the order recorded
        self._first_in: dict[int, int] = {}  # stretch -> the step of its first moment
        self._newest: deque[int] = deque(maxlen=recent)  # the steps of the newest moments
        self._others: list[int] = []  # steps kept while there is room, in order
        self._merges = 0  # times neighbouring stretches have merged in pairs
        self._last_step = -1
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        """What a copy in another process needs (a lock is not copied: it gets its own)."""
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def record(self, step: int, moment: Moment) -> bool:
        """Keep `moment` as the run at `step`; False (nothing kept) unless the step is past the
        last one recorded."""
        with self._lock:
            if step <= self._last_step:
                return False
            self._last_step = step
            self._kept[step] = moment
            self._newest.append(step)
            stretch = stretch_of(step) >> self._merges
            if stretch in self._first_in:
                self._others.append(step)
            else:
                self._first_in[stretch] = step
                while len(self._first_in) > self.capacity - self.recent:
                    self._merge()
            self._make_room()
            return True

    def _is_recent(self, step: int) -> bool:
        return step >= self._newest[0]

    def _merge(self) -> None:
        """Halve the spacing: each pair of neighbouring stretches keeps its earlier moment;
        the later one leaves unless it is among the newest."""
        self._merges += 1
        merged: dict[int, int] = {}
        for stretch in sorted(self._first_in):
            merged.setdefault(stretch >> 1, self._first_in[stretch])
        for step in set(self._first_in.values()) - set(merged.values()):
            if self._is_recent(step):
                bisect.insort(self._others, step)  # leaves later, with the other moments
            else:
                del self._kept[step]
        self._first_in = merged

    def _make_room(self) -> None:
        """Over `capacity`: the oldest moments that are neither the first of a stretch nor
        among the newest leave."""
        while len(self._kept) > self.capacity and self._others:
            if self._is_recent(self._others[0]):
                break  # every other moment left is among the newest
            del self._kept[self._others.pop(0)]

    def moments(self) -> tuple[tuple[int, Moment], ...]:
        """Every kept (step, moment), the earliest first."""
        with self._lock:
            return tuple(self._kept.items())  # recorded at rising steps

    def steps(self) -> tuple[int, ...]:
        """The steps of the kept moments, the earliest first."""
        return tuple(step for step, _ in self.moments())

    def at(self, step: int) -> Moment | None:
        """The moment kept at `step`, or None."""
        return dict(self.moments()).get(step)

    def __len__(self) -> int:
        return len(self.moments())

    def __repr__(self) -> str:
        steps = self.steps()
        span = f"steps {steps[0]:,} to {steps[-1]:,}" if steps else "empty"
        return f"Timeline({len(steps)} of at most {self.capacity} moments, {span})"

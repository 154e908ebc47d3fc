"""A bounded record of a long series, for training curves that may run for hours.

A toy network trains tens of thousands of steps a second, so keeping every step's loss would
grow without end. `CompactSeries` keeps at most `capacity` points: when it is full, each pair of
neighbouring points is merged into their mean and every later point stands for twice as many
raw values as before. The curve keeps its shape (a running mean over ever wider buckets), the
memory stays fixed, and appending stays O(1) on average.
"""

from __future__ import annotations

import numpy as np


class CompactSeries:
    """Pairs (x, y) appended in increasing x, kept in at most `capacity` buckets.

    Each stored point is the mean x and mean y of `stride` consecutive raw points (the last,
    still filling bucket may hold fewer). `x` and `y` return fresh float64 arrays.
    """

    def __init__(self, capacity: int = 4096) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number of at least 2")
        self.capacity = capacity
        self.stride = 1
        self._x = np.empty(capacity, dtype=np.float64)
        self._y = np.empty(capacity, dtype=np.float64)
        self._count = 0  # full buckets stored
        self._pending_x = 0.0  # sums of the bucket being filled
        self._pending_y = 0.0
        self._pending_n = 0
        self.total = 0  # raw points appended
        self.last_x = float("nan")
        self.last_y = float("nan")

    def append(self, x: float, y: float) -> None:
        self.total += 1
        self.last_x, self.last_y = x, y
        self._pending_x += x
        self._pending_y += y
        self._pending_n += 1
        if self._pending_n < self.stride:
            return
        if self._count == self.capacity:
            # Merge pairs; the bucket being filled now needs twice as many points to be full.
            self._halve()
            return
        self._x[self._count] = self._pending_x / self._pending_n
        self._y[self._count] = self._pending_y / self._pending_n
        self._count += 1
        self._pending_x = self._pending_y = 0.0
        self._pending_n = 0

    def _halve(self) -> None:
        half = self.capacity // 2
        self._x[:half] = 0.5 * (self._x[0::2] + self._x[1::2])
        self._y[:half] = 0.5 * (self._y[0::2] + self._y[1::2])
        self._count = half
        self.stride *= 2

    def __len__(self) -> int:
        return self._count + (1 if self._pending_n else 0)

    @property
    def x(self) -> np.ndarray:
        return self._arrays()[0]

    @property
    def y(self) -> np.ndarray:
        return self._arrays()[1]

    def _arrays(self) -> tuple[np.ndarray, np.ndarray]:
        x = self._x[: self._count]
        y = self._y[: self._count]
        if self._pending_n:
            x = np.append(x, self._pending_x / self._pending_n)
            y = np.append(y, self._pending_y / self._pending_n)
        return x.copy(), y.copy()

    def __repr__(self) -> str:
        return f"CompactSeries({self.total} points in {len(self)}, stride {self.stride})"

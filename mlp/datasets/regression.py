"""Regression sets: a number to predict at each point, not a class. Pure functions of
(n_points, noise, seed), like the toy classification sets.

Two 2-D sets after TensorFlow Playground's (`src/dataset.ts`), on the square from -6 to 6:

- "plane": the target rises evenly across the plane, ``(x₁ + x₂) / 10`` (from -1.2 to 1.2);
- "mixture": six Gaussian bumps, three up and three down; the target is the bump whose value
  is largest in size, ``± max(0, 1 - distance / 2)``.

As there, noise moves where a point's target is read: each coordinate is shifted by a uniform
draw from ``±noise · 6`` before the target is computed, and the point keeps its place.

Four 1-D functions to fit, on x from -6 to 6, each with targets within [-1, 1]: "sine" (sin
x), "abs" (|x| / 3 - 1), "step" (-1 left of 0, 1 from 0 on) and "cubic" ((x³ - 16x) / 120).
Noise adds Gaussian jitter of standard deviation ``noise`` to each target (the slider's 50 %
is half the targets' half range).

The points come uniformly from the range, in the order drawn; ``split_rows`` splits any set
without looking at its targets (the classification split keeps each class's share, which a
real-valued target has no use for).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mlp.datasets.errors import DataError
from mlp.datasets.toy import check_points_and_noise

__all__ = [
    "CURVE_DATASETS",
    "REGRESSION_DATASETS",
    "REGRESSION_RANGE",
    "regression",
    "regression_dimensions",
    "regression_target",
    "split_rows",
]

REGRESSION_RANGE = 6.0  # points lie from -6 to 6 on every axis
REGRESSION_DATASETS: dict[str, str] = {
    "plane": "Regression: plane",
    "mixture": "Regression: Gaussian bumps",
    "sine": "Fit a curve: sine",
    "abs": "Fit a curve: |x|",
    "step": "Fit a curve: step",
    "cubic": "Fit a curve: cubic",
}
"""Regression set names in menu order, mapped to the label a person reads."""
CURVE_DATASETS = frozenset({"sine", "abs", "step", "cubic"})
"""The sets of one input, x, drawn as a curve."""

# TensorFlow Playground's bumps: (centre x₁, centre x₂, sign).
_BUMPS = ((-4.0, 2.5, 1.0), (0.0, 2.5, -1.0), (4.0, 2.5, 1.0),
          (-4.0, -2.5, -1.0), (0.0, -2.5, 1.0), (4.0, -2.5, -1.0))  # fmt: skip


def _plane(X: np.ndarray) -> np.ndarray:
    # TensorFlow Playground maps x₁ + x₂ from [-10, 10] onto [-1, 1].
    return (X[:, 0] + X[:, 1]) / 10.0


def _mixture(X: np.ndarray) -> np.ndarray:
    target = np.zeros(len(X))
    for centre_x, centre_y, sign in _BUMPS:
        distance = np.hypot(X[:, 0] - centre_x, X[:, 1] - centre_y)
        bump = sign * np.clip(1.0 - distance / 2.0, 0.0, 1.0)
        target = np.where(np.abs(bump) > np.abs(target), bump, target)
    return target


_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "plane": _plane,
    "mixture": _mixture,
    "sine": lambda X: np.sin(X[:, 0]),
    "abs": lambda X: np.abs(X[:, 0]) / 3.0 - 1.0,
    "step": lambda X: np.where(X[:, 0] < 0.0, -1.0, 1.0),
    "cubic": lambda X: (X[:, 0] ** 3 - 16.0 * X[:, 0]) / 120.0,
}


def _checked_name(name: str) -> str:
    if name not in _FUNCTIONS:
        known = ", ".join(f'"{known_name}"' for known_name in REGRESSION_DATASETS)
        raise DataError(f'There is no regression set called "{name}". Choose one of {known}.')
    return name


def regression_dimensions(name: str) -> int:
    """The inputs of a point of the set `name`: 1 for a curve to fit, 2 on the plane."""
    return 1 if _checked_name(name) in CURVE_DATASETS else 2


def regression_target(name: str, X: np.ndarray) -> np.ndarray:
    """The noiseless target of the set `name` at the points X: (N, d) -> (N,) float64 (the
    curve a fit is drawn against)."""
    return _FUNCTIONS[_checked_name(name)](np.asarray(X, dtype=np.float64))


def regression(
    name: str, n_points: int = 500, noise: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Draw a regression set.

    Parameters
    ----------
    name : str
        One of the keys of ``REGRESSION_DATASETS``.
    n_points : int, default 500
        From ``toy.MIN_POINTS`` (10) to ``toy.MAX_POINTS`` (50,000).
    noise : float, default 0.0
        From 0.0 to ``toy.MAX_NOISE`` (0.5), as the module docstring says for each kind of set.
    seed : int, default 0
        Same arguments: the same arrays. The points do not depend on the noise, only the
        targets do.

    Returns
    -------
    X : np.ndarray, shape (n_points, d), float32
        d = ``regression_dimensions(name)``, each coordinate in [-6, 6].
    y : np.ndarray, shape (n_points,), float32
        The target of each point.
    """
    dimensions = regression_dimensions(name)
    check_points_and_noise(n_points, noise)
    rng = np.random.default_rng(seed)
    X = rng.uniform(-REGRESSION_RANGE, REGRESSION_RANGE, size=(n_points, dimensions))
    if dimensions == 2:
        # Where the target is read: the point moved by up to noise · 6 each way.
        shift = rng.uniform(-REGRESSION_RANGE, REGRESSION_RANGE, size=X.shape) * noise
        y = regression_target(name, X + shift)
    else:
        y = regression_target(name, X) + noise * rng.standard_normal(n_points)
    return X.astype(np.float32), y.astype(np.float32)


def split_rows(n_rows: int, train_share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A seeded split of n rows for a set whose targets are numbers: (training rows, test
    rows), ``round(n · train_share)`` of them for training (at least one on each side)."""
    if not 0.0 < train_share < 1.0:
        raise DataError(
            f"The training share must be more than 0 % and less than 100 %, not {train_share:.0%}."
        )
    order = np.random.default_rng(seed).permutation(n_rows)
    n_train = min(max(round(n_rows * train_share), 1), n_rows - 1)
    return order[:n_train], order[n_train:]

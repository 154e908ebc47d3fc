"""Toy 2-D data sets: small pure functions of (n_points, noise, seed).

Every clean set lies within about ``DATA_RADIUS`` (5) of the origin (Gaussian clusters have
thin tails beyond), so with noise up to 0.5 all of them lie within about [-6, 6] on both axes.
The app plots each set over its own points' range with a small margin.

Noise means the same thing on every set: after the clean points are drawn, each coordinate
gets independent Gaussian jitter with standard deviation

    noise_std = noise * boundary_distance

where ``boundary_distance`` (``TOY_BOUNDARY_DISTANCE[name]``) is how far the middle of a
class lies from the boundary with its neighbouring class, in the plot's units: half the
distance between neighbouring classes. So ``noise=0.5`` (the slider's 50 %) jitters points
by half the way to the boundary on every set, and every set gets about equally hard; a
single absolute std would wipe out the tight spirals long before it touched the blobs.
Labels are those of the clean points: noise can push a point across the true boundary,
which is what makes noisy data hard.

The clean points, the jitter and the final shuffle are drawn from one generator seeded by
``seed`` in the same order whatever ``noise`` is, so moving the noise slider keeps the same
points and only scales how far they are jittered.

Classes are balanced: with ``k`` classes each gets ``n_points // k`` points and the first
``n_points % k`` classes get one more.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mlp.datasets.errors import DataError

DATA_RADIUS = 5.0
MAX_NOISE = 0.5
MIN_POINTS = 10
MAX_POINTS = 50_000

TOY_DATASETS: dict[str, str] = {
    "circle": "Circle",
    "xor": "Exclusive or (XOR)",
    "gauss": "Two Gaussians",
    "spiral": "Spiral",
    "moons": "Two moons",
    "spiral3": "Spiral, 3 classes",
    "blobs": "Blobs, 4 classes",
}
"""Toy set names in menu order, mapped to the label a person reads."""

# Shape of a generator: (points per class, rng) -> clean points (n, 2) float64, labels (n,).
Generator = Callable[[list[int], np.random.Generator], tuple[np.ndarray, np.ndarray]]


def _points_per_class(n_points: int, n_classes: int) -> list[int]:
    base, extra = divmod(n_points, n_classes)
    return [base + (1 if class_index < extra else 0) for class_index in range(n_classes)]


def _labels(counts: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(counts), dtype=np.int64), counts)


def _circle(counts: list[int], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Class 0 fills the inner disc (radius 0 .. R/2), class 1 a ring (0.7 R .. R).
    radius_ranges = [(0.0, 0.5 * DATA_RADIUS), (0.7 * DATA_RADIUS, DATA_RADIUS)]
    parts = []
    for count, (low, high) in zip(counts, radius_ranges, strict=True):
        radius = rng.uniform(low, high, size=count)
        angle = rng.uniform(0.0, 2.0 * np.pi, size=count)
        parts.append(np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]))
    return np.concatenate(parts), _labels(counts)


def _xor(counts: list[int], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Class 1 where x and y have the same sign, class 0 where they differ. A small gap keeps
    # clean points off the axes, where the label would flip.
    gap = 0.3
    parts = []
    for class_index, count in enumerate(counts):
        magnitude = rng.uniform(gap, DATA_RADIUS, size=(count, 2))
        sign_x = rng.choice([-1.0, 1.0], size=count)
        sign_y = sign_x if class_index == 1 else -sign_x
        parts.append(magnitude * np.column_stack([sign_x, sign_y]))
    return np.concatenate(parts), _labels(counts)


def _gaussian_clusters(
    centres: np.ndarray, counts: list[int], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    cluster_std = 1.0
    parts = [
        centre + cluster_std * rng.standard_normal(size=(count, 2))
        for centre, count in zip(centres, counts, strict=True)
    ]
    return np.concatenate(parts), _labels(counts)


def _gauss(counts: list[int], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    return _gaussian_clusters(np.array([[-2.0, -2.0], [2.0, 2.0]]), counts, rng)


def _blobs(counts: list[int], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    centres = np.array([[-3.0, 3.0], [3.0, 3.0], [-3.0, -3.0], [3.0, -3.0]])
    return _gaussian_clusters(centres, counts, rng)


def _spiral(counts: list[int], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Arm k turns 1.75 times from the centre to radius R, rotated by 2 pi k / (number of arms).
    n_arms = len(counts)
    parts = []
    for arm, count in enumerate(counts):
        along_arm = rng.uniform(0.0, 1.0, size=count)
        radius = DATA_RADIUS * along_arm
        angle = 2.0 * np.pi * (_SPIRAL_TURNS * along_arm + arm / n_arms)
        parts.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
    return np.concatenate(parts), _labels(counts)


def _moons(counts: list[int], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Two interleaved half circles of radius 1 (as scikit-learn's make_moons), centred and
    # scaled by 3 so they span about [-4.5, 4.5] x [-2.25, 2.25].
    scale = 3.0
    upper_angle = rng.uniform(0.0, np.pi, size=counts[0])
    lower_angle = rng.uniform(0.0, np.pi, size=counts[1])
    upper = np.column_stack([np.cos(upper_angle), np.sin(upper_angle)])
    lower = np.column_stack([1.0 - np.cos(lower_angle), 0.5 - np.sin(lower_angle)])
    centre = np.array([0.5, 0.25])
    return scale * (np.concatenate([upper, lower]) - centre), _labels(counts)


_SPIRAL_TURNS = 1.75

# name: (number of classes, boundary distance, generator). The boundary distance is half the
# gap between the centre lines of neighbouring classes: circle, disc middle 1.25 to ring middle
# 4.25; xor, quadrant centres 2.65 from the axes; gauss, centres (-2, -2) and (2, 2); spiral,
# arms R / (turns * arms) apart along a ray; moons, arcs about 3 apart; blobs, centres 6 apart.
_GENERATORS: dict[str, tuple[int, float, Generator]] = {
    "circle": (2, 1.5, _circle),
    "xor": (2, 2.65, _xor),
    "gauss": (2, 2.0 * np.sqrt(2.0), _gauss),
    "spiral": (2, DATA_RADIUS / (_SPIRAL_TURNS * 2) / 2, _spiral),
    "moons": (2, 1.5, _moons),
    "spiral3": (3, DATA_RADIUS / (_SPIRAL_TURNS * 3) / 2, _spiral),
    "blobs": (4, 3.0, _blobs),
}

TOY_BOUNDARY_DISTANCE: dict[str, float] = {
    name: boundary_distance for name, (_, boundary_distance, _) in _GENERATORS.items()
}
"""Per toy set, the distance from a class's middle to its boundary: the unit of noise."""


def toy_class_count(name: str) -> int:
    """Number of classes the toy set ``name`` has (2, or 3 for "spiral3", 4 for "blobs")."""
    if name not in _GENERATORS:
        known = ", ".join(f'"{known_name}"' for known_name in TOY_DATASETS)
        raise DataError(f'There is no toy data set called "{name}". Choose one of {known}.')
    return _GENERATORS[name][0]


def check_points_and_noise(n_points: int, noise: float) -> None:
    """A generated set's size and noise, as every generator takes them; else a DataError
    saying what is allowed."""
    if isinstance(n_points, bool) or not isinstance(n_points, int | np.integer):
        raise DataError(f"The number of points must be a whole number, not {n_points!r}.")
    if not MIN_POINTS <= n_points <= MAX_POINTS:
        raise DataError(
            f"The number of points must be between {MIN_POINTS} and {MAX_POINTS:,}, "
            f"not {n_points:,}."
        )
    if not 0.0 <= noise <= MAX_NOISE:
        raise DataError(
            f"Noise must be between 0 and {MAX_NOISE:.0%}, not {noise:.0%} "
            f"(it is a fraction: 0.1 means 10 %)."
        )


def toy(
    name: str, n_points: int = 500, noise: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Draw a toy 2-D classification set.

    Parameters
    ----------
    name : str
        One of the keys of ``TOY_DATASETS``.
    n_points : int, default 500
        Total number of points, from ``MIN_POINTS`` (10) to ``MAX_POINTS`` (50,000), spread
        evenly over the classes.
    noise : float, default 0.0
        From 0.0 to ``MAX_NOISE`` (0.5). Gaussian jitter of std
        ``noise * TOY_BOUNDARY_DISTANCE[name]`` on each coordinate (see the module docstring).
    seed : int, default 0
        Same name, n_points, noise and seed give the same arrays.

    Returns
    -------
    X : np.ndarray, shape (n_points, 2), float32
        Point coordinates, roughly within [-6, 6] on both axes for noise up to 0.5.
    y : np.ndarray, shape (n_points,), int64
        Class of each point, 0 .. k-1. Points come in shuffled order.
    """
    n_classes = toy_class_count(name)
    check_points_and_noise(n_points, noise)
    rng = np.random.default_rng(seed)
    counts = _points_per_class(int(n_points), n_classes)
    _, boundary_distance, generate = _GENERATORS[name]
    clean_points, labels = generate(counts, rng)
    jitter = rng.standard_normal(size=clean_points.shape)
    points = clean_points + (noise * boundary_distance) * jitter
    order = rng.permutation(len(labels))
    return points[order].astype(np.float32), labels[order].astype(np.int64)

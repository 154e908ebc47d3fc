"""Points drawn by hand: a set a person makes by clicking on the Playground's plane.

A drawn set lives in the configuration (`Config.points`), so it travels in the link like any
other setting: a tuple of `(x, y, label)` with x and y on a fixed plane from -PLANE to PLANE,
kept to the nearest 0.01, and labels 0 .. MAX_CLASSES-1. In a link it is written compactly,
four URL-safe characters a point (`encode_points`): 11 bits for each coordinate (its
hundredths from -6.00, 0..1200) and 2 for the class, in base64url. 400 points take 1,600
characters.

Every drawn point is a training point: the set has no test part. The network sees the points
standardised on the plane itself rather than on the points (see `data.make_drawn_data`), so
adding a point never moves the others, and a run can take new points between two steps.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = [
    "MAX_CLASSES",
    "MAX_POINTS",
    "PLANE",
    "DrawnPoint",
    "add_point",
    "decode_points",
    "encode_points",
    "normalise_points",
    "points_csv",
    "points_from",
    "remove_point",
]

PLANE = 6.0  # the plane runs from -PLANE to PLANE on both axes, as TensorFlow Playground's
MAX_POINTS = 400  # a drawn set holds at most this many points (the link stays short)
MAX_CLASSES = 4  # classes a drawn set may use, as many as the toy set with the most
RESOLUTION = 0.01  # coordinates are kept to the nearest hundredth
_STEPS = round(2 * PLANE / RESOLUTION)  # 1,200: hundredths across the plane
_COORDINATE_BITS = 11  # 2**11 = 2048 > 1,201 values
_CHARS = 4  # 24 bits a point: 11 + 11 + 2, four base64 characters

DrawnPoint = tuple[float, float, int]


class PointsError(ValueError):
    """A drawn set that cannot be used; the message says why in words."""


def _snap(value: float) -> float:
    """A coordinate on the plane's grid of hundredths, clipped to the plane."""
    steps = min(max(round((float(value) + PLANE) / RESOLUTION), 0), _STEPS)
    return round(steps * RESOLUTION - PLANE, 2)


def normalise_points(raw: Iterable) -> tuple[DrawnPoint, ...]:
    """`raw` as a drawn set: each item (x, y, label) with finite numbers on the plane and a
    whole label in 0 .. MAX_CLASSES-1, coordinates snapped to hundredths. Raises
    PointsError (or TypeError/ValueError for what is not a list of triples)."""
    points = []
    for item in raw:
        if isinstance(item, str | bytes) or len(item) != 3:
            raise PointsError("each point needs x, y and a class")
        x, y, label = item
        for value in (x, y, label):
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise PointsError("coordinates and classes must be numbers")
        x, y = float(x), float(y)
        if not (math.isfinite(x) and math.isfinite(y)):
            raise PointsError("coordinates must be finite numbers")
        if abs(x) > PLANE + RESOLUTION or abs(y) > PLANE + RESOLUTION:
            raise PointsError(f"coordinates must lie between {-PLANE:g} and {PLANE:g}")
        if float(label) != int(label) or not 0 <= int(label) < MAX_CLASSES:
            raise PointsError(f"classes are whole numbers from 0 to {MAX_CLASSES - 1}")
        points.append((_snap(x), _snap(y), int(label)))
        if len(points) > MAX_POINTS:
            raise PointsError(f"a drawn set holds at most {MAX_POINTS} points")
    return tuple(points)


def encode_points(points: Sequence[DrawnPoint]) -> str:
    """The drawn set as link text: four base64url characters a point, no padding."""
    raw = bytearray()
    for x, y, label in points:
        code = (
            (round((x + PLANE) / RESOLUTION) << (_COORDINATE_BITS + 2))
            | (round((y + PLANE) / RESOLUTION) << 2)
            | label
        )
        raw += code.to_bytes(3, "big")
    return base64.urlsafe_b64encode(bytes(raw)).decode("ascii")


def decode_points(text: str) -> tuple[DrawnPoint, ...]:
    """Link text back to a drawn set. Raises PointsError saying what is wrong."""
    text = text.strip()
    if not text:
        return ()
    if len(text) % _CHARS:
        raise PointsError(f"the text of a drawn set has {_CHARS} characters a point")
    if len(text) // _CHARS > MAX_POINTS:
        raise PointsError(f"a drawn set holds at most {MAX_POINTS} points")
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise PointsError("the text of a drawn set holds characters a link never has") from None
    points = []
    for start in range(0, len(raw), 3):
        code = int.from_bytes(raw[start : start + 3], "big")
        x_steps = code >> (_COORDINATE_BITS + 2)
        y_steps = (code >> 2) & ((1 << _COORDINATE_BITS) - 1)
        if x_steps > _STEPS or y_steps > _STEPS:
            raise PointsError(f"a point lies off the plane (from {-PLANE:g} to {PLANE:g})")
        points.append((round(x_steps * RESOLUTION - PLANE, 2),
                       round(y_steps * RESOLUTION - PLANE, 2), code & 3))  # fmt: skip
    return tuple(points)


def points_from(X: np.ndarray, y: np.ndarray, limit: int = MAX_POINTS) -> tuple[DrawnPoint, ...]:
    """A drawn set to start from, made of points a page shows (X: (N, 2) in the chart's
    units, y: (N,) classes below MAX_CLASSES). Points that reach past the plane are scaled
    to fit it (by one factor for both axes, so shapes keep their proportions), as are sets
    that would fill less than a tenth of it; at most `limit` points are kept, the same ones
    for the same set (every k-th point)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if len(y) == 0:
        return ()
    if len(y) > limit:
        rows = np.linspace(0, len(y) - 1, limit).round().astype(int)
        X, y = X[rows], y[rows]
    reach = float(np.abs(X).max())
    if reach > PLANE or 0 < reach < PLANE / 10:
        X = X * (0.95 * PLANE / reach)
    return normalise_points(zip(X[:, 0].tolist(), X[:, 1].tolist(), y.tolist(), strict=True))


def add_point(
    points: Sequence[DrawnPoint], x: float, y: float, label: int
) -> tuple[DrawnPoint, ...]:
    """The set with one more point; unchanged at MAX_POINTS. Raises PointsError for a point
    off the plane or a class out of range."""
    if len(points) >= MAX_POINTS:
        return tuple(points)
    return tuple(points) + normalise_points([(x, y, label)])


def remove_point(points: Sequence[DrawnPoint], index: int) -> tuple[DrawnPoint, ...]:
    """The set without its point number `index` (unchanged if there is none)."""
    if not 0 <= index < len(points):
        return tuple(points)
    return tuple(points[:index]) + tuple(points[index + 1 :])


def points_csv(points: Sequence[DrawnPoint]) -> str:
    """The drawn set as a CSV the Playground reads back ("Your own CSV"): x, y, class."""
    out = io.StringIO()
    out.write("x,y,class\n")
    for x, y, label in points:
        out.write(f"{x:g},{y:g},{label}\n")
    return out.getvalue()

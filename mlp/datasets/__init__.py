"""Data sets for MLP Playground.

- ``toy(name, n_points, noise, seed)``: 2-D toy sets (``TOY_DATASETS`` lists them in order).
- ``split(X, y, train_share, seed)``: a seeded, stratified train/test split.

Every failure a user can cause raises ``DataError``, whose message is the sentence to show.
"""

from mlp.datasets.errors import DataError
from mlp.datasets.split import split
from mlp.datasets.toy import (
    MAX_NOISE,
    MAX_POINTS,
    MIN_POINTS,
    TOY_BOUNDARY_DISTANCE,
    TOY_DATASETS,
    toy,
    toy_class_count,
)

__all__ = [
    "MAX_NOISE",
    "MAX_POINTS",
    "MIN_POINTS",
    "TOY_BOUNDARY_DISTANCE",
    "TOY_DATASETS",
    "DataError",
    "split",
    "toy",
    "toy_class_count",
]

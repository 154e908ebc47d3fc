"""Data sets for MLP Playground.

- ``toy(name, n_points, noise, seed)``: 2-D toy sets (``TOY_DATASETS`` lists them in order).
- ``split(X, y, train_share, seed)``: a seeded, stratified train/test split.
- ``load_points_csv(path_or_file)``: a person's own CSV of 2-D points and labels, checked;
  ``Standardizer`` turns its raw features into z-scores for training and back.

Every failure a user can cause raises ``DataError``, whose message is the sentence to show.
"""

from mlp.datasets.csv_points import load_points_csv
from mlp.datasets.errors import DataError
from mlp.datasets.split import split
from mlp.datasets.standardize import Standardizer
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
    "Standardizer",
    "load_points_csv",
    "split",
    "toy",
    "toy_class_count",
]

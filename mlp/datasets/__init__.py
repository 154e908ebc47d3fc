"""Data sets for MLP Playground.

- ``toy(name, n_points, noise, seed)``: 2-D toy sets (``TOY_DATASETS`` lists them in order).
- ``split(X, y, train_share, seed)``: a seeded, stratified train/test split;
  ``fixed_subset(n_rows, limit, seed)``: the same random rows every time.
- ``read_points_csv(path_or_file)`` / ``load_points_csv``: a person's own CSV of 2-D points
  and labels, checked (the first with notes on how it was read);
  ``Standardizer`` turns its raw features into z-scores for training and back.
- ``load_images(name, source, data_dir, progress)``: MNIST and Fashion-MNIST as float32
  pixels in [0, 1]; an offline MNIST sample, or the full sets from IDX files in a data folder,
  downloaded when missing (``IMAGE_DATASETS`` lists them in order).

Every failure a user can cause raises ``DataError``, whose message is the sentence to show.
"""

from mlp.datasets.csv_points import CsvPoints, load_points_csv, read_points_csv
from mlp.datasets.errors import DataError
from mlp.datasets.images import (
    CLASS_NAMES,
    IDX_FILE_NAMES,
    IMAGE_DATASETS,
    IMAGE_SOURCES,
    ImageData,
    dataset_folder,
    default_data_dir,
    download,
    load_images,
)
from mlp.datasets.split import fixed_subset, flip_labels, split
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
    "CLASS_NAMES",
    "IDX_FILE_NAMES",
    "IMAGE_DATASETS",
    "IMAGE_SOURCES",
    "MAX_NOISE",
    "MAX_POINTS",
    "MIN_POINTS",
    "TOY_BOUNDARY_DISTANCE",
    "TOY_DATASETS",
    "DataError",
    "dataset_folder",
    "default_data_dir",
    "download",
    "fixed_subset",
    "flip_labels",
    "ImageData",
    "load_images",
    "load_points_csv",
    "read_points_csv",
    "CsvPoints",
    "split",
    "Standardizer",
    "toy",
    "toy_class_count",
]

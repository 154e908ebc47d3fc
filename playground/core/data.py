"""What a run trains on: the data protocol, 2-D point sets and image sets.

A run trains on anything that has the fields of `TrainingData` (standardised inputs, labels,
class names). 2-D point sets (`PointData`) add what the decision-boundary view needs: the
points in the units people see, the plot ranges and the boundary grid. An image set for the
MNIST page only needs the protocol's fields.

The network need not see a point's two coordinates alone: `INPUT_FEATURES` lists what it may
be fed instead or as well (x₁², x₁x₂, sin x₁, …), as in the TensorFlow Playground. With x₁²
and x₂² a network without a hidden layer separates the circle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

import numpy as np

from mlp import datasets
from mlp.datasets import fixed_subset, regression
from playground.core.drawn import PLANE

__all__ = [
    "BOUNDARY_RESOLUTION",
    "DEFAULT_FEATURES",
    "EXAMPLE_IMAGES",
    "INPUT_FEATURES",
    "ImageSet",
    "PointData",
    "TrainingData",
    "expand_features",
    "fixed_subset",
    "CurveData",
    "CURVE_FEATURES",
    "make_drawn_data",
    "make_regression_data",
    "make_csv_data",
    "make_point_data",
    "make_toy_data",
]

BOUNDARY_RESOLUTION = 100  # grid points per axis of the decision-boundary picture
EXAMPLE_IMAGES = 16  # test images shown with the network's guess on the MNIST page


@dataclass(frozen=True)
class InputFeature:
    """One input the network can be fed: its label and its formula in the standardised
    coordinates (x₁, x₂), each an (N,) float64 array."""

    label: str
    formula: Callable[[np.ndarray, np.ndarray], np.ndarray]


# Every input feature, by the name a link uses, in the order the network takes them.
INPUT_FEATURES: dict[str, InputFeature] = {
    "x1": InputFeature("x₁", lambda x1, x2: x1),
    "x2": InputFeature("x₂", lambda x1, x2: x2),
    "x1sq": InputFeature("x₁²", lambda x1, x2: x1**2),
    "x2sq": InputFeature("x₂²", lambda x1, x2: x2**2),
    "x1x2": InputFeature("x₁x₂", lambda x1, x2: x1 * x2),
    "sinx1": InputFeature("sin x₁", lambda x1, x2: np.sin(x1)),
    "sinx2": InputFeature("sin x₂", lambda x1, x2: np.sin(x2)),
}
DEFAULT_FEATURES: tuple[str, ...] = ("x1", "x2")
# What a curve's one input x (as x₁) can be fed as; features of x₂ have nothing to read there.
CURVE_FEATURES: tuple[str, ...] = ("x1", "x1sq", "sinx1")
CURVE_RESOLUTION = 300  # points along x at which a fitted curve is drawn


def expand_features(inputs: np.ndarray, features: Sequence[str]) -> np.ndarray:
    """The chosen features of standardised 2-D points, before their own standardisation.

    inputs: (N, 2), the points standardised on the training split; features: names from
    `INPUT_FEATURES`. Returns (N, F) float64, one column per feature in the order given.
    """
    x1, x2 = np.asarray(inputs, dtype=np.float64).T
    return np.column_stack([INPUT_FEATURES[name].formula(x1, x2) for name in features])


@runtime_checkable
class TrainingData(Protocol):
    """What a `TrainingSession` needs of a data set.

    inputs_train: (N, D) float32, what the network trains on (already standardised);
    y_train: (N,) int64 class indices 0..K-1; inputs_test, y_test likewise (M may be 0);
    class_names: K names.
    """

    inputs_train: np.ndarray
    y_train: np.ndarray
    inputs_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]


@dataclass(frozen=True)
class PointData:
    """A 2-D classification set, split, in the units people see and the units the net sees.

    X_train: (N, 2) float32, original units; y_train: (N,) int64; likewise X_test, y_test.
    A regression set (`task` "regression", `make_regression_data`) has a real-valued target
    per point instead, y_train: (N,) float32, one output named in `class_names` and targets
    within ±`value_range`.
    inputs_train, inputs_test: (N, F) float32, what the network trains on: the points
    standardised with the training set's mean and standard deviation, turned into the
    `features` (F of them, see `INPUT_FEATURES`), each standardised again on the training set.
    grid_inputs: (G*G, F) float32, the boundary grid turned into inputs the same way, rows of
    y then columns of x.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    inputs_train: np.ndarray
    inputs_test: np.ndarray
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    grid_x: np.ndarray
    grid_y: np.ndarray
    grid_inputs: np.ndarray
    features: tuple[str, ...] = DEFAULT_FEATURES
    task: str = "classification"
    value_range: float = 1.0

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def n_inputs(self) -> int:
        """Coordinates of a point (2); the network takes `len(features)` inputs."""
        return self.X_train.shape[1]

    @property
    def feature_labels(self) -> tuple[str, ...]:
        return tuple(INPUT_FEATURES[name].label for name in self.features)


@dataclass(frozen=True)
class CurveData:
    """A curve to fit: a real-valued target y for one input x (a regression set of
    `mlp.datasets.regression`, "sine" say), split, with what the fit's view draws.

    X_train: (N, 1) float32 x; y_train: (N,) float32 targets; likewise X_test, y_test.
    inputs_train, inputs_test: (N, F) float32, x standardised on the training points and
    turned into the `features` (each standardised again), as `PointData` does with x₁.
    grid_x: (G,) float32, the x at which the fit is drawn, and grid_inputs (G, F) the same as
    the network takes them; truth: (G,) float32, the noiseless function there.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    inputs_train: np.ndarray
    inputs_test: np.ndarray
    grid_x: np.ndarray
    grid_inputs: np.ndarray
    truth: np.ndarray
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    features: tuple[str, ...] = ("x1",)
    class_names: tuple[str, ...] = ("y",)
    task: str = "regression"

    @property
    def n_classes(self) -> int:
        return 1

    @property
    def feature_labels(self) -> tuple[str, ...]:
        return tuple(INPUT_FEATURES[name].label for name in self.features)


def _read_only(array: np.ndarray) -> np.ndarray:
    """Data sets are shared by every session of the server: nothing may change them."""
    array.setflags(write=False)
    return array


def make_point_data(
    X: np.ndarray,
    y: np.ndarray,
    class_names: Sequence[str],
    train_share: float,
    seed: int,
    resolution: int = BOUNDARY_RESOLUTION,
    features: Sequence[str] = DEFAULT_FEATURES,
    label_noise: float = 0.0,
) -> PointData:
    """Split 2-D points, flip the share `label_noise` of the training labels, standardise the
    points on the training part, turn them into the network's input `features` and lay the
    boundary grid. The test labels stay true, so test accuracy measures how well a network
    learned the real pattern rather than the noise.

    X: (N, 2) float, y: (N,) int class indices 0..K-1. Raises `datasets.DataError`.
    """
    X_train, y_train, X_test, y_test = datasets.split(X, y, train_share=train_share, seed=seed)
    y_train = datasets.flip_labels(y_train, label_noise, len(class_names), seed=seed)
    X_train = np.ascontiguousarray(X_train, dtype=np.float32)
    X_test = np.ascontiguousarray(X_test, dtype=np.float32)
    all_points = np.concatenate([X_train, X_test])
    low, high = all_points.min(axis=0), all_points.max(axis=0)
    # A margin relative to the spread, so points in tiny units are not lost in a wide plot.
    spread = high - low
    margin = 0.08 * np.where(spread > 0, spread, 1.0)
    low, high = low - margin, high + margin
    grid_x = np.linspace(low[0], high[0], resolution, dtype=np.float32)
    grid_y = np.linspace(low[1], high[1], resolution, dtype=np.float32)
    return _point_data(X_train, y_train, X_test, y_test, class_names, grid_x, grid_y,
                       features, scale_on=X_train)  # fmt: skip


def make_drawn_data(
    points: Sequence[tuple[float, float, int]],
    features: Sequence[str] = DEFAULT_FEATURES,
    resolution: int = BOUNDARY_RESOLUTION,
) -> PointData:
    """A set drawn by hand (`playground.core.drawn`): every point a training point, none for
    testing, on the fixed plane from -PLANE to PLANE. The points are standardised on the
    plane's own grid rather than on themselves, so a point added or removed never changes what
    the network sees of the others: a run can take the new set between two steps. Two
    classes at least (the first two colours), more if the points use them.

    points: (x, y, class) triples, at least one. Raises `datasets.DataError` for none.
    """
    if not points:
        raise datasets.DataError("There are no drawn points yet: click on the plane to add some.")
    array = np.asarray(points, dtype=np.float64)
    X_train = np.ascontiguousarray(array[:, :2], dtype=np.float32)
    y_train = array[:, 2].astype(np.int64)
    n_classes = max(2, int(y_train.max()) + 1)
    grid = np.linspace(-PLANE, PLANE, resolution, dtype=np.float32)
    return _point_data(
        X_train, y_train, np.empty((0, 2), np.float32), np.empty(0, np.int64),
        tuple(f"Class {k}" for k in range(n_classes)), grid, grid, features, scale_on=None,
    )  # fmt: skip


def _point_data(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    class_names: Sequence[str],
    grid_x: np.ndarray,
    grid_y: np.ndarray,
    features: Sequence[str],
    scale_on: np.ndarray | None,
) -> PointData:
    """Points turned into the network's inputs, with the boundary grid (rows of y, then
    columns of x). The standardisers are fitted on `scale_on` (the training points), or on
    the grid itself when it is None (a drawn set, see `make_drawn_data`)."""
    mesh_x, mesh_y = np.meshgrid(grid_x, grid_y)
    grid_points = np.column_stack([mesh_x.ravel(), mesh_y.ravel()])
    fit_points = grid_points if scale_on is None else scale_on
    # In float64: the squares of float32 features overflow from about 1e19 and vanish below
    # about 1e-23, which would leave the network a constant input.
    scaler = datasets.Standardizer.fit(fit_points)
    features = tuple(features)
    # Each feature is standardised on the same points too, so x₁² starts on the same scale
    # as x₁ and no input dominates the first steps.
    feature_scaler = datasets.Standardizer.fit(
        expand_features(scaler.transform(fit_points), features)
    )

    def standardise(points: np.ndarray) -> np.ndarray:
        """Points in the plot's units -> the network's inputs, (N, F) float32."""
        return _read_only(
            feature_scaler.transform(expand_features(scaler.transform(points), features))
        )

    return PointData(
        X_train=_read_only(X_train),
        y_train=_read_only(np.asarray(y_train, dtype=np.int64)),
        X_test=_read_only(X_test),
        y_test=_read_only(np.asarray(y_test, dtype=np.int64)),
        class_names=tuple(str(name) for name in class_names),
        inputs_train=standardise(X_train),
        inputs_test=standardise(X_test),
        x_range=(float(grid_x[0]), float(grid_x[-1])),
        y_range=(float(grid_y[0]), float(grid_y[-1])),
        grid_x=_read_only(grid_x),
        grid_y=_read_only(grid_y),
        grid_inputs=standardise(grid_points),
        features=features,
    )


def make_csv_data(
    content: bytes,
    train_share: float,
    seed: int,
    features: Sequence[str] = DEFAULT_FEATURES,
    label_noise: float = 0.0,
) -> tuple[PointData, tuple[str, ...]]:
    """A person's CSV of points as a run trains on it, with the notes on how it was read.

    Labels that are classes give a classification set (`make_point_data`); a label column of
    many different numbers gives a regression (`datasets.read_points_csv`): its targets are
    standardised on the training rows (mean 0, standard deviation 1, said in a note), so a
    network starts near them whatever their units, and label noise does not apply. Raises
    `datasets.DataError`."""
    points = datasets.read_points_csv(content)
    if points.task == "classification":
        data = make_point_data(points.X, points.y, points.class_names, train_share, seed,
                               features=features, label_noise=label_noise)  # fmt: skip
        return data, points.notes
    train_rows, test_rows = regression.split_rows(len(points.y), train_share, seed)
    targets = datasets.Standardizer.fit(points.y[train_rows, None])
    y = targets.transform(points.y[:, None])[:, 0]
    scale = (f"The targets are standardised for training (mean {targets.mean[0]:.4g} and "
             f"standard deviation {targets.std[0]:.4g} on the training rows become 0 and 1): "
             "the mean squared error is in those units; R² is the same in any.")  # fmt: skip
    data = _regression_points(points.X[train_rows], y[train_rows], points.X[test_rows],
                              y[test_rows], features, grid_from_points=True)  # fmt: skip
    unused = ("Label noise flips classes, so it does not apply to a regression.",) * (
        label_noise > 0
    )
    return replace(data, class_names=tuple(points.class_names)), (*points.notes, scale, *unused)


def _regression_points(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    features: Sequence[str],
    grid_from_points: bool,
) -> PointData:
    """2-D points with real-valued targets, ready to train on; the boundary grid over the
    points (with a margin, as `make_point_data`) or over the regression sets' square."""
    X_train = np.ascontiguousarray(X_train, dtype=np.float32)
    X_test = np.ascontiguousarray(X_test, dtype=np.float32)
    if grid_from_points:
        all_points = np.concatenate([X_train, X_test])
        low, high = all_points.min(axis=0), all_points.max(axis=0)
        margin = 0.08 * np.where(high > low, high - low, 1.0)
        low, high = low - margin, high + margin
    else:
        low = np.full(2, -regression.REGRESSION_RANGE, np.float32)
        high = np.full(2, regression.REGRESSION_RANGE, np.float32)
    grid_x = np.linspace(low[0], high[0], BOUNDARY_RESOLUTION, dtype=np.float32)
    grid_y = np.linspace(low[1], high[1], BOUNDARY_RESOLUTION, dtype=np.float32)
    y_train = np.asarray(y_train, dtype=np.float32)
    y_test = np.asarray(y_test, dtype=np.float32)
    data = _point_data(X_train, y_train, X_test, y_test, ("y",), grid_x, grid_y, features,
                       scale_on=X_train)  # fmt: skip
    values = np.concatenate([y_train, y_test])
    reach = float(np.abs(values).max()) if len(values) else 1.0
    return replace(data, y_train=_read_only(y_train), y_test=_read_only(y_test),
                   task="regression", value_range=max(reach, 1e-6))  # fmt: skip


def make_regression_data(
    dataset: str,
    n_points: int,
    noise: float,
    train_share: float,
    data_seed: int,
    features: Sequence[str] = DEFAULT_FEATURES,
) -> PointData | CurveData:
    """A regression set of `mlp.datasets.regression`, split (not by class: its targets are
    numbers) and ready to train on: `PointData` on the plane, `CurveData` for a curve (whose
    one input takes only the `features` of x₁, x₁ alone if none of them is chosen)."""
    X, y = regression.regression(dataset, n_points, noise, data_seed)
    train_rows, test_rows = regression.split_rows(len(y), train_share, data_seed)
    X_train, X_test = X[train_rows], X[test_rows]
    y_train, y_test = y[train_rows], y[test_rows]
    if regression.regression_dimensions(dataset) == 2:
        return _regression_points(X_train, y_train, X_test, y_test, features,
                                  grid_from_points=False)  # fmt: skip
    features = tuple(name for name in CURVE_FEATURES if name in features) or ("x1",)
    scaler = datasets.Standardizer.fit(X_train)

    def with_x2(x: np.ndarray) -> np.ndarray:  # the feature formulas take (x₁, x₂)
        z = scaler.transform(x)
        return np.column_stack([z[:, 0], np.zeros(len(z), np.float32)])

    feature_scaler = datasets.Standardizer.fit(expand_features(with_x2(X_train), features))

    def standardise(x: np.ndarray) -> np.ndarray:
        return _read_only(feature_scaler.transform(expand_features(with_x2(x), features)))

    margin = 0.5
    grid_x = np.linspace(-regression.REGRESSION_RANGE - margin,
                         regression.REGRESSION_RANGE + margin, CURVE_RESOLUTION,
                         dtype=np.float32)  # fmt: skip
    truth = regression.regression_target(dataset, grid_x[:, None]).astype(np.float32)
    low = float(min(y.min(), truth.min())) if len(y) else -1.0
    high = float(max(y.max(), truth.max())) if len(y) else 1.0
    pad = 0.1 * max(high - low, 1e-6)
    return CurveData(
        X_train=_read_only(np.ascontiguousarray(X_train)),
        y_train=_read_only(y_train),
        X_test=_read_only(np.ascontiguousarray(X_test)),
        y_test=_read_only(y_test),
        inputs_train=standardise(X_train),
        inputs_test=standardise(X_test),
        grid_x=_read_only(grid_x),
        grid_inputs=standardise(grid_x[:, None]),
        truth=_read_only(truth),
        x_range=(float(grid_x[0]), float(grid_x[-1])),
        y_range=(low - pad, high + pad),
        features=features,
    )


def make_toy_data(
    dataset: str,
    n_points: int,
    noise: float,
    train_share: float,
    data_seed: int,
    features: Sequence[str] = DEFAULT_FEATURES,
    label_noise: float = 0.0,
) -> PointData:
    """A toy set, split and ready to train on with the input `features` (and `label_noise`,
    the share of training labels flipped)."""
    X, y = datasets.toy(dataset, n_points, noise, data_seed)
    names = tuple(f"Class {k}" for k in range(datasets.toy_class_count(dataset)))
    return make_point_data(X, y, names, train_share, data_seed, features=features,
                           label_noise=label_noise)  # fmt: skip


@dataclass(frozen=True)
class ImageSet:
    """An MNIST-family set as a run trains on it: pixels in [0, 1] as inputs.

    inputs_train: (N, 784) float32; y_train: (N,) int64; likewise the test split.
    example_rows: the test rows whose images and guesses the page shows, the same every time.
    """

    name: str
    source: str
    inputs_train: np.ndarray
    y_train: np.ndarray
    inputs_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    image_shape: tuple[int, int]
    example_rows: np.ndarray

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


def make_image_set(images: datasets.ImageData) -> ImageSet:
    """The loaded images as a training set (the arrays are shared, never copied)."""
    rows = fixed_subset(len(images.y_test), EXAMPLE_IMAGES, seed=3)
    return ImageSet(
        name=images.name,
        source=images.source,
        inputs_train=images.X_train,
        y_train=images.y_train,
        inputs_test=images.X_test,
        y_test=images.y_test,
        class_names=tuple(images.class_names),
        image_shape=tuple(images.image_shape),
        example_rows=_read_only(np.arange(len(images.y_test)) if rows is None else rows),
    )

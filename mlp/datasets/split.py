"""A seeded, stratified train/test split, a fixed random subset of rows, and label noise."""

from __future__ import annotations

import numpy as np

from mlp.datasets.errors import DataError


def fixed_subset(n_rows: int, limit: int, seed: int = 0) -> np.ndarray | None:
    """Sorted indices of a fixed random ``limit`` of ``n_rows`` rows; None when all rows fit.

    The same arguments give the same rows, so what is evaluated or drawn on a subset stays
    the same subset from one call to the next.
    """
    if n_rows <= limit:
        return None
    return np.sort(np.random.default_rng(seed).permutation(n_rows)[:limit])


def split(
    X: np.ndarray, y: np.ndarray, train_share: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split ``(X, y)`` into a training and a test part, class by class.

    Each class with ``m`` points sends ``round(m * train_share)`` of them to training and the
    rest to test, clipped so that a class with 2 or more points keeps at least one on each
    side (a class with a single point goes to training). Within each part the points are
    shuffled, so classes are interleaved.

    Parameters
    ----------
    X : np.ndarray, shape (n, ...)
        Features; any dtype, kept as it is.
    y : np.ndarray, shape (n,)
        Integer class labels.
    train_share : float, default 0.5
        Fraction of each class used for training, strictly between 0 and 1.
    seed : int, default 0
        Same inputs and seed give the same split.

    Returns
    -------
    X_train, y_train, X_test, y_test : np.ndarray
        New arrays (copies), with the dtypes of ``X`` and ``y``.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if not 0.0 < train_share < 1.0:
        raise DataError(
            f"The training share must be more than 0 % and less than 100 %, not {train_share:.0%}."
        )
    if y.ndim != 1 or X.ndim < 1 or len(X) != len(y):
        raise DataError(
            f"Features and labels do not match: {len(X)} rows of features "
            f"but labels of shape {y.shape}."
        )
    rng = np.random.default_rng(seed)
    train_parts, test_parts = [], []
    for label in np.unique(y):
        indices = rng.permutation(np.flatnonzero(y == label))
        n_train = round(len(indices) * train_share)
        if len(indices) >= 2:
            n_train = min(max(n_train, 1), len(indices) - 1)
        else:
            n_train = len(indices)
        train_parts.append(indices[:n_train])
        test_parts.append(indices[n_train:])
    empty = np.empty(0, dtype=np.intp)
    train_indices = rng.permutation(np.concatenate(train_parts or [empty]))
    test_indices = rng.permutation(np.concatenate(test_parts or [empty]))
    return X[train_indices], y[train_indices], X[test_indices], y[test_indices]


def flip_labels(y: np.ndarray, share: float, n_classes: int, seed: int = 0) -> np.ndarray:
    """A copy of ``y`` with ``round(share * n)`` labels, chosen at random, each changed to
    another class drawn uniformly: the label noise of an overfitting experiment.

    Parameters
    ----------
    y : np.ndarray, shape (n,)
        Integer class labels in 0 .. n_classes - 1.
    share : float
        The share of labels to flip, from 0 to 1.
    n_classes : int
        K; with fewer than 2 classes nothing can change.
    seed : int, default 0
        Same inputs and seed flip the same labels to the same classes.

    Returns
    -------
    np.ndarray, shape (n,)
        A new array with the dtype of ``y``.
    """
    if not 0.0 <= share <= 1.0:
        raise DataError(f"The share of flipped labels must be from 0 to 1, not {share}.")
    flipped = np.array(y, copy=True)
    count = round(share * len(flipped))
    if count == 0 or n_classes < 2:
        return flipped
    rng = np.random.default_rng([seed, 0x1AB])  # apart from the split's stream
    rows = rng.choice(len(flipped), size=count, replace=False)
    # An offset of 1 .. K-1 classes is never the label itself.
    offsets = rng.integers(1, n_classes, size=count)
    flipped[rows] = (flipped[rows] + offsets) % n_classes
    return flipped

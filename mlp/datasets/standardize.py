"""Standardisation of features: train on z-scores, plot in the data's own units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Standardizer:
    """Per-column z-score: ``z = (x - mean) / std``, and back: ``x = z * std + mean``.

    Fit it on the training features, train the network on ``transform(X)``, and keep plots in
    the original units by transforming the plot's grid before predicting (or by drawing the
    raw points and the grid in the raw units, and transforming only what goes into the net).

    Attributes
    ----------
    mean : np.ndarray, shape (d,), float64
    std : np.ndarray, shape (d,), float64
        Never zero: a constant column gets std 1, so it is only shifted to 0.
    """

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> Standardizer:
        """Measure the mean and standard deviation of each column of ``X`` (n, d)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or len(X) == 0:
            raise ValueError(f"Standardizer.fit needs a non-empty (n, d) array, got {X.shape}.")
        mean = X.mean(axis=0)
        std = X.std(axis=0)
        std = np.where(std > 0.0, std, 1.0)
        mean.setflags(write=False)
        std.setflags(write=False)
        return cls(mean=mean, std=std)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Raw features (n, d) -> z-scores (n, d), float32."""
        return ((np.asarray(X, dtype=np.float64) - self.mean) / self.std).astype(np.float32)

    def inverse_transform(self, Z: np.ndarray) -> np.ndarray:
        """Z-scores (n, d) -> raw features (n, d), float32."""
        return (np.asarray(Z, dtype=np.float64) * self.std + self.mean).astype(np.float32)

    def __repr__(self) -> str:
        return f"Standardizer(mean={self.mean.round(4).tolist()}, std={self.std.round(4).tolist()})"

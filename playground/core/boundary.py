"""The decision boundary as one small code per grid point: what the session sends, what the
boundary figure draws.

The code of a grid point holds the predicted class and how confident the network is there,
``predicted_class * BOUNDARY_LEVELS + confidence_level``, so a 100×100 picture of the boundary
is 10 kB of uint8 instead of 10,000 probability vectors.
"""

from __future__ import annotations

import numpy as np

# Number of lightness steps used to show how confident the network is at each grid point.
BOUNDARY_LEVELS: int = 6


def encode_boundary(proba: np.ndarray, grid_shape: tuple[int, int]) -> np.ndarray:
    """Turn the network's class probabilities on a grid into one small code per grid point.

    Parameters
    ----------
    proba : np.ndarray, shape (G_y * G_x, K)
        Class probabilities at the grid points, row-major: all x values of the first y row,
        then the second row, and so on. K >= 2. Non-finite entries (a diverged network) count
        as probability 0.
    grid_shape : tuple[int, int]
        (G_y, G_x).

    Returns
    -------
    np.ndarray, shape (G_y, G_x), uint8
        Codes ``predicted_class * BOUNDARY_LEVELS + confidence_level``. The confidence is the
        largest probability, mapped linearly from [1/K, 1] (a uniform guess) onto levels
        0 .. BOUNDARY_LEVELS - 1 (certain).
    """
    n_points, n_classes = proba.shape
    grid_rows, grid_cols = grid_shape
    if n_points != grid_rows * grid_cols:
        raise ValueError(f"proba has {n_points} rows but the grid has {grid_rows}×{grid_cols}.")
    if not 2 <= n_classes <= 256 // BOUNDARY_LEVELS:
        raise ValueError(f"Expected 2 to {256 // BOUNDARY_LEVELS} classes, got {n_classes}.")
    finite_proba = np.nan_to_num(proba.astype(np.float32, copy=False), nan=0.0, posinf=0.0)
    predicted_class = finite_proba.argmax(axis=1)
    confidence = finite_proba.max(axis=1)
    uniform = 1.0 / n_classes
    scaled = (confidence - uniform) / (1.0 - uniform) * BOUNDARY_LEVELS
    level = np.clip(np.floor(scaled), 0, BOUNDARY_LEVELS - 1)
    codes = predicted_class * BOUNDARY_LEVELS + level.astype(np.intp)
    return codes.astype(np.uint8).reshape(grid_rows, grid_cols)


# A regression's prediction at a grid point, as a code: VALUE_LEVELS steps from -R to R.
VALUE_LEVELS: int = 255


def encode_values(
    values: np.ndarray, value_range: float, grid_shape: tuple[int, int]
) -> np.ndarray:
    """A regression's predictions on a grid as one small code per grid point.

    values: (G_y * G_x,) or (G_y * G_x, 1), row-major as `encode_boundary`; value_range: R,
    the targets' largest size. Returns (G_y, G_x) uint8 codes ``round((v + R) / 2R · 254)``,
    clipped to 0 .. 254 (beyond ±R shows as ±R); a non-finite value (a diverged network) is
    the code of 0, the middle."""
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if values.size != grid_shape[0] * grid_shape[1]:
        raise ValueError(f"{values.size} values for a grid of {grid_shape[0]}×{grid_shape[1]}.")
    values = np.nan_to_num(values, nan=0.0, posinf=value_range, neginf=-value_range)
    codes = np.rint((values + value_range) / (2 * value_range) * (VALUE_LEVELS - 1))
    return np.clip(codes, 0, VALUE_LEVELS - 1).astype(np.uint8).reshape(grid_shape)


def decode_values(codes: np.ndarray, value_range: float) -> np.ndarray:
    """The values `encode_values` coded (to within R / 254), float32."""
    return (np.asarray(codes, np.float32) / (VALUE_LEVELS - 1) * 2 - 1) * np.float32(value_range)

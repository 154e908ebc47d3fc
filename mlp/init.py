"""Weight initialisers, chosen by name from ``INITIALIZERS``.

Each initialiser draws a weight matrix ``W: (n_in, n_out)`` from ``rng``. Numbers are drawn in
float64 and then cast, so a float32 and a float64 network built from the same seed hold the same
weights up to rounding. Biases are not drawn here: they start at zero.
"""

from collections.abc import Callable

import numpy as np
from numpy.typing import DTypeLike

Initializer = Callable[[int, int, np.random.Generator, DTypeLike], np.ndarray]


def xavier(
    n_in: int, n_out: int, rng: np.random.Generator, dtype: DTypeLike = np.float32
) -> np.ndarray:
    """Xavier/Glorot normal initialisation (Glorot & Bengio, 2010).

    W ~ N(0, std**2) with std = sqrt(2 / (n_in + n_out)), which keeps the variance of the
    activations and of the gradients roughly constant from layer to layer for tanh-like units.

    Returns
    -------
    W : (n_in, n_out) array of ``dtype``
    """
    # W ~ N(0, σ²),   σ = √(2 / (n_in + n_out))
    std = np.sqrt(2.0 / (n_in + n_out))
    return (rng.standard_normal((n_in, n_out)) * std).astype(dtype)


def xavier_uniform(
    n_in: int, n_out: int, rng: np.random.Generator, dtype: DTypeLike = np.float32
) -> np.ndarray:
    """Xavier/Glorot uniform initialisation (Glorot & Bengio, 2010).

    W ~ U(-a, a) with a = sqrt(6 / (n_in + n_out)): the same variance as ``xavier``.

    Returns
    -------
    W : (n_in, n_out) array of ``dtype``
    """
    # W ~ U(−a, a),   a = √(6 / (n_in + n_out)),   Var W = a²/3 = 2 / (n_in + n_out)
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out)).astype(dtype)


def he(
    n_in: int, n_out: int, rng: np.random.Generator, dtype: DTypeLike = np.float32
) -> np.ndarray:
    """He/Kaiming normal initialisation (He et al., 2015), made for ReLU units.

    W ~ N(0, std**2) with std = sqrt(2 / n_in): ReLU zeroes half of its inputs, so the variance
    is doubled to compensate.

    Returns
    -------
    W : (n_in, n_out) array of ``dtype``
    """
    # W ~ N(0, σ²),   σ = √(2 / n_in)
    std = np.sqrt(2.0 / n_in)
    return (rng.standard_normal((n_in, n_out)) * std).astype(dtype)


def small(
    n_in: int, n_out: int, rng: np.random.Generator, dtype: DTypeLike = np.float32
) -> np.ndarray:
    """Small random normal weights, std = 0.01 (the classic cs231n starting point).

    Deep networks started this way shrink their signal layer after layer, which is the point
    of showing it next to ``xavier`` and ``he``.

    Returns
    -------
    W : (n_in, n_out) array of ``dtype``
    """
    # W ~ N(0, σ²),   σ = 0.01
    return (rng.standard_normal((n_in, n_out)) * 0.01).astype(dtype)


INITIALIZERS: dict[str, Initializer] = {
    "xavier": xavier,
    "xavier_uniform": xavier_uniform,
    "he": he,
    "small": small,
}


def get_initializer(name: str) -> Initializer:
    """The initialiser called ``name``; raises ValueError naming the choices if unknown."""
    try:
        return INITIALIZERS[name]
    except KeyError:
        choices = ", ".join(INITIALIZERS)
        raise ValueError(f"Unknown initializer {name!r}; choose one of: {choices}.") from None

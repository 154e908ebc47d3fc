"""Constraints applied to the weights after each optimizer step."""

import numpy as np


class MaxNorm:
    """Max-norm regularisation (Srivastava et al., 2014, "Dropout: a simple way to prevent
    neural networks from overfitting", JMLR 15, section 5.1).

    After each optimizer step, every unit's vector of incoming weights (a column of a Dense
    layer's ``W: (n_in, n_out)``) whose L2 norm exceeds ``c`` is scaled down to norm ``c``;
    columns within the limit and all biases are left exactly as they are. ``c`` may be changed
    between steps.

    Parameters
    ----------
    c : float > 0
        The largest allowed norm.
    """

    def __init__(self, c: float) -> None:
        self.c = c

    @property
    def c(self) -> float:
        return self._c

    @c.setter
    def c(self, value: float) -> None:
        if not value > 0:
            raise ValueError(f"The max-norm limit must be > 0, got {value}.")
        self._c = float(value)

    def apply(self, network) -> None:
        """Rescale, in place, the columns of W that are too long, for every Dense layer."""
        for layer in network.dense_layers():
            weights = layer.params["W"]
            # ‖w_j‖ = √(Σᵢ Wᵢⱼ²)   (w_j: column j of W, the incoming weights of unit j)
            norms = np.sqrt(np.einsum("ij,ij->j", weights, weights))
            if norms.max(initial=0) > self._c:
                # w_j ← w_j · c / max(‖w_j‖, c) = w_j · min(1, c / ‖w_j‖)
                # c / max(norm, c) is 1 for columns within the limit, c / norm for the others.
                np.maximum(norms, self._c, out=norms)
                np.divide(self._c, norms, out=norms)
                weights *= norms

    def __repr__(self) -> str:
        return f"MaxNorm(c={self._c:g})"

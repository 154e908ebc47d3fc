"""Benchmark worker: the matrix products of one training step alone, the ceiling.

For the 784-256-256-10 network at batch 128 in float32: 3 forward, 3 weight-gradient and 2
input-gradient GEMMs per step, through NumPy's BLAS with 2 threads, and no other work. No
implementation that does these products with this BLAS can train faster.
"""

import numpy as np
from protocol import (
    CEILING_CASE,
    MNIST_BATCH,
    MNIST_WIDTHS,
    serve,
    thread_pools,
    timed,
    worker_threads,
)
from threadpoolctl import threadpool_limits


class MatmulCeiling:
    """The GEMMs of a training step of a Dense stack; widths D_0, ..., D_L, batch N.

    Activations ``a_k: (N, D_k)``, weights ``W_k: (D_k, D_k+1)``: a_k+1 = a_k W_k forward,
    dW_k = a_k^T delta_k+1 and delta_k = delta_k+1 W_k^T backward (no delta_0).
    """

    def __init__(self, widths: list[int], batch_size: int):
        rng = np.random.default_rng(0)
        self.weights = [
            rng.standard_normal((a, b), dtype=np.float32) * 0.01
            for a, b in zip(widths[:-1], widths[1:], strict=True)
        ]
        self.grads = [np.empty_like(w) for w in self.weights]
        self.activations = [rng.random((batch_size, w), dtype=np.float32) for w in widths]
        self.deltas = [np.empty((batch_size, w), np.float32) for w in widths]

    def step(self) -> None:
        weights, grads, acts, deltas = self.weights, self.grads, self.activations, self.deltas
        for k, w in enumerate(weights):
            np.dot(acts[k], w, out=acts[k + 1])
        deltas[-1][...] = acts[-1]
        for k in range(len(weights) - 1, -1, -1):
            np.dot(acts[k].T, deltas[k + 1], out=grads[k])
            if k > 0:
                np.dot(deltas[k + 1], weights[k].T, out=deltas[k])


def make_run(case: str):
    if case != CEILING_CASE:
        return None
    return timed(MatmulCeiling(MNIST_WIDTHS, MNIST_BATCH).step)


if __name__ == "__main__":
    with threadpool_limits(worker_threads()):
        serve({"library": f"numpy {np.__version__}", "pools": thread_pools()}, make_run)

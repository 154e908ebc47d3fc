"""Benchmark worker: scikit-learn's MLPClassifier trained with ``partial_fit``, at its defaults.

Only what is needed to match the network and the loop is set: ``hidden_layer_sizes``,
``activation`` for the toy net (its default is ReLU), ``solver`` ("sgd" or "adam"),
``batch_size`` and ``learning_rate_init``; so its defaults stay on, among them L2 penalty
``alpha=1e-4`` and, for "sgd", Nesterov momentum 0.9. It gets the same float32 arrays as the
others (scikit-learn keeps float32 input in float32; given float64 it would train in float64
at about half the matrix-product speed). Each ``partial_fit`` call is given 50 batches' worth
of consecutive rows (the whole set for the toy net at batch 10, one batch at batch 500), which
it shuffles and splits into minibatches itself, as a user streaming chunks of data would. No
batch norm or dropout in scikit-learn: those cases are unsupported. Importing scikit-learn
also loads SciPy's OpenBLAS beside NumPy's (both listed in the output); that is how its users
run it. Exits with status 3 if scikit-learn is not installed.
"""

import sys
import warnings

from protocol import (
    LEARNING_RATES,
    MNIST_BATCH,
    MNIST_CASES,
    TOY_CASES,
    TOY_LEARNING_RATE,
    mnist_case,
    mnist_like_data,
    serve,
    thread_pools,
    toy_batch_size,
    toy_data,
    worker_threads,
)

try:
    import sklearn
    from sklearn.neural_network import MLPClassifier
except ImportError:
    sys.exit(3)

import time  # noqa: E402

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402


def partial_fit_steps(model: MLPClassifier, X: np.ndarray, y: np.ndarray, batch_size: int):
    """run(budget): minibatch steps for at least budget seconds; (steps, seconds taken).

    One partial_fit call per pass over the data set, or per part of one: scikit-learn's own
    loop runs the minibatch steps inside a call, so the budget is checked between calls.
    """
    classes = np.unique(y)
    steps_per_pass = X.shape[0] // batch_size
    position = 0

    # Rows per call: a pass, or 50 steps at most so that a call is short next to the budget.
    chunk = min(steps_per_pass, 50)

    def run(budget: float) -> tuple[int, float]:
        nonlocal position
        start = time.perf_counter()
        steps = 0
        while time.perf_counter() - start < budget:
            if position + chunk > steps_per_pass:
                position = 0
            rows = slice(position * batch_size, (position + chunk) * batch_size)
            model.partial_fit(X[rows], y[rows], classes=classes)
            position += chunk
            steps += chunk
        return steps, time.perf_counter() - start

    return run


def make_run(case: str):
    if case in MNIST_CASES:
        solver, regularised = mnist_case(case)
        if regularised:
            return None
        X, y = mnist_like_data()
        model = MLPClassifier(
            hidden_layer_sizes=(256, 256),
            solver=solver,
            batch_size=MNIST_BATCH,
            learning_rate_init=LEARNING_RATES[solver],
        )
        return partial_fit_steps(model, X, y, MNIST_BATCH)
    if case in TOY_CASES:
        X, y = toy_data()
        batch_size = toy_batch_size(case)
        model = MLPClassifier(
            hidden_layer_sizes=(8, 8),
            activation="tanh",
            solver="sgd",
            batch_size=batch_size,
            learning_rate_init=TOY_LEARNING_RATE,
        )
        return partial_fit_steps(model, X, y, batch_size)
    return None


if __name__ == "__main__":
    warnings.simplefilter("ignore")  # convergence warnings of one-pass fits
    with threadpool_limits(worker_threads()):
        info = {"library": f"scikit-learn {sklearn.__version__}", "pools": thread_pools()}
        serve(info, make_run)

"""What every benchmark worker shares: the cases, their data, and the request loop.

A worker is one process that runs one implementation (this engine, PyTorch, scikit-learn or
the matrix products alone). ``benchmarks/engine.py`` starts one worker per implementation and
asks them in turn, one JSON line per request on the worker's standard input:

    {"case": "mnist adam plain", "seconds": 0.5}

and the worker answers one JSON line on its standard output: ``{"steps": n, "seconds": s}``,
the steps it ran one after the other for at least that long (the first request of a case also
builds it and runs untimed warm-up steps), or ``{"unsupported": true}``. Before the first
request the worker prints
``{"info": {...}}``: its library's version, its thread count and its thread pools.
"""

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

# Threads of every implementation, unless a worker is given another count as its argument.
THREADS = 2
MNIST_BATCH = 128
MNIST_SAMPLES = 60_000
MNIST_WIDTHS = [784, 256, 256, 10]
TOY_SAMPLES = 500
TOY_WIDTHS = [2, 8, 8, 2]
# Learning rates of the MNIST cases per optimizer (each library's own default for Adam).
LEARNING_RATES = {"sgd": 0.01, "adam": 0.001}
TOY_LEARNING_RATE = 0.1

# Every case: what it trains. The worker of an implementation that cannot run a case (the
# ceiling has no optimizer, scikit-learn has no batch norm or dropout) answers "unsupported".
MNIST_CASES = [
    "mnist sgd plain",
    "mnist adam plain",
    "mnist sgd bn+dropout",
    "mnist adam bn+dropout",
]
TOY_CASES = ["toy batch 10", "toy batch 500"]
CEILING_CASE = "mnist matrix products"


def mnist_case(case: str) -> tuple[str, bool]:
    """'mnist adam bn+dropout' -> ('adam', True): the optimizer and whether it regularises."""
    _, optimizer, variant = case.split()
    return optimizer, variant == "bn+dropout"


def toy_batch_size(case: str) -> int:
    return int(case.split()[-1])


def mnist_like_data() -> tuple[np.ndarray, np.ndarray]:
    """60,000 real MNIST digits as float32 pixels in [0, 1] (``ToTensor``'s scaling), labels
    as int64: the project's offline sample (4,000 training digits) repeated 15 times.

    Real digits, not random numbers: on uniform random pixels with random labels the Adam net
    kills nearly every first-layer ReLU within 1,500 steps (268,156 of 269,322 gradients zero),
    and its first moments decay into float32 subnormals, which makes the elementwise passes
    slower than on any data a user trains on.
    """
    path = Path(__file__).resolve().parents[2] / "mlp" / "datasets" / "mnist_sample.npz"
    with np.load(path, allow_pickle=False) as sample:
        images, labels = sample["train_images"], sample["train_labels"]
    copies = -(-MNIST_SAMPLES // len(images))
    X = np.tile(images.astype(np.float32) / 255, (copies, 1))[:MNIST_SAMPLES]
    y = np.tile(labels.astype(np.int64), copies)[:MNIST_SAMPLES]
    return X, y


def toy_data() -> tuple[np.ndarray, np.ndarray]:
    """500 points in [-1, 1]^2, float32, labelled by the quadrant's sign (XOR)."""
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, (TOY_SAMPLES, 2)).astype(np.float32)
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.int64)


def worker_threads() -> int:
    """The thread count a worker was started with (its first argument), else THREADS."""
    return int(sys.argv[1]) if len(sys.argv) > 1 else THREADS


def thread_pools() -> list[dict]:
    """The BLAS and OpenMP pools loaded in this process, as threadpoolctl reports them."""
    from threadpoolctl import threadpool_info

    keys = ("internal_api", "version", "architecture", "num_threads", "filepath")
    return [{key: pool.get(key) for key in keys} for pool in threadpool_info()]


def serve(info: dict, make_run: Callable[[str], Callable[[float], tuple] | None]) -> None:
    """Answer requests until standard input closes.

    ``make_run(case)`` returns ``run(seconds) -> (steps, seconds taken)`` for a case, or None
    if unsupported.
    """
    print(json.dumps({"info": info}), flush=True)
    runs: dict[str, Callable[[float], tuple] | None] = {}
    for line in sys.stdin:
        request = json.loads(line)
        case, budget = request["case"], request["seconds"]
        if case not in runs:
            runs[case] = make_run(case)
            if runs[case] is not None:
                runs[case](budget / 4)  # warm up: allocate, fault pages in
        run = runs[case]
        if run is None:
            answer = {"unsupported": True}
        else:
            steps, seconds = run(budget)
            answer = {"steps": steps, "seconds": seconds}
        print(json.dumps(answer), flush=True)


def timed(step: Callable[[], object]) -> Callable[[float], tuple[int, float]]:
    """run(budget): call step() until budget seconds have passed; (calls, seconds taken)."""

    def run(budget: float) -> tuple[int, float]:
        clock = time.perf_counter
        start = clock()
        end = start + budget
        steps = 0
        while True:
            step()
            steps += 1
            now = clock()
            if now >= end:
                return steps, now - start

    return run

"""What random shifts cost next to a training step. Prints figures and asserts nothing.

    python benchmarks/augment.py [--rounds 5] [--threads 1] [--max-shift 2]

On 64-image minibatches of the offline MNIST sample (float32 pixels in [0, 1]), microseconds
per minibatch (median over the rounds, each about 0.3 s of calls per case, the cases taking
turns so that drifts of the machine's speed hit them alike) of:

- ``mlp.augment.random_shifts`` writing into a given array (``out=``), as a training loop
  would, and returning a fresh array;
- the same shifts image by image (a Python loop of slice copies), the obvious way;
- one engine training step, ``Trainer.step()``, of a 784-256-10 ReLU network with SGD at
  batch 64 (the trainer's per-epoch evaluation reduced to a single sample, so it stays out of
  the figure).

BLAS runs on ``--threads`` threads (1, as the app and the headless command run); the shifts
use no BLAS. The load average is printed: figures from a busy machine say little.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: find `mlp`

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from mlp import SGD, Trainer, build_network  # noqa: E402
from mlp.augment import random_shifts  # noqa: E402
from mlp.datasets import load_images  # noqa: E402

BATCH = 64
TURN = 0.3  # seconds of calls per case and round


def shifts_image_by_image(images_flat, max_shift, rng, out):
    """The per-image loop random_shifts replaces: the same draws, one slice copy per image."""
    out.fill(0)
    images, shifted = images_flat.reshape(-1, 28, 28), out.reshape(-1, 28, 28)
    for n, (dx, dy) in enumerate(rng.integers(-max_shift, max_shift + 1, size=(len(images), 2))):
        shifted[n, max(dy, 0) : 28 + min(dy, 0), max(dx, 0) : 28 + min(dx, 0)] = images[
            n, max(-dy, 0) : 28 + min(-dy, 0), max(-dx, 0) : 28 + min(-dx, 0)
        ]
    return out


def microseconds_per_call(function) -> float:
    """Mean microseconds per call over about TURN seconds."""
    function()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < TURN:
        function()
        calls += 1
    return elapsed / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-shift", type=int, default=2)
    options = parser.parse_args()

    data = load_images("mnist", "sample")
    rng = np.random.default_rng(0)
    batches = [data.X_train[rng.choice(len(data.X_train), BATCH, replace=False)] for _ in range(50)]
    out = np.empty_like(batches[0])
    cycle = iter(range(10**12))

    def next_batch():
        return batches[next(cycle) % len(batches)]

    network = build_network(784, 10, [(256, "relu")], seed=0)
    trainer = Trainer(
        network, SGD(0.01), data.X_train, data.y_train, batch_size=BATCH, train_eval_size=1
    )
    m = options.max_shift
    cases = {
        "random_shifts, out=": lambda: random_shifts(next_batch(), max_shift=m, rng=rng, out=out),
        "random_shifts, fresh array": lambda: random_shifts(next_batch(), max_shift=m, rng=rng),
        "image by image (Python loop)": lambda: shifts_image_by_image(next_batch(), m, rng, out),
        "training step 784-256-10, SGD": trainer.step,
    }
    figures: dict[str, list[float]] = {name: [] for name in cases}
    print(f"Load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with threadpool_limits(options.threads):
        for _ in range(options.rounds):
            for name, function in cases.items():
                figures[name].append(microseconds_per_call(function))
    print(f"Load average after:  {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    step = statistics.median(figures["training step 784-256-10, SGD"])
    print(
        f"\n{BATCH}-image minibatches of MNIST digits, max_shift {m}, {options.threads} BLAS "
        f"thread(s); median of {options.rounds} rounds:"
    )
    for name, values in figures.items():
        median = statistics.median(values)
        print(f"  {name:32s} {median:8.1f} µs per minibatch   ({median / step:5.0%} of a step)")


if __name__ == "__main__":
    main()

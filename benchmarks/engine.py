"""Training speed of the NumPy engine, next to PyTorch and next to the matrix products alone.

Prints figures and asserts nothing. Every measurement runs in this one process, the
implementations taking turns (A B C A B C ...) so that drifts of the machine's speed hit them
alike; the figures are medians over those rounds. PyTorch is optional: without it only the
NumPy figures and the ceiling are printed.

    python benchmarks/engine.py [--quick]

Cases:
- MNIST-sized: 784-256-256-10 ReLU, batch 128, float32, with SGD and with Adam, plain and with
  batch norm + dropout (0.2 on the inputs, 0.5 on the hidden units); samples per second of
  ``Trainer.step()`` on 60,000 random samples.
- Ceiling: the same network's matrix products alone (3 forward, 3 weight-gradient and 2
  input-gradient GEMMs per step, no other work).
- Toy: 2-8-8-2 tanh on 500 points with SGD, at batch 10 and at full batch 500; steps per
  second of ``Trainer.step()``. At full batch every step ends an epoch, so every step also
  evaluates the training set for ``history.epochs``; the figure without that evaluation (its
  median time subtracted) is printed too, since the PyTorch loop evaluates nothing.

PyTorch runs with OMP_WAIT_POLICY=PASSIVE unless the variable is already set: on a busy
2-core machine its spinning OpenMP threads otherwise slow it down many times over, which
would flatter the ratios.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mlp  # noqa: E402

THREADS = 2
MNIST_BATCH = 128
MNIST_SAMPLES = 60_000
TOY_SAMPLES = 500


def blas_description() -> str:
    lines = []
    for pool in threadpool_info():
        lines.append(
            f"  {pool['internal_api']} {pool.get('version')} ({pool['user_api']}), "
            f"kernel {pool.get('architecture')}, {pool['num_threads']} threads, "
            f"{Path(pool['filepath']).name}"
        )
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_WAIT_POLICY"):
        lines.append(f"  {name}={os.environ.get(name, '(unset)')}")
    return "\n".join(lines)


def mnist_like_data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.random((MNIST_SAMPLES, 784), dtype=np.float32)
    y = rng.integers(0, 10, MNIST_SAMPLES)
    return X, y


def toy_data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    X = rng.uniform(-1, 1, (TOY_SAMPLES, 2)).astype(np.float32)
    return X, (X[:, 0] * X[:, 1] > 0).astype(np.int64)


class NumpyRun:
    """Steps of mlp.Trainer."""

    def __init__(self, network, optimizer, X, y, batch_size):
        self.trainer = mlp.Trainer(network, optimizer, X, y, batch_size=batch_size, seed=0)

    def steps(self, n: int) -> float:
        step = self.trainer.step
        start = time.perf_counter()
        for _ in range(n):
            step()
        return time.perf_counter() - start


class MatmulCeiling:
    """The GEMMs of one training step of a Dense stack, and nothing else."""

    def __init__(self, widths: list[int], batch_size: int):
        rng = np.random.default_rng(0)
        self.weights = [
            rng.standard_normal((a, b), dtype=np.float32) * 0.01
            for a, b in zip(widths[:-1], widths[1:], strict=True)
        ]
        self.grads = [np.empty_like(w) for w in self.weights]
        self.activations = [rng.random((batch_size, w), dtype=np.float32) for w in widths]
        self.deltas = [np.empty((batch_size, w), np.float32) for w in widths]

    def steps(self, n: int) -> float:
        weights, grads, acts, deltas = self.weights, self.grads, self.activations, self.deltas
        last = len(weights) - 1
        start = time.perf_counter()
        for _ in range(n):
            for k, w in enumerate(weights):
                np.dot(acts[k], w, out=acts[k + 1])
            deltas[-1][...] = acts[-1]
            for k in range(last, -1, -1):
                np.dot(acts[k].T, deltas[k + 1], out=grads[k])
                if k > 0:
                    np.dot(deltas[k + 1], weights[k].T, out=deltas[k])
        return time.perf_counter() - start


class TorchRun:
    """The same network and loop in PyTorch: gather a minibatch, forward, loss, backward, step."""

    def __init__(self, torch, widths, activation, optimizer, X, y, batch_size, batch_norm=False):
        nn = torch.nn
        torch.manual_seed(0)
        layers = []
        if batch_norm:
            layers.append(nn.Dropout(0.2))
        for a, b in zip(widths[:-2], widths[1:-1], strict=True):
            layers.append(nn.Linear(a, b))
            if batch_norm:
                layers.append(nn.BatchNorm1d(b))
            layers.append(activation())
            if batch_norm:
                layers.append(nn.Dropout(0.5))
        layers.append(nn.Linear(widths[-2], widths[-1]))
        self.torch = torch
        self.model = nn.Sequential(*layers).train()
        self.optimizer = optimizer(self.model.parameters())
        self.X = torch.from_numpy(X)
        self.y = torch.from_numpy(y)
        self.batch_size = min(batch_size, X.shape[0])
        self.order = torch.randperm(X.shape[0])
        self.position = 0

    def steps(self, n: int) -> float:
        torch, model, optimizer = self.torch, self.model, self.optimizer
        loss_function = torch.nn.functional.cross_entropy
        start = time.perf_counter()
        for _ in range(n):
            if self.position + self.batch_size > self.X.shape[0]:
                self.order = torch.randperm(self.X.shape[0])
                self.position = 0
            rows = self.order[self.position : self.position + self.batch_size]
            self.position += self.batch_size
            optimizer.zero_grad(set_to_none=True)
            loss = loss_function(model(self.X[rows]), self.y[rows])
            loss.backward()
            optimizer.step()
            loss.item()
        return time.perf_counter() - start


def interleaved(runs: dict, steps_per_round: int, rounds: int) -> dict[str, float]:
    """Median seconds per step of each run, the runs taking turns."""
    for run in runs.values():
        run.steps(max(3, steps_per_round // 4))  # warm up: allocate, fault pages in
    times = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            times[name].append(run.steps(steps_per_round) / steps_per_round)
    return {name: statistics.median(values) for name, values in times.items()}


def import_torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(THREADS)
    return torch


def mnist_section(torch, rounds: int) -> None:
    rng = np.random.default_rng(0)
    X, y = mnist_like_data(rng)
    widths = [784, 256, 256, 10]
    hidden = [(256, "relu"), (256, "relu")]
    optimizers = {
        "SGD": (lambda: mlp.SGD(0.01), lambda p: torch.optim.SGD(p, lr=0.01)),
        "Adam": (lambda: mlp.Adam(0.001), lambda p: torch.optim.Adam(p, lr=0.001)),
    }
    runs = {"ceiling": MatmulCeiling(widths, MNIST_BATCH)}
    for variant, regularised in (("plain", False), ("bn+dropout", True)):
        for name, (ours, theirs) in optimizers.items():
            network = mlp.build_network(
                784,
                10,
                hidden,
                batch_norm=regularised,
                dropout=0.5 if regularised else 0.0,
                input_dropout=0.2 if regularised else 0.0,
            )
            runs[f"numpy {name} {variant}"] = NumpyRun(network, ours(), X, y, MNIST_BATCH)
            if torch is not None:
                runs[f"torch {name} {variant}"] = TorchRun(
                    torch, widths, torch.nn.ReLU, theirs, X, y, MNIST_BATCH, regularised
                )
    seconds = interleaved(runs, steps_per_round=40, rounds=rounds)
    ceiling = MNIST_BATCH / seconds["ceiling"]
    print("\nMNIST-sized 784-256-256-10 ReLU, batch 128, float32 (samples/s, median)")
    print(f"  {'matrix products alone (ceiling)':<34}{ceiling:>10,.0f}")
    for variant in ("plain", "bn+dropout"):
        for name in optimizers:
            ours = MNIST_BATCH / seconds[f"numpy {name} {variant}"]
            label = f"numpy {name} {variant}"
            line = f"  {label:<34}{ours:>10,.0f}   {ours / ceiling:5.0%} of ceiling"
            if torch is not None:
                theirs = MNIST_BATCH / seconds[f"torch {name} {variant}"]
                line += f"   torch {theirs:>9,.0f}   numpy/torch {ours / theirs:4.2f}x"
            print(line)


def toy_section(torch, rounds: int) -> None:
    rng = np.random.default_rng(1)
    X, y = toy_data(rng)
    runs = {}
    for batch_size in (10, TOY_SAMPLES):
        network = mlp.build_network(2, 2, [(8, "tanh"), (8, "tanh")])
        runs[f"numpy batch {batch_size}"] = NumpyRun(network, mlp.SGD(0.1), X, y, batch_size)
        if torch is not None:
            runs[f"torch batch {batch_size}"] = TorchRun(
                torch,
                [2, 8, 8, 2],
                torch.nn.Tanh,
                lambda p: torch.optim.SGD(p, lr=0.1),
                X,
                y,
                batch_size,
            )
    seconds = interleaved(runs, steps_per_round=500, rounds=rounds)
    evaluation = toy_evaluation_seconds(X, y, rounds)
    print("\nToy 2-8-8-2 tanh, 500 points, SGD, float32 (steps/s, median)")
    for batch_size in (10, TOY_SAMPLES):
        ours = 1 / seconds[f"numpy batch {batch_size}"]
        line = f"  {f'numpy batch {batch_size}':<34}{ours:>10,.0f}"
        if torch is not None:
            theirs = 1 / seconds[f"torch batch {batch_size}"]
            line += f"   torch {theirs:>9,.0f}   numpy/torch {ours / theirs:4.2f}x"
        print(line)
        if batch_size == TOY_SAMPLES:
            without = 1 / (seconds[f"numpy batch {batch_size}"] - evaluation)
            line = f"  {'  same, without the epoch evaluation':<34}{without:>10,.0f}"
            if torch is not None:
                line += f"   {'':>15}   numpy/torch {without / theirs:4.2f}x"
            print(line)


def toy_evaluation_seconds(X, y, rounds: int) -> float:
    """Median time of the per-epoch evaluation that a full-batch toy step includes."""
    network = mlp.build_network(2, 2, [(8, "tanh"), (8, "tanh")])
    trainer = mlp.Trainer(network, mlp.SGD(0.1), X, y, batch_size=TOY_SAMPLES)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(500):
            trainer.evaluate(X, y)
        times.append((time.perf_counter() - start) / 500)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args()
    rounds = 5 if args.quick else 15

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read by libgomp when torch loads
    with threadpool_limits(THREADS):
        torch = import_torch()
        print(f"numpy {np.__version__}, {THREADS} threads; thread pools and BLAS kernels:")
        print(blas_description())
        if torch is None:
            print("PyTorch not importable: NumPy figures only.")
        else:
            print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
        mnist_section(torch, rounds)
        toy_section(torch, rounds)


if __name__ == "__main__":
    main()

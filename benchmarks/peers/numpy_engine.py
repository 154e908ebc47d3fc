"""Benchmark worker: this project's NumPy engine, ``mlp.Trainer.step()``.

MNIST cases: ``build_network`` with two ReLU layers of 256 (batch norm after each hidden
Dense layer and dropout 0.2 on the inputs, 0.5 on the hidden units for "bn+dropout"), float32.
Toy cases: 2-8-8-2 tanh with SGD. The extra case "toy evaluation" times the per-epoch
evaluation that every full-batch toy step includes (every step ends an epoch there).
"""

import sys
from pathlib import Path

import numpy as np
from protocol import (
    LEARNING_RATES,
    MNIST_BATCH,
    MNIST_CASES,
    TOY_CASES,
    TOY_LEARNING_RATE,
    TOY_SAMPLES,
    mnist_case,
    mnist_like_data,
    serve,
    thread_pools,
    timed,
    toy_batch_size,
    toy_data,
    worker_threads,
)
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import mlp  # noqa: E402

OPTIMIZERS = {"sgd": mlp.SGD, "adam": mlp.Adam}


def make_run(case: str):
    if case in MNIST_CASES:
        optimizer, regularised = mnist_case(case)
        X, y = mnist_like_data()
        network = mlp.build_network(
            784,
            10,
            [(256, "relu"), (256, "relu")],
            batch_norm=regularised,
            dropout=0.5 if regularised else 0.0,
            input_dropout=0.2 if regularised else 0.0,
        )
        trainer = mlp.Trainer(
            network, OPTIMIZERS[optimizer](LEARNING_RATES[optimizer]), X, y, batch_size=MNIST_BATCH
        )
        return timed(trainer.step)
    if case in TOY_CASES or case == "toy evaluation":
        X, y = toy_data()
        network = mlp.build_network(2, 2, [(8, "tanh"), (8, "tanh")])
        batch_size = TOY_SAMPLES if case == "toy evaluation" else toy_batch_size(case)
        trainer = mlp.Trainer(network, mlp.SGD(TOY_LEARNING_RATE), X, y, batch_size=batch_size)
        if case == "toy evaluation":
            return timed(lambda: trainer.evaluate(X, y))
        return timed(trainer.step)
    return None


if __name__ == "__main__":
    with threadpool_limits(worker_threads()):
        serve({"library": f"numpy {np.__version__}", "pools": thread_pools()}, make_run)

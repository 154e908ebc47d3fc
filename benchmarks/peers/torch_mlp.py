"""Benchmark worker: the same networks and loop in PyTorch, at its defaults.

Gather a minibatch of a random permutation, forward, cross-entropy, backward, optimizer step,
read the loss. ``torch.set_num_threads(2)``; no environment variable is set here (on a 2-core
machine ``OMP_WAIT_POLICY=PASSIVE`` would halve its speed). Exits with status 3 if PyTorch is
not installed.
"""

import sys

from protocol import (
    LEARNING_RATES,
    MNIST_BATCH,
    MNIST_CASES,
    MNIST_WIDTHS,
    TOY_CASES,
    TOY_LEARNING_RATE,
    TOY_WIDTHS,
    mnist_case,
    mnist_like_data,
    serve,
    thread_pools,
    timed,
    toy_batch_size,
    toy_data,
    worker_threads,
)

try:
    import torch
except ImportError:
    sys.exit(3)


class TorchRun:
    """One training step per ``step()``: Linear layers, optional BatchNorm1d and Dropout."""

    def __init__(self, widths, activation, optimizer, X, y, batch_size, regularised=False):
        nn = torch.nn
        torch.manual_seed(0)
        layers = [nn.Dropout(0.2)] if regularised else []
        for a, b in zip(widths[:-2], widths[1:-1], strict=True):
            layers.append(nn.Linear(a, b))
            if regularised:
                layers.append(nn.BatchNorm1d(b))
            layers.append(activation())
            if regularised:
                layers.append(nn.Dropout(0.5))
        layers.append(nn.Linear(widths[-2], widths[-1]))
        self.model = nn.Sequential(*layers).train()
        self.optimizer = optimizer(self.model.parameters())
        self.X = torch.from_numpy(X)
        self.y = torch.from_numpy(y)
        self.batch_size = min(batch_size, X.shape[0])
        self.order = torch.randperm(X.shape[0])
        self.position = 0

    def step(self) -> None:
        if self.position + self.batch_size > self.X.shape[0]:
            self.order = torch.randperm(self.X.shape[0])
            self.position = 0
        rows = self.order[self.position : self.position + self.batch_size]
        self.position += self.batch_size
        self.optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(self.model(self.X[rows]), self.y[rows])
        loss.backward()
        self.optimizer.step()
        loss.item()


def make_run(case: str):
    optimizers = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}
    if case in MNIST_CASES:
        name, regularised = mnist_case(case)
        X, y = mnist_like_data()

        def optimizer(params):
            return optimizers[name](params, lr=LEARNING_RATES[name])

        run = TorchRun(MNIST_WIDTHS, torch.nn.ReLU, optimizer, X, y, MNIST_BATCH, regularised)
        return timed(run.step)
    if case in TOY_CASES:
        X, y = toy_data()
        run = TorchRun(
            TOY_WIDTHS,
            torch.nn.Tanh,
            lambda params: torch.optim.SGD(params, lr=TOY_LEARNING_RATE),
            X,
            y,
            toy_batch_size(case),
        )
        return timed(run.step)
    return None


if __name__ == "__main__":
    torch.set_num_threads(worker_threads())
    info = {
        "library": f"torch {torch.__version__}",
        "threads": torch.get_num_threads(),
        "pools": thread_pools(),
    }
    serve(info, make_run)

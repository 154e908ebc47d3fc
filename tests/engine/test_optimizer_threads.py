"""Optimizers with threads > 1: bitwise the same steps as one thread, errors passed on, and
helper threads that end with the thread that trains."""

import gc
import threading
import time

import numpy as np
import pytest

import mlp
from mlp.optim import MIN_SPLIT_SIZE, SGD, AdaGrad, Adam, RMSProp

SIZE = 3 * MIN_SPLIT_SIZE + 17  # not a multiple of the thread counts below

OPTIMIZERS = [
    lambda threads: SGD(0.1, threads=threads),
    lambda threads: SGD(0.1, momentum=0.9, weight_decay=0.01, threads=threads),
    lambda threads: SGD(0.1, momentum=0.9, nesterov=True, threads=threads),
    lambda threads: AdaGrad(0.1, weight_decay=0.01, threads=threads),
    lambda threads: RMSProp(0.01, threads=threads),
    lambda threads: Adam(0.001, weight_decay=0.01, threads=threads),
]


def helper_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "mlp-optimizer"]


def trajectory(optimizer, steps=4):
    rng = np.random.default_rng(0)
    small = rng.standard_normal(10).astype(np.float32)
    param = rng.standard_normal(SIZE).astype(np.float32)
    params = [param, small]
    for _ in range(steps):
        grads = [rng.standard_normal(SIZE).astype(np.float32),
                 rng.standard_normal(10).astype(np.float32)]  # fmt: skip
        optimizer.step(params, grads)
    return params


@pytest.mark.parametrize("make", OPTIMIZERS)
@pytest.mark.parametrize("threads", [2, 3])
def test_threads_give_bitwise_the_same_steps(make, threads):
    one = trajectory(make(1))
    several = trajectory(make(threads))
    for a, b in zip(one, several, strict=True):
        assert np.array_equal(a, b)
    assert not np.array_equal(one[0], trajectory(make(1), steps=3)[0])  # the steps do move it


def test_the_parts_are_updated_by_other_threads():
    optimizer = Adam(0.001, threads=2)
    seen = set()
    original = Adam._update

    def noting(self, state, param, grad):
        seen.add(threading.get_ident())
        return original(self, state, param, grad)

    optimizer._update = noting.__get__(optimizer)
    trajectory(optimizer, steps=3)
    assert len(seen) == 2


def test_an_error_in_a_part_reaches_the_caller_and_the_next_step_works():
    optimizer = SGD(0.1, threads=2)
    param = np.zeros(SIZE, np.float32)
    grad = np.ones(SIZE, np.float32)
    optimizer.step([param], [grad])  # the first step runs whole; later ones in parts
    original = SGD._update

    def failing(self, state, part, grad):
        if part.size < SIZE:
            raise FloatingPointError("a part failed")
        return original(self, state, part, grad)

    optimizer._update = failing.__get__(optimizer)
    with pytest.raises(FloatingPointError, match="a part failed"):
        optimizer.step([param], [grad])
    del optimizer._update
    optimizer.step([param], [grad])
    assert np.all(param == np.float32(-0.1) - np.float32(0.1))


def test_a_trainer_with_two_threads_trains_bitwise_like_one():
    rng = np.random.default_rng(1)
    X = rng.random((512, 300), dtype=np.float32)
    y = rng.integers(0, 10, 512)
    results = []
    for threads in (1, 2):
        network = mlp.build_network(300, 10, [(256, "relu")], batch_norm=True, dropout=0.3)
        assert network.n_params > MIN_SPLIT_SIZE
        trainer = mlp.Trainer(network, Adam(0.001, threads=threads), X, y, batch_size=64)
        trainer.run(n_steps=20)
        results.append(network.param_vector.copy())
    assert np.array_equal(*results)


def test_helper_threads_end_with_the_thread_that_trained():
    before = len(helper_threads())

    def train():
        trajectory(Adam(0.001, threads=3), steps=3)
        assert len(helper_threads()) == before + 2

    worker = threading.Thread(target=train)
    worker.start()
    worker.join()
    gc.collect()
    deadline = time.monotonic() + 5
    while len(helper_threads()) > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(helper_threads()) == before


def test_one_thread_starts_no_helper():
    before = len(helper_threads())
    trajectory(Adam(0.001), steps=3)
    assert len(helper_threads()) == before


@pytest.mark.parametrize("threads", [0, -1, 1.5, True, "2"])
def test_bad_thread_counts_are_refused(threads):
    with pytest.raises(ValueError, match="threads"):
        SGD(0.1, threads=threads)

"""The training session and its worker thread, without any page."""

import time

import numpy as np
import pytest

from playground.config import Config
from playground.data import make_point_data, make_toy_data
from playground.session import TrainingSession, Worker


def toy_data(config: Config):
    return make_toy_data(
        config.dataset, config.n_points, config.noise, config.train_share, config.data_seed
    )


@pytest.fixture
def worker():
    worker = Worker()
    yield worker
    worker.stop()
    assert not worker.alive


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_step_is_exactly_one_minibatch_and_snapshots_follow():
    session = TrainingSession([Config()], toy_data(Config()))
    assert session.snapshots[0].step == 0
    session.step()
    session.step(4)
    assert session.step_count == 5 and session.snapshots[0].step == 5
    snapshot = session.snapshots[0]
    assert snapshot.boundary.shape == (100, 100) and snapshot.boundary.dtype == np.uint8
    assert [norms.shape for norms in snapshot.weight_norms] == [(16,), (16,), (2,)]


def test_worker_plays_pauses_and_fresh_snapshots_are_current(worker):
    session = TrainingSession([Config()], toy_data(Config()))
    worker.attach(session)
    session.play()
    assert wait_for(lambda: session.step_count > 200)
    first = session.fresh_snapshots()[0].step
    assert wait_for(lambda: session.fresh_snapshots()[0].step > first)
    session.pause()
    stopped_at = session.step_count
    assert session.snapshots[0].step == stopped_at  # pause leaves a current snapshot
    time.sleep(0.3)
    assert session.step_count == stopped_at


def test_paced_speed_trains_about_that_many_steps(worker):
    session = TrainingSession([Config()], toy_data(Config()))
    session.set_speed(20.0)
    worker.attach(session)
    session.play()
    time.sleep(1.0)
    session.pause()
    assert 10 <= session.step_count <= 23


def test_divergence_stops_playing_with_the_reason(worker):
    config = Config(optimizer="sgd", lr=10.0, hidden=((64, "relu"), (64, "relu")), init="he")
    session = TrainingSession([config], toy_data(config))
    worker.attach(session)
    session.play()
    assert wait_for(lambda: not session.playing)
    assert "Lower the learning rate" in session.snapshots[0].diverged
    before = session.step_count
    session.step()
    assert session.step_count == before  # a diverged run takes no more steps


def test_runs_in_lockstep_share_data_and_minibatches():
    # Two identical configs stay identical; a changed live setting makes them part.
    data = toy_data(Config())
    session = TrainingSession([Config(), Config()], data)
    session.step(50)
    first, second = (run.network.params() for run in session.runs)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    session.apply_live([Config(), Config(lr=0.1)])
    session.step(5)
    first, second = (run.network.params() for run in session.runs)
    assert not all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_point_data_standardises_for_the_network_and_keeps_plot_units():
    rng = np.random.default_rng(0)
    X = rng.normal(loc=[100.0, -50.0], scale=[10.0, 0.5], size=(200, 2))
    y = (X[:, 0] > 100).astype(np.int64)
    data = make_point_data(X, y, ["low", "high"], train_share=0.5, seed=0)
    np.testing.assert_allclose(data.inputs_train.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(data.inputs_train.std(axis=0), 1, atol=1e-4)
    assert data.x_range[0] < X[:, 0].min() and data.x_range[1] > X[:, 0].max()
    assert not data.X_train.flags.writeable  # shared between sessions: never changed

"""The training session and its worker thread, without any page."""

import threading
import time

import numpy as np
import pytest

from playground.core import session as session_module
from playground.core.config import Config
from playground.core.data import ImageSet, make_point_data, make_toy_data
from playground.core.session import (
    EVALUATION_POINTS,
    MAX_MISTAKES,
    MAX_WEIGHT_IMAGES,
    ImageSnapshot,
    PointSnapshot,
    TrainingSession,
    Worker,
)


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
    """Whether `predicate()` came true within `timeout` seconds (a bound for a stuck thread,
    not a speed: it is asked every 10 ms until then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


class FakeTime:
    """Stands in for the `time` module of `playground.core.session`: its clock moves only when
    the test moves it, so paced training and speeds come out exact."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    perf_counter = monotonic

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_time(monkeypatch) -> FakeTime:
    clock = FakeTime()
    monkeypatch.setattr(session_module, "time", clock)
    return clock


class WatchedSession(TrainingSession):
    """A session that counts the worker's rounds, so a test can wait for the worker to have
    gone round its loop instead of sleeping: `looks` counts how often the worker thread read
    whether it plays (once a round while paused), `rounds` how often it asked how long to
    wait after a chunk of training (once a round while playing)."""

    def __init__(self, *args) -> None:
        self.looks = self.rounds = 0
        self._playing = False
        super().__init__(*args)

    @property
    def playing(self) -> bool:
        if threading.current_thread().name == "mlp-worker":
            self.looks += 1
        return self._playing

    @playing.setter
    def playing(self, value: bool) -> None:
        self._playing = value

    def seconds_until_next_step(self) -> float:
        self.rounds += 1
        return super().seconds_until_next_step()

    def worker_goes_round(self, counter: str, times: int = 3) -> bool:
        """Wait until `counter` ("looks" or "rounds") has grown by `times`."""
        start = getattr(self, counter)
        return wait_for(lambda: getattr(self, counter) >= start + times)


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
    session = WatchedSession([Config()], toy_data(Config()))
    worker.attach(session)
    session.play()
    assert wait_for(lambda: session.step_count > 200)
    first = session.fresh_snapshots()[0].step
    assert wait_for(lambda: session.fresh_snapshots()[0].step > first)
    session.pause()
    stopped_at = session.step_count
    assert session.snapshots[0].step == stopped_at  # pause leaves a current snapshot
    assert session.worker_goes_round("looks", 3), "the worker stopped looking at the session"
    assert session.step_count == stopped_at, "the worker trained after Pause"


def test_paced_speed_trains_that_many_steps(worker, fake_time):
    # 16 steps a second (1/16 s is exact in binary): one step when Play starts the pace,
    # then one each time the clock passes another 1/16 s, and none ahead of the clock.
    session = WatchedSession([Config()], toy_data(Config()))
    session.set_speed(16.0)
    worker.attach(session)
    session.play()
    assert wait_for(lambda: session.step_count == 1)
    for tick in range(1, 17):
        fake_time.advance(1 / 16)
        assert wait_for(lambda t=tick: session.step_count >= t + 1)
        assert session.worker_goes_round("rounds", 2)  # time to run ahead, if it would
        assert session.step_count == tick + 1, f"{session.step_count} steps at {tick}/16 s"
    session.pause()
    assert session.step_count == 17  # 1 + 16 over one second of the clock


def test_paced_speed_goes_on_at_its_pace_after_a_hold_up_instead_of_a_burst(fake_time):
    # Slow motion that was held up (a busy server) must not make up for it in a burst of steps.
    session = TrainingSession([Config()], toy_data(Config()))
    session.set_speed(4.0)  # a step every 0.25 s
    session.play()
    session.advance()
    assert session.step_count == 1
    fake_time.advance(1.0)  # four steps' worth of time without the worker
    session.advance()
    assert session.step_count == 2, "a burst to catch up"
    session.advance()  # the next one is 0.25 s away
    assert session.step_count == 2
    fake_time.advance(0.1875)  # 3/16 s later: not yet (both exact in binary)
    session.advance()
    assert session.step_count == 2
    fake_time.advance(0.0625)  # 0.25 s after the last step: its time
    session.advance()
    assert session.step_count == 3


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


def small_image_set(n_train: int = 300, n_test: int = 200, seed: int = 0) -> ImageSet:
    """4×4 "images" of three classes, each lighting its own band of pixels, plus noise."""
    rng = np.random.default_rng(seed)

    def images(n):
        labels = np.arange(n) % 3
        pixels = rng.random((n, 16)).astype(np.float32) * 0.6
        for k in range(3):
            pixels[labels == k, 4 * k : 4 * k + 4] += 0.4
        return pixels, labels.astype(np.int64)

    X_train, y_train = images(n_train)
    X_test, y_test = images(n_test)
    return ImageSet(
        name="bands",
        source="test",
        inputs_train=X_train,
        y_train=y_train,
        inputs_test=X_test,
        y_test=y_test,
        class_names=("a", "b", "c"),
        image_shape=(4, 4),
        example_rows=np.arange(6),
    )


def test_image_snapshots_read_the_test_split_as_the_metrics_do():
    config = Config(dataset="mnist", hidden=((80, "relu"),), batch_size=16)
    session = TrainingSession([config], small_image_set())
    session.step(3)
    snapshot = session.snapshots[0]
    confusion = snapshot.test_confusion
    assert confusion.shape == (3, 3) and confusion.sum() == 200
    assert confusion.trace() / confusion.sum() == pytest.approx(snapshot.test_accuracy)
    mistakes = snapshot.mistakes
    assert 0 < len(mistakes.rows) <= MAX_MISTAKES
    assert len(mistakes.rows) == min(MAX_MISTAKES, confusion.sum() - confusion.trace())
    data = session.data
    guesses = mistakes.probabilities.argmax(axis=1)
    assert np.all(guesses != data.y_test[mistakes.rows])
    confidence = mistakes.probabilities.max(axis=1)
    assert np.all(np.diff(confidence) <= 0)  # surest first
    np.testing.assert_allclose(
        snapshot.example_probabilities,
        session.runs[0].network.predict_proba(data.inputs_test[:6]),
        rtol=1e-5,
    )


def test_image_snapshots_keep_a_copy_of_at_most_64_first_layer_units():
    config = Config(dataset="mnist", hidden=((80, "relu"), (8, "relu")), batch_size=16)
    session = TrainingSession([config], small_image_set())
    weights = session.snapshots[0].first_layer_weights
    first_layer = session.runs[0].network.dense_layers()[0].params["W"]
    assert weights.shape == (MAX_WEIGHT_IMAGES, 16)
    np.testing.assert_array_equal(weights, first_layer[:, :MAX_WEIGHT_IMAGES].T)
    session.step(5)
    assert not np.array_equal(weights, session.snapshots[0].first_layer_weights)  # not a view


def test_image_mistakes_point_into_the_whole_test_split_when_metrics_use_a_subset():
    # More test images than EVALUATION_POINTS: the metrics and the matrix use a fixed subset,
    # and the mistakes' rows still name images of the full test split.
    config = Config(dataset="mnist", hidden=((8, "relu"),), batch_size=16)
    data = small_image_set(n_test=EVALUATION_POINTS + 500, seed=1)
    session = TrainingSession([config], data)
    snapshot = session.snapshots[0]
    assert snapshot.test_confusion.sum() == EVALUATION_POINTS
    rows = snapshot.mistakes.rows
    assert rows.max() < len(data.y_test)
    np.testing.assert_allclose(
        snapshot.mistakes.probabilities,
        session.runs[0].network.predict_proba(data.inputs_test[rows]),
        rtol=1e-5,  # BLAS may sum in another order for another number of rows
    )
    assert np.all(snapshot.mistakes.probabilities.argmax(axis=1) != data.y_test[rows])


def test_each_data_kind_gets_its_own_kind_of_snapshot():
    """Points get the boundary and no image fields; images the image fields and no boundary."""
    session = TrainingSession([Config()], toy_data(Config()))
    snapshot = session.snapshots[0]
    assert isinstance(snapshot, PointSnapshot) and not isinstance(snapshot, ImageSnapshot)
    for image_field in ("test_confusion", "mistakes", "example_probabilities",
                        "first_layer_weights"):  # fmt: skip
        assert not hasattr(snapshot, image_field)
    assert session.runs[0].timeline is not None
    images = TrainingSession([Config(dataset="mnist", hidden=((8, "relu"),))], small_image_set())
    snapshot = images.snapshots[0]
    assert isinstance(snapshot, ImageSnapshot) and not hasattr(snapshot, "boundary")
    assert images.runs[0].timeline is None


def test_speed_is_steps_times_batch_over_the_wall_time_they_took(fake_time):
    config = Config(dataset="mnist", hidden=((8, "relu"),), batch_size=16)
    session = TrainingSession([config], small_image_set())
    session.step()
    assert session.snapshots[0].samples_per_second is None  # one step has no speed yet
    for _ in range(6):
        fake_time.advance(0.125)
        session.step()
    snapshot = session.snapshots[0]
    # 6 steps of 16 samples from t = 0 to t = 0.75: 96 / 0.75 = 128 samples a second.
    assert snapshot.samples_per_second == pytest.approx(128)
    trainer = session.runs[0].trainer
    epoch_samples = trainer.batches_per_epoch * trainer.batch_size
    assert snapshot.seconds_per_epoch == pytest.approx(epoch_samples / 128)


def test_speed_counts_only_the_last_few_seconds(fake_time):
    config = Config(dataset="mnist", hidden=((8, "relu"),), batch_size=16)
    session = TrainingSession([config], small_image_set())
    session.step()
    for _ in range(6):  # seven steps at t = 0, 0.125, ..., 0.75: fast
        fake_time.advance(0.125)
        session.step()
    for _ in range(4):  # then a step a second, at t = 1.75, 2.75, 3.75 and 4.75
        fake_time.advance(1.0)
        session.step()
    # The snapshot of t = 4.75: the SPEED_WINDOW_SECONDS = 3 before it hold the steps from
    # t = 1.75 on, 3 steps in 3 s of 16 samples, 16 a second; the fast steps are left out.
    assert session_module.SPEED_WINDOW_SECONDS == 3.0
    assert session.snapshots[0].samples_per_second == pytest.approx(16)

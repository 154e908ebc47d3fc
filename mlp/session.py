"""A training run you can play, pause, step and reset, and the thread that plays it.

Nothing here imports Streamlit: a page keeps a `TrainingSession` in its session state and a
`Worker` in a session-scoped resource, but the same objects train in a test or a script.

- `PointData`: a 2-D data set split into train and test, with the standardisation the network
  sees and the plot ranges people see.
- `Run`: one configuration turned into a network, an optimizer and a trainer.
- `TrainingSession`: one or more runs trained in lockstep (the Playground has one, a compare
  page several), a lock, and the latest `Snapshot` of each run for the views to draw.
- `Worker`: a daemon thread that advances a session while it is playing, at the chosen speed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlp import datasets
from mlp.config import Config
from mlp.constraints import MaxNorm
from mlp.history import CompactSeries
from mlp.network import Network, build_network
from mlp.optim import SGD, AdaGrad, Adam, RMSProp
from mlp.plots import encode_boundary
from mlp.train import Trainer

BOUNDARY_RESOLUTION = 100  # grid points per axis of the decision-boundary picture
EVALUATION_POINTS = 2000  # points per split used for the live metrics of big data sets
CURVE_CAPACITY = 2048  # stored points per training curve (see CompactSeries)
SNAPSHOT_WAIT = 0.1  # longest a page waits for the worker to take a fresh snapshot
CHUNK_SECONDS = 0.05  # longest time the worker holds the lock in one go


# -- data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PointData:
    """A 2-D classification set, split, in the units people see and the units the net sees.

    X_train: (N, 2) float32, original units; y_train: (N,) int64; likewise X_test, y_test.
    inputs_train, inputs_test: the same points standardised with the training set's mean and
    standard deviation (what the network trains on). grid_inputs: (G*G, 2) float32, the
    boundary grid standardised the same way, rows of y then columns of x.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    inputs_train: np.ndarray
    inputs_test: np.ndarray
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    grid_x: np.ndarray
    grid_y: np.ndarray
    grid_inputs: np.ndarray

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def n_inputs(self) -> int:
        return self.X_train.shape[1]


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def make_point_data(
    X: np.ndarray,
    y: np.ndarray,
    class_names: Sequence[str],
    train_share: float,
    seed: int,
    resolution: int = BOUNDARY_RESOLUTION,
) -> PointData:
    """Split 2-D points, standardise them on the training part and lay the boundary grid.

    X: (N, 2) float, y: (N,) int class indices 0..K-1. Raises `datasets.DataError`.
    """
    X_train, y_train, X_test, y_test = datasets.split(X, y, train_share=train_share, seed=seed)
    X_train = np.ascontiguousarray(X_train, dtype=np.float32)
    X_test = np.ascontiguousarray(X_test, dtype=np.float32)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std[std == 0] = 1.0
    all_points = np.concatenate([X_train, X_test])
    low, high = all_points.min(axis=0), all_points.max(axis=0)
    margin = 0.08 * np.maximum(high - low, 1e-6)
    low, high = low - margin, high + margin
    grid_x = np.linspace(low[0], high[0], resolution, dtype=np.float32)
    grid_y = np.linspace(low[1], high[1], resolution, dtype=np.float32)
    mesh_x, mesh_y = np.meshgrid(grid_x, grid_y)
    grid_points = np.column_stack([mesh_x.ravel(), mesh_y.ravel()])
    standardise = lambda points: ((points - mean) / std).astype(np.float32)  # noqa: E731
    return PointData(
        X_train=_read_only(X_train),
        y_train=_read_only(np.asarray(y_train, dtype=np.int64)),
        X_test=_read_only(X_test),
        y_test=_read_only(np.asarray(y_test, dtype=np.int64)),
        class_names=tuple(str(name) for name in class_names),
        inputs_train=_read_only(standardise(X_train)),
        inputs_test=_read_only(standardise(X_test)),
        x_range=(float(low[0]), float(high[0])),
        y_range=(float(low[1]), float(high[1])),
        grid_x=_read_only(grid_x),
        grid_y=_read_only(grid_y),
        grid_inputs=_read_only(standardise(grid_points)),
    )


def make_toy_data(config: Config) -> PointData:
    """The toy set a configuration names, split and ready to train on."""
    X, y = datasets.toy(config.dataset, config.n_points, config.noise, config.data_seed)
    n_classes = datasets.toy_class_count(config.dataset)
    names = tuple(f"Class {k}" for k in range(n_classes))
    return make_point_data(X, y, names, config.train_share, config.data_seed)


# -- one run ------------------------------------------------------------------------------


def make_optimizer(config: Config) -> SGD | AdaGrad | RMSProp | Adam:
    """The optimizer a configuration names, with its own knobs."""
    common = {"lr": config.lr, "weight_decay": config.weight_decay}
    if config.optimizer == "sgd":
        return SGD(**common)
    if config.optimizer == "momentum":
        return SGD(momentum=config.momentum, **common)
    if config.optimizer == "nesterov":
        return SGD(momentum=config.momentum, nesterov=True, **common)
    if config.optimizer == "adagrad":
        return AdaGrad(**common)
    if config.optimizer == "rmsprop":
        return RMSProp(rho=config.rho, **common)
    if config.optimizer == "adam":
        return Adam(beta1=config.beta1, beta2=config.beta2, **common)
    raise ValueError(f"unknown optimizer {config.optimizer!r}")


def make_network(config: Config, n_inputs: int, n_classes: int) -> Network:
    return build_network(
        n_inputs,
        n_classes,
        hidden=[(layer.units, layer.activation) for layer in config.hidden],
        batch_norm=config.batch_norm,
        dropout=config.dropout,
        input_dropout=config.input_dropout,
        init=config.init,
        seed=config.seed,
    )


@dataclass(frozen=True)
class Snapshot:
    """What the views draw of one run at one moment; cheap to send, never changed.

    The curves are (x, y) float arrays, at most CURVE_CAPACITY points each; `boundary` is the
    (G, G) uint8 code grid of `plots.encode_boundary` (None when the data are not 2-D);
    `weight_norms` holds, per Dense layer, the L2 norm of each unit's incoming weights.
    """

    step: int
    epoch: float
    train_loss: float
    train_accuracy: float
    test_loss: float | None
    test_accuracy: float | None
    step_loss: tuple[np.ndarray, np.ndarray]
    train_loss_curve: tuple[np.ndarray, np.ndarray]
    test_loss_curve: tuple[np.ndarray, np.ndarray]
    train_accuracy_curve: tuple[np.ndarray, np.ndarray]
    test_accuracy_curve: tuple[np.ndarray, np.ndarray]
    boundary: np.ndarray | None
    weight_norms: tuple[np.ndarray, ...]
    diverged: str | None


def _subset(n: int, limit: int, seed: int) -> np.ndarray | None:
    """A fixed random subset of row indices when there are more than `limit` rows."""
    if n <= limit:
        return None
    return np.sort(np.random.default_rng(seed).choice(n, size=limit, replace=False))


class Run:
    """One configuration trained on one data set.

    The live settings of the configuration (learning rate, weight decay, dropout, max-norm)
    can change between steps through `apply_live`; anything else needs a new Run.
    """

    def __init__(self, config: Config, data: PointData) -> None:
        self.config = config
        self.data = data
        self.network = make_network(config, data.n_inputs, data.n_classes)
        self.optimizer = make_optimizer(config)
        self.trainer = Trainer(
            self.network,
            self.optimizer,
            data.inputs_train,
            data.y_train,
            data.inputs_test,
            data.y_test,
            batch_size=config.batch_size,
            seed=config.seed,
            max_norm=MaxNorm(config.max_norm) if config.max_norm else None,
            callback=self._record,
            keep_history=False,  # the bounded series below keep the curves
        )
        self.step_loss = CompactSeries(CURVE_CAPACITY)
        self.curves = {
            name: CompactSeries(CURVE_CAPACITY)
            for name in ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
        }
        self._train_rows = _subset(len(data.y_train), EVALUATION_POINTS, seed=1)
        self._test_rows = _subset(len(data.y_test), EVALUATION_POINTS, seed=2)
        self._record_evaluation(0, *self._evaluate())

    def apply_live(self, config: Config) -> None:
        """Take over the settings that may change while training runs."""
        self.optimizer.lr = config.lr
        self.optimizer.weight_decay = config.weight_decay
        self.network.set_dropout(config.dropout, config.input_dropout)
        if config.max_norm is None:
            self.trainer.max_norm = None
        elif self.trainer.max_norm is None:
            self.trainer.max_norm = MaxNorm(config.max_norm)
        else:
            self.trainer.max_norm.c = config.max_norm
        self.config = config

    @property
    def diverged(self) -> str | None:
        return self.trainer.diverged

    def step(self) -> bool:
        """One minibatch; False when the run has diverged."""
        loss = self.trainer.step()
        if loss is None:
            return False
        self.step_loss.append(self.trainer.step_count, loss)
        return True

    def _record(self, trainer: Trainer, event: str) -> None:
        if event == "epoch":
            record = trainer.last_epoch
            self._record_evaluation(
                record["step"],
                record["train_loss"],
                record["train_accuracy"],
                record["test_loss"],
                record["test_accuracy"],
            )

    def _record_evaluation(
        self,
        step: int,
        train_loss: float,
        train_accuracy: float,
        test_loss: float | None,
        test_accuracy: float | None,
    ) -> None:
        self.curves["train_loss"].append(step, train_loss)
        self.curves["train_accuracy"].append(step, train_accuracy)
        if test_loss is not None:
            self.curves["test_loss"].append(step, test_loss)
            self.curves["test_accuracy"].append(step, test_accuracy)

    def _evaluate(self) -> tuple[float, float, float | None, float | None]:
        data = self.data
        inputs, labels = data.inputs_train, data.y_train
        if self._train_rows is not None:
            inputs, labels = inputs[self._train_rows], labels[self._train_rows]
        train_loss, train_accuracy = self.trainer.evaluate(inputs, labels)
        if len(data.y_test) == 0:
            return train_loss, train_accuracy, None, None
        inputs, labels = data.inputs_test, data.y_test
        if self._test_rows is not None:
            inputs, labels = inputs[self._test_rows], labels[self._test_rows]
        test_loss, test_accuracy = self.trainer.evaluate(inputs, labels)
        return train_loss, train_accuracy, test_loss, test_accuracy

    def snapshot(self) -> Snapshot:
        """The current state, for drawing. Call under the session's lock."""
        train_loss, train_accuracy, test_loss, test_accuracy = self._evaluate()
        boundary = None
        if self.data.n_inputs == 2:
            proba = self.network.predict_proba(self.data.grid_inputs)
            boundary = encode_boundary(proba, (len(self.data.grid_y), len(self.data.grid_x)))
        curves = {name: (series.x, series.y) for name, series in self.curves.items()}
        return Snapshot(
            step=self.trainer.step_count,
            epoch=self.trainer.epoch_progress,
            train_loss=train_loss,
            train_accuracy=train_accuracy,
            test_loss=test_loss,
            test_accuracy=test_accuracy,
            step_loss=(self.step_loss.x, self.step_loss.y),
            boundary=boundary,
            weight_norms=tuple(self.network.weight_norms_per_unit()),
            diverged=self.trainer.diverged,
            **{f"{name}_curve": curve for name, curve in curves.items()},
        )


# -- several runs in lockstep -------------------------------------------------------------


class TrainingSession:
    """Runs trained in lockstep, with play/pause/step and the latest snapshots.

    Every method that touches the runs takes `lock`, so a worker thread and the page can
    both call them. `snapshots` is replaced, never changed, so reading it needs no lock.
    `steps_per_second` None means as fast as the engine goes.

    While playing, snapshots are taken when a page asks (`fresh_snapshots`), between two
    steps: each redraw shows the state of that moment, and no snapshot is computed that no
    one draws.
    """

    def __init__(self, configs: Sequence[Config], data: PointData) -> None:
        self.lock = threading.RLock()
        self.data = data
        self.runs = [Run(config, data) for config in configs]
        self.playing = False
        self.steps_per_second: float | None = None
        self.error: str | None = None  # an unexpected failure inside the worker
        self._paced_since: tuple[float, int] | None = None  # (time, step) pacing started
        self._snapshot_wanted = False
        self._snapshot_taken = threading.Event()
        self.snapshots: tuple[Snapshot, ...] = ()
        self.publish()

    @property
    def configs(self) -> list[Config]:
        return [run.config for run in self.runs]

    @property
    def step_count(self) -> int:
        return max(run.trainer.step_count for run in self.runs)

    @property
    def all_diverged(self) -> bool:
        return all(run.diverged for run in self.runs)

    def publish(self) -> None:
        with self.lock:
            self.snapshots = tuple(run.snapshot() for run in self.runs)
            self._snapshot_wanted = False
            self._snapshot_taken.set()

    def fresh_snapshots(self, timeout: float = SNAPSHOT_WAIT) -> tuple[Snapshot, ...]:
        """The snapshots as of now: while playing, the worker takes them between two steps
        (waiting at most `timeout` seconds, then the latest ones are returned)."""
        if self.playing:
            self._snapshot_taken.clear()
            self._snapshot_wanted = True
            self._snapshot_taken.wait(timeout)
        return self.snapshots

    def apply_live(self, configs: Sequence[Config]) -> None:
        with self.lock:
            for run, config in zip(self.runs, configs, strict=True):
                run.apply_live(config)

    def play(self) -> None:
        with self.lock:
            if not self.all_diverged:
                self.playing = True
                self._paced_since = None

    def pause(self) -> None:
        """Stop playing; when this returns no step is under way and the snapshot is current."""
        self.playing = False
        self.publish()

    def set_speed(self, steps_per_second: float | None) -> None:
        with self.lock:
            self.steps_per_second = steps_per_second
            self._paced_since = None

    def step(self, n_steps: int = 1) -> None:
        """Exactly `n_steps` minibatches for every run that has not diverged, then publish."""
        with self.lock:
            self._step_all(n_steps)
            self.publish()

    def _step_all(self, n_steps: int) -> None:
        for _ in range(n_steps):
            stepped = False
            for run in self.runs:
                if run.trainer.diverged is None:
                    stepped = run.step() or stepped
            if not stepped:  # every run has diverged: nothing left to play
                self.publish()  # before playing turns False, so a reader sees why
                self.playing = False
                return

    def advance(self, seconds: float = CHUNK_SECONDS) -> None:
        """Train for up to `seconds` (what the worker calls while playing)."""
        with self.lock:
            if not self.playing:
                return
            start = time.monotonic()
            self._publish_if_wanted()
            if self.steps_per_second is None:
                while self.playing and time.monotonic() - start < seconds:
                    self._step_all(1)
                    self._publish_if_wanted()
            else:
                if self._paced_since is None:
                    self._paced_since = (start, self.step_count)
                since_time, since_step = self._paced_since
                due = since_step + int((start - since_time) * self.steps_per_second) + 1
                while self.playing and self.step_count < due:
                    if time.monotonic() - start >= seconds:
                        break
                    self._step_all(1)
                    self._publish_if_wanted()

    def _publish_if_wanted(self) -> None:
        if self._snapshot_wanted:
            self.publish()

    def seconds_until_next_step(self) -> float:
        """How long the worker may sleep before the next step is due (0 when running flat out)."""
        if self.steps_per_second is None or self._paced_since is None:
            return 0.0
        since_time, since_step = self._paced_since
        next_time = since_time + (self.step_count - since_step) / self.steps_per_second
        return max(0.0, min(next_time - time.monotonic(), CHUNK_SECONDS))


class Worker:
    """A daemon thread that advances whichever session is attached while it plays.

    It never talks to the page: the page reads `session.snapshots`. `stop()` ends the thread
    within about a tenth of a second.
    """

    def __init__(self) -> None:
        self._session: TrainingSession | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mlp-worker", daemon=True)
        self._thread.start()

    def attach(self, session: TrainingSession | None) -> None:
        self._session = session

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stopping.set()
        session = self._session
        if session is not None:
            session.playing = False
        self._thread.join(timeout=2.0)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            session = self._session
            if session is None or not session.playing:
                self._stopping.wait(0.03)
                continue
            try:
                session.advance()
            except Exception as error:  # a bug must reach the page as a message, not a hang
                session.playing = False
                session.error = f"{type(error).__name__}: {error}"
                continue
            pause = session.seconds_until_next_step()
            # Give the page's thread a moment of the interpreter even when training flat out.
            self._stopping.wait(pause if pause > 0 else 0.001)

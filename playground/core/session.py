"""A training run you can play, pause, step and reset, and the thread that plays it.

Nothing here imports Streamlit: a page keeps a `TrainingSession` in its session state and a
`Worker` in a session-scoped resource, but the same objects train in a test or a script.

- `Run`: one configuration turned into a network, an optimizer and a trainer, with bounded
  curves of its progress and, on 2-D points, a `Timeline` of past snapshots to look back on.
- `TrainingSession`: one or more runs trained in lockstep on one data set (the Playground has
  one run, a compare page several), a lock, and the latest `Snapshot` of each run.
- `Worker`: a daemon thread that advances a session while it is playing, at the chosen speed.

A session trains on any `TrainingData`; with `PointData` (2-D points) snapshots also hold the
decision boundary, with an `ImageSet` what the MNIST page shows of the test images (the
confusion matrix, the most confident mistakes, a few guesses) and the first layer's weights.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from mlp.augment import random_shifts
from mlp.constraints import MaxNorm
from mlp.datasets import fixed_subset
from mlp.network import Network, build_network
from mlp.train import Augment, Trainer
from playground.core.boundary import encode_boundary, encode_values
from playground.core.config import Config
from playground.core.data import CurveData, ImageSet, PointData, TrainingData
from playground.core.history import CompactSeries
from playground.core.inside import (
    MAX_MAP_UNITS,
    diagram_weights,
    hidden_outputs,
    input_maps,
    layer_health,
    layer_histograms,
    loss_hint,
    near_zero_shares,
    neuron_maps,
    state_words,
)
from playground.core.scheduler import TrainingPlaces
from playground.core.timeline import Timeline

EVALUATION_POINTS = 2000  # points per split used for the live metrics of big data sets
CURVE_CAPACITY = 2048  # stored points per training curve (see CompactSeries)
SNAPSHOT_WAIT = 0.1  # longest a page waits for the worker to take a fresh snapshot
CHUNK_SECONDS = 0.05  # longest time the worker holds the lock in one go
# While a page is being drawn (see `scheduler.TrainingPlaces.page_work`) the worker whose turn
# it is trains for BUSY_SLICE_SECONDS, then keeps the turn idle for BUSY_PAUSE_SECONDS: all
# training together keeps about a fifth of the interpreter, and the pages get the rest.
BUSY_SLICE_SECONDS = 0.005
BUSY_PAUSE_SECONDS = 0.02
QUEUE_POLL_SECONDS = 0.1  # how often a queued session asks for a place again
MAP_STRIDE = 4  # neuron maps use every 4th point of the boundary grid each way (25 × 25)
HEALTH_ROWS = 1000  # evaluation rows the layers' health is judged on
# While playing, the inside readout (maps, histograms, health) is taken at most this often:
# its views redraw every two seconds, the other live views five times a second.
INSIDE_REFRESH_SECONDS = 1.0
MAX_MISTAKES = 16  # misclassified test images an image snapshot keeps, most confident first
MAX_WEIGHT_IMAGES = 64  # first-layer units whose incoming weights an image snapshot keeps
# The training speed is measured over the steps of the last few seconds, from the time of a
# step noted at most every SPEED_SAMPLE_SECONDS (a clock read per step costs next to nothing).
SPEED_WINDOW_SECONDS = 3.0
SPEED_SAMPLE_SECONDS = 0.05
# Past snapshots a run on 2-D points keeps to look back on (see `playground.core.timeline`), the
# TIMELINE_RECENT newest always among them. Each holds a 10 kB boundary and int8 neuron maps
# (about 30 kB for the default network), its curves cut from the present ones when shown.
TIMELINE_CAPACITY = 60
TIMELINE_RECENT = 20


# -- one run ------------------------------------------------------------------------------


def make_network(config: Config, n_inputs: int, n_classes: int) -> Network:
    """The network a configuration describes, for `n_inputs` features and `n_classes`."""
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


class ImageShifts:
    """The trainer's `augment` for random shifts of up to `max_shift` pixels (see
    `mlp.augment.random_shifts`), written into the trainer's minibatch buffer. A class rather
    than a closure, so a run can be copied to a training process."""

    def __init__(self, max_shift: int, shape: tuple[int, int]) -> None:
        self.max_shift = max_shift
        self.shape = shape

    def __call__(self, images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return random_shifts(images, self.shape, max_shift=self.max_shift, rng=rng, out=images)


def image_shifts(max_shift: int, shape: tuple[int, int]) -> Augment:
    """`ImageShifts(max_shift, shape)`: random shifts for the trainer's minibatches."""
    return ImageShifts(max_shift, shape)


def is_regression(data: TrainingData) -> bool:
    """Whether `data` has a real-valued target per point (one output, the mean squared
    error; a snapshot's accuracy fields then hold R²)."""
    return getattr(data, "task", "classification") == "regression"


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """How often each class was taken for each other: (K, K) int64 counts.

    labels, predicted: (N,) int class indices in [0, K). Entry [i, j] counts the images of
    true class i that the network took for class j: the diagonal holds the right guesses.
    """
    pairs = np.asarray(labels, dtype=np.intp) * n_classes + np.asarray(predicted, dtype=np.intp)
    return np.bincount(pairs, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def most_confident_mistakes(
    probabilities: np.ndarray, labels: np.ndarray, limit: int
) -> np.ndarray:
    """The wrongly classified rows, the surest wrong guesses first: (M,) int, M <= `limit`.

    probabilities: (N, K) class probabilities; labels: (N,) true classes. Equally sure
    guesses keep the order of their rows, so the same state always lists the same images.
    """
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probabilities[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")[:limit]]


@dataclass(frozen=True)
class Mistakes:
    """Misclassified test images, the surest wrong guesses first.

    rows: (M,) int, rows of the data's test split; probabilities: (M, K) float, the network's
    class probabilities for each of them.
    """

    rows: np.ndarray
    probabilities: np.ndarray


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """What the views draw of one run at one moment; cheap to send, never changed.

    The curves are (x, y) float arrays, at most CURVE_CAPACITY points each; `weight_norms`
    holds, per Dense layer, the L2 norm of each unit's incoming weights, `near_zero` the
    share of its weights near zero (`inside.near_zero_shares`).
    `learning_rate` is the rate the next step uses (the schedule's, if any); `lr_curve` the
    rate of each step, kept only for a run with a schedule (empty otherwise).
    `samples_per_second` and `seconds_per_epoch` measure the speed of the last few seconds of
    training in wall time (None without two steps in them). `health` says per hidden layer
    its dead or saturated share in words, `hints` what to try when a layer or the loss looks
    wrong. A run on 2-D points takes `PointSnapshot`s, one on images `ImageSnapshot`s.
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
    weight_norms: tuple[np.ndarray, ...]
    diverged: str | None
    samples_per_second: float | None = None
    seconds_per_epoch: float | None = None
    train_seconds: float = 0.0  # time spent in this run's training steps so far
    health: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    near_zero: tuple[float, ...] = ()
    learning_rate: float | None = None
    lr_curve: tuple[np.ndarray, np.ndarray] = (np.empty(0), np.empty(0))
    regression: bool = False  # the losses are mean squared errors, the accuracies R²

    def without_curves(self) -> Snapshot:
        """This snapshot as a timeline keeps it: without its curves, which the present
        snapshot holds up to this step anyway (see `as_of`)."""
        return replace(self, **{name: _NO_CURVE for name in CURVE_FIELDS})

    def as_of(self, moment: Snapshot) -> Snapshot:
        """The run as it was at `moment`, an earlier snapshot of it kept by its timeline:
        the moment's own state, with this (the present) snapshot's curves up to its step."""
        curves = {}
        for name in CURVE_FIELDS:
            x, y = getattr(self, name)
            until = x <= moment.step
            curves[name] = (x[until], y[until])
        return replace(moment, **curves)


@dataclass(frozen=True, kw_only=True)
class PointSnapshot(Snapshot):
    """A run on 2-D points: `boundary` is the (G, G) uint8 code grid of
    `boundary.encode_boundary`. With the inside views on (see `inside`): `neuron_maps` per
    hidden layer, `input_maps` of the input features, the weights the diagram draws
    (`diagram_weights`) and each layer's activation and gradient `histograms`
    (`inside.LayerHistograms`); None or empty with them off."""

    boundary: np.ndarray
    neuron_maps: tuple[np.ndarray, ...] | None = None
    input_maps: np.ndarray | None = None
    diagram_weights: tuple[np.ndarray, ...] = ()
    histograms: tuple = ()


@dataclass(frozen=True, kw_only=True)
class ImageSnapshot(Snapshot):
    """A run on images, all on the test rows of `test_loss` and `test_accuracy`:
    `test_confusion` is the (K, K) `confusion_matrix`; `mistakes` the most confident ones, at
    most MAX_MISTAKES. `example_probabilities` is (E, K), the class probabilities of the
    data's `example_rows`; `first_layer_weights` (U, D) the incoming weights of the first
    layer's first U <= MAX_WEIGHT_IMAGES units."""

    test_confusion: np.ndarray
    mistakes: Mistakes
    example_probabilities: np.ndarray
    first_layer_weights: np.ndarray


CURVE_FIELDS = ("step_loss", "train_loss_curve", "test_loss_curve", "train_accuracy_curve",
                "test_accuracy_curve", "lr_curve")  # fmt: skip
_NO_CURVE = (np.empty(0), np.empty(0))


class Run:
    """One configuration trained on one data set (`make_run` picks the kind of run the data
    needs: `PointRun` on 2-D points, `ImageRun` on images).

    The live settings of the configuration (learning rate, weight decay, L1, dropout,
    max-norm) can change between steps through `apply_live`; anything else needs a new Run.
    A learning-rate schedule (`Config.make_schedule`) sets the optimizer's rate before every
    step, from the configuration's `lr`; random shifts (`Config.shift`, images only) move
    the training minibatches, never the evaluated images.
    """

    def __init__(self, config: Config, data: TrainingData) -> None:
        self.config = config
        self.data = data
        n_inputs = data.inputs_train.shape[1]
        self.network = make_network(config, n_inputs, len(data.class_names))
        self.optimizer = config.make_optimizer()
        shape = getattr(data, "image_shape", None)
        self.trainer = Trainer(
            self.network,
            self.optimizer,
            data.inputs_train,
            data.y_train,
            batch_size=config.batch_size,
            seed=config.seed,
            max_norm=MaxNorm(config.max_norm) if config.max_norm else None,
            callback=self._record,
            keep_history=False,  # the bounded series below keep the curves
            lr_schedule=config.make_schedule(),
            augment=image_shifts(config.shift, shape) if config.shift and shape else None,
            loss="mse" if is_regression(data) else "cross_entropy",
        )
        self.step_loss = CompactSeries(CURVE_CAPACITY)
        self.lr_curve = CompactSeries(CURVE_CAPACITY)  # each step's rate, with a schedule
        self.train_seconds = 0.0  # time spent in training steps, for the compare table
        self.curves = {
            name: CompactSeries(CURVE_CAPACITY)
            for name in ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
        }
        # (time, step) now and then, for the speed of the last few seconds
        self._step_times: deque[tuple[float, int]] = deque(
            maxlen=int(SPEED_WINDOW_SECONDS / SPEED_SAMPLE_SECONDS) + 2
        )
        self._train_rows = fixed_subset(len(data.y_train), EVALUATION_POINTS, seed=1)
        self._test_rows = fixed_subset(len(data.y_test), EVALUATION_POINTS, seed=2)
        self.inside_views = True  # whether snapshots hold the maps and histograms to draw
        self._input_maps: np.ndarray | None = None  # the same for the whole run: made once
        self._inside: tuple[float, dict] | None = None  # (when, the last inside readout)
        self._record_evaluation(0, *self._evaluate())
        # Every snapshot at a new step is offered to it; the Playground looks back through it.
        self.timeline: Timeline[Snapshot] | None = None
        # What happened to this run that its configuration alone does not say (a setting
        # changed while it trained, weights loaded from a file), in words with the step: an
        # exported program trains the configuration from step 0 and cannot repeat these.
        self.departures: list[str] = []

    def __getstate__(self) -> dict:
        """The run without its data (a training process builds the same data itself, or is
        given it once: see `training_pool`); `attach` puts data back."""
        state = self.__dict__.copy()
        state["data"] = None
        return state

    def attach(self, data: TrainingData) -> None:
        """Train on `data` again after a copy (the same data the run had: built the same way
        from its configuration)."""
        self.data = data
        self.trainer.attach_data(data.inputs_train, data.y_train)

    def note_departure(self, what: str) -> None:
        """Record that `what` happened to the run now (see `departures`)."""
        self.departures.append(f"{what} at step {self.trainer.step_count:,}")

    def apply_live(self, config: Config) -> None:
        """Take over the settings that may change while training runs (drawn points come
        with their data, through `replace_data`)."""
        if config.replace(points=self.config.points) != self.config and self.trainer.step_count:
            self.note_departure("a setting changed")
        self.optimizer.lr = config.lr
        if self.trainer.lr_schedule is not None:
            self.trainer.lr_schedule.base_lr = config.lr  # the schedule goes on from the new rate
        self.optimizer.weight_decay = config.weight_decay
        self.optimizer.l1 = config.l1
        self.network.set_dropout(config.dropout, config.input_dropout)
        if config.max_norm is None:
            self.trainer.max_norm = None
        elif self.trainer.max_norm is None:
            self.trainer.max_norm = MaxNorm(config.max_norm)
        else:
            self.trainer.max_norm.c = config.max_norm
        self.config = config

    def can_take(self, data: TrainingData) -> bool:
        """Whether this run can go on with `data` in place of its own: points drawn by hand
        (standardised on the plane, see `data.make_drawn_data`) with the same inputs and
        classes."""
        old = self.data
        return (isinstance(old, PointData) and isinstance(data, PointData)
                and len(old.y_test) == 0 and len(data.y_test) == 0
                and old.features == data.features and old.class_names == data.class_names
                and np.array_equal(old.grid_inputs, data.grid_inputs))  # fmt: skip

    def replace_data(self, data: TrainingData) -> None:
        """Go on training with `data` (see `can_take`) from the next step: the network and the
        optimizer stay, the new points join the training set."""
        if self.trainer.step_count:
            self.note_departure(
                f"the drawn points changed ({len(self.data.y_train):,} → {len(data.y_train):,})"
            )
        self.data = data
        self.trainer.set_training_data(data.inputs_train, data.y_train)
        self._train_rows = fixed_subset(len(data.y_train), EVALUATION_POINTS, seed=1)
        self._inside = None  # the histograms and health are of the old points

    @property
    def diverged(self) -> str | None:
        return self.trainer.diverged

    def step(self) -> bool:
        """One minibatch; False when the run has diverged."""
        started = time.perf_counter()
        loss = self.trainer.step()
        if loss is None:
            return False
        self.train_seconds += time.perf_counter() - started
        self.step_loss.append(self.trainer.step_count, loss)
        if self.trainer.lr_schedule is not None:
            self.lr_curve.append(self.trainer.step_count, self.optimizer.lr)
        now = time.monotonic()
        if not self._step_times or now - self._step_times[-1][0] >= SPEED_SAMPLE_SECONDS:
            self._step_times.append((now, self.trainer.step_count))
        return True

    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step."""
        schedule = self.trainer.lr_schedule
        return self.optimizer.lr if schedule is None else schedule.lr(self.trainer.step_count)

    def _speed(self) -> tuple[float | None, float | None]:
        """(samples per second, seconds per epoch) over the steps noted in the last
        SPEED_WINDOW_SECONDS: steps × batch size / the wall time from the first to the last
        of them. (None, None) with fewer than two."""
        now = time.monotonic()
        recent = [(t, step) for t, step in self._step_times if now - t <= SPEED_WINDOW_SECONDS]
        if len(recent) < 2:
            return None, None
        (first_time, first_step), (last_time, last_step) = recent[0], recent[-1]
        steps_per_second = (last_step - first_step) / (last_time - first_time)
        return (
            steps_per_second * self.trainer.batch_size,
            self.trainer.batches_per_epoch / steps_per_second,
        )

    def _record(self, trainer: Trainer, event: str) -> None:
        # The curves are evaluated on the same rows as the snapshot's figures, so a curve's
        # last point and the metric tiles agree at the same step.
        if event == "epoch":
            self._record_evaluation(trainer.step_count, *self._evaluate())

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
        """Train and test loss and accuracy, on at most EVALUATION_POINTS fixed rows each."""
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

    def snapshot(self, reuse_inside: bool = False) -> Snapshot:
        """The current state, for drawing. Call under the session's lock.

        With `reuse_inside` (the worker's snapshots while playing) the inside readout (neuron
        maps, histograms, health) of the last INSIDE_REFRESH_SECONDS is taken again: the
        views that draw it redraw about once a second, and it costs a forward and backward
        pass.
        """
        train_loss, train_accuracy, test_loss, test_accuracy = self._evaluate()
        own = self._own_readout()
        now = time.monotonic()
        if not (reuse_inside and self._inside is not None
                and now - self._inside[0] < INSIDE_REFRESH_SECONDS):  # fmt: skip
            self._inside = (now, self._inside_readout())
        inside = self._inside[1]
        samples_per_second, seconds_per_epoch = self._speed()
        curves = {name: (series.x, series.y) for name, series in self.curves.items()}
        snapshot = self.snapshot_type(
            step=self.trainer.step_count,
            epoch=self.trainer.epoch_progress,
            train_loss=train_loss,
            train_accuracy=train_accuracy,
            test_loss=test_loss,
            test_accuracy=test_accuracy,
            step_loss=(self.step_loss.x, self.step_loss.y),
            weight_norms=tuple(self.network.weight_norms_per_unit()),
            diverged=self.trainer.diverged,
            samples_per_second=samples_per_second,
            train_seconds=self.train_seconds,
            seconds_per_epoch=seconds_per_epoch,
            near_zero=tuple(near_zero_shares(self.network)),
            learning_rate=self.learning_rate,
            lr_curve=(self.lr_curve.x, self.lr_curve.y),
            regression=is_regression(self.data),
            **own,
            **inside,
            **{f"{name}_curve": curve for name, curve in curves.items()},
        )
        if self.timeline is not None:
            self.timeline.record(snapshot.step, snapshot.without_curves())
        return snapshot

    def _inside_readout(self) -> dict:
        """Each hidden layer's health on the evaluation rows and the hints it and the loss
        give; on 2-D points with `inside_views` also the neuron maps (on every
        `MAP_STRIDE`-th grid point), the input maps, the diagram's weights and the
        histograms of activations and gradients."""
        data = self.data
        inputs, labels = data.inputs_train, data.y_train
        if self._train_rows is not None:
            inputs, labels = inputs[self._train_rows], labels[self._train_rows]
        drawn = self._drawn_inside(inputs, labels) if self.inside_views else {}
        health, hints = [], []
        for layer in layer_health(self.network, inputs[:HEALTH_ROWS]):
            words = state_words(layer.dead, layer.saturated)
            health.append(f"Layer {layer.index} · {layer.units} {layer.activation}"
                          + (f": {words}" if words else ""))  # fmt: skip
            if layer.hint():
                hints.append(layer.hint())
        if self.trainer.diverged is None and not is_regression(data):
            loss = loss_hint(self.step_loss.y, len(data.class_names), self.trainer.step_count)
            if loss:
                hints.append(loss)
        return {"health": tuple(health), "hints": tuple(hints), **drawn}

    snapshot_type: type[Snapshot] = Snapshot

    def _own_readout(self) -> dict:
        """The fields of this kind of run's snapshots beyond `Snapshot`'s."""
        return {}

    def _drawn_inside(self, inputs: np.ndarray, labels: np.ndarray) -> dict:
        """The inside views' drawings of this kind of run (see `_inside_readout`)."""
        return {}


class PointRun(Run):
    """A run on 2-D points: its snapshots hold the decision boundary and, with the inside
    views on, the neuron maps and histograms; a timeline keeps past moments to look back on."""

    snapshot_type = PointSnapshot

    def __init__(self, config: Config, data: PointData) -> None:
        super().__init__(config, data)
        self.timeline = Timeline(TIMELINE_CAPACITY, TIMELINE_RECENT)

    def _own_readout(self) -> dict:
        data = self.data
        shape = (len(data.grid_y), len(data.grid_x))
        if is_regression(data):  # the prediction over the plane
            values = self.network.forward(data.grid_inputs, train=False)
            return {"boundary": encode_values(values, data.value_range, shape)}
        proba = self.network.predict_proba(data.grid_inputs)
        return {"boundary": encode_boundary(proba, shape)}

    def _drawn_inside(self, inputs: np.ndarray, labels: np.ndarray) -> dict:
        data = self.data
        grid = data.grid_inputs.reshape(len(data.grid_y), len(data.grid_x), -1)
        grid = grid[::MAP_STRIDE, ::MAP_STRIDE]
        flat_grid = grid.reshape(-1, grid.shape[-1])
        if self._input_maps is None:
            self._input_maps = input_maps(flat_grid, grid.shape[:2])
        return {
            "neuron_maps": tuple(neuron_maps(self.network, flat_grid, grid.shape[:2])),
            "input_maps": self._input_maps,
            "diagram_weights": tuple(diagram_weights(self.network)),
            "histograms": tuple(layer_histograms(self.network, inputs[:HEALTH_ROWS],
                                                 labels[:HEALTH_ROWS])),
        }  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class CurveSnapshot(Snapshot):
    """A run fitting a curve (`CurveData`): `curve` is the network's prediction at the data's
    `grid_x`, (G,) float32; with the inside views on, `unit_curves` holds per hidden layer
    what its first units compute there, (units, G) float32 each."""

    curve: np.ndarray
    unit_curves: tuple[np.ndarray, ...] = ()
    histograms: tuple = ()


class CurveRun(Run):
    """A run fitting a curve: its snapshots hold the fitted curve and, with the inside views
    on, each unit's own curve; a timeline keeps past moments to look back on."""

    snapshot_type = CurveSnapshot

    def __init__(self, config: Config, data: CurveData) -> None:
        super().__init__(config, data)
        self.timeline = Timeline(TIMELINE_CAPACITY, TIMELINE_RECENT)

    def _own_readout(self) -> dict:
        values = self.network.forward(self.data.grid_inputs, train=False)
        return {"curve": np.asarray(values[:, 0], dtype=np.float32)}

    def _drawn_inside(self, inputs: np.ndarray, labels: np.ndarray) -> dict:
        outputs = hidden_outputs(self.network, self.data.grid_inputs)
        return {
            "unit_curves": tuple(np.asarray(o[:, :MAX_MAP_UNITS].T, np.float32) for o in outputs),
            "histograms": tuple(layer_histograms(self.network, inputs[:HEALTH_ROWS],
                                                 labels[:HEALTH_ROWS])),
        }  # fmt: skip


class ImageRun(Run):
    """A run on images: its snapshots hold what the MNIST page shows of the test images (the
    confusion matrix, the most confident mistakes, a few guesses) and the first layer's
    weights."""

    snapshot_type = ImageSnapshot

    def _own_readout(self) -> dict:
        """The image views' fields of a snapshot: one more pass over the test rows of the
        metrics (the engine's chunked `predict_proba`), one over the example images."""
        data = self.data
        inputs, labels = data.inputs_test, data.y_test
        if self._test_rows is not None:
            inputs, labels = inputs[self._test_rows], labels[self._test_rows]
        probabilities = self.network.predict_proba(inputs)
        wrong = most_confident_mistakes(probabilities, labels, MAX_MISTAKES)
        rows = wrong if self._test_rows is None else self._test_rows[wrong]
        weights = self.network.dense_layers()[0].params["W"]  # (D, units), changed in place
        return {
            "test_confusion": confusion_matrix(
                labels, probabilities.argmax(axis=1), len(data.class_names)
            ),
            "mistakes": Mistakes(rows=rows, probabilities=probabilities[wrong]),
            "example_probabilities": self.network.predict_proba(
                data.inputs_test[data.example_rows]
            ),
            "first_layer_weights": weights[:, :MAX_WEIGHT_IMAGES].T.copy(),
        }


RUN_KINDS: dict[type, type[Run]] = {PointData: PointRun, ImageSet: ImageRun, CurveData: CurveRun}


def make_run(config: Config, data: TrainingData) -> Run:
    """The kind of run `data` needs, from `RUN_KINDS` (a plain `Run` for any other data)."""
    kind = next((RUN_KINDS[cls] for cls in type(data).__mro__ if cls in RUN_KINDS), Run)
    return kind(config, data)


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

    def __init__(self, configs: Sequence[Config], data: TrainingData) -> None:
        self._start(data, [make_run(config, data) for config in configs])

    @classmethod
    def from_runs(cls, runs: list[Run], data: TrainingData) -> TrainingSession:
        """A session of runs made before (a training process's copy of a page's runs)."""
        session = cls.__new__(cls)
        session._start(data, runs)
        return session

    def _start(self, data: TrainingData, runs: list[Run]) -> None:
        self.lock = threading.RLock()
        self.data = data
        self.runs = runs
        # With a pool (`training_pool`), the runs train in a process of it while playing:
        # `remote` is the handle on them there, and `runs` are as they were at Play. With
        # `places`, a session goes there only while it holds a place (see `admit`).
        self.pool = None
        self.places: TrainingPlaces | None = None
        self.remote = None
        self.playing = False
        self.steps_per_second: float | None = None
        self.error: str | None = None  # an unexpected failure inside the worker
        self.reset_requested = False  # Reset was pressed: the page builds a new session
        self.queue_position = 0  # > 0 while waiting for a place to train (see scheduler)
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
        if self.remote is not None and self.snapshots:
            return max(snapshot.step for snapshot in self.snapshots)
        return max(run.trainer.step_count for run in self.runs)

    @property
    def training_now(self) -> bool:
        """Playing and holding a place to train (not queued): only then do its views change."""
        return self.playing and not self.queue_position

    @property
    def all_diverged(self) -> bool:
        return all(run.diverged for run in self.runs)

    def publish(self, reuse_inside: bool = False) -> None:
        with self.lock:
            self.snapshots = tuple(run.snapshot(reuse_inside) for run in self.runs)
            self._snapshot_wanted = False
            self._snapshot_taken.set()

    def fresh_snapshots(self, timeout: float = SNAPSHOT_WAIT) -> tuple[Snapshot, ...]:
        """The snapshots as of now: while playing, the worker takes them between two steps
        (waiting at most `timeout` seconds, then the latest ones are returned)."""
        remote = self.remote
        if remote is not None:
            snapshots = remote.fresh_snapshots(timeout)
            if snapshots is not None and self.remote is remote:
                self.snapshots = snapshots
            return self.snapshots
        if self.playing:
            self._snapshot_taken.clear()
            self._snapshot_wanted = True
            self._snapshot_taken.wait(timeout)
        return self.snapshots

    def show_inside(self, on: bool) -> None:
        """Whether snapshots hold what the inside views draw (neuron maps, histograms); a
        change takes a new snapshot at once, so the views have it."""
        if all(run.inside_views == on for run in self.runs):
            return
        with self.lock:
            for run in self.runs:
                run.inside_views = on
            if self.remote is not None:
                self.remote.send("inside", on)
                return
            self.publish()

    def apply_live(self, configs: Sequence[Config]) -> None:
        with self.lock:
            for run, config in zip(self.runs, configs, strict=True):
                run.apply_live(config)
            if self.remote is not None:
                self.remote.send("live", list(configs))

    def can_take(self, data: TrainingData) -> bool:
        """Whether every run can go on with `data` (see `Run.can_take`)."""
        return all(run.can_take(data) for run in self.runs)

    def replace_data(self, data: TrainingData) -> None:
        """Every run goes on with `data` from its next step (see `Run.replace_data`), and the
        snapshot shows the new points at once."""
        with self.lock:
            self.data = data
            if self.remote is not None:  # the process's runs take it; these are Play's
                self.remote.send("data", pickle.dumps(data))
                return
            for run in self.runs:
                run.replace_data(data)
            self.publish()

    def play(self) -> None:
        with self.lock:
            if self.all_diverged or self.remote is not None:
                return
            self.playing = True
            self._paced_since = None
            if self.pool is not None:
                self.admit()

    def admit(self) -> None:
        """With a pool: while playing, train in it if this session holds a place to train
        (always, without `places`), else wait in the queue; a session whose turn is over
        while others wait comes back from the pool, still playing, and waits its turn again.
        Called at Play and then regularly by the page's `Worker`."""
        with self.lock:
            if not self.playing or self.pool is None:
                return
            ahead = 0 if self.places is None else self.places.request(self)
            self.queue_position = ahead
            if not ahead and self.remote is None:
                self._hand_to_pool()
            elif ahead and self.remote is not None:
                self._bring_back()
                self.publish()  # so the queued page shows where training stopped

    def _leave_places(self) -> None:
        self.queue_position = 0
        if self.places is not None:
            self.places.release(self)

    def _hand_to_pool(self) -> None:
        """The runs train in a process of the pool from now on (see `training_pool`)."""
        from playground.core.compare import data_key  # a light module, but only now needed

        config = self.runs[0].config
        data = (("data", pickle.dumps(self.data)) if config.dataset == "csv"
                else ("key", data_key(config)))  # fmt: skip
        inside = all(run.inside_views for run in self.runs)
        self.remote = self.pool.play(pickle.dumps(self.runs), data, self.steps_per_second,
                                     inside, self._remote_stopped)  # fmt: skip

    def _remote_stopped(self, runs: bytes | None, error: str | None) -> None:
        """The pool's runs came back unasked (they diverged), or their process died."""
        with self.lock:
            self.remote = None
            self.playing = False
            self._leave_places()
            if runs is not None:
                self._take_runs(runs)
            else:
                self.error = error

    def _take_runs(self, runs: bytes) -> None:
        self.runs = pickle.loads(runs)
        for run in self.runs:
            run.attach(self.data)
        self.publish()

    def pause(self) -> None:
        """Stop playing; when this returns no step is under way and the snapshot is current."""
        self.playing = False
        if self.pool is not None:
            self._leave_places()
        if self._bring_back():
            return
        self.publish()

    def _bring_back(self) -> bool:
        """The runs back from the pool (or the error that lost them); False if none were
        there."""
        remote = self.remote
        if remote is None:
            return False
        runs = remote.take_back()
        with self.lock:
            if self.remote is remote:
                self.remote = None
                if runs is not None:
                    self._take_runs(runs)
                else:
                    self.error = remote.failed
                    self.playing = False
        return True

    def current_runs(self) -> list[Run]:
        """The runs as they are now: a copy from the pool while they train there (an export
        of the present), else the runs themselves."""
        remote = self.remote
        if remote is None:
            return self.runs
        copied = remote.copy_runs()
        if copied is None:
            return self.runs
        runs = pickle.loads(copied)
        for run in runs:
            run.attach(self.data)
        return runs

    def drop_remote(self) -> None:
        """The page is gone (its tab closed): the pool forgets the runs."""
        remote, self.remote = self.remote, None
        self.playing = False
        if self.pool is not None:
            self._leave_places()
        if remote is not None:
            remote.drop()

    def set_speed(self, steps_per_second: float | None) -> None:
        with self.lock:
            self.steps_per_second = steps_per_second
            self._paced_since = None
            if self.remote is not None:
                self.remote.send("speed", steps_per_second)

    def step(self, n_steps: int = 1) -> None:
        """Exactly `n_steps` minibatches for every run that has not diverged, then publish."""
        with self.lock:
            try:
                self._step_all(n_steps)
                self.publish()
            except Exception as error:  # as in the worker: a message on the page, no traceback
                self.playing = False
                self.error = f"{type(error).__name__}: {error}"

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

    def advance(
        self, seconds: float = CHUNK_SECONDS, stop_early: Callable[[], bool] | None = None
    ) -> None:
        """Train for up to `seconds` (what the worker calls while playing), or until
        `stop_early()` says to (asked after each step)."""
        with self.lock:
            if not self.playing:
                return
            start = time.monotonic()
            self._publish_if_wanted()
            if self.steps_per_second is None:
                while self.playing and time.monotonic() - start < seconds:
                    self._step_all(1)
                    self._publish_if_wanted()
                    if stop_early is not None and stop_early():
                        break
            else:
                if self._paced_since is None:
                    self._paced_since = (start, self.step_count)
                since_time, since_step = self._paced_since
                due = since_step + int((start - since_time) * self.steps_per_second) + 1
                if due - self.step_count > self.steps_per_second * CHUNK_SECONDS + 1:
                    # Held up (a busy server, a long redraw): go on at the chosen pace from
                    # now rather than catch up in a burst, which slow motion would show.
                    self._paced_since = (start, self.step_count)
                    due = self.step_count + 1
                while self.playing and self.step_count < due:
                    if time.monotonic() - start >= seconds:
                        break
                    self._step_all(1)
                    self._publish_if_wanted()

    def _publish_if_wanted(self) -> None:
        if self._snapshot_wanted:
            self.publish(reuse_inside=True)

    def serve_snapshot(self) -> None:
        """Take the snapshot a page is waiting for, if any (a queued session does not train,
        but its page still redraws)."""
        self._publish_if_wanted()

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

    def __init__(self, places: TrainingPlaces | None = None) -> None:
        self._session: TrainingSession | None = None
        self._places = places
        self._holding: TrainingSession | None = None  # the session holding a place
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mlp-worker", daemon=True)
        self._thread.start()

    def attach(self, session: TrainingSession | None) -> None:
        """Play `session` from now on; a different session attached before is paused, so
        nothing trains out of sight (the page that showed it was left)."""
        previous = self._session
        if previous is not None and previous is not session:
            previous.pause()
        self._session = session

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stopping.set()
        session = self._session
        if session is not None:
            session.playing = False
            session.drop_remote()
        self._thread.join(timeout=2.0)
        self._give_back()

    def _give_back(self) -> None:
        holding, self._holding = self._holding, None
        if holding is not None and self._places is not None:
            holding.queue_position = 0
            self._places.release(holding)

    def _has_place(self, session: TrainingSession) -> bool:
        """Whether `session` may train now; while it waits, its queue position is kept on it
        for the page, and its snapshots are still taken when the page asks."""
        if self._places is None:
            return True
        if self._holding is not session:
            self._give_back()
        ahead = self._places.request(session)
        session.queue_position = ahead
        if ahead:
            self._holding = session  # in the queue: leave it when the session stops
            with session.lock:
                session.serve_snapshot()
            return False
        self._holding = session
        return True

    def _loop(self) -> None:
        while not self._stopping.is_set():
            session = self._session
            if session is not None and session.playing and session.pool is not None:
                # A pool's process trains it (see `training_pool`): here it only keeps or
                # waits for its place.
                self._give_back()
                session.admit()
                self._stopping.wait(QUEUE_POLL_SECONDS)
                continue
            if session is None or not session.playing:
                self._give_back()
                self._stopping.wait(0.03)
                continue
            if not self._has_place(session):
                self._stopping.wait(QUEUE_POLL_SECONDS)
                continue
            places = self._places
            busy = places is not None and places.pages_busy()
            try:
                if places is None:
                    session.advance()
                else:
                    with places.turn():
                        if busy:
                            # A page is being drawn: a short slice, then a pause in which no
                            # session trains (this one holds the turn), whatever their number.
                            session.advance(BUSY_SLICE_SECONDS)
                            self._stopping.wait(BUSY_PAUSE_SECONDS)
                        else:
                            session.advance(stop_early=places.pages_busy)
            except Exception as error:  # a bug must reach the page as a message, not a hang
                session.playing = False
                session.error = f"{type(error).__name__}: {error}"
                continue
            pause = session.seconds_until_next_step()
            # Give the page's thread a moment of the interpreter even when training flat out.
            self._stopping.wait(pause if pause > 0 else 0.001)

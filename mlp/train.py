"""Minibatch training: the loop, its metrics history, callbacks and divergence detection."""

import math
from collections.abc import Callable

import numpy as np

from mlp.constraints import MaxNorm
from mlp.datasets.split import fixed_subset
from mlp.losses import MeanSquaredError, SoftmaxCrossEntropy
from mlp.network import EVAL_BATCH, Network
from mlp.optim import Optimizer
from mlp.schedules import Schedule

# augment(X_batch, rng) -> the batch to train on: (B, D) in, (B, D) out (it may write into
# X_batch, which is the trainer's own buffer of this step's rows).
Augment = Callable[[np.ndarray, np.random.Generator], np.ndarray]
# What a trainer can minimise: softmax cross-entropy on class labels (the metric is accuracy),
# or the mean squared error on real-valued targets, one output per point (the metric is R²).
LOSSES = ("cross_entropy", "mse")

# The child of SeedSequence(seed) that seeds the augmentation: 0 and 1 seed the network's
# initial weights and dropout masks (`mlp.network.build_network`).
AUGMENT_STREAM = 2


class History:
    """What happened during training, appended to as it happens.

    Attributes
    ----------
    step : list of int
        Step numbers 1, 2, ... (one entry per completed step).
    step_loss : list of float
        Training loss of the minibatch of each of those steps.
    epochs : list of dict
        One record per completed epoch with keys ``epoch``, ``step``, ``train_loss``,
        ``train_accuracy``, ``test_loss``, ``test_accuracy`` (evaluation mode; the test values
        are None without a test set).
    """

    def __init__(self) -> None:
        self.step: list[int] = []
        self.step_loss: list[float] = []
        self.epochs: list[dict] = []

    def to_frame(self):
        """The history as two pandas DataFrames: (per step, per epoch). Needs pandas."""
        import pandas as pd

        steps = pd.DataFrame({"step": self.step, "loss": self.step_loss})
        columns = ["epoch", "step", "train_loss", "train_accuracy", "test_loss", "test_accuracy"]
        return steps, pd.DataFrame(self.epochs, columns=columns)

    def __repr__(self) -> str:
        return f"History({len(self.step)} steps, {len(self.epochs)} epochs)"


class Trainer:
    """Trains a network on (X_train, y_train) with minibatch gradient steps.

    An epoch visits the training set in a fresh random order, in minibatches of
    ``batch_size``. Every minibatch has exactly ``batch_size`` rows: the last incomplete one of
    an epoch is dropped (the next epoch's reshuffle gives those samples their turn). A training
    set smaller than ``batch_size`` is used whole at every step. A step runs forward, softmax
    cross-entropy, backward, the optimizer and then ``max_norm`` if set. With ``lr_schedule``
    the optimizer's learning rate is set to ``lr_schedule.lr(step_count)`` before each step;
    with ``augment`` the minibatch passes through it before the forward pass (the evaluations
    never do).

    After each epoch the network is evaluated (evaluation mode) on the training set (at most
    ``train_eval_size`` samples of it, a fixed random subset, so that epochs of large data sets
    stay cheap) and on the test set if given, and the result is appended to
    ``history.epochs``.

    Divergence: a step whose loss or update is not finite is not applied (parameters and
    batch-norm statistics stay bitwise as before it; the optimizer's moment estimates may have
    advanced), ``diverged`` is set to a message saying what happened, and every later step does
    nothing. No floating-point warning or exception escapes.

    The trainer keeps no global state; a caller may use it from another thread provided it
    holds its own lock around every call that touches the network.

    Parameters
    ----------
    network : Network
    optimizer : Optimizer
        Given all of the network's parameters as one vector (``network.param_vector``), so its
        state has one entry. ``lr`` and ``weight_decay`` can be changed between steps.
    X_train : (N, D) array
        Converted to the network's dtype (no copy if it already has it; never modified).
    y_train : (N,) int array
        Class indices in [0, C); with ``loss="mse"`` the (N,) real-valued targets of a
        network with one output.
    X_test, y_test : optional arrays (M, D) and (M,)
    batch_size : int, default 32
    seed : int, default 0
        Seeds the shuffling. Same network, optimizer, data and seed: bitwise the same run.
    max_norm : MaxNorm or None
        Applied after each optimizer step; a writable attribute.

    The writable attribute ``frozen`` (None, or an int array of positions in
    ``network.param_vector``, e.g. from ``Network.unit_parameters``) holds those parameters
    bitwise as they are: after each step (optimizer and max-norm) they are put back. The
    optimizer's state for them still moves, as it would for a zero-gradient parameter.
    callback : callable or None
        ``callback(trainer, event)`` with event ``"step"`` after every step and ``"epoch"``
        after each epoch's evaluation (the epoch's step event comes first).
    train_eval_size : int or None, default 10_000
        Most training samples used for the per-epoch training metrics; None for all.
    keep_history : bool, default True
        Append every step and epoch to ``history``. A caller that trains for hours and keeps
        its own bounded record (the app) passes False: then ``history`` stays empty and only
        ``last_epoch`` is kept.
    lr_schedule : Schedule or None
        ``mlp.schedules``: before step t (0-based, ``step_count``) ``optimizer.lr =
        lr_schedule.lr(t)``. To change the rate while training, change the schedule's
        ``base_lr`` (a writable attribute, as is ``lr_schedule`` itself). None leaves
        ``optimizer.lr`` alone.
    loss : str, default "cross_entropy"
        ``"cross_entropy"`` (softmax cross-entropy; the metric beside the loss is accuracy)
        or ``"mse"`` (mean squared error of the one output, as
        ``torch.nn.functional.mse_loss``; the metric is R² = 1 − SSE / SST, the share of the
        targets' variance the network explains). The metric takes the place of accuracy in
        ``evaluate`` and in the epoch records.
    augment : callable or None
        ``augment(X_batch, rng) -> X_batch``, e.g. ``lambda X, rng: random_shifts(X,
        max_shift=2, rng=rng, out=X)`` (``mlp.augment``). ``rng`` is the trainer's own
        generator for it, ``default_rng(SeedSequence(seed).spawn(3)[2])``: independent of the
        shuffling (which stays as without augmentation) and of the network's streams
        (``build_network`` seeds its weights and dropout masks from the children 0 and 1 of
        ``SeedSequence(seed)``), the same for the same seed.

    Attributes
    ----------
    step_count : int
        Completed steps.
    epoch : int
        Completed epochs.
    epoch_progress : float
        Epochs completed, with the fraction of the current one (e.g. 3.25).
    diverged : str or None
        Why training stopped, e.g. "Diverged at step 812: the loss became inf. Lower the
        learning rate."
    history : History
    last_epoch : dict or None
        The newest epoch record (the keys of ``History.epochs``); None before the first epoch.
    """

    def __init__(
        self,
        network: Network,
        optimizer: Optimizer,
        X_train: np.ndarray,
        y_train: np.ndarray,
        X_test: np.ndarray | None = None,
        y_test: np.ndarray | None = None,
        batch_size: int = 32,
        seed: int = 0,
        max_norm: MaxNorm | None = None,
        callback: Callable[["Trainer", str], None] | None = None,
        train_eval_size: int | None = 10_000,
        keep_history: bool = True,
        lr_schedule: Schedule | None = None,
        augment: Augment | None = None,
        loss: str = "cross_entropy",
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"The batch size must be at least 1, got {batch_size}.")
        if loss not in LOSSES:
            raise ValueError(f"The loss must be one of {', '.join(LOSSES)}, got {loss!r}.")
        self.loss = loss
        self.network = network
        self.optimizer = optimizer
        self.n_classes = network.dense_layers()[-1].n_out
        self.X_train, self.y_train = self._checked(X_train, y_train, "training")
        if (X_test is None) != (y_test is None):
            raise ValueError("Give both X_test and y_test, or neither.")
        if X_test is not None:
            self.X_test, self.y_test = self._checked(X_test, y_test, "test")
        else:
            self.X_test = self.y_test = None
        self.max_norm = max_norm
        self.frozen: np.ndarray | None = None
        self.callback = callback
        self.lr_schedule = lr_schedule
        self.augment = augment
        self.augment_rng = (
            None
            if augment is None
            else np.random.default_rng(np.random.SeedSequence(seed).spawn(AUGMENT_STREAM + 1)[-1])
        )

        self._rng = np.random.default_rng(seed)
        self._seed = seed
        self._requested_batch_size = batch_size
        self._train_eval_size = train_eval_size
        self._start_epochs_on_training_set()
        loss_type = MeanSquaredError if loss == "mse" else SoftmaxCrossEntropy
        self._loss = loss_type()
        self._evaluation_loss = loss_type()
        self._running_stats = network.running_stats()
        self._running_stats_before = [np.empty_like(a) for a in self._running_stats]

        self.step_count = 0
        self.epoch = 0
        self.diverged: str | None = None
        self.history = History()
        self.keep_history = keep_history
        self.last_epoch: dict | None = None

    def _start_epochs_on_training_set(self) -> None:
        """Batch size, epoch length, evaluation rows, order and buffers for ``X_train``."""
        n_samples = self.X_train.shape[0]
        self.batch_size = min(self._requested_batch_size, n_samples)
        self.batches_per_epoch = n_samples // self.batch_size
        self._train_eval_rows = (
            None
            if self._train_eval_size is None
            else fixed_subset(n_samples, self._train_eval_size, self._seed)
        )
        self._order = self._rng.permutation(n_samples)
        self._batch_in_epoch = 0
        self._X_batch = np.empty((self.batch_size, self.X_train.shape[1]), self.network.dtype)
        if self.loss == "mse":  # targets as a column, like the one output
            self._y_batch = np.empty((self.batch_size, 1), self.network.dtype)
        else:
            self._y_batch = np.empty(self.batch_size, np.intp)

    def __getstate__(self) -> dict:
        """The trainer without its training and test arrays, which a copy in another process
        gets back with ``attach_data`` (they are the data set's, often shared and large)."""
        state = self.__dict__.copy()
        for name in ("X_train", "y_train", "X_test", "y_test"):
            state[name] = None
        return state

    def attach_data(
        self,
        X_train: np.ndarray,
        y_train: np.ndarray,
        X_test: np.ndarray | None = None,
        y_test: np.ndarray | None = None,
    ) -> None:
        """Give a copied trainer its arrays back: the same ones it was made with, so it goes on
        exactly where it was (its epoch order and position stay; see ``set_training_data`` to
        train on other data)."""
        self.X_train, self.y_train = self._checked(X_train, y_train, "training")
        if X_test is not None:
            self.X_test, self.y_test = self._checked(X_test, y_test, "test")

    def set_training_data(self, X_train: np.ndarray, y_train: np.ndarray) -> None:
        """Train on a new training set from the next step on: X_train (N, D) with the same D,
        y_train (N,) in the same classes. The network, the optimizer's state and the step and
        epoch counts stay; the epoch in progress ends unfinished, and the next one visits the
        new set in a fresh order drawn from the trainer's own generator. The batch size is the
        one asked for, capped at the new set's size. (The Playground's points drawn by hand
        join training this way.)"""
        X_train, y_train = self._checked(X_train, y_train, "training")
        if X_train.shape[1] != self.X_train.shape[1]:
            raise ValueError(
                f"The new training set has {X_train.shape[1]} inputs; the network takes "
                f"{self.X_train.shape[1]}."
            )
        self.X_train, self.y_train = X_train, y_train
        self._start_epochs_on_training_set()

    def _checked(self, X, y, name: str) -> tuple[np.ndarray, np.ndarray]:
        X = np.asarray(X, dtype=self.network.dtype)
        y = np.asarray(y)
        if X.ndim != 2 or y.shape != (X.shape[0],) or X.shape[0] == 0:
            raise ValueError(
                f"The {name} set needs X: (N, D) and y: (N,) with N > 0, "
                f"got {X.shape} and {y.shape}."
            )
        if self.loss == "mse":
            if self.n_classes != 1:
                raise ValueError("A network trained on the mean squared error needs 1 output.")
            y = np.asarray(y, dtype=self.network.dtype)
            if not np.isfinite(y).all():
                raise ValueError(f"The {name} targets must be finite numbers.")
            return X, y.reshape(-1, 1)
        if not np.issubdtype(y.dtype, np.integer):
            raise ValueError(f"The {name} labels must be integers, got dtype {y.dtype}.")
        if y.min() < 0 or y.max() >= self.n_classes:
            raise ValueError(
                f"The {name} labels must lie in [0, {self.n_classes}) for this network."
            )
        return X, y.astype(np.intp, copy=False)

    @property
    def epoch_progress(self) -> float:
        return self.epoch + self._batch_in_epoch / self.batches_per_epoch

    def step(self) -> float | None:
        """Train on one minibatch; its loss, or None if training diverged (now or before)."""
        if self.diverged is not None:
            return None
        with np.errstate(all="ignore"):
            loss = self._train_one_batch()
        if loss is None:
            return None
        self.step_count += 1
        self._batch_in_epoch += 1
        if self.keep_history:
            self.history.step.append(self.step_count)
            self.history.step_loss.append(loss)
        if self.callback is not None:
            self.callback(self, "step")
        if self._batch_in_epoch == self.batches_per_epoch:
            self._finish_epoch()
        return loss

    def _train_one_batch(self) -> float | None:
        network = self.network
        rows = self._order[
            self._batch_in_epoch * self.batch_size : (self._batch_in_epoch + 1) * self.batch_size
        ]
        # X_B = X[B],   y_B = y[B]   (B = rows: this step's minibatch)
        # The rows are a permutation of the data's indices, so never out of range; with
        # mode="raise" take() would write into a temporary array and copy it over.
        X_batch = self.X_train.take(rows, axis=0, out=self._X_batch, mode="clip")
        y_batch = self.y_train.take(rows, axis=0, out=self._y_batch, mode="clip")
        if self.augment is not None:
            X_batch = self.augment(X_batch, self.augment_rng)
        if self.lr_schedule is not None:
            # η_t = schedule(t)
            self.optimizer.lr = self.lr_schedule.lr(self.step_count)
        for saved, stats in zip(self._running_stats_before, self._running_stats, strict=True):
            np.copyto(saved, stats)
        try:
            logits = network.forward(X_batch, train=True)
            loss, grad_logits = self._loss(logits, y_batch)
            if not math.isfinite(loss):
                return self._diverge(f"the loss became {loss}")
            network.backward(grad_logits, input_grad=False)
            (update,) = self.optimizer.updates([network.param_vector], [network.grad_vector])
            # ‖Δθ‖² = Δθ · Δθ < ∞  ⇒  every Δθᵢ finite
            # One reduction checks the whole update: if its squared norm is finite, every entry
            # is finite and far too small to push a finite parameter to infinity.
            if not math.isfinite(np.dot(update, update)):
                return self._diverge("the parameter update became too large")
        except FloatingPointError as error:
            return self._diverge(f"a floating-point error occurred ({error})")
        frozen = self.frozen
        if frozen is not None:
            kept = network.param_vector[frozen]  # (a copy: fancy indexing)
        # θ ← θ − Δθ
        network.param_vector -= update
        if self.max_norm is not None:
            self.max_norm.apply(network)
        if frozen is not None:
            # θ_F ← θ_F as before the step   (F: the frozen parameters)
            network.param_vector[frozen] = kept
        return loss

    def _diverge(self, what: str) -> None:
        for saved, stats in zip(self._running_stats_before, self._running_stats, strict=True):
            np.copyto(stats, saved)
        self.diverged = f"Diverged at step {self.step_count + 1}: {what}. Lower the learning rate."
        return None

    def _finish_epoch(self) -> None:
        self.epoch += 1
        self._batch_in_epoch = 0
        self._order = self._rng.permutation(self.X_train.shape[0])
        train_loss, train_accuracy = self._evaluate(
            self.X_train, self.y_train, self._train_eval_rows
        )
        test_loss = test_accuracy = None
        if self.X_test is not None:
            test_loss, test_accuracy = self.evaluate(self.X_test, self.y_test)
        self.last_epoch = {
            "epoch": self.epoch,
            "step": self.step_count,
            "train_loss": train_loss,
            "train_accuracy": train_accuracy,
            "test_loss": test_loss,
            "test_accuracy": test_accuracy,
        }
        if self.keep_history:
            self.history.epochs.append(self.last_epoch)
        if self.callback is not None:
            self.callback(self, "epoch")

    def run(
        self,
        n_steps: int | None = None,
        n_epochs: int | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> int:
        """Train until ``n_steps`` more steps or ``n_epochs`` more epochs are done (whichever
        comes first), ``should_stop()`` returns True (asked before each step) or training
        diverges. Returns the number of steps taken."""
        if n_steps is None and n_epochs is None and should_stop is None:
            raise ValueError("Give n_steps, n_epochs or should_stop, or run() never ends.")
        last_step = None if n_steps is None else self.step_count + n_steps
        last_epoch = None if n_epochs is None else self.epoch + n_epochs
        first_step = self.step_count
        while self.diverged is None:
            if last_step is not None and self.step_count >= last_step:
                break
            if last_epoch is not None and self.epoch >= last_epoch:
                break
            if should_stop is not None and should_stop():
                break
            self.step()
        return self.step_count - first_step

    def evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """Mean softmax cross-entropy and accuracy of the network on X: (N, D), y: (N,)
        (with ``loss="mse"``: the mean squared error and R²).

        Evaluation mode, in chunks of ``EVAL_BATCH`` rows; does not touch the training buffers.
        """
        X, y = self._checked(X, y, "evaluation")
        return self._evaluate(X, y, rows=None)

    def _evaluate(self, X: np.ndarray, y: np.ndarray, rows: np.ndarray | None):
        """``evaluate`` on the given rows of X and y (all rows if None), chunk by chunk."""
        n_samples = X.shape[0] if rows is None else rows.shape[0]
        if n_samples == 0:
            raise ValueError("Cannot evaluate on an empty set.")
        if self.loss == "mse":
            return self._evaluate_regression(X, y, rows)
        total_loss = 0.0
        correct = 0
        with np.errstate(all="ignore"):
            for start in range(0, n_samples, EVAL_BATCH):
                chunk = (
                    slice(start, start + EVAL_BATCH)
                    if rows is None
                    else rows[start : start + EVAL_BATCH]
                )
                labels = y[chunk]
                logits = self.network.forward(X[chunk], train=False)
                loss, _ = self._evaluation_loss(logits, labels)
                # L = (1/N) · Σ_c N_c · L_c  (c: chunks),   accuracy = (1/N) · #{n : argmax zₙ = yₙ}
                total_loss += loss * labels.shape[0]
                correct += int(np.count_nonzero(logits.argmax(axis=1) == labels))
        return total_loss / n_samples, correct / n_samples

    def _evaluate_regression(self, X: np.ndarray, y: np.ndarray, rows: np.ndarray | None):
        """(mean squared error, R²) on the given rows, chunk by chunk."""
        targets = y if rows is None else y[rows]
        predictions = np.empty_like(targets)
        with np.errstate(all="ignore"):
            for start in range(0, targets.shape[0], EVAL_BATCH):
                chunk = slice(start, start + EVAL_BATCH)
                inputs = X[chunk] if rows is None else X[rows[chunk]]
                predictions[chunk] = self.network.forward(inputs, train=False)
            # SSE = Σₙ (pₙ − tₙ)²,   SST = Σₙ (tₙ − t̄)²,   R² = 1 − SSE / SST
            errors = (predictions - targets).astype(np.float64)
            sse = float(np.dot(errors.ravel(), errors.ravel()))
            spread = targets.astype(np.float64) - targets.mean(dtype=np.float64)
            sst = float(np.dot(spread.ravel(), spread.ravel()))
        n_samples = targets.shape[0]
        # Targets that never change have no variance to explain: R² is 1 only for a perfect fit.
        r2 = 1.0 - sse / sst if sst > 0 else (1.0 if sse == 0 else 0.0)
        return sse / n_samples, r2

    def __repr__(self) -> str:
        status = f", diverged: {self.diverged}" if self.diverged else ""
        return (
            f"Trainer({self.optimizer!r}, batch_size={self.batch_size}, "
            f"step {self.step_count}, epoch {self.epoch_progress:.2f}{status})"
        )

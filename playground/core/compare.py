"""Comparisons: two to four variants of one setup, what differs between them, and whether a
difference in test accuracy over several seeds is real (on a regression set: in the test mean
squared error, lower being better, with R² beside it).

Nothing here imports Streamlit. A variant is the base configuration with a few settings
changed (`Variant.changes`); every variant keeps the base's seed, so variants that differ
only in regularisation start from the same weights and see the same minibatches.

A seed sweep is a list of small picklable `SweepTask`s (a configuration as JSON, a seed, a
step budget, and the uploaded file's bytes for a CSV), run by any `concurrent.futures`
executor: a process pool by default, a Dask cluster's executor when `MLP_DASK_SCHEDULER`
names one. `paired_difference` compares two variants seed by seed.

A run's figures keep the names a snapshot gives them: on a regression set its losses are mean
squared errors and its accuracies R² (`TaskResult.regression`). What a person reads (the
tables, the verdicts, the files) names them for what they are (`FIGURE_NAMES`).

The presets (`PRESETS`, at the end) are the page's common questions, each with the scenario
that answers it (`ComparePreset.base`, its steps and variants) and what that scenario measured
over ten seeds (`MeasuredClaim`, in words by `describe_claim`); `benchmarks/presets.py`
measures the claims again and `python -m playground.compare PRESET` runs one headless.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from playground.core.config import SETTINGS_BY_NAME, Config, ConfigError, HiddenLayer, shorten
from playground.core.data import (
    TrainingData,
    make_csv_data,
    make_drawn_data,
    make_image_set,
    make_regression_data,
    make_toy_data,
)

__all__ = [
    "MAX_SEEDS",
    "MAX_VARIANTS",
    "DEEP_SIGMOID",
    "OVERFITTING",
    "PRESETS",
    "PRESETS_BY_KEY",
    "PRESET_LIST",
    "REGULARISERS",
    "ComparePreset",
    "MeasuredClaim",
    "PairedDifference",
    "SweepTask",
    "TaskResult",
    "Variant",
    "describe_claim",
    "describe_difference",
    "describe_mse_difference",
    "differing_settings",
    "find_preset",
    "make_executor",
    "measure_presets",
    "paired_difference",
    "preset_base",
    "preset_configs",
    "preset_variants",
    "run_sweep",
    "run_task",
    "sweep_tasks",
    "variant_label",
    "what_differs",
]

MIN_VARIANTS = 2
MAX_VARIANTS = 4
LETTERS = "ABCDEFGH"[:MAX_VARIANTS]  # variant A, B, … on every page, table and file
MAX_SEEDS = 20
MAX_SWEEP_STEPS = 20_000
MAX_IMPORT_BYTES = 5_000_000  # a comparison file read back
DASK_ADDRESS_VARIABLE = "MLP_DASK_SCHEDULER"
DASK_CONNECT_SECONDS = 10.0  # how long `make_executor` tries to reach the Dask scheduler
MAX_DECIMALS = 8  # of a mean squared error written to three significant digits

# What a run's four figures are called in a comparison's files, by task (in the order a run
# keeps its curves): on a regression the losses are mean squared errors and the accuracies R²
# (1 − SSE / SST).
FIGURE_NAMES: dict[str, dict[str, str]] = {
    "classification": {"train_loss": "train_loss", "test_loss": "test_loss",
                       "train_accuracy": "train_accuracy", "test_accuracy": "test_accuracy"},
    "regression": {"train_loss": "train_mse", "test_loss": "test_mse",
                   "train_accuracy": "train_r2", "test_accuracy": "test_r2"},
}  # fmt: skip

# The settings a variant may change; everything else (the data above all) is the base's.
VARIANT_SETTINGS = ("dropout", "input_dropout", "max_norm", "batch_norm", "weight_decay", "l1",
                    "shift",
                    "init", "optimizer", "lr", "hidden", "batch_size")  # fmt: skip
REGULARISATION = ("dropout", "input_dropout", "max_norm", "batch_norm", "weight_decay", "l1",
                  "shift")  # fmt: skip

# Whole regularisation setups, by the name a preset uses. The combinations keep max-norm at
# c = 3 (where the page's max-norm switch starts); "Max-norm?" alone uses c = 2, where it bites
# in its scenario: c = 3 measured +5.6 points (95% CI +4.1 to +7.0) over seeds 0-9 but only
# +4.0 (+1.6 to +6.4) over seeds 10-19. L2 at 0.001 helped by +5.6 (+3.6 to +7.6); at 0.01
# the circle's own boundary comes back (test accuracy 99%).
_NONE = {"dropout": 0.0, "input_dropout": 0.0, "max_norm": None, "batch_norm": False,
         "weight_decay": 0.0, "l1": 0.0}  # fmt: skip
REGULARISERS: dict[str, dict[str, Any]] = {
    "plain": dict(_NONE),
    "dropout": {**_NONE, "dropout": 0.5},
    "L2": {**_NONE, "weight_decay": 0.01},
    "max-norm": {**_NONE, "max_norm": 2.0},
    "batch norm": {**_NONE, "batch_norm": True},
    "dropout + max-norm": {**_NONE, "dropout": 0.5, "max_norm": 3.0},
    "all three": {**_NONE, "dropout": 0.5, "max_norm": 3.0, "batch_norm": True},
}


# -- variants ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """The base configuration with `changes` applied (setting name -> value)."""

    changes: Mapping[str, Any] = field(default_factory=dict)

    def config(self, base: Config) -> Config:
        """The variant's configuration; a change that breaks a rule falls back (see
        `Config.resolve`)."""
        values = base.to_values()
        values.update(self.changes)
        config, _ = Config.resolve(values)
        return config

    def to_text(self) -> str:
        """The variant as a link value: `dropout:0.5;max_norm:3`, or `base` for no change."""
        if not self.changes:
            return "base"
        return ";".join(
            f"{name}:{SETTINGS_BY_NAME[name].to_text(value)}"
            for name, value in sorted(self.changes.items())
        )

    @classmethod
    def from_text(cls, text: str) -> tuple[Variant, list[str]]:
        """A variant from its link value, leniently: a bad part is left out with a note."""
        changes: dict[str, Any] = {}
        notes: list[str] = []
        text = str(text).strip()
        if text in ("", "base"):
            return cls(), notes
        for part in text.split(";"):
            name, _, raw = part.partition(":")
            name = name.strip()
            if name not in VARIANT_SETTINGS:
                notes.append(f"Variant: {shorten(name)} cannot differ between variants; use "
                             f"{', '.join(VARIANT_SETTINGS)}.")  # fmt: skip
                continue
            try:
                changes[name] = SETTINGS_BY_NAME[name].parse(raw)
            except ConfigError as error:
                notes.append(f"Variant: {error}")
        return cls(changes), notes

    @classmethod
    def regulariser(cls, name: str) -> Variant:
        return cls(dict(REGULARISERS[name]))


def differing_settings(configs: Sequence[Config]) -> list[str]:
    """The settings whose value is not the same in every configuration, in settings order."""
    return [name for name in SETTINGS_BY_NAME
            if len({_hashable(getattr(c, name)) for c in configs}) > 1]  # fmt: skip


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _value_text(name: str, value: Any) -> str:
    setting = SETTINGS_BY_NAME[name]
    if setting.kind == "bool":
        return "on" if value else "off"
    if setting.kind == "choice":
        return setting.choice_label(value)
    return setting.to_text(value)


def variant_label(config: Config, differing: Sequence[str]) -> str:
    """A short name for a variant: its regularisation in words ("plain", "dropout 0.5,
    max-norm 3") and its value of every other setting that differs between the variants."""
    parts = []
    if config.dropout:
        parts.append(f"dropout {config.dropout:g}")
    if config.input_dropout:
        parts.append(f"input dropout {config.input_dropout:g}")
    if config.max_norm is not None:
        parts.append(f"max-norm {config.max_norm:g}")
    if config.batch_norm:
        parts.append("batch norm")
    if config.weight_decay:
        parts.append(f"L2 {config.weight_decay:g}")
    if config.l1:
        parts.append(f"L1 {config.l1:g}")
    if config.shift:
        parts.append(f"shifts of {config.shift} px")
    if not parts and any(name in REGULARISATION for name in differing):
        parts.append("plain")
    for name in differing:
        if name not in REGULARISATION:
            parts.append(
                f"{SETTINGS_BY_NAME[name].label.lower()} {_value_text(name, getattr(config, name))}"
            )
    return ", ".join(parts) or "the same"


def what_differs(configs: Sequence[Config]) -> str:
    """One sentence for the line above the views: what differs, and what is kept the same."""
    differing = differing_settings(configs)
    if not differing:
        return "The variants are identical: change one of them to compare something."
    described = []
    for name in differing:
        values = " / ".join(_value_text(name, getattr(c, name)) for c in configs)
        described.append(f"{SETTINGS_BY_NAME[name].label.lower()} ({values})")
    same_weights = (
        "the same initial weights"
        if not {"hidden", "init", "batch_norm"} & set(differing)
        else "the same seed for the initial weights"
    )
    same_batches = (
        "the same minibatches" if "batch_size" not in differing else "the same shuffling seed"
    )
    return (f"The variants differ only in {_join(described)}; they share the data, "
            f"{same_weights} and {same_batches}.")  # fmt: skip


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# -- statistics -----------------------------------------------------------------------------

# Two-sided 95% quantiles of Student's t, by degrees of freedom (1 to 30).
_T95 = (12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
        2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
        2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423)  # fmt: skip


@dataclass(frozen=True)
class PairedDifference:
    """Mean of b - a over paired seeds, with its 95% confidence interval (None for one seed)."""

    mean: float
    low: float | None
    high: float | None
    n: int

    @property
    def clear(self) -> bool:
        """Whether the interval leaves out zero."""
        return self.low is not None and (self.low > 0 or self.high < 0)


def paired_difference(a: Sequence[float], b: Sequence[float]) -> PairedDifference:
    """b - a, paired by position (by seed): the mean and the t-interval of the mean."""
    a_values, b_values = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a_values.shape != b_values.shape or a_values.ndim != 1 or len(a_values) == 0:
        raise ValueError("paired_difference needs two equally long, non-empty sequences.")
    differences = b_values - a_values
    n = len(differences)
    mean = float(differences.mean())
    if n < 2 or n - 1 > len(_T95):
        return PairedDifference(mean, None, None, n)
    half = _T95[n - 2] * float(differences.std(ddof=1)) / math.sqrt(n)
    return PairedDifference(mean, mean - half, mean + half, n)


def describe_difference(name_b: str, name_a: str, difference: PairedDifference) -> str:
    """The difference in test accuracy in plain words, in percentage points (higher is
    better)."""
    head = f"{name_b} − {name_a}: "
    if not math.isfinite(difference.mean):
        return head + "cannot be measured: a run has no test accuracy (no test points)"
    points = f"{100 * difference.mean:+.1f} points"
    if difference.low is None:
        return head + f"{points} (one seed cannot tell: run two or more)"
    interval = f"95% CI {100 * difference.low:+.1f} to {100 * difference.high:+.1f}"
    if difference.clear:
        return head + f"{points}, {interval}"
    return head + f"no clear difference ({points}, {interval})"


def decimals_for(*values: float, significant: int = 3) -> int:
    """Decimals that write the largest of `values` to `significant` digits: 0.0123 → 4,
    0.5 → 3, 12.3 → 1 (at most `MAX_DECIMALS`; 3 when none is finite and above zero)."""
    largest = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    if largest == 0:
        return significant
    return min(max(significant - 1 - math.floor(math.log10(largest)), 0), MAX_DECIMALS)


def describe_mse_difference(
    name_b: str, name_a: str, mse: PairedDifference, r2: PairedDifference
) -> str:
    """The difference in test mean squared error in plain words (lower is better), with the
    difference in test R² beside it: "B (dropout 0.5) − A (plain): test MSE -0.0123, 95% CI
    -0.0200 to -0.0046 (lower: better); test R² +0.041"."""
    head = f"{name_b} − {name_a}: "
    if not math.isfinite(mse.mean):
        return head + "cannot be measured: a run has no test MSE (no test points, or it diverged)"
    beside = f"; test R² {r2.mean:+.3f}" if math.isfinite(r2.mean) else ""
    if mse.low is None:
        decimals = decimals_for(mse.mean)
        return (head + f"test MSE {mse.mean:+.{decimals}f} (one seed cannot tell: run two or "
                f"more){beside}")  # fmt: skip
    decimals = decimals_for(mse.mean, mse.low, mse.high)
    figures = (f"test MSE {mse.mean:+.{decimals}f}, 95% CI {mse.low:+.{decimals}f} to "
               f"{mse.high:+.{decimals}f}")  # fmt: skip
    if not mse.clear:
        return head + f"no clear difference ({figures}){beside}"
    # The interval leaves out zero: below it b's error is lower than a's.
    verdict = "lower: better" if mse.high < 0 else "higher: worse"
    return head + f"{figures} ({verdict}){beside}"


# -- seed sweeps ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepTask:
    """One (variant, seed) of a sweep: small, picklable, no live objects."""

    variant: int
    seed: int
    config_json: str  # the variant's configuration, its seed already set to `seed`
    steps: int
    csv: bytes | None = None  # the uploaded file, when the data set is "csv"


@dataclass(frozen=True)
class TaskResult:
    variant: int
    seed: int
    steps: int
    train_loss: float
    train_accuracy: float
    test_loss: float
    test_accuracy: float
    curve_steps: np.ndarray  # the steps the curves were evaluated at (ends of epochs)
    curves: dict[str, np.ndarray]  # train_loss, test_loss, train_accuracy, test_accuracy
    seconds: float
    diverged: str | None
    regression: bool = False  # the losses are mean squared errors, the accuracies R²


def sweep_tasks(
    configs: Sequence[Config], seeds: Iterable[int], steps: int, csv: bytes | None = None
) -> list[SweepTask]:
    """One task per (variant, seed), seed-major, so the first results cover every variant."""
    return [
        SweepTask(index, seed, config.replace(seed=seed).to_json(), steps, csv)
        for seed in seeds
        for index, config in enumerate(configs)
    ]


@functools.lru_cache(maxsize=4)
def task_data(config_key: str, csv: bytes | None) -> TrainingData:
    config = Config.from_json(config_key)
    if config.is_images:
        from mlp import datasets

        return make_image_set(datasets.load_images(config.dataset, config.source))
    if config.dataset == "csv":
        return make_csv_data(csv or b"", config.train_share, config.data_seed,
                             config.features, config.label_noise)[0]  # fmt: skip
    if config.dataset == "drawn":
        return make_drawn_data(config.points, config.features)
    if config.is_regression:
        return make_regression_data(
            config.dataset, config.n_points, config.noise, config.train_share,
            config.data_seed, config.features,
        )  # fmt: skip
    return make_toy_data(config.dataset, config.n_points, config.noise, config.train_share,
                         config.data_seed, config.features, config.label_noise)  # fmt: skip


def data_key(config: Config) -> str:
    """The settings that decide the data, as the cache key of `task_data`."""
    return Config(dataset=config.dataset, source=config.source, noise=config.noise,
                  n_points=config.n_points, train_share=config.train_share,
                  data_seed=config.data_seed, features=config.features,
                  label_noise=config.label_noise,
                  points=config.points if config.dataset == "drawn" else ()).to_json()  # fmt: skip


def run_task(task: SweepTask) -> TaskResult:
    """Train one variant with one seed for `task.steps` minibatches (or until it diverges)."""
    from playground.core.session import (  # keeps this module light to import in the page
        make_run,
    )

    config = Config.from_json(task.config_json)
    data = task_data(data_key(config), task.csv)
    started = time.perf_counter()
    run = make_run(config, data)
    while run.trainer.step_count < task.steps and run.step():
        pass
    seconds = time.perf_counter() - started
    snapshot = run.snapshot()
    curves = {name: np.asarray(series.y, dtype=np.float64) for name, series in run.curves.items()}
    return TaskResult(
        variant=task.variant,
        seed=task.seed,
        steps=run.trainer.step_count,
        train_loss=snapshot.train_loss,
        train_accuracy=snapshot.train_accuracy,
        test_loss=snapshot.test_loss if snapshot.test_loss is not None else math.nan,
        test_accuracy=snapshot.test_accuracy if snapshot.test_accuracy is not None else math.nan,
        curve_steps=np.asarray(run.curves["train_loss"].x, dtype=np.float64),
        curves=curves,
        seconds=seconds,
        diverged=run.diverged,
        regression=snapshot.regression,
    )


def _one_blas_thread() -> None:
    """In each worker process: one BLAS thread, so N workers use N cores, not N²."""
    import threadpoolctl

    threadpoolctl.threadpool_limits(limits=1, user_api="blas")


class SweepError(RuntimeError):
    """A sweep cannot start or go on; the message says why in words."""


# What a Dask scheduler without this project's code answers ("Error during deserialization of
# the task graph"), in words a person can act on.
MISSING_ON_CLUSTER = (
    "The Dask cluster cannot read the sweep's runs: its scheduler and workers need this "
    'project installed, the same version as here (pip install ".[distributed]" in the '
    "project's folder, on each machine; see \"Sweeps on a lab's machines\" in the README)."
)


def make_executor(workers: int | None = None) -> tuple[Executor, str]:
    """The executor a sweep runs on, and a few words on what it is.

    With `MLP_DASK_SCHEDULER` set (for example tcp://10.0.0.5:8786) and dask.distributed
    installed, the executor of a Client of that scheduler; otherwise a process pool with one
    process per core (fresh processes: a fork of a server with running threads can hang).
    """
    address = os.environ.get(DASK_ADDRESS_VARIABLE, "").strip()
    if address:
        try:
            from dask.distributed import Client
        except ImportError:
            raise SweepError(
                f"{DASK_ADDRESS_VARIABLE} is set, but dask.distributed is not installed: "
                "pip install -r requirements-distributed.txt"
            ) from None
        try:
            client = Client(address, timeout=DASK_CONNECT_SECONDS)
        except (OSError, TimeoutError) as error:
            raise SweepError(f"The Dask scheduler at {shorten(address)} did not answer: "
                             f"{error}") from None  # fmt: skip
        return _DaskExecutor(client), f"the Dask cluster at {address}"
    workers = workers or os.cpu_count() or 1
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_one_blas_thread)  # fmt: skip
    return pool, f"{workers} process{'es' if workers > 1 else ''} on this machine"


class _DaskExecutor(Executor):
    """A Client's executor that also closes the client when shut down."""

    def __init__(self, client) -> None:
        self._client = client
        self._executor = client.get_executor()
        self._pending: set[Future] = set()  # submitted and not finished yet

    def submit(self, fn, /, *args, **kwargs):
        future = self._executor.submit(fn, *args, **kwargs)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """As `Executor.shutdown`: with `cancel_futures`, the tasks not finished are cancelled
        first (the cluster cannot tell queued from running ones: a running task's result is
        dropped), so `wait` waits for none of them."""
        if cancel_futures:
            for future in list(self._pending):
                future.cancel()  # cancels its Dask task too
        self._executor.shutdown(wait=wait)
        self._client.close()


def run_sweep(tasks: Sequence[SweepTask], executor: Executor | None = None) -> Iterator[TaskResult]:
    """The tasks' results as they finish (in the order given when `executor` is None: one by
    one in this process). Closing the iterator early (Cancel) cancels the tasks not started."""
    if executor is None:
        for task in tasks:
            yield run_task(task)
        return
    futures = [executor.submit(run_task, task) for task in tasks]
    try:
        for future in as_completed(futures):
            try:
                result = future.result()
            except RuntimeError as error:
                if "deserializ" not in str(error):
                    raise
                raise SweepError(MISSING_ON_CLUSTER) from None
            yield result
    finally:
        for future in futures:
            future.cancel()


# -- a finished sweep, and its file ------------------------------------------------------------


@dataclass
class Comparison:
    """A finished (or cancelled) sweep: what ran, and what came back."""

    configs: list[Config]
    names: list[str]
    seeds: list[int]
    steps: int
    results: list[TaskResult]
    executor: str = ""
    seconds: float = 0.0

    def for_variant(self, index: int) -> list[TaskResult]:
        return sorted((r for r in self.results if r.variant == index), key=lambda r: r.seed)

    @property
    def regression(self) -> bool:
        """Whether the runs fit numbers: their losses are mean squared errors and their
        accuracies R² (before any run is back, what the base's data set says)."""
        if self.results:
            return self.results[0].regression
        return self.configs[0].is_regression

    def summary(self) -> pd.DataFrame:
        """One row per variant: the mean ± the standard deviation over its seeds of the test
        accuracy and loss (on a regression the test MSE and R²), and how long runs took."""
        regression = self.regression
        ran = [(index, name, self.for_variant(index)) for index, name in enumerate(self.names)]
        ran = [(index, name, results) for index, name, results in ran if results]
        # Mean squared errors to three significant digits, with the same decimals down the column.
        mse_decimals = decimals_for(*(float(np.mean([r.test_loss for r in results]))
                                      for _, _, results in ran))  # fmt: skip
        rows = []
        for index, name, results in ran:
            test = np.array([r.test_accuracy for r in results])
            train = np.array([r.train_accuracy for r in results])
            loss = np.array([r.test_loss for r in results])
            row: dict[str, Any] = {"Variant": f"{LETTERS[index]} · {name}", "Seeds": len(results)}
            if regression:  # R² is a share of variance, not a share of points: no percent
                row["Test MSE"] = _mean_sd(loss, mse_decimals)
                row["Test R²"] = _mean_sd(test, 3)
                row["Train R²"] = _mean_sd(train, 3)
                row["R² gap (train − test)"] = _mean_sd(train - test, 3)
            else:
                row["Test accuracy"] = _mean_sd(test, 2, percent=True)
                row["Train accuracy"] = _mean_sd(train, 2, percent=True)
                row["Gap (train − test)"] = _mean_sd(train - test, 2, percent=True)
                row["Test loss"] = _mean_sd(loss, 4)
            rows.append({
                **row,
                "Steps": int(np.median([r.steps for r in results])),
                "Seconds per run": round(float(np.mean([r.seconds for r in results])), 2),
                "Diverged": sum(r.diverged is not None for r in results),
            })  # fmt: skip
        return pd.DataFrame(rows)

    def differences(self) -> list[str]:
        """Each variant against the first, paired by seed: the difference in test accuracy,
        or on a regression in test MSE (`describe_mse_difference`)."""
        regression = self.regression
        first = {r.seed: r for r in self.for_variant(0)}
        lines = []
        for index in range(1, len(self.names)):
            other = {r.seed: r for r in self.for_variant(index)}
            pairs = [(first[seed], other[seed]) for seed in sorted(set(first) & set(other))]
            if not pairs:
                continue
            name_b, name_a = f"{LETTERS[index]} ({self.names[index]})", f"A ({self.names[0]})"
            if regression:
                line = describe_mse_difference(name_b, name_a, _paired(pairs, "test_loss"),
                                               _paired(pairs, "test_accuracy"))  # fmt: skip
            else:
                line = describe_difference(name_b, name_a, _paired(pairs, "test_accuracy"))
            lines.append(line)
        return lines

    @property
    def figure_names(self) -> dict[str, str]:
        """What the runs' figures are called in this comparison's files (`FIGURE_NAMES`)."""
        return FIGURE_NAMES["regression" if self.regression else "classification"]

    def curves_table(self) -> pd.DataFrame:
        names = self.figure_names
        rows = []
        for result in self.results:
            for position, step in enumerate(result.curve_steps):
                row = {"variant": LETTERS[result.variant], "name": self.names[result.variant],
                       "seed": result.seed, "step": int(step)}  # fmt: skip
                for curve, values in result.curves.items():
                    value = float(values[position]) if position < len(values) else None
                    row[names.get(curve, curve)] = value
                rows.append(row)
        return pd.DataFrame(rows)

    def to_json(self) -> str:
        """The whole comparison as the page's file; a regression's says so ("task") and
        names its figures test_mse, test_r2, … (a classification's file is as it always was)."""
        names = self.figure_names
        task = {"task": "regression"} if self.regression else {}
        return json.dumps({
            "kind": "mlp-playground-comparison",
            "version": 1,
            **task,
            "configs": [c.to_dict() for c in self.configs],
            "names": self.names,
            "seeds": self.seeds,
            "steps": self.steps,
            "results": [{
                "variant": r.variant, "seed": r.seed, "steps": r.steps,
                names["train_loss"]: r.train_loss, names["train_accuracy"]: r.train_accuracy,
                names["test_loss"]: r.test_loss, names["test_accuracy"]: r.test_accuracy,
                "curve_steps": r.curve_steps.tolist(),
                "curves": {names.get(k, k): v.tolist() for k, v in r.curves.items()},
                "seconds": r.seconds, "diverged": r.diverged,
            } for r in self.results],
        }, allow_nan=True)  # fmt: skip

    @classmethod
    def from_json(cls, text: str | bytes) -> Comparison:
        """Strict: anything but a comparison this page wrote raises ConfigError, in words."""
        if len(text) > MAX_IMPORT_BYTES:
            raise ConfigError(f"This file is {len(text):,} bytes; a comparison is at most "
                              f"{MAX_IMPORT_BYTES:,}.")  # fmt: skip
        try:
            raw = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            raise ConfigError("This is not a comparison file: it is not valid JSON.") from None
        if not isinstance(raw, dict) or raw.get("kind") != "mlp-playground-comparison":
            raise ConfigError("This is not a comparison file of MLP Playground (its \"kind\" "
                              "is missing or different).")  # fmt: skip
        try:
            task = raw.get("task", "classification")  # files before regression have none
            if not isinstance(task, str) or task not in FIGURE_NAMES:
                raise ConfigError(f"its task is {shorten(task)}, not "
                                  f"{' or '.join(FIGURE_NAMES)}")  # fmt: skip
            configs = [Config.from_dict(c) for c in _list(raw, "configs")]
            if not MIN_VARIANTS <= len(configs) <= MAX_VARIANTS:
                raise ConfigError(f"it has {len(configs)} variants, not 2 to 4")
            names = [str(n)[:200] for n in _list(raw, "names")]
            if len(names) != len(configs):
                raise ConfigError("it has a different number of names and variants")
            seeds = [_int(s, "seed", 0, 2**31 - 1) for s in _list(raw, "seeds")]
            if not 1 <= len(seeds) <= MAX_SEEDS:
                raise ConfigError(f"it has {len(seeds)} seeds, not 1 to {MAX_SEEDS}")
            steps = _int(raw.get("steps"), "steps", 1, MAX_SWEEP_STEPS)
            results = [_result(r, len(configs), task) for r in _list(raw, "results")]
            if len(results) > len(configs) * len(seeds):
                raise ConfigError("it has more results than variants times seeds")
        except ConfigError as error:
            raise ConfigError(f"This comparison file cannot be used: {error}.") from None
        return cls(configs, names, seeds, steps, results, executor="the imported file")


def _paired(pairs: Sequence[tuple[TaskResult, TaskResult]], figure: str) -> PairedDifference:
    """b − a of one figure of the runs ("test_loss", …), over (a, b) runs of the same seed."""
    return paired_difference([getattr(a, figure) for a, _ in pairs],
                             [getattr(b, figure) for _, b in pairs])  # fmt: skip


def _mean_sd(values: np.ndarray, decimals: int, percent: bool = False) -> str:
    """The mean and the standard deviation over the seeds, "0.962 ± 0.012" (or "56.00% ±
    1.00"); the mean alone for one seed."""
    scale, unit = (100.0, "%") if percent else (1.0, "")
    mean = f"{_no_negative_zero(scale * values.mean(), decimals)}{unit}"
    if len(values) < 2:
        return mean
    return f"{mean} ± {scale * values.std(ddof=1):.{decimals}f}"


def _no_negative_zero(value: float, decimals: int) -> str:
    """`value` to `decimals` places, "0.000" where a tiny negative would read "-0.000"."""
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def _list(raw: dict, key: str) -> list:
    value = raw.get(key)
    if not isinstance(value, list):
        raise ConfigError(f"{shorten(key)} is missing or not a list")
    return value


def _int(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{what} must be a whole number from {low:,} to {high:,}, not "
                          f"{shorten(value)}")  # fmt: skip
    return value


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{what} must be a number, not {shorten(value)}")
    return float(value)


def _series(value: Any, what: str, length: int | None = None) -> np.ndarray:
    if not isinstance(value, list) or len(value) > 100_000:
        raise ConfigError(f"{what} must be a list of numbers")
    array = np.array([_number(v, what) for v in value], dtype=np.float64)
    if length is not None and len(array) != length:
        raise ConfigError(f"{what} has {len(array)} values, not {length}")
    return array


def _result(raw: Any, n_variants: int, task: str) -> TaskResult:
    if not isinstance(raw, dict):
        raise ConfigError("a result is not an object")
    names = FIGURE_NAMES[task]
    steps = _series(raw.get("curve_steps"), "curve_steps")
    curves_raw = raw.get("curves")
    if not isinstance(curves_raw, dict):
        raise ConfigError("a result's curves are missing")
    curves = {}
    for figure, name in names.items():
        curves[figure] = _series(curves_raw.get(name, []), name)
    figures = {figure: _number(raw.get(name), name) for figure, name in names.items()}
    diverged = raw.get("diverged")
    return TaskResult(
        variant=_int(raw.get("variant"), "variant", 0, n_variants - 1),
        seed=_int(raw.get("seed"), "seed", 0, 2**31 - 1),
        steps=_int(raw.get("steps"), "steps", 0, MAX_SWEEP_STEPS),
        **figures,
        curve_steps=steps,
        curves=curves,
        seconds=_number(raw.get("seconds", 0.0), "seconds"),
        diverged=None if diverged is None else str(diverged)[:300],
        regression=task == "regression",
    )


# -- presets: a question, a scenario that answers it, and what it measured -------------------


@dataclass(frozen=True)
class MeasuredClaim:
    """What a preset's scenario gave headless, `variant` against the variant `against`
    (labels as the page shows them, `variant_label`: "dropout 0.5", "plain"): the paired
    difference in test accuracy (`mean`, its 95% interval `low` to `high`, as fractions)
    over seeds 0 to `seeds` − 1 at `steps` steps, and the mean test and train accuracies of
    both (a: `against`, b: `variant`). `direction` is the claim: +1 the variant is better
    (the interval lies above zero), −1 worse (below zero), 0 no clear difference (the
    interval holds zero). `benchmarks/presets.py` measures every figure again."""

    variant: str
    against: str
    mean: float
    low: float
    high: float
    seeds: int
    steps: int
    direction: int
    test_a: float
    test_b: float
    train_a: float
    train_b: float

    FIGURES = ("mean", "low", "high", "test_a", "test_b", "train_a", "train_b")

    @property
    def difference(self) -> PairedDifference:
        return PairedDifference(self.mean, self.low, self.high, self.seeds)

    def holds(self) -> bool:
        """Whether the interval is on the side `direction` names (holds zero for 0)."""
        return measured_direction(self.difference) == self.direction

    def rounded(self) -> MeasuredClaim:
        """The figures to three decimals (a tenth of a point), as the presets store them."""
        return dataclasses.replace(
            self, **{name: round(getattr(self, name), 3) for name in self.FIGURES}
        )


def measured_direction(difference: PairedDifference) -> int:
    """+1 when the interval lies above zero, −1 below, 0 when it holds zero (or is unknown)."""
    if difference.low is not None and difference.low > 0:
        return 1
    if difference.high is not None and difference.high < 0:
        return -1
    return 0


def describe_claim(claim: MeasuredClaim) -> str:
    """A measured claim in words: "measured: dropout 0.5 +9.3 points (95% CI +5.1 to +13.6)
    against plain, test accuracy 82.2% → 91.6%, 10 seeds, 3,000 steps"."""
    points = f"{100 * claim.mean:+.1f} points"
    interval = f"95% CI {100 * claim.low:+.1f} to {100 * claim.high:+.1f}"
    if claim.direction == 0:
        said = (f"{claim.variant} against {claim.against}: no clear difference ({points}, "
                f"{interval})")  # fmt: skip
    else:
        said = f"{claim.variant} {points} ({interval}) against {claim.against}"
    return (f"measured: {said}, test accuracy {100 * claim.test_a:.1f}% → "
            f"{100 * claim.test_b:.1f}%, {claim.seeds} seeds, {claim.steps:,} steps")  # fmt: skip


@dataclass(frozen=True)
class ComparePreset:
    """One question on the Compare page, with the scenario that answers it.

    base: the setup the variants share (the data, the network, the training); variants: what
    each variant changes (`Variant`s, or names from `REGULARISERS`); steps: the training
    budget of each run; claims: what `benchmarks/presets.py` measured, each a variant against
    another (the first, or the one it adds to). scenario: what the base is and why, in words.

    For code written when a preset was the tuple of its regularisers' names, a preset still
    reads as a sequence of names: `len(preset)` and `preset[k]` give its variants' labels.
    """

    name: str
    key: str
    question: str
    scenario: str
    base: Config
    steps: int
    variants: tuple[Variant, ...]
    claims: tuple[MeasuredClaim, ...] = ()

    def __post_init__(self) -> None:
        variants = tuple(Variant.regulariser(v) if isinstance(v, str) else v for v in self.variants)
        object.__setattr__(self, "variants", variants)
        if not MIN_VARIANTS <= len(variants) <= MAX_VARIANTS:
            raise ValueError(f"{self.name}: {len(variants)} variants, not 2 to {MAX_VARIANTS}")

    @property
    def configs(self) -> list[Config]:
        return [variant.config(self.base) for variant in self.variants]

    @property
    def labels(self) -> list[str]:
        """The variants' names as the page shows them ("plain", "dropout 0.5", …)."""
        configs = self.configs
        differing = differing_settings(configs)
        return [variant_label(config, differing) for config in configs]

    def variant_index(self, label: str) -> int:
        return self.labels.index(label)

    def claim_words(self) -> list[str]:
        """Each measured claim in words (see `describe_claim`)."""
        return [describe_claim(claim) for claim in self.claims]

    def claim_pairs(self) -> list[tuple[str, str]]:
        """The (variant, against) pairs the claims measure; without claims yet, every variant
        against the first and against the one before it."""
        if self.claims:
            return [(claim.variant, claim.against) for claim in self.claims]
        labels = self.labels
        pairs = [(label, labels[0]) for label in labels[1:]]
        return pairs + [(labels[k], labels[k - 1]) for k in range(2, len(labels))]

    def __len__(self) -> int:
        return len(self.variants)

    def __getitem__(self, index):
        labels = self.labels[index]
        return tuple(labels) if isinstance(index, slice) else labels


def measure_presets(
    presets: Sequence[ComparePreset],
    seeds: Sequence[int],
    executor: Executor | None = None,
    steps: int | None = None,
) -> dict[str, tuple[MeasuredClaim, ...]]:
    """Every preset's claims (`ComparePreset.claim_pairs`) measured afresh with the page's
    sweep code, over `seeds`, at each preset's own steps (or `steps`), by preset name; not
    rounded. A run that several presets share (the same configuration, seed and steps) runs
    once: runs are deterministic for a given seed."""
    runs: dict[tuple[Config, int], int] = {}  # (configuration, steps) -> its index in `tasks`
    for preset in presets:
        for config in preset.configs:
            runs.setdefault((config, steps or preset.steps), len(runs))
    tasks = [
        dataclasses.replace(task, variant=index)
        for (config, budget), index in runs.items()
        for task in sweep_tasks([config], seeds, budget)
    ]
    results = {(r.variant, r.seed): r for r in run_sweep(tasks, executor)}
    measured = {}
    for preset in presets:
        budget = steps or preset.steps
        labelled = zip(preset.labels, preset.configs, strict=True)
        per_variant = {
            label: [results[runs[config, budget], seed] for seed in seeds]
            for label, config in labelled
        }
        measured[preset.name] = tuple(
            claim_from_results(variant, against, per_variant[against], per_variant[variant], budget)
            for variant, against in preset.claim_pairs()
        )
    return measured


def claim_from_results(
    variant: str,
    against: str,
    first: Sequence[TaskResult],
    other: Sequence[TaskResult],
    steps: int,
) -> MeasuredClaim:
    """The claim of `variant` (results `other`) against `against` (results `first`), paired
    by seed; its direction is the one the interval shows."""
    first, other = sorted(first, key=lambda r: r.seed), sorted(other, key=lambda r: r.seed)
    if [r.seed for r in first] != [r.seed for r in other]:
        raise ValueError("claim_from_results needs the same seeds for both variants.")
    difference = paired_difference([r.test_accuracy for r in first],
                                   [r.test_accuracy for r in other])  # fmt: skip
    low = difference.low if difference.low is not None else difference.mean
    high = difference.high if difference.high is not None else difference.mean
    return MeasuredClaim(
        variant=variant,
        against=against,
        mean=difference.mean,
        low=low,
        high=high,
        seeds=len(first),
        steps=steps,
        direction=measured_direction(difference),
        test_a=float(np.mean([r.test_accuracy for r in first])),
        test_b=float(np.mean([r.test_accuracy for r in other])),
        train_a=float(np.mean([r.train_accuracy for r in first])),
        train_b=float(np.mean([r.train_accuracy for r in other])),
    )


def _layers(count: int, units: int, activation: str) -> tuple[HiddenLayer, ...]:
    return tuple(HiddenLayer(units, activation) for _ in range(count))


# Few points, a fifth of the training labels flipped, a wide network: without a regulariser
# it learns the flipped points by heart and its boundary carves islands around them. 400
# points of which 20% (80) train: the 320 test points (true labels) measure test accuracy to
# a third of a point.
OVERFITTING = Config(dataset="circle", noise=0.1, n_points=400, train_share=0.2,
                     label_noise=0.2, hidden=_layers(2, 64, "relu"), init="he",
                     optimizer="adam", lr=0.01, batch_size=10)  # fmt: skip
OVERFITTING_STEPS = 3_000
_OVERFITTING_WORDS = (
    "The circle, 80 training points of which a fifth carry the wrong class, and a wide "
    "network (2 × 64 ReLU, Adam 0.01, batches of 10) trained 3,000 steps: without a "
    "regulariser it learns the flipped points by heart (islands around them on the "
    "boundary) and its test accuracy on 320 true-labelled points falls behind."
)
# Five sigmoid layers trained by plain SGD: the gradient shrinks through every layer and the
# network stays at chance; batch norm keeps each layer's inputs where the sigmoid is steep.
# Batches of 32: at 10 points a batch, batch norm's statistics are too noisy.
DEEP_SIGMOID = Config(dataset="circle", noise=0.1, hidden=_layers(5, 16, "sigmoid"),
                      optimizer="sgd", lr=0.1, batch_size=32)  # fmt: skip
DEEP_SIGMOID_STEPS = 1_000

# What `python benchmarks/presets.py` measured, seeds 0-9 (it checks every figure again).
# Seeds 10-19 gave the same directions: see the benchmark's --first-seed.
_S, _B = OVERFITTING_STEPS, DEEP_SIGMOID_STEPS
DROPOUT_CLAIM = MeasuredClaim("dropout 0.5", "plain", mean=0.093, low=0.051, high=0.136,
                              seeds=10, steps=_S, direction=1, test_a=0.823, test_b=0.916,
                              train_a=0.95, train_b=0.8)  # fmt: skip
L2_CLAIM = MeasuredClaim("L2 0.01", "plain", mean=0.167, low=0.144, high=0.19, seeds=10,
                         steps=_S, direction=1, test_a=0.823, test_b=0.99, train_a=0.95,
                         train_b=0.811)  # fmt: skip
MAX_NORM_CLAIM = MeasuredClaim("max-norm 2", "plain", mean=0.086, low=0.068, high=0.103,
                               seeds=10, steps=_S, direction=1, test_a=0.823, test_b=0.908,
                               train_a=0.95, train_b=0.9)  # fmt: skip
BATCH_NORM_CLAIM = MeasuredClaim("batch norm", "plain", mean=0.462, low=0.418, high=0.506,
                                 seeds=10, steps=_B, direction=1, test_a=0.517, test_b=0.98,
                                 train_a=0.518, train_b=0.982)  # fmt: skip
_MAX_NORM_ON_DROPOUT = MeasuredClaim("dropout 0.5, max-norm 3", "dropout 0.5", mean=0.001,
                                     low=-0.015, high=0.017, seeds=10, steps=_S, direction=0,
                                     test_a=0.916, test_b=0.917, train_a=0.8,
                                     train_b=0.804)  # fmt: skip
_BATCH_NORM_ON_TOP = MeasuredClaim("dropout 0.5, max-norm 3, batch norm",
                                   "dropout 0.5, max-norm 3", mean=0.061, low=0.025,
                                   high=0.096, seeds=10, steps=_S, direction=1, test_a=0.917,
                                   test_b=0.978, train_a=0.804, train_b=0.797)  # fmt: skip
_DROPOUT_AGAINST_L2 = MeasuredClaim("dropout 0.5", "L2 0.01", mean=-0.074, low=-0.107,
                                    high=-0.041, seeds=10, steps=_S, direction=-1,
                                    test_a=0.99, test_b=0.916, train_a=0.811,
                                    train_b=0.8)  # fmt: skip

PRESET_LIST: tuple[ComparePreset, ...] = (
    ComparePreset(
        name="Dropout?",
        key="dropout",
        question="Does dropout stop a network from learning noise by heart?",
        scenario=_OVERFITTING_WORDS,
        base=OVERFITTING,
        steps=OVERFITTING_STEPS,
        variants=("plain", "dropout"),
        claims=(DROPOUT_CLAIM,),
    ),
    ComparePreset(
        name="L2?",
        key="l2",
        question="Does L2 weight decay stop a network from learning noise by heart?",
        scenario=_OVERFITTING_WORDS,
        base=OVERFITTING,
        steps=OVERFITTING_STEPS,
        variants=("plain", "L2"),
        claims=(L2_CLAIM,),
    ),
    ComparePreset(
        name="Max-norm?",
        key="max-norm",
        question="Does capping each unit's weights (max-norm) stop a network from learning "
        "noise by heart?",
        scenario=_OVERFITTING_WORDS,
        base=OVERFITTING,
        steps=OVERFITTING_STEPS,
        variants=("plain", "max-norm"),
        claims=(MAX_NORM_CLAIM,),
    ),
    ComparePreset(
        name="Batch norm?",
        key="batch-norm",
        question="What is batch norm for? A deep sigmoid network that plain SGD cannot train.",
        scenario="The circle (500 points, half for training) and five layers of 16 sigmoid "
        "units trained by plain SGD (learning rate 0.1, batches of 32) for 1,000 steps: "
        "without batch norm the gradient shrinks through every sigmoid layer and the "
        "network stays at chance; with it, every layer's inputs stay where the sigmoid is "
        "steep. (At batches of 10, batch norm's statistics are too noisy and it hurts.)",
        base=DEEP_SIGMOID,
        steps=DEEP_SIGMOID_STEPS,
        variants=("plain", "batch norm"),
        claims=(BATCH_NORM_CLAIM,),
    ),
    ComparePreset(
        name="Dropout + max-norm",
        key="dropout-max-norm",
        question="Does max-norm add anything on top of dropout?",
        scenario=_OVERFITTING_WORDS,
        base=OVERFITTING,
        steps=OVERFITTING_STEPS,
        variants=("plain", "dropout", "dropout + max-norm"),
        claims=(DROPOUT_CLAIM, _MAX_NORM_ON_DROPOUT),
    ),
    ComparePreset(
        name="All three",
        key="all-three",
        question="Dropout, max-norm and batch norm stacked: does each add something?",
        scenario=_OVERFITTING_WORDS + " Batch norm here sees batches of 10.",
        base=OVERFITTING,
        steps=OVERFITTING_STEPS,
        variants=("plain", "dropout", "dropout + max-norm", "all three"),
        claims=(DROPOUT_CLAIM, _MAX_NORM_ON_DROPOUT, _BATCH_NORM_ON_TOP),
    ),
    ComparePreset(
        name="L2 vs dropout",
        key="l2-vs-dropout",
        question="Which helps more against learning noise by heart: L2 or dropout?",
        scenario=_OVERFITTING_WORDS,
        base=OVERFITTING,
        steps=OVERFITTING_STEPS,
        variants=("plain", "L2", "dropout"),
        claims=(L2_CLAIM, DROPOUT_CLAIM, _DROPOUT_AGAINST_L2),
    ),
)
# The common questions, each one click, by the name its button shows.
PRESETS: dict[str, ComparePreset] = {preset.name: preset for preset in PRESET_LIST}
PRESETS_BY_KEY: dict[str, ComparePreset] = {preset.key: preset for preset in PRESET_LIST}


def find_preset(name: str) -> ComparePreset | None:
    """A preset by its name or key, in any case and spacing ("Dropout?", "dropout",
    "max norm", "L2-vs-Dropout"); None when none matches."""
    wanted = _squeeze(name)
    for preset in PRESET_LIST:
        if wanted in (_squeeze(preset.name), _squeeze(preset.key)):
            return preset
    return None


def _squeeze(text: str) -> str:
    return "".join(c for c in str(text).lower() if c.isalnum())


def preset_variants(preset: str) -> list[Variant]:
    """The variants of the preset named `preset` (they apply to any base setup)."""
    return list(PRESETS[preset].variants)


def preset_base(preset: str) -> Config:
    """The setup the preset named `preset` was measured on: its variants share it."""
    return PRESETS[preset].base


def preset_configs(preset: str) -> list[Config]:
    """The preset's variants on its own base: the configurations its claims were measured on."""
    return PRESETS[preset].configs

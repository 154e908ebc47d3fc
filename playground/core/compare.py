"""Comparisons: two to four variants of one setup, what differs between them, and whether a
difference in test accuracy over several seeds is real.

Nothing here imports Streamlit. A variant is the base configuration with a few settings
changed (`Variant.changes`); every variant keeps the base's seed, so variants that differ
only in regularisation start from the same weights and see the same minibatches.

A seed sweep is a list of small picklable `SweepTask`s (a configuration as JSON, a seed, a
step budget, and the uploaded file's bytes for a CSV), run by any `concurrent.futures`
executor: a process pool by default, a Dask cluster's executor when `MLP_DASK_SCHEDULER`
names one. `paired_difference` compares two variants seed by seed.
"""

from __future__ import annotations

import functools
import json
import math
import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from playground.core.config import SETTINGS_BY_NAME, Config, ConfigError, shorten
from playground.core.data import TrainingData, make_image_set, make_point_data, make_toy_data

__all__ = [
    "MAX_SEEDS",
    "MAX_VARIANTS",
    "PRESETS",
    "REGULARISERS",
    "PairedDifference",
    "SweepTask",
    "TaskResult",
    "Variant",
    "describe_difference",
    "differing_settings",
    "make_executor",
    "paired_difference",
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

# The settings a variant may change; everything else (the data above all) is the base's.
VARIANT_SETTINGS = ("dropout", "input_dropout", "max_norm", "batch_norm", "weight_decay",
                    "init", "optimizer", "lr", "hidden", "batch_size")  # fmt: skip
REGULARISATION = ("dropout", "input_dropout", "max_norm", "batch_norm", "weight_decay")

# Whole regularisation setups, by the name a preset button uses.
_NONE = {"dropout": 0.0, "input_dropout": 0.0, "max_norm": None, "batch_norm": False,
         "weight_decay": 0.0}  # fmt: skip
REGULARISERS: dict[str, dict[str, Any]] = {
    "plain": dict(_NONE),
    "dropout": {**_NONE, "dropout": 0.5},
    "max-norm": {**_NONE, "max_norm": 3.0},
    "batch norm": {**_NONE, "batch_norm": True},
    "dropout + max-norm": {**_NONE, "dropout": 0.5, "max_norm": 3.0},
    "all three": {**_NONE, "dropout": 0.5, "max_norm": 3.0, "batch_norm": True},
    "L2": {**_NONE, "weight_decay": 0.001},
}
# The common questions, each one click: which regularisers to put side by side.
PRESETS: dict[str, tuple[str, ...]] = {
    "Dropout?": ("plain", "dropout"),
    "Max-norm?": ("plain", "max-norm"),
    "Batch norm?": ("plain", "batch norm"),
    "Dropout + max-norm": ("plain", "dropout", "dropout + max-norm"),
    "All three": ("plain", "dropout", "dropout + max-norm", "all three"),
    "L2 vs dropout": ("plain", "L2", "dropout"),
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


def preset_variants(preset: str) -> list[Variant]:
    return [Variant.regulariser(name) for name in PRESETS[preset]]


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
    """The difference in test accuracy in plain words, in percentage points."""
    head = f"{name_b} − {name_a}: "
    points = f"{100 * difference.mean:+.1f} points"
    if difference.low is None:
        return head + f"{points} (one seed cannot tell: run two or more)"
    interval = f"95% CI {100 * difference.low:+.1f} to {100 * difference.high:+.1f}"
    if difference.clear:
        return head + f"{points}, {interval}"
    return head + f"no clear difference ({points}, {interval})"


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
        from mlp import datasets

        X, y, names = datasets.load_points_csv(csv or b"")
        return make_point_data(X, y, names, config.train_share, config.data_seed,
                               features=config.features,
                               label_noise=config.label_noise)  # fmt: skip
    return make_toy_data(config.dataset, config.n_points, config.noise, config.train_share,
                         config.data_seed, config.features, config.label_noise)  # fmt: skip


def data_key(config: Config) -> str:
    """The settings that decide the data, as the cache key of `task_data`."""
    return Config(dataset=config.dataset, source=config.source, noise=config.noise,
                  n_points=config.n_points, train_share=config.train_share,
                  data_seed=config.data_seed, features=config.features,
                  label_noise=config.label_noise).to_json()  # fmt: skip


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
    )


def _one_blas_thread() -> None:
    """In each worker process: one BLAS thread, so N workers use N cores, not N²."""
    import threadpoolctl

    threadpoolctl.threadpool_limits(limits=1, user_api="blas")


class SweepError(RuntimeError):
    """A sweep cannot start; the message says why in words."""


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
            client = Client(address, timeout=10)
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

    def submit(self, fn, /, *args, **kwargs):
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
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
            yield future.result()
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

    def summary(self) -> pd.DataFrame:
        rows = []
        for index, name in enumerate(self.names):
            results = self.for_variant(index)
            if not results:
                continue
            test = np.array([r.test_accuracy for r in results])
            train = np.array([r.train_accuracy for r in results])
            loss = np.array([r.test_loss for r in results])

            def mean_sd(values: np.ndarray, percent: bool = True) -> str:
                scale, unit = (100.0, "%") if percent else (1.0, "")
                if len(values) < 2:
                    return f"{scale * values.mean():.{2 if percent else 4}f}{unit}"
                return (f"{scale * values.mean():.{2 if percent else 4}f}{unit} ± "
                        f"{scale * values.std(ddof=1):.{2 if percent else 4}f}")  # fmt: skip

            rows.append({
                "Variant": f"{LETTERS[index]} · {name}",
                "Seeds": len(results),
                "Test accuracy": mean_sd(test),
                "Train accuracy": mean_sd(train),
                "Gap (train − test)": mean_sd(train - test),
                "Test loss": mean_sd(loss, percent=False),
                "Steps": int(np.median([r.steps for r in results])),
                "Seconds per run": round(float(np.mean([r.seconds for r in results])), 2),
                "Diverged": sum(r.diverged is not None for r in results),
            })  # fmt: skip
        return pd.DataFrame(rows)

    def differences(self) -> list[str]:
        """Each variant against the first, paired by seed."""
        first = {r.seed: r.test_accuracy for r in self.for_variant(0)}
        lines = []
        for index in range(1, len(self.names)):
            other = {r.seed: r.test_accuracy for r in self.for_variant(index)}
            seeds = sorted(set(first) & set(other))
            if not seeds:
                continue
            difference = paired_difference([first[s] for s in seeds], [other[s] for s in seeds])
            lines.append(describe_difference(f"{LETTERS[index]} ({self.names[index]})",
                                             f"A ({self.names[0]})", difference))  # fmt: skip
        return lines

    def curves_table(self) -> pd.DataFrame:
        rows = []
        for result in self.results:
            for position, step in enumerate(result.curve_steps):
                row = {"variant": LETTERS[result.variant], "name": self.names[result.variant],
                       "seed": result.seed, "step": int(step)}  # fmt: skip
                for curve, values in result.curves.items():
                    row[curve] = float(values[position]) if position < len(values) else None
                rows.append(row)
        return pd.DataFrame(rows)

    def to_json(self) -> str:
        return json.dumps({
            "kind": "mlp-playground-comparison",
            "version": 1,
            "configs": [c.to_dict() for c in self.configs],
            "names": self.names,
            "seeds": self.seeds,
            "steps": self.steps,
            "results": [{
                "variant": r.variant, "seed": r.seed, "steps": r.steps,
                "train_loss": r.train_loss, "train_accuracy": r.train_accuracy,
                "test_loss": r.test_loss, "test_accuracy": r.test_accuracy,
                "curve_steps": r.curve_steps.tolist(),
                "curves": {k: v.tolist() for k, v in r.curves.items()},
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
            results = [_result(r, len(configs)) for r in _list(raw, "results")]
            if len(results) > len(configs) * len(seeds):
                raise ConfigError("it has more results than variants times seeds")
        except ConfigError as error:
            raise ConfigError(f"This comparison file cannot be used: {error}.") from None
        return cls(configs, names, seeds, steps, results, executor="the imported file")


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


def _result(raw: Any, n_variants: int) -> TaskResult:
    if not isinstance(raw, dict):
        raise ConfigError("a result is not an object")
    steps = _series(raw.get("curve_steps"), "curve_steps")
    curves_raw = raw.get("curves")
    if not isinstance(curves_raw, dict):
        raise ConfigError("a result's curves are missing")
    curves = {}
    for name in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        curves[name] = _series(curves_raw.get(name, []), name)
    diverged = raw.get("diverged")
    return TaskResult(
        variant=_int(raw.get("variant"), "variant", 0, n_variants - 1),
        seed=_int(raw.get("seed"), "seed", 0, 2**31 - 1),
        steps=_int(raw.get("steps"), "steps", 0, MAX_SWEEP_STEPS),
        train_loss=_number(raw.get("train_loss"), "train_loss"),
        train_accuracy=_number(raw.get("train_accuracy"), "train_accuracy"),
        test_loss=_number(raw.get("test_loss"), "test_loss"),
        test_accuracy=_number(raw.get("test_accuracy"), "test_accuracy"),
        curve_steps=steps,
        curves=curves,
        seconds=_number(raw.get("seconds", 0.0), "seconds"),
        diverged=None if diverged is None else str(diverged)[:300],
    )

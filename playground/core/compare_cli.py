"""Run a Compare-page seed sweep from the command line: no browser, no server.

    python -m playground.compare PRESET | SETUP.json [--seeds N] [--steps S] [--workers W]
        [--points POINTS.csv]

PRESET is one of the page's presets, by its name or its key, in any case: "Dropout?" or
dropout, l2, max-norm, batch-norm, dropout-max-norm, all-three, l2-vs-dropout. Its variants
train on the preset's own scenario (`ComparePreset.base`) for its steps, and its stored
claims are printed (on stderr) to hold the new figures against.

SETUP.json is either a comparison setup,

    {"base": {"dataset": "circle", "n_points": 400, "label_noise": 0.2, ...},
     "variants": ["base", "dropout:0.5", "weight_decay:0.01;max_norm:2"],
     "steps": 3000}

where "base" is a configuration as `Config.to_dict` writes it (the pages' exported setup;
settings left out take their defaults), "variants" are 2 to 4 changes to it in the page's
link form (`Variant.to_text`: "base" for none, else `setting:value` pairs joined by ";", the
settings of `VARIANT_SETTINGS`) and "steps" (optional, default 3,000) the training budget of
every run; or a comparison the Compare page exported (kind "mlp-playground-comparison"):
its configurations train again, with its steps and, unless --seeds says otherwise, its seeds
(the same seeds give the same figures). --steps overrides the steps in every case.

Every variant trains with seeds 0 … N-1 (default 10; 2 to `MAX_SEEDS`) through the page's own
sweep code (`sweep_tasks`, `run_sweep`, `make_executor`): on a process pool of W workers
(default one per core) or on the Dask cluster `MLP_DASK_SCHEDULER` names; `--workers 1`
trains in this process. Variants that differ only in regularisation start from the same
weights and see the same minibatches, as on the page.

On stdout, one line per variant: its letter and name, its mean test accuracy ± the standard
deviation over the seeds, and for B, C, … the paired difference from A with its 95%
interval, in the page's own words (`describe_difference`):

    A · plain: test accuracy 82.25% ± 3.21 over 10 seeds
    B · dropout 0.5: test accuracy 91.58% ± 4.55 over 10 seeds; B (dropout 0.5) − A
    (plain): +9.3 points, 95% CI +5.1 to +13.6

(the second line is one line on the screen). On a regression set (a curve to fit, or numbers
over the plane) a line gives the mean squared error and R² instead, and the paired difference
is in test MSE, where lower is better:

    A · plain: test MSE 0.0123 ± 0.0040, test R² 0.962 ± 0.012 over 10 seeds

What ran, the progress and a preset's stored claims go to stderr.

Exit codes: 0 done; 1 the sweep could not run (no Dask scheduler, data not loadable); 2 a
bad command line or setup file (one line on stderr, no traceback); 130 stopped with Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

from playground.core.cli import read_text_file
from playground.core.compare import (
    LETTERS,
    MAX_IMPORT_BYTES,
    MAX_SEEDS,
    MAX_SWEEP_STEPS,
    MAX_VARIANTS,
    MIN_VARIANTS,
    PRESET_LIST,
    ComparePreset,
    Comparison,
    SweepError,
    TaskResult,
    Variant,
    data_key,
    differing_settings,
    find_preset,
    make_executor,
    run_sweep,
    sweep_tasks,
    task_data,
    variant_label,
)
from playground.core.config import Config, ConfigError, format_hidden, shorten

__all__ = ["CommandError", "Setup", "load_setup", "main", "parser", "result_lines"]

DEFAULT_SEEDS = 10
DEFAULT_STEPS = 3_000
MAX_WORKERS = 64
SETUP_KEYS = ("base", "variants", "steps")
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class CommandError(Exception):
    """Something a person can fix; the message is the one line to show, `code` the exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Setup:
    """What to sweep: the variants' configurations and names, the step budget, the seeds a
    file asks for (None: 0 … N-1), and the preset it comes from (if any)."""

    configs: list[Config]
    names: list[str]
    steps: int
    seeds: list[int] | None = None
    preset: ComparePreset | None = None
    source: str = ""


# -- inputs ---------------------------------------------------------------------------------


def _preset_keys() -> str:
    return ", ".join(preset.key for preset in PRESET_LIST)


def _names(configs: Sequence[Config]) -> list[str]:
    differing = differing_settings(configs)
    return [variant_label(config, differing) for config in configs]


def load_setup(argument: str) -> Setup:
    """A preset (by name or key) or a setup file. Raises CommandError."""
    preset = find_preset(argument)
    path = Path(argument)
    if preset is not None and not path.is_file():
        return Setup(preset.configs, preset.labels, preset.steps, preset=preset,
                     source=f"the preset {preset.name!r}")  # fmt: skip
    if not path.exists() and path.suffix.lower() != ".json":
        raise CommandError(f"{shorten(argument)} is neither a preset nor a file; presets: "
                           f"{_preset_keys()} (or their names, such as 'Dropout?').")  # fmt: skip
    return _load_file(path)


def _load_file(path: Path) -> Setup:
    text = read_text_file(path, MAX_IMPORT_BYTES, "a setup file", CommandError)
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise CommandError(f"{path}: not valid JSON.") from None
    try:
        if isinstance(raw, dict) and raw.get("kind") == "mlp-playground-comparison":
            comparison = Comparison.from_json(text)
            return Setup(comparison.configs, comparison.names, comparison.steps,
                         seeds=comparison.seeds if len(comparison.seeds) >= 2 else None,
                         source=f"the comparison file {path}")  # fmt: skip
        return _setup_from_dict(raw, path)
    except ConfigError as error:
        raise CommandError(f"{path}: {_one_line(error)}") from None


def _setup_from_dict(raw: Any, path: Path) -> Setup:
    if not isinstance(raw, dict) or "base" not in raw or "variants" not in raw:
        raise ConfigError('A setup is a JSON object with "base" (a configuration) and '
                          '"variants" (2 to 4 of them, such as "base" or "dropout:0.5"), or a '
                          "comparison file the Compare page exported.")  # fmt: skip
    unknown = sorted(shorten(key) for key in set(raw) - set(SETUP_KEYS))
    if unknown:
        raise ConfigError(f"Unknown key{'s' * (len(unknown) > 1)} {', '.join(unknown)}; a "
                          f"setup has {', '.join(SETUP_KEYS)}.")  # fmt: skip
    try:
        base = Config.from_dict(raw["base"])
    except ConfigError as error:
        raise ConfigError(f"base: {error}") from None
    texts = raw["variants"]
    if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
        raise ConfigError('"variants" must be a list of texts such as "base" or "dropout:0.5".')
    if not MIN_VARIANTS <= len(texts) <= MAX_VARIANTS:
        raise ConfigError(f'"variants" has {len(texts)}; a comparison has '
                          f"{MIN_VARIANTS} to {MAX_VARIANTS}.")  # fmt: skip
    configs = []
    for letter, text in zip(LETTERS, texts, strict=False):
        variant, notes = Variant.from_text(text)
        if notes:
            raise ConfigError(f"variant {letter}: {notes[0]}")
        configs.append(variant.config(base))
    steps = raw.get("steps", DEFAULT_STEPS)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_SWEEP_STEPS:
        raise ConfigError(f'"steps" must be a whole number from 1 to {MAX_SWEEP_STEPS:,}, not '
                          f"{shorten(steps)}.")  # fmt: skip
    return Setup(configs, _names(configs), steps, source=f"the setup file {path}")


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def load_points(setup: Setup, points: str | None) -> bytes | None:
    """The CSV of points, when the setup trains on "csv". Raises CommandError."""
    if not any(config.dataset == "csv" for config in setup.configs):
        if points is not None:
            raise CommandError('--points is only for a setup whose data set is "csv".')
        return None
    if points is None:
        raise CommandError('The setup trains on "csv" points: give the file with --points '
                           "POINTS.csv.")  # fmt: skip
    try:
        return Path(points).read_bytes()
    except OSError as error:
        raise CommandError(f"{points}: cannot be read ({error.strerror or error}).") from None


def check_data(setup: Setup, csv: bytes | None) -> None:
    """Load each variant's data once here, so a problem is one line, not a worker's
    traceback. Raises CommandError (exit code 1)."""
    from mlp import datasets

    for key in {data_key(config) for config in setup.configs}:
        try:
            task_data(key, csv)
        except datasets.DataError as error:
            raise CommandError(_one_line(error), EXIT_FAILED) from None


# -- the command line -----------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (CommandError), not the usage and a message."""

    def error(self, message: str) -> NoReturn:
        raise CommandError(f"{message} (see --help).")


def _whole(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{shorten(text)} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:,} to {high:,}, not {value:,}")
        return value

    return parse


def parser() -> argparse.ArgumentParser:
    command = _Parser(
        prog="python -m playground.compare",
        description="Run a Compare-page seed sweep of a preset or a setup file without a "
        "browser: each variant's test accuracy over the seeds and its paired difference from "
        "variant A (on a regression set: its test MSE, lower is better, and R²).",
        epilog="Presets: " + _preset_keys() + ". Exit codes: 0 done, 1 the sweep could not "
        "run, 2 bad command line or setup file, 130 stopped with Ctrl-C.",
    )
    command.add_argument("setup", metavar="PRESET_OR_SETUP.json",
                         help="a preset's name or key, or a setup or comparison file")  # fmt: skip
    command.add_argument("--seeds", type=_whole(2, MAX_SEEDS), metavar="N",
                         help=f"train every variant with seeds 0 … N-1 (2 to {MAX_SEEDS}; "
                              f"default {DEFAULT_SEEDS}, or an exported file's)")  # fmt: skip
    command.add_argument("--steps", type=_whole(1, MAX_SWEEP_STEPS), metavar="S",
                         help="steps of every run (default: the preset's or file's)")  # fmt: skip
    command.add_argument("--workers", type=_whole(1, MAX_WORKERS), metavar="W",
                         help="processes to train on (default one per core; 1 trains in "
                              "this process)")  # fmt: skip
    command.add_argument("--points", metavar="POINTS.csv",
                         help='the CSV of points, for a setup whose data set is "csv"')  # fmt: skip
    return command


# -- output ---------------------------------------------------------------------------------


def result_lines(comparison: Comparison) -> list[str]:
    """One line per variant: mean test accuracy (on a regression the test MSE and R²) ± sd
    over the seeds, and for B, C, … the paired difference from A, in the page's words
    (`Comparison.summary`, `.differences`)."""
    summary = comparison.summary()
    differences = {line[:1]: line for line in comparison.differences()}
    regression = comparison.regression
    lines = []
    for _, row in summary.iterrows():
        letter = row["Variant"][:1]
        if regression:
            figures = f"test MSE {row['Test MSE']}, test R² {row['Test R²']}"
        else:
            figures = f"test accuracy {row['Test accuracy']}"
        line = f"{row['Variant']}: {figures} over {row['Seeds']} seeds"
        if row["Diverged"]:
            line += f" (diverged in {row['Diverged']})"
        if letter in differences:
            line += f"; {differences[letter]}"
        lines.append(line)
    return lines


def describe_base(config: Config) -> str:
    """The shared setup in a few words."""
    if config.is_images:
        data = f"{config.dataset} ({config.source})"
    elif config.is_regression:  # numbers to predict: no classes to flip
        data = (f"{config.dataset} (regression), {config.n_points:,} points "
                f"({config.train_share:.0%} for training), noise {config.noise:.0%}")  # fmt: skip
    else:
        data = (f"{config.dataset}, {config.n_points:,} points ({config.train_share:.0%} "
                f"for training), noise {config.noise:.0%}, label noise "
                f"{config.label_noise:.0%}")  # fmt: skip
    return (f"{data}; layers {format_hidden(config.hidden)}, {config.init} init; "
            f"{config.optimizer} lr {config.lr:g}, batch {config.batch_size}")  # fmt: skip


class _Progress:
    """The count of runs done, on stderr: redrawn on a terminal, a line at every tenth
    elsewhere."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream, self.total = stream, total
        self.interactive = bool(getattr(stream, "isatty", lambda: False)())
        self._tenth = 0

    def update(self, done: int, elapsed: float) -> None:
        text = f"{done} of {self.total} runs, {elapsed:.0f} s"
        if self.interactive:
            self.stream.write("\r" + text + ("\n" if done == self.total else ""))
        elif done * 10 // self.total > self._tenth:
            self._tenth = done * 10 // self.total
            self.stream.write(text + "\n")
        self.stream.flush()


# -- the command ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:  # fmt: skip
    """Run the command; the exit code."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    try:
        args = parser().parse_args(argv)
        setup = load_setup(args.setup)
        csv = load_points(setup, args.points)
        check_data(setup, csv)
    except CommandError as error:
        print(f"error: {error}", file=err)
        return error.code
    steps = args.steps or setup.steps
    seeds = list(range(args.seeds)) if args.seeds else (setup.seeds or list(range(DEFAULT_SEEDS)))
    workers = args.workers or os.cpu_count() or 1
    tasks = sweep_tasks(setup.configs, seeds, steps, csv)

    if workers == 1:
        import threadpoolctl

        threadpoolctl.threadpool_limits(limits=1, user_api="blas")  # as a pool's workers do
        executor, where = None, "this process"
    else:
        try:
            executor, where = make_executor(workers)
        except SweepError as error:
            print(f"error: {_one_line(error)}", file=err)
            return EXIT_FAILED
    if setup.preset is not None:
        print(f"{setup.preset.name} — {setup.preset.question}", file=err)
    print(f"Running {setup.source}: {describe_base(setup.configs[0])}", file=err)
    print(f"{len(setup.configs)} variants × {len(seeds)} seeds × {steps:,} steps = "
          f"{len(tasks)} runs on {where}", file=err, flush=True)  # fmt: skip

    results: list[TaskResult] = []
    progress = _Progress(err, len(tasks))
    started = time.perf_counter()
    sweep = run_sweep(tasks, executor)
    try:
        for result in sweep:
            results.append(result)
            progress.update(len(results), time.perf_counter() - started)
    except KeyboardInterrupt:
        sweep.close()
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        print("Stopped with Ctrl-C.", file=err)
        return EXIT_INTERRUPTED
    except Exception as error:  # a worker's failure: one line, not its traceback
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        print(f"error: a run failed: {_one_line(error) or type(error).__name__}", file=err)
        return EXIT_FAILED
    if executor is not None:
        executor.shutdown(wait=True)
    seconds = time.perf_counter() - started

    comparison = Comparison(setup.configs, setup.names, seeds, steps, results, where, seconds)
    print("\n".join(result_lines(comparison)), file=out, flush=True)
    print(f"{len(results)} runs in {seconds:.1f} s on {where}.", file=err)
    if setup.preset is not None and setup.preset.claims:
        print("Stored claims of the preset (benchmarks/presets.py measures them):", file=err)
        for words in setup.preset.claim_words():
            print(f"  {words}", file=err)
    return EXIT_OK

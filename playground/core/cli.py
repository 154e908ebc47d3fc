"""Train one configuration from the command line: no browser, no server.

    python -m playground.train CONFIG.json [--epochs N | --steps N] [--seconds S]
        [--save-weights model.npz] [--save-curves curves.csv] [--data-dir DIR]
        [--points POINTS.csv] [--export-notebook FILE.ipynb] [--export-script FILE.py]
        [--export-torch FILE.py]

CONFIG.json is a configuration as the pages export it (`Config.to_json`); settings it leaves
out take their defaults. Training stops after N epochs or N steps (default: 10 epochs), after
S seconds, or at Ctrl-C, whichever comes first; a progress bar runs on stderr. The run is the
pages' own (`session.Run`): the same configuration and seed give the same weights and the
same curves as on a page. It trains with one BLAS thread, as the app does.

At the end the final metrics are printed on stdout, computed on the whole training and test
sets (the pages' tiles and curves use at most 2,000 fixed rows of each). `--save-weights`
writes the network as a NumPy `.npz` (plain arrays, no pickle: the model file the pages save
and load, see `playground.core.model_io`), `--save-curves` the evaluation curves as CSV (see
`CURVE_COLUMNS`). The exports write the run as a plain NumPy notebook or script that trains
the same network on the same data to the same numbers (`playground.core.export`), and as a
PyTorch twin that loads the weights from the `--save-weights` file.

Exit codes: 0 done; 1 the data could not be loaded or training diverged (the files are still
written); 2 a bad command line or configuration file (one line on stderr, no traceback);
130 stopped with Ctrl-C (the files are still written).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import threadpoolctl

from mlp import datasets
from playground.core import export
from playground.core.compare import data_key, task_data
from playground.core.config import Config, ConfigError, shorten
from playground.core.data import TrainingData, make_image_set
from playground.core.model_io import save_model
from playground.core.session import Run, make_run

__all__ = [
    "CURVE_COLUMNS",
    "CommandError",
    "FinalMetrics",
    "load_config",
    "load_data",
    "main",
    "train",
]

DEFAULT_EPOCHS = 10
MAX_CONFIG_BYTES = 1_000_000  # a configuration is a few hundred bytes
CURVE_COLUMNS = ("step", "epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy")
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class CommandError(Exception):
    """Something a person can fix; the message is the one line to show, `code` the exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


# -- inputs ---------------------------------------------------------------------------------


def read_text_file(path: Path, limit: int, what: str, error: type[Exception]) -> str:
    """A JSON file's text, at most `limit` bytes; `error` raised with the file's name and the
    problem in words (missing, a folder, too big, not UTF-8, unreadable)."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise error(f"{path}: {size:,} bytes is too big for {what} (at most {limit:,}).")
        return path.read_text(encoding="utf-8-sig")  # a BOM from a Windows editor is fine
    except FileNotFoundError:
        raise error(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not {what}.") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not a text file (UTF-8 JSON expected).") from None
    except OSError as problem:
        raise error(f"{path}: cannot be read ({problem.strerror or problem}).") from None


def load_config(path: str | Path) -> Config:
    """The configuration in a JSON file. Raises CommandError naming the file and the problem."""
    path = Path(path)
    text = read_text_file(path, MAX_CONFIG_BYTES, "a configuration file", CommandError)
    try:
        return Config.from_json(text)
    except ConfigError as error:
        raise CommandError(f"{path}: {error}") from None
    except (TypeError, ValueError) as error:  # anything Config's own checks did not word
        raise CommandError(f"{path}: not a valid configuration ({error}).") from None


def load_data(
    config: Config, data_dir: str | None = None, points: str | None = None, log: TextIO = sys.stderr
) -> TrainingData:
    """The data the configuration trains on: images from `data_dir` (downloaded if missing),
    the points of the file `points` when the data set is "csv", else the toy set. Built as a
    seed sweep builds it (`compare.task_data`), so the data are the pages' own. Raises
    CommandError."""
    try:
        if config.is_images:
            images = datasets.load_images(
                config.dataset, config.source, data_dir, progress=_download_report(log)
            )
            return make_image_set(images)
        content = None
        if config.dataset == "csv":
            if points is None:
                raise CommandError('The configuration trains on "csv" points: give the file '
                                   "with --points POINTS.csv.")  # fmt: skip
            content = Path(points).read_bytes()
        return task_data(data_key(config), content)
    except datasets.DataError as error:
        raise CommandError(str(error), EXIT_FAILED) from None
    except OSError as error:  # the points file
        raise CommandError(f"{points}: cannot be read ({error.strerror or error}).") from None


def _download_report(log: TextIO):
    last = [-1.0]

    def report(fraction: float, message: str) -> None:
        if fraction >= 1.0 or fraction - last[0] >= 0.1:
            last[0] = fraction
            print(f"{message} ({fraction:.0%})", file=log, flush=True)

    return report


# -- training -------------------------------------------------------------------------------


class ProgressBar:
    """A one-line bar on a terminal (redrawn at most ten times a second); elsewhere (a log
    file, a pipe) a line at every tenth of the way."""

    WIDTH = 28

    def __init__(self, stream: TextIO, total_steps: int | None, seconds: float | None) -> None:
        self.stream = stream
        self.total_steps = total_steps
        self.seconds = seconds
        self.interactive = bool(getattr(stream, "isatty", lambda: False)())
        self._last_draw = -math.inf
        self._last_tenth = -1
        self._last_step = -1

    def fraction(self, step: int, elapsed: float) -> float:
        parts = []
        if self.total_steps:
            parts.append(step / self.total_steps)
        if self.seconds:
            parts.append(elapsed / self.seconds)
        return min(max(parts, default=0.0), 1.0)

    def update(self, run: Run, elapsed: float, force: bool = False) -> None:
        step = run.trainer.step_count
        if step == self._last_step and not self.interactive:
            return
        fraction = self.fraction(step, elapsed)
        if self.interactive:
            if not force and elapsed - self._last_draw < 0.1:
                return
            self._last_draw = elapsed
            end = "\r"
        else:
            tenth = int(fraction * 10)
            if not force and tenth <= self._last_tenth:
                return
            self._last_tenth = tenth
            end = "\n"
        self._last_step = step
        filled = round(fraction * self.WIDTH)
        total = f"/{self.total_steps:,}" if self.total_steps else ""
        line = (f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {fraction:4.0%}  "
                f"step {step:,}{total}  epoch {run.trainer.epoch_progress:.2f}  "
                f"loss {run.step_loss.last_y:.4g}  {elapsed:.1f} s")  # fmt: skip
        self.stream.write(line.ljust(90) + end if self.interactive else line + end)
        self.stream.flush()

    def close(self) -> None:
        if self.interactive:
            self.stream.write("\n")
            self.stream.flush()


@dataclass(frozen=True)
class FinalMetrics:
    """The end of a run: loss and accuracy on the whole training and test sets (test None
    without test rows), its length, and its speed (samples per second of training)."""

    train_loss: float
    train_accuracy: float
    test_loss: float | None
    test_accuracy: float | None
    steps: int
    epochs: float
    seconds: float
    samples_per_second: float
    n_train: int
    n_test: int
    diverged: str | None
    interrupted: bool

    def lines(self) -> list[str]:
        def number(value: float | None, percent: bool = False) -> str:
            if value is None:
                return "-"
            return f"{value:.2%}" if percent else f"{value:.4f}"

        rows = [
            ("train loss", number(self.train_loss)),
            ("train accuracy", number(self.train_accuracy, percent=True)),
            ("test loss", number(self.test_loss)),
            ("test accuracy", number(self.test_accuracy, percent=True)),
            ("steps", f"{self.steps:,}"),
            ("epochs", f"{self.epochs:.2f}"),
            ("seconds", f"{self.seconds:.2f}"),
            ("samples/s", f"{self.samples_per_second:,.0f}"),
        ]
        head = (f"Final metrics (all {self.n_train:,} training and {self.n_test:,} test "
                "rows):")  # fmt: skip
        return [head] + [f"  {name:<16}{value}" for name, value in rows]


def train(
    run: Run,
    max_steps: int | None,
    seconds: float | None,
    progress: ProgressBar | None = None,
) -> tuple[float, bool]:
    """Step `run` until `max_steps` steps in all, `seconds` of training, divergence or
    Ctrl-C; (the seconds it trained, whether Ctrl-C stopped it)."""
    start = time.perf_counter()
    deadline = None if seconds is None else start + seconds
    interrupted = False
    try:
        while max_steps is None or run.trainer.step_count < max_steps:
            now = time.perf_counter()
            if deadline is not None and now >= deadline:
                break
            if not run.step():
                break
            if progress is not None:
                progress.update(run, now - start)
    except KeyboardInterrupt:
        interrupted = True
    elapsed = time.perf_counter() - start
    if progress is not None:
        progress.update(run, elapsed, force=True)
        progress.close()
    return elapsed, interrupted


def final_metrics(run: Run, seconds: float, interrupted: bool) -> FinalMetrics:
    data, trainer = run.data, run.trainer
    train_loss, train_accuracy = trainer.evaluate(data.inputs_train, data.y_train)
    test_loss = test_accuracy = None
    if len(data.y_test):
        test_loss, test_accuracy = trainer.evaluate(data.inputs_test, data.y_test)
    return FinalMetrics(
        train_loss=train_loss,
        train_accuracy=train_accuracy,
        test_loss=test_loss,
        test_accuracy=test_accuracy,
        steps=trainer.step_count,
        epochs=trainer.epoch_progress,
        seconds=seconds,
        samples_per_second=trainer.step_count * trainer.batch_size / seconds if seconds else 0.0,
        n_train=len(data.y_train),
        n_test=len(data.y_test),
        diverged=trainer.diverged,
        interrupted=interrupted,
    )


# -- outputs --------------------------------------------------------------------------------


def save_weights(path: Path, run: Run) -> None:
    """The model file the pages save and load (`playground.core.model_io`): arrays per layer
    (`hidden1.W`, ..., `output.b`), `config` and `shape`; plain arrays, no pickle."""
    data = run.data
    content = save_model(run.network, run.config, data.inputs_train.shape[1],
                         len(data.class_names))  # fmt: skip
    path.write_bytes(content)


def curve_rows(run: Run) -> list[dict[str, float | int | str]]:
    """The evaluation curves as the pages draw them (at the end of every epoch, on at most
    2,000 fixed rows of each split), plus the final step when it is not the end of an epoch."""
    curves = {name: (series.x, series.y) for name, series in run.curves.items()}
    steps, train_loss = curves["train_loss"]
    has_test = len(curves["test_loss"][0]) == len(steps)
    per_epoch = run.trainer.batches_per_epoch
    rows = []
    for index, step in enumerate(steps):
        row = {"step": int(round(step)), "epoch": round(step / per_epoch, 4),
               "train_loss": train_loss[index],
               "train_accuracy": curves["train_accuracy"][1][index]}  # fmt: skip
        row["test_loss"] = curves["test_loss"][1][index] if has_test else ""
        row["test_accuracy"] = curves["test_accuracy"][1][index] if has_test else ""
        rows.append(row)
    step = run.trainer.step_count
    if not rows or rows[-1]["step"] != step:
        snapshot = run.snapshot()
        rows.append({
            "step": step, "epoch": round(run.trainer.epoch_progress, 4),
            "train_loss": snapshot.train_loss, "train_accuracy": snapshot.train_accuracy,
            "test_loss": "" if snapshot.test_loss is None else snapshot.test_loss,
            "test_accuracy": "" if snapshot.test_accuracy is None else snapshot.test_accuracy,
        })  # fmt: skip
    return rows


def save_exports(args: argparse.Namespace, run: Run, data_dir: str | None, out: TextIO) -> None:
    """The notebook, the script and the PyTorch twin the command line asked for."""
    config, data, steps = run.config, run.data, run.trainer.step_count
    data_path = None
    if config.is_images and config.source == "full":
        data_path = str(datasets.dataset_folder(config.dataset, data_dir))
    if args.export_notebook is not None:
        text = export.export_notebook(config, data, steps, data_path=data_path)
        args.export_notebook.write_text(text, encoding="utf-8")
        print(f"Notebook written to {args.export_notebook}", file=out)
    if args.export_script is not None:
        text = export.export_script(config, data, steps, data_path=data_path)
        args.export_script.write_text(text, encoding="utf-8")
        print(f"Script written to {args.export_script}", file=out)
    if args.export_torch is not None:
        text = export.export_torch_twin(config, data, model_file=str(args.save_weights),
                                        data_path=data_path)  # fmt: skip
        args.export_torch.write_text(text, encoding="utf-8")
        print(f"PyTorch twin written to {args.export_torch}", file=out)


def save_curves(path: Path, run: Run) -> None:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=CURVE_COLUMNS)
        writer.writeheader()
        writer.writerows(curve_rows(run))


# -- the command ----------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shorten(text)} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shorten(text)} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="python -m playground.train",
        description="Train an MLP Playground configuration without a browser.",
        epilog="Exit codes: 0 done, 1 data not available or training diverged, 2 bad command "
        "line or configuration, 130 stopped with Ctrl-C.",
    )
    command.add_argument("config", metavar="CONFIG.json",
                         help="a configuration as the pages export it")  # fmt: skip
    budget = command.add_mutually_exclusive_group()
    budget.add_argument("--epochs", type=_positive_int, metavar="N",
                        help=f"train N epochs (default {DEFAULT_EPOCHS}, unless --steps or "
                             "--seconds is given)")  # fmt: skip
    budget.add_argument("--steps", type=_positive_int, metavar="N", help="train N minibatches")
    command.add_argument("--seconds", type=_positive_seconds, metavar="S",
                         help="stop after S seconds of training at the latest")  # fmt: skip
    command.add_argument("--save-weights", type=Path, metavar="FILE.npz",
                         help="write the trained weights as a NumPy .npz (no pickle)")  # fmt: skip
    command.add_argument("--save-curves", type=Path, metavar="FILE.csv",
                         help="write the evaluation curves as CSV")  # fmt: skip
    command.add_argument("--data-dir", metavar="DIR",
                         help="folder of the full image sets (default: MLP_DATA_DIR or the "
                              "user's cache)")  # fmt: skip
    command.add_argument(
        "--points",
        metavar="POINTS.csv",
        help='the CSV of points, for a configuration whose data set is "csv"',
    )
    command.add_argument("--export-notebook", type=Path, metavar="FILE.ipynb",
                         help="write the run as a plain NumPy Jupyter notebook that "
                              "reproduces it")  # fmt: skip
    command.add_argument("--export-script", type=Path, metavar="FILE.py",
                         help="write the run as a plain NumPy script that reproduces "
                              "it")  # fmt: skip
    command.add_argument("--export-torch", type=Path, metavar="FILE.py",
                         help="write a PyTorch script that loads the --save-weights file "
                              "(needs --save-weights)")  # fmt: skip
    return command


def _check_output(path: Path | None) -> None:
    """Fail before training, not after, when an output cannot be written."""
    if path is None:
        return
    if path.is_dir():
        raise CommandError(f"{path}: is a folder; give a file name.")
    if not path.parent.is_dir():
        raise CommandError(f"{path}: the folder {path.parent} does not exist.")


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:  # fmt: skip
    """Run the command; the exit code."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    args = parser().parse_args(argv)  # a bad command line exits with 2 and argparse's message
    try:
        config = load_config(args.config)
        outputs = (args.save_weights, args.save_curves, args.export_notebook,
                   args.export_script, args.export_torch)  # fmt: skip
        for output in outputs:
            _check_output(output)
        if args.export_torch is not None and args.save_weights is None:
            raise CommandError("--export-torch loads the trained weights: give --save-weights "
                               "FILE.npz too.")  # fmt: skip
        data = load_data(config, args.data_dir, args.points, log=err)
    except CommandError as error:
        print(f"error: {error}", file=err)
        return error.code
    # One BLAS thread, as the app runs: on a busy machine BLAS threads that spin waiting for
    # a core made a small network train ten times slower. The estimates of `presets` assume it.
    threadpoolctl.threadpool_limits(limits=1, user_api="blas")
    run = make_run(config, data)
    max_steps = args.steps
    if args.epochs is not None or (args.steps is None and args.seconds is None):
        max_steps = (args.epochs or DEFAULT_EPOCHS) * run.trainer.batches_per_epoch
    progress = ProgressBar(err, max_steps, args.seconds)
    seconds, interrupted = train(run, max_steps, args.seconds, progress)
    metrics = final_metrics(run, seconds, interrupted)
    if metrics.diverged:
        print(metrics.diverged, file=err)
    if interrupted:
        print("Stopped with Ctrl-C.", file=err)
    print("\n".join(metrics.lines()), file=out)
    try:
        if args.save_weights is not None:
            save_weights(args.save_weights, run)
            print(f"Weights written to {args.save_weights}", file=out)
        if args.save_curves is not None:
            save_curves(args.save_curves, run)
            print(f"Curves written to {args.save_curves}", file=out)
        save_exports(args, run, data_dir=args.data_dir, out=out)
    except OSError as error:
        print(f"error: cannot write {error.filename}: {error.strerror or error}", file=err)
        return EXIT_FAILED
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAILED if metrics.diverged else EXIT_OK

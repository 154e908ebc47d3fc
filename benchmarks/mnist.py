"""Training on MNIST and Fashion-MNIST: speed, accuracy within a time budget, and what the open
MNIST page costs. Prints figures and asserts nothing.

    MLP_DATA_DIR=/work/shared/data python benchmarks/mnist.py [--budget 60]
        [--fashion-budget 300] [--presets quick-sample,dropout,...] [--page-seconds 15]
        [--rounds 2] [--no-page] [--quick]

1. Within a budget, per preset: the quality-target presets (`playground.core.presets.
   TARGET_PRESETS`) and every variant of the paper presets. The offline-sample ones (4,000
   training and 1,000 test images) train for `--budget` seconds; full Fashion-MNIST, read
   from the folder MLP_DATA_DIR names, for `--fashion-budget` seconds (left out, with the
   reason, when the four files are not there: this benchmark never downloads). Each trains
   through the headless command's own code (`playground.core.cli`: `load_data`, `Run`, `train`
   and `final_metrics`) with one BLAS thread, as the command and the app run. Printed: epochs
   done, the median time per epoch, samples per second (the evaluations at the ends of
   epochs included, as the command counts them), the test accuracy at the end, the mean of
   the last five epochs' ends, the best end of an epoch and when it was first reached, and
   when the quality target was first reached (all on the whole test set). At the end of
   every epoch the weights are copied (a few milliseconds, inside the clock) and scored on
   the whole test set after the clock stops, so the timings hold no evaluation the command
   would not do. A preset whose claim is on the real MNIST test set (`TargetPreset.test_set`
   "mnist-test": trained on the offline sample, scored on all 10,000 real test digits from
   `MLP_TEST_DATA_DIR/mnist-test/` or `shared/data/mnist-test/` beside the repository) is
   scored there instead, every figure of its row; left out, with the reason, without them.
2. Page open against engine alone, per preset (its first variant, the one the page's Load
   button sets): `streamlit run app.py` on 127.0.0.1 and headless Chromium (Playwright
   driving /usr/bin/chromium) open the MNIST page on the preset's link and press Play; the
   step counter is read in the page every 50 ms and the rate taken between its first and
   last change in a `--page-seconds` window (after a warm-up). The engine alone is the
   headless command's loop in this process, with the server paused, for the same time;
   both use one BLAS thread. The two take turns (engine, page, engine, page, ...) for
   `--rounds` rounds and the medians are compared. Left out, with the reason, without
   Playwright or Chromium.

`--quick` is a smoke run: a few seconds per preset and one short round of the page. Figures
drift by about ±20% on a shared machine; the load average is printed at the start and end.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # run as a script: make `mlp`, `appdriver` importable
sys.path.insert(0, str(Path(__file__).resolve().parent))  # `real_mnist`, beside this script

import numpy as np  # noqa: E402
import threadpoolctl  # noqa: E402
from real_mnist import real_mnist_test  # noqa: E402

from mlp import datasets  # noqa: E402
from mlp.datasets.images import DATA_DIR_VARIABLE, missing_files  # noqa: E402
from playground.core.cli import FinalMetrics, final_metrics, load_data, train  # noqa: E402
from playground.core.config import Config, format_hidden  # noqa: E402
from playground.core.data import TrainingData  # noqa: E402
from playground.core.links import View, link_query  # noqa: E402
from playground.core.model_io import named_arrays  # noqa: E402
from playground.core.presets import FASHION, PRESETS, QUICK_SAMPLE, TARGET_PRESETS  # noqa: E402
from playground.core.session import Run, make_run  # noqa: E402

# The quality targets (`playground.core.presets.TARGET_PRESETS`): test accuracy within a budget.
SAMPLE_TARGET, SAMPLE_BUDGET = QUICK_SAMPLE.target_accuracy, QUICK_SAMPLE.target_seconds
FASHION_BUDGET = FASHION.target_seconds
PAGE_TARGET = 0.70  # page-open samples/s as a share of the engine alone
PAGE_SECONDS, PAGE_WARMUP, PAGE_ROUNDS = 15.0, 5.0, 2
QUICK = {"budget": 3.0, "fashion_budget": 5.0, "page_seconds": 3.0, "rounds": 1}
SETTLED_EPOCHS = 5
THREADS = 1  # BLAS threads, as the headless command and the app run
LOAD_TIMEOUT_MS = 120_000  # the full Fashion-MNIST set loads once per server


# -- 1. accuracy within a budget --------------------------------------------------------------


@dataclass(frozen=True)
class BenchmarkPreset:
    """One configuration to train: its preset's key, a name to print, the quality target, and
    whether the page is measured on it (a preset's first variant: what Load sets)."""

    key: str
    name: str
    config: Config
    target: float
    on_page: bool
    test_set: str = "split"  # or "mnist-test": scored on the real 10,000 MNIST test digits


def benchmark_presets() -> list[BenchmarkPreset]:
    """The quality-target presets on the offline sample, every variant of the paper presets,
    then the quality-target presets on full sets (the longest runs last)."""
    targets = [BenchmarkPreset(preset.key, preset.title, preset.config,
                               preset.target_accuracy, True, preset.test_set)
               for preset in TARGET_PRESETS]  # fmt: skip
    chosen = [preset for preset in targets if preset.config.source == "sample"]
    for preset in PRESETS:
        for index, variant in enumerate(preset.variants):
            name = f"{preset.key}: {variant.name}"
            chosen.append(BenchmarkPreset(preset.key, name, variant.config, SAMPLE_TARGET,
                                          index == 0))  # fmt: skip
    return chosen + [preset for preset in targets if preset.config.source != "sample"]


@dataclass(frozen=True)
class EpochPoint:
    """The end of one epoch: seconds of training so far, and the whole test set's accuracy."""

    seconds: float
    epoch: int
    step: int
    test_accuracy: float


@dataclass(frozen=True)
class BudgetResult:
    """A run within a budget: the command's final metrics and the end of every epoch."""

    metrics: FinalMetrics
    epochs: list[EpochPoint]
    target: float
    final_accuracy: float | None = None  # at the end, on the set the epochs are scored on

    @property
    def seconds_per_epoch(self) -> float | None:
        times = [0.0] + [point.seconds for point in self.epochs]
        durations = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
        return statistics.median(durations) if durations else None

    @property
    def best(self) -> EpochPoint | None:
        """The epoch with the highest test accuracy (the first, on a tie)."""
        return max(self.epochs, key=lambda point: point.test_accuracy, default=None)

    @property
    def settled(self) -> float | None:
        """The mean test accuracy of the last SETTLED_EPOCHS epochs: steadier than one epoch's
        (1,000 test images resolve about ±0.6 points at 96%)."""
        last = [point.test_accuracy for point in self.epochs[-SETTLED_EPOCHS:]]
        return statistics.mean(last) if last else None

    @property
    def reached(self) -> EpochPoint | None:
        """The first epoch at or above the target, if any."""
        return next((p for p in self.epochs if p.test_accuracy >= self.target), None)


class EpochRecorder:
    """Takes the place of the command's progress bar: `train` calls `update` after every
    step. At the end of an epoch it keeps a copy of the weights and the training time."""

    def __init__(self, run: Run) -> None:
        self.started = time.perf_counter()
        self.epoch = run.trainer.epoch
        self.saved: list[tuple[float, int, int, dict[str, np.ndarray]]] = []

    def update(self, run: Run, elapsed: float, force: bool = False) -> None:
        if run.trainer.epoch != self.epoch:
            self.epoch = run.trainer.epoch
            seconds = time.perf_counter() - self.started
            self.saved.append((seconds, self.epoch, run.trainer.step_count,
                               named_arrays(run.network)))  # fmt: skip

    def close(self) -> None:
        pass

    def points(self, run: Run, test: tuple[np.ndarray, np.ndarray] | None = None
               ) -> list[EpochPoint]:  # fmt: skip
        """Each kept epoch's accuracy on the whole test set, or on `test` (inputs, labels)
        when given (the run's weights are put back)."""
        inputs, labels = test if test is not None else (run.data.inputs_test, run.data.y_test)
        if not len(labels):
            return []
        final = named_arrays(run.network)
        points = []
        for seconds, epoch, step, arrays in self.saved:
            _load_weights(run, arrays)
            _, accuracy = run.trainer.evaluate(inputs, labels)
            points.append(EpochPoint(seconds, epoch, step, accuracy))
        _load_weights(run, final)
        return points


def _load_weights(run: Run, arrays: dict[str, np.ndarray]) -> None:
    for name, target in named_arrays(run.network, copy=False).items():
        target[...] = arrays[name]


def train_within(config: Config, data: TrainingData, seconds: float, target: float,
                 max_steps: int | None = None,
                 test: tuple[np.ndarray, np.ndarray] | None = None) -> BudgetResult:  # fmt: skip
    """Train `config` the way `python -m playground.train CONFIG --seconds S` does, for
    `seconds` (or `max_steps` steps, whichever comes first), one BLAS thread; the epochs and
    the end scored on `test` (inputs, labels) if given, else on the data's test split."""
    with threadpoolctl.threadpool_limits(limits=THREADS, user_api="blas"):
        run = make_run(config, data)
        recorder = EpochRecorder(run)
        trained, interrupted = train(run, max_steps, seconds, recorder)
        metrics = final_metrics(run, trained, interrupted)
        final = metrics.test_accuracy
        if test is not None:
            final = run.trainer.evaluate(*test)[1]
        return BudgetResult(metrics, recorder.points(run, test), target, final)


def preset_budget(preset: BenchmarkPreset, args: argparse.Namespace) -> float:
    """A real-test-set preset trains for its own claim's time (`--budget` is the minute of
    the sample's quick start), or a few seconds in a smoke run."""
    if args.quick:
        return args.budget
    return next(p.target_seconds for p in TARGET_PRESETS if p.key == preset.key)


def full_set_folder(name: str) -> tuple[Path | None, str]:
    """The folder of the full set `name` under MLP_DATA_DIR, or None and why not."""
    data_dir = os.environ.get(DATA_DIR_VARIABLE)
    if not data_dir:
        return None, f"{DATA_DIR_VARIABLE} is not set"
    missing = missing_files(name, data_dir)  # never downloaded here
    if missing:
        return None, f"{datasets.dataset_folder(name, data_dir)} lacks {', '.join(missing)}"
    return Path(data_dir), ""


def print_budget_table(results: list[tuple[BenchmarkPreset, float, BudgetResult]]) -> None:
    settled = f"last {SETTLED_EPOCHS}"
    print(f"\n{'preset':<44}{'budget':>7}{'epochs':>8}{'s/epoch':>9}{'samples/s':>11}"
          f"{'final':>8}{settled:>8}{'best':>8}{'at':>8}   target")  # fmt: skip
    for preset, budget, result in results:
        m, best, reached = result.metrics, result.best, result.reached
        per_epoch = result.seconds_per_epoch
        line = (f"{preset.name[:43]:<44}{budget:>6.0f}s{m.epochs:>8.1f}"
                f"{'-' if per_epoch is None else f'{per_epoch:.2f}':>9}"
                f"{m.samples_per_second:>11,.0f}{_percent(result.final_accuracy):>8}"
                f"{_percent(result.settled):>8}{_percent(best and best.test_accuracy):>8}"
                f"{'-' if best is None else f'{best.seconds:.1f}s':>8}   ")  # fmt: skip
        goal = f"{preset.target:.1%}"
        if reached is not None:
            line += f"{goal} met at {reached.seconds:.1f} s (epoch {reached.epoch})"
        else:
            line += f"{goal} not met"
        if m.diverged:
            line += f"; {m.diverged}"
        if preset.test_set == "mnist-test":
            line += "; on the real MNIST test set (10,000 digits)"
        print(line, flush=True)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"


# -- 2. the page open against the engine alone ------------------------------------------------

# Installed in the page: every 50 ms, in the page itself (no round trip to Python), the step
# counter's text, with the time of each change.
COUNTER_JS = """() => {
    if (window.__steps) clearInterval(window.__steps.timer);
    const steps = {changes: [], last: null};
    window.__steps = steps;
    steps.poll = () => {
        const metric = document.querySelector('[data-testid="stMetricValue"]');
        const text = metric ? metric.innerText : null;
        if (text !== null && text !== steps.last) {
            steps.changes.push([performance.now(), text]);
            steps.last = text;
        }
    };
    steps.poll();
    steps.timer = setInterval(steps.poll, 50);
    return performance.now();
}"""
READ_COUNTER_JS = "() => { window.__steps.poll(); return window.__steps.changes; }"
SPEED_PATTERN = re.compile(r"Speed:\s*([\d,.]+)\s*samples/s")


@dataclass
class PageRates:
    """Samples per second, page open (from the step counter) and engine alone, per round."""

    page: list[float] = field(default_factory=list)
    shown: list[float] = field(default_factory=list)  # what the page itself reported
    engine: list[float] = field(default_factory=list)


def engine_rate(config: Config, data: TrainingData, seconds: float, warmup: float) -> float:
    """Samples per second of the headless command's loop after `warmup` seconds of it."""
    with threadpoolctl.threadpool_limits(limits=THREADS, user_api="blas"):
        run = make_run(config, data)
        train(run, None, warmup)
        first = run.trainer.step_count
        trained, _ = train(run, None, seconds)
        return (run.trainer.step_count - first) * run.trainer.batch_size / trained


def page_rate(browser, url: str, config: Config, seconds: float, warmup: float
              ) -> tuple[float, float | None]:  # fmt: skip
    """Samples per second while the MNIST page trains `config`, by its step counter, and
    the speed the page itself shows at the end."""
    from appdriver.page import run_button, settle

    page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    try:
        page.goto(f"{url}/mnist?{urlencode(link_query(config, View()))}")
        page.wait_for_selector(".st-key-mnist_run_controls button", timeout=LOAD_TIMEOUT_MS)
        settle(page)
        page.evaluate(COUNTER_JS)
        run_button(page, "toggle", "mnist_").filter(has_text="Play").click()
        time.sleep(warmup)
        opened = page.evaluate("() => performance.now()")
        time.sleep(seconds)
        changes = page.evaluate(READ_COUNTER_JS)
        inside = [(t, int(text.replace(",", ""))) for t, text in changes if t > opened]
        rate = 0.0
        if len(inside) >= 2:
            (first_t, first_steps), (last_t, last_steps) = inside[0], inside[-1]
            rate = (last_steps - first_steps) * config.batch_size / ((last_t - first_t) / 1000)
        found = SPEED_PATTERN.search(page.inner_text("body").replace("*", ""))
        shown = float(found.group(1).replace(",", "")) if found else None
        run_button(page, "toggle", "mnist_").filter(has_text="Pause").click(force=True)
        time.sleep(0.5)
        return rate, shown
    finally:
        page.context.close()


def page_against_engine(configs: list[tuple[str, Config, TrainingData]], seconds: float,
                        rounds: int) -> dict[str, PageRates] | str:  # fmt: skip
    """PageRates per name; or why the page could not be measured."""
    from appdriver.chromium import CHROMIUM, CHROMIUM_ARGS
    from appdriver.server import (
        close_browser_and_server,
        free_port,
        start_streamlit,
        wait_until_healthy,
    )

    if not Path(CHROMIUM).exists():
        return f"Chromium is not installed (looked for {CHROMIUM})"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "playwright is not installed"
    warmup = min(PAGE_WARMUP, seconds)
    rates = {name: PageRates() for name, _, _ in configs}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)  # fmt: skip
        process = None
        try:
            process = start_streamlit(port, log)
            wait_until_healthy(process, url)
            for _ in range(rounds):
                for name, config, data in configs:
                    rates[name].engine.append(engine_rate(config, data, seconds, warmup))
                    rate, shown = page_rate(browser, url, config, seconds, warmup)
                    rates[name].page.append(rate)
                    if shown is not None:
                        rates[name].shown.append(shown)
        finally:
            close_browser_and_server(browser, process)
    return rates


def print_page_table(rates: dict[str, PageRates], seconds: float, rounds: int) -> None:
    print(f"\nPage open vs engine alone ({THREADS} BLAS thread each; medians of {rounds} "
          f"round(s), {seconds:g} s windows)")  # fmt: skip
    print(f"{'preset':<44}{'engine':>10}{'page':>10}{'page shows':>12}{'page/engine':>13}"
          f"   target >= {PAGE_TARGET:.0%}")  # fmt: skip
    for name, r in rates.items():
        engine, page = statistics.median(r.engine), statistics.median(r.page)
        shown = f"{statistics.median(r.shown):,.0f}" if r.shown else "-"
        ratio = page / engine if engine else 0.0
        rounds_text = ", ".join(f"{p / e:.2f}" for p, e in zip(r.page, r.engine, strict=True))
        verdict = "met" if ratio >= PAGE_TARGET else "NOT met"
        print(f"{name[:43]:<44}{engine:>10,.0f}{page:>10,.0f}{shown:>12}{ratio:>13.2f}   "
              f"{verdict} (rounds: {rounds_text})")  # fmt: skip


# -- the whole run ----------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    command.add_argument("--budget", type=float, help=f"seconds of training per preset on the "
                         f"offline sample (default {SAMPLE_BUDGET:g})")  # fmt: skip
    command.add_argument("--fashion-budget", type=float, help="seconds of training on full "
                         f"Fashion-MNIST (default {FASHION_BUDGET:g})")  # fmt: skip
    keys = ", ".join(dict.fromkeys(preset.key for preset in benchmark_presets()))
    command.add_argument("--presets", help=f"comma-separated keys of the presets to run "
                         f"(default all: {keys})")  # fmt: skip
    command.add_argument(
        "--page-seconds",
        type=float,
        help=f"window of each page and engine turn (default {PAGE_SECONDS:g})",
    )
    command.add_argument("--rounds", type=int, help=f"page and engine turns (default "
                         f"{PAGE_ROUNDS})")  # fmt: skip
    command.add_argument("--no-page", action="store_true", help="leave out the page figures")
    command.add_argument("--quick", action="store_true", help="a smoke run of a few seconds "
                         "per preset")  # fmt: skip
    return command


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    defaults = QUICK if args.quick else {"budget": SAMPLE_BUDGET, "fashion_budget":
        FASHION_BUDGET, "page_seconds": PAGE_SECONDS, "rounds": PAGE_ROUNDS}  # fmt: skip
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    chosen = benchmark_presets()
    if args.presets:
        keys = [key.strip() for key in args.presets.split(",") if key.strip()]
        unknown = sorted(set(keys) - {preset.key for preset in chosen})
        if unknown:
            raise SystemExit(f"Unknown preset keys: {', '.join(unknown)}")
        chosen = [preset for preset in chosen if preset.key in keys]

    print("MNIST benchmark" + (" (--quick: a smoke run, not figures to quote)" if args.quick
                               else ""))  # fmt: skip
    load = os.getloadavg()
    pools = threadpoolctl.threadpool_info()
    # An OpenMP pool has no kernel (and may have no version): print what each pool says.
    kernels = ", ".join(
        " ".join(str(p[k]) for k in ("internal_api", "version", "architecture") if p.get(k))
        for p in pools
    )
    print(f"  {os.cpu_count()} cores; Python {platform.python_version()}; NumPy "
          f"{np.__version__} ({kernels}); {THREADS} BLAS thread; load average at start "
          f"{load[0]:.2f} (1 min), {load[1]:.2f} (5 min)")  # fmt: skip
    print(f"  budgets: {args.budget:g} s per preset on the offline sample, "
          f"{args.fashion_budget:g} s on full Fashion-MNIST")  # fmt: skip

    results = []
    page_configs: list[tuple[str, Config, TrainingData]] = []
    for preset in chosen:
        config = preset.config
        budget = args.budget
        data_dir = None
        if config.source == "full":
            folder, reason = full_set_folder(config.dataset)
            if folder is None:
                print(f"  {preset.name}: left out ({reason}); set MLP_DATA_DIR to a folder "
                      f"holding {config.dataset}/ with the four IDX files")  # fmt: skip
                continue
            data_dir, budget = str(folder), args.fashion_budget
        test = None
        if preset.test_set == "mnist-test":
            test = real_mnist_test()
            if test is None:
                print(f"  {preset.name}: left out (no mnist-test/ folder under "
                      "MLP_TEST_DATA_DIR or shared/data beside the repository)")  # fmt: skip
                continue
        data = load_data(config, data_dir, log=io.StringIO())
        scored = f"{len(data.y_test):,} test images"
        if test is not None:
            budget = preset_budget(preset, args)
            scored = f"scored on the real MNIST test set ({len(test[1]):,} digits), {budget:g} s"
        extras = "".join(
            f", {name} {getattr(config, name)}"
            for name in ("shift", "schedule")
            if getattr(config, name) != getattr(Config(), name)
        )
        print(f"  {preset.name}: {format_hidden(config.hidden)}, {config.optimizer} lr "
              f"{config.lr:g}, batch {config.batch_size}{extras}, {len(data.y_train):,} "
              f"training images, {scored} ...", flush=True)  # fmt: skip
        result = train_within(config, data, budget, preset.target, test=test)
        results.append((preset, budget, result))
        if preset.on_page:
            page_configs.append((preset.name, config, data))
    print_budget_table(results)
    print(f"final: whole test set at the end of the budget; last {SETTLED_EPOCHS}: mean of the "
          f"last {SETTLED_EPOCHS} epochs' ends; best: the best end of an epoch, first reached "
          "'at' seconds of training; target: first end of an epoch at or above it")  # fmt: skip

    if args.no_page:
        print("\nPage figures left out (--no-page).")
    elif page_configs:
        if args.quick:
            page_configs = page_configs[:1]
        rates = page_against_engine(page_configs, args.page_seconds, args.rounds)
        if isinstance(rates, str):
            print(f"\nPage figures left out: {rates}.")
        else:
            print_page_table(rates, args.page_seconds, args.rounds)
    load = os.getloadavg()
    print(f"\nLoad average at the end {load[0]:.2f} (1 min), {load[1]:.2f} (5 min).")


if __name__ == "__main__":
    main()

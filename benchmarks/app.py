"""How fast the Playground starts, trains and redraws: a benchmark that prints figures.

Run from the repository root as `python benchmarks/app.py` (about two minutes). It
asserts nothing; it prints, with the targets beside them:

1. Cold start: from launching `python -m streamlit run app.py` to the health endpoint
   answering, and to the first rendered page (Play button and metrics visible in Chromium).
   Chromium is launched before the server, so its own start is not counted.
2. The engine alone, in this process with nothing else of ours running and one BLAS thread
   as in the app: steps per second of
   `TrainingSession.advance()` in a loop (what the worker thread calls) and of bare
   `trainer.step()`, interleaved A B A B A B, medians of the three rounds.
3. The default page after Play: steps per second read off the step counter while the page is
   open, against the engine alone, and how often the loss chart's data really change in the
   browser (redraws per second).
4. Time from pressing Play to 95% test accuracy on the default page.
5. Steps per second, page against engine, for a heavier network.
6. Slow motion: steps per second at `?speed=5` (meant to be 5).

With 3. and 5., how soon Play answered: from the click to the first step the counter shows.
(The browser tests check what these do, not how fast: these are the figures.)

`python benchmarks/app.py --inside` measures only what the Playground's inside views (the
diagram of neuron maps, the histograms of activations and gradients) cost: the default page's
steps per second with them switched off and on, interleaved rounds (about two minutes).

Every process it starts is stopped in a `finally`: the server by its PID, Chromium (and the
Playwright driver) by Playwright's own close.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs

import threadpoolctl
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # run as a script: make `mlp`, `appdriver` importable

from appdriver.chromium import CHROMIUM, CHROMIUM_ARGS, descendants  # noqa: E402
from appdriver.page import settle  # noqa: E402
from appdriver.server import (  # noqa: E402
    close_browser_and_server,
    free_port,
    start_streamlit,
    wait_until_healthy,
)
from playground.core.config import Config  # noqa: E402
from playground.core.data import make_toy_data  # noqa: E402
from playground.core.session import TrainingSession, make_run  # noqa: E402

HEAVY_QUERY = "dataset=spiral3&hidden=64relu,64relu,64relu&batch_size=64&show_test=1"
ENGINE_SECONDS = 2.0  # per engine sample; 3 rounds x 2 kinds x 2 configurations
ENGINE_ROUNDS = 3
WARMUP_SECONDS = 1.5  # after Play, before the page measurement window opens
WINDOW_SECONDS = 10.0
ACCURACY_TARGET = 0.95
ACCURACY_TIMEOUT = 30.0
LOAD_TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1440, "height": 1000}

# Targets the page is meant to meet.
MAX_DRAWING_COST = 0.20  # share of training speed the open page may take
MIN_REDRAWS_PER_SECOND = 4.0
MAX_SECONDS_TO_95 = 10.0
SLOW_MOTION = 5  # steps a second, the slow-motion speed measured (`?speed=5`)

# Installed in the page: polls at 20 Hz, in the page itself (no round trip to Python), the loss
# chart's decoded data (`_fullData`: per trace its length and last point) and the step
# counter's text, and keeps the time of every change. A changed signature means the chart was
# really redrawn with new data; a redraw with the same data is not counted. (Plotly's own
# `plotly_afterplot` event is no good here: `Plotly.react` updates data without emitting it.)
MONITOR_JS = """() => {
    if (window.__bench) clearInterval(window.__bench.timer);
    const bench = {dataChanges: [], stepChanges: [], lastSignature: null, lastStep: null};
    window.__bench = bench;
    const plot = () => document.querySelector('.st-key-loss_chart .js-plotly-plot');
    const signature = (gd) => {
        if (!gd || !gd._fullData) return null;
        return gd._fullData.map((trace) => {
            const n = trace.x ? trace.x.length : 0;
            return n ? `${n}:${trace.x[n - 1]}:${trace.y[n - 1]}` : '0';
        }).join('|');
    };
    const stepText = () => {
        const metric = document.querySelector('[data-testid="stMetricValue"]');
        return metric ? metric.innerText : null;
    };
    bench.poll = () => {
        const now = performance.now();
        const gd = plot();
        const sig = signature(gd);
        if (sig !== null && sig !== bench.lastSignature) {
            bench.dataChanges.push(now);
            bench.lastSignature = sig;
        }
        const text = stepText();
        if (text !== null && text !== bench.lastStep) {
            bench.stepChanges.push([now, text]);
            bench.lastStep = text;
        }
    };
    bench.poll();
    bench.timer = setInterval(bench.poll, 50);
    return performance.now();
}"""

READ_MONITOR_JS = """() => {
    const bench = window.__bench;
    bench.poll();
    return {now: performance.now(), dataChanges: bench.dataChanges,
            stepChanges: bench.stepChanges};
}"""

METRICS_JS = """() => Array.from(
    document.querySelectorAll('[data-testid="stMetricValue"]'), (element) => element.innerText
)"""


# -- small helpers --------------------------------------------------------------------------


def as_int(text: str) -> int:
    return int(text.replace(",", "").strip())


def as_fraction(text: str) -> float | None:
    text = text.strip()
    if not text.endswith("%"):
        return None
    try:
        return float(text[:-1]) / 100
    except ValueError:
        return None


def met(condition: bool) -> str:
    return "met" if condition else "NOT met"


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def cpu_seconds(pids: list[int]) -> float | None:
    """User + system CPU seconds the processes have used (Linux /proc); None elsewhere."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in pids:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / ticks
    except (OSError, ValueError, IndexError):
        return None


# -- 2. the engine alone --------------------------------------------------------------------


def advance_rate(config: Config, data, seconds: float) -> tuple[float, float]:
    """Steps per second of a playing session advanced in a loop, as the worker does, and the
    CPU this process used meanwhile (cores: CPU seconds per wall second, all threads)."""
    session = TrainingSession([config], data)
    session.set_speed(None)
    session.play()
    cpu, start = time.process_time(), time.perf_counter()
    while time.perf_counter() - start < seconds:
        session.advance()
    elapsed = time.perf_counter() - start
    return session.step_count / elapsed, (time.process_time() - cpu) / elapsed


def bare_step_rate(config: Config, data, seconds: float) -> tuple[float, float]:
    """Steps per second of `trainer.step()` alone (no lock, curves or snapshots), and CPU."""
    trainer = make_run(config, data).trainer
    steps = 0
    cpu, start = time.process_time(), time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.step()
        steps += 1
    elapsed = time.perf_counter() - start
    return steps / elapsed, (time.process_time() - cpu) / elapsed


def engine_rates(config: Config) -> dict[str, list[tuple[float, float]]]:
    # The app runs NumPy with one BLAS thread (set once at start-up); so does this comparison.
    threadpoolctl.threadpool_limits(limits=1, user_api="blas")
    data = make_toy_data(
        config.dataset, config.n_points, config.noise, config.train_share, config.data_seed
    )
    rates: dict[str, list[tuple[float, float]]] = {"advance": [], "step": []}
    for _ in range(ENGINE_ROUNDS):
        rates["advance"].append(advance_rate(config, data, ENGINE_SECONDS))
        rates["step"].append(bare_step_rate(config, data, ENGINE_SECONDS))
    return rates


def median_rate(samples: list[tuple[float, float]]) -> float:
    return statistics.median(rate for rate, _ in samples)


def median_per_cpu(samples: list[tuple[float, float]]) -> float:
    """Median steps per CPU second: what the rate would be with one core all to itself."""
    return statistics.median(rate / max(cores, 1e-9) for rate, cores in samples)


def print_engine(name: str, rates: dict[str, list[tuple[float, float]]]) -> None:
    for kind, label in (("advance", "TrainingSession.advance()"), ("step", "trainer.step()")):
        samples = rates[kind]
        rounds = ", ".join(fmt_rate(rate) for rate, _ in samples)
        cores = statistics.median(cores for _, cores in samples)
        print(
            f"   {name:8s} {label:26s} {fmt_rate(median_rate(samples)):>7s} steps/s"
            f"  (rounds: {rounds}; CPU {cores:.2f} core; "
            f"{fmt_rate(median_per_cpu(samples))} steps per CPU s)"
        )


# -- the server and the browser -------------------------------------------------------------


def start_server(port: int, log) -> tuple[subprocess.Popen, float]:
    """Launch `streamlit run app.py`; returns the process and the launch time."""
    launched = time.perf_counter()
    return start_streamlit(port, log), launched


def wait_for_health(process: subprocess.Popen, url: str, log) -> float:
    """The time the health endpoint first answered; the log's tail if it never did."""
    try:
        return wait_until_healthy(process, url)
    except RuntimeError:
        log.seek(0)
        tail = log.read().decode(errors="replace")[-2000:]
        raise RuntimeError(f"streamlit did not start:\n{tail}") from None


def wait_for_page(page) -> float:
    """Wait until the Play button and the metrics are visible; the time they were."""
    page.wait_for_selector(".st-key-run_controls button", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=LOAD_TIMEOUT_MS)
    return time.perf_counter()


def open_page(browser, url: str):
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.goto(url)
    wait_for_page(page)
    settle(page)
    return page


def close_page(page) -> None:
    """Pause training (so no worker keeps the CPU busy) and close the tab."""
    button = page.locator(".st-key-run_controls button", has_text="Pause")
    try:
        # force: on a page this busy Playwright may never see the button "stable"
        button.click(timeout=10_000, force=True)
        time.sleep(0.5)
    except PlaywrightError as error:
        # A closed tab's session (and its worker) may live on for a while on the server.
        print(f"   (could not press Pause before closing the tab: {error.message.splitlines()[0]})")
    finally:
        page.context.close()


def step_counter(page) -> int:
    return as_int(page.locator('[data-testid="stMetricValue"]').first.inner_text())


# -- 3. and 5. steps per second and redraws with the page open ------------------------------


def measure_playing(page, server_pid: int) -> dict:
    """Press Play, let it run WARMUP_SECONDS, then watch the page for WINDOW_SECONDS. Also
    the CPU the server and Chromium (with the Playwright driver) used during the window."""
    page.evaluate(MONITOR_JS)
    clicked_in_page = page.evaluate("() => performance.now()")
    clicked = time.perf_counter()
    page.locator(".st-key-run_controls button", has_text="Play").click()
    deadline = clicked + 20
    while step_counter(page) == 0 and time.perf_counter() < deadline:
        time.sleep(0.05)
    time.sleep(max(0.0, clicked + WARMUP_SECONDS - time.perf_counter()))
    browser_pids = [pid for pid in descendants(os.getpid()) if pid != server_pid]
    server_cpu, browser_cpu = cpu_seconds([server_pid]), cpu_seconds(browser_pids)
    opened = page.evaluate(READ_MONITOR_JS)
    opened_at = time.perf_counter() - clicked
    time.sleep(WINDOW_SECONDS)
    closed = page.evaluate(READ_MONITOR_JS)
    wall = time.perf_counter() - clicked - opened_at
    server_cpu_end, browser_cpu_end = cpu_seconds([server_pid]), cpu_seconds(browser_pids)
    window_start, window_end = opened["now"], closed["now"]
    window = (window_end - window_start) / 1000
    redraws = [t for t in closed["dataChanges"] if window_start < t <= window_end]
    gaps = [(b - a) / 1000 for a, b in zip(redraws, redraws[1:], strict=False)]
    # The step rate from the first and last counter changes inside the window: each is the
    # moment a new value appeared, so the reading is not off by up to one redraw period.
    changes = [(t, as_int(text)) for t, text in closed["stepChanges"]]
    inside = [(t, steps) for t, steps in changes if window_start < t <= window_end]
    if len(inside) >= 2:
        (first_t, first_steps), (last_t, last_steps) = inside[0], inside[-1]
    else:  # the counter hardly moved: use what it showed at the window's edges
        before = [(t, s) for t, s in changes if t <= window_start] or [(window_start, 0)]
        first_t, first_steps = window_start, before[-1][1]
        last_t, last_steps = window_end, changes[-1][1] if changes else 0
    rate = (last_steps - first_steps) / max((last_t - first_t) / 1000, 1e-9)
    # Play answered: the first step the counter showed, from the click (both by the page's
    # clock). The browser tests check that Play trains, not how soon.
    trained = [t for t, steps in changes if steps > 0 and t > clicked_in_page]
    play_answered = (trained[0] - clicked_in_page) / 1000 if trained else None
    server_cores = None if server_cpu is None else (server_cpu_end - server_cpu) / wall
    browser_cores = None if browser_cpu is None else (browser_cpu_end - browser_cpu) / wall
    return {
        "window": window,
        "opened_at": opened_at,
        "first": (first_steps, opened_at + (first_t - window_start) / 1000),
        "last": (last_steps, opened_at + (last_t - window_start) / 1000),
        "rate": rate,
        "redraws": len(redraws),
        "redraws_per_second": len(redraws) / window,
        "median_gap": statistics.median(gaps) if gaps else float("nan"),
        "longest_gap": max(gaps) if gaps else float("nan"),
        "server_cores": server_cores,
        "browser_cores": browser_cores,
        "load": os.getloadavg()[0],
        "counter_updates_per_second": len(inside) / window,
        "play_answered": play_answered,
    }


def print_playing(result: dict, engine: dict[str, list[tuple[float, float]]]) -> None:
    advance = median_rate(engine["advance"])
    bare = median_rate(engine["step"])
    (first_steps, first_time), (last_steps, last_time) = result["first"], result["last"]
    ratio = result["rate"] / advance
    cost = 1 - ratio
    if result["play_answered"] is not None:
        answered = result["play_answered"]
        print(f"   Play answered: the first step shown {answered:.2f} s after the click")
    print(f"   step counter: {first_steps:,} at +{first_time:.2f} s after the click,")
    print(f"                 {last_steps:,} at +{last_time:.2f} s")
    print(
        f"   steps/s, page open: {fmt_rate(result['rate'])}   engine alone: advance() "
        f"{fmt_rate(advance)}, trainer.step() {fmt_rate(bare)}"
    )
    print(
        f"   ratio page/advance(): {ratio:.2f} (page/trainer.step(): {result['rate'] / bare:.2f})"
        f"  -> drawing costs {cost:.0%} of training speed; target < {MAX_DRAWING_COST:.0%}: "
        f"{met(cost < MAX_DRAWING_COST)}"
    )
    print(
        f"   loss chart data changes: {result['redraws']} in {result['window']:.1f} s = "
        f"{result['redraws_per_second']:.1f}/s; target >= {MIN_REDRAWS_PER_SECOND:g}/s: "
        f"{met(result['redraws_per_second'] >= MIN_REDRAWS_PER_SECOND)}"
    )
    print(
        f"   (gap between redraws: median {result['median_gap']:.2f} s, longest "
        f"{result['longest_gap']:.2f} s; step counter updates "
        f"{result['counter_updates_per_second']:.1f}/s)"
    )
    if result["server_cores"] is not None:
        server = result["server_cores"]
        per_cpu = result["rate"] / max(server, 1e-9)
        engine_per_cpu = median_per_cpu(engine["advance"])
        print(
            f"   CPU in the window: server {server:.2f} core, Chromium + driver "
            f"{result['browser_cores']:.2f} core (of {os.cpu_count()}); load average "
            f"{result['load']:.1f}"
        )
        print(
            f"   steps per server CPU second {fmt_rate(per_cpu)} vs engine advance() "
            f"{fmt_rate(engine_per_cpu)}: everything but training takes "
            f"{1 - per_cpu / engine_per_cpu:.0%} of the server's CPU"
        )


# -- 4. time to 95% test accuracy -----------------------------------------------------------


def time_to_accuracy(page) -> tuple[float, int, str] | None:
    """Seconds from the Play click to the Test accuracy metric reading >= 95%, the step
    count read at that moment, and the accuracy shown; None if not reached in time."""
    clicked = time.perf_counter()
    page.locator(".st-key-run_controls button", has_text="Play").click()
    while time.perf_counter() - clicked < ACCURACY_TIMEOUT:
        values = page.evaluate(METRICS_JS)
        if len(values) >= 6:
            accuracy = as_fraction(values[5])
            if accuracy is not None and accuracy >= ACCURACY_TARGET:
                return time.perf_counter() - clicked, as_int(values[0]), values[5]
        time.sleep(0.05)
    return None


# -- the whole run --------------------------------------------------------------------------


def main() -> None:
    print("MLP Playground benchmark")
    load = os.getloadavg()
    print(
        f"   {os.cpu_count()} cores; load average at start {load[0]:.2f} (1 min), "
        f"{load[1]:.2f} (5 min). Other work on the machine slows every figure."
    )
    default = Config()
    heavy, notes = Config.from_query(parse_qs(HEAVY_QUERY))
    for note in notes:
        print(f"   note on the heavy configuration: {note}")

    print(
        f"\nEngine alone (this process, nothing else of ours running; medians of "
        f"{ENGINE_ROUNDS} interleaved rounds of {ENGINE_SECONDS:g} s)"
    )
    engine_default = engine_rates(default)
    print_engine("default", engine_default)
    engine_heavy = engine_rates(heavy)
    print_engine("heavy", engine_heavy)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = None
    with tempfile.TemporaryFile() as log, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            process, launched = start_server(port, log)
            healthy = wait_for_health(process, url, log)
            page.goto(url)
            rendered = wait_for_page(page)
            print("\nCold start (from launching `python -m streamlit run app.py`)")
            print(f"   health endpoint answering   {healthy - launched:5.2f} s")
            print(
                f"   first rendered page         {rendered - launched:5.2f} s "
                f"({rendered - healthy:.2f} s after health; Play and metrics visible)"
            )
            settle(page)

            print(
                f"\nDefault page: Play, then a {WINDOW_SECONDS:g} s window opening "
                f"{WARMUP_SECONDS:g} s after the click"
            )
            print_playing(measure_playing(page, process.pid), engine_default)
            close_page(page)

            print(f"\nTime to {ACCURACY_TARGET:.0%} test accuracy, default page (new session)")
            page = open_page(browser, url)
            reached = time_to_accuracy(page)
            if reached is None:
                print(f"   not reached in {ACCURACY_TIMEOUT:g} s (step {step_counter(page):,})")
            else:
                seconds, steps, shown = reached
                print(
                    f"   {shown} shown {seconds:.2f} s after the click, at step {steps:,}; "
                    f"target < {MAX_SECONDS_TO_95:g} s: {met(seconds < MAX_SECONDS_TO_95)}"
                )
            close_page(page)

            print(f"\nHeavier network: ?{HEAVY_QUERY}")
            page = open_page(browser, f"{url}/?{HEAVY_QUERY}")
            print_playing(measure_playing(page, process.pid), engine_heavy)
            close_page(page)

            print(f"\nSlow motion: ?speed={SLOW_MOTION}, the same window")
            page = open_page(browser, f"{url}/?speed={SLOW_MOTION}")
            slow = measure_playing(page, process.pid)
            print(
                f"   {slow['rate']:.2f} steps/s (asked for {SLOW_MOTION}; within 20%: "
                f"{met(abs(slow['rate'] - SLOW_MOTION) <= 0.2 * SLOW_MOTION)}), the counter "
                f"updated {slow['counter_updates_per_second']:.1f} times a second"
            )
            close_page(page)
        finally:
            close_browser_and_server(browser, process)


# -- `python benchmarks/app.py --inside`: the inside views' cost ----------------------------

INSIDE_ROUNDS = 3  # off, on, off, on, ...: interleaved, so a change in the machine's load
# (other work on it) falls on both alike


def set_inside_views(page, on: bool) -> None:
    """Switch the Playground's inside views (diagram of maps, histograms) on or off."""
    switch = page.locator(".st-key-show_inside input")
    if switch.is_checked() != on:
        page.locator(".st-key-show_inside label").click()
        settle(page, 1.0)


def measure_inside_views() -> None:
    """Steps per second of the default page with the inside views off and on (one session,
    Play for each window, Pause between them), and the ratio of the medians."""
    print(f"Inside views: default page, {INSIDE_ROUNDS} rounds of off/on, each a "
          f"{WINDOW_SECONDS:g} s window {WARMUP_SECONDS:g} s after Play")  # fmt: skip
    load = os.getloadavg()
    print(f"   {os.cpu_count()} cores; load average at start {load[0]:.2f} (1 min), shared "
          "with other work: every figure is from a busy machine")  # fmt: skip
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = None
    rates: dict[bool, list[float]] = {False: [], True: []}
    with tempfile.TemporaryFile() as log, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            process, _ = start_server(port, log)
            wait_for_health(process, url, log)
            page = open_page(browser, url)
            for _ in range(INSIDE_ROUNDS):
                for on in (False, True):
                    set_inside_views(page, on)
                    result = measure_playing(page, process.pid)
                    rates[on].append(result["rate"])
                    print(f"   views {'on ' if on else 'off'}: {fmt_rate(result['rate'])} steps/s "
                          f"(server {result['server_cores'] or 0:.2f} core, Chromium "
                          f"{result['browser_cores'] or 0:.2f} core, load "
                          f"{result['load']:.1f})")  # fmt: skip
                    page.locator(".st-key-run_controls button", has_text="Pause").click(force=True)
                    settle(page, 1.0)
            close_page(page)
        finally:
            close_browser_and_server(browser, process)
    off, on = statistics.median(rates[False]), statistics.median(rates[True])
    print(f"   median steps/s: off {fmt_rate(off)}, on {fmt_rate(on)}: on keeps {on / off:.0%} "
          f"of off; target >= 80%: {met(on >= 0.8 * off)}")  # fmt: skip


if __name__ == "__main__":
    if "--inside" in sys.argv[1:]:
        measure_inside_views()
    else:
        main()

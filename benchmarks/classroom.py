"""A class on one server: N browser sessions open the Playground at once and press Play.

Prints figures and asserts nothing. 127.0.0.1 only; bounded in count (at most 40 sessions)
and in time (each size takes about a minute).

    python benchmarks/classroom.py [--sessions 1,10,30] [--seconds 15]

For each N, a fresh `streamlit run` and one headless Chromium with N tabs (each its own
browser session). It reports: how long each page took to show its controls; steps per second
per session while all play (min, median, max over the sessions that train, and how many wait
in the queue for a place: see `playground.scheduler`); how long a new tab takes to load while
they play; how long Pause takes to show "Paused." in a few tabs; the server's memory (RSS) and
thread count while playing; and after the tabs close, how long until the threads are back to
where they were before the class came in (a few threads that Streamlit and OpenBLAS start
once, on first use, stay: a fresh server has fewer than one that has served a session).

In a class every student's browser runs on the student's own machine; here Chromium runs on
the same cores as the server, and four tabs drawing live charts took about 1.4 of 2 cores:
every latency measured here includes the browser's own backlog. `--browser-priority low`
runs Chromium at `nice -n 19`, so the server gets the cores first (the browser then waits
longer); say which when quoting these figures.

With ``--profile`` (needs ``py-spy``, which may ask for ptrace rights) the server is sampled
while the tabs play, counting only the thread that holds the interpreter lock at each sample,
and the shares are printed: training workers, script and fragment runs (pages and live views),
and the rest (the web server), with the functions that take the most of the page runs. This
is "where the time goes" with N students.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.app.conftest import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402
from tests.app.streamlit_server import (  # noqa: E402
    run_button,
    start_streamlit,
    stop_streamlit,
    wait_until_healthy,
)

MAX_SESSIONS = 40
LOAD_TIMEOUT_MS = 120_000


def proc_status(pid: int) -> tuple[float, int]:
    """The server's resident memory (MB) and thread count, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["Threads"])


def open_tab(context, url: str) -> tuple[object, float]:
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url, timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector(".st-key-run_controls button", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=LOAD_TIMEOUT_MS)
    return page, time.perf_counter() - started


def counter(page) -> int | None:
    """The step counter a tab shows, or None when the tab shows none within 30 s (a page
    the server did not get to redraw in time counts as unresponsive)."""
    try:
        text = page.locator('[data-testid="stMetricValue"]').first.inner_text(timeout=30_000)
    except PlaywrightTimeoutError:
        return None
    return int(text.replace(",", ""))


def queued(page) -> bool:
    return page.locator('[data-testid="stCaptionContainer"]', has_text="Queued").count() > 0


def summary(values: list[float], unit: str) -> str:
    if not values:
        return "none"
    return (f"min {min(values):,.1f}, median {statistics.median(values):,.1f}, "
            f"max {max(values):,.1f} {unit}")  # fmt: skip


def start_profile(pid: int, seconds: float, output: Path) -> subprocess.Popen | None:
    """py-spy sampling the server's interpreter-lock holder for `seconds`, or None."""
    if shutil.which("py-spy") is None:
        print("  (no py-spy: pip install py-spy for --profile)")
        return None
    command = ["py-spy", "record", "--pid", str(pid), "--duration", str(int(seconds)),
               "--rate", "100", "--gil", "--nonblocking", "--format", "raw",
               "--output", str(output)]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def category(stack: str) -> str:
    if "playground/session.py" in stack or "mlp/" in stack:
        if "script_runner" not in stack:
            return "training workers"
    if "script_runner" in stack or "exec_func_with_error_handling" in stack:
        return "page and fragment runs"
    return "web server and the rest"


def print_profile(output: Path) -> None:
    """Shares of the samples by category, and the page runs' heaviest functions."""
    if not output.exists():
        print("  profile: no samples written")
        return
    totals: collections.Counter = collections.Counter()
    page_functions: collections.Counter = collections.Counter()
    for line in output.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        kind = category(stack)
        totals[kind] += int(count)
        if kind == "page and fragment runs":
            # Inclusive counts of the project's own functions and of the libraries' entries.
            seen = set()
            for frame in stack.split(";"):
                name = frame.split(" (")[0] + " (" + frame.split(" (")[-1].split(":")[0] + ")"
                if ("playground/" in frame or "pages/" in frame or "plotly" in frame
                        or "json" in frame) and name not in seen:  # fmt: skip
                    seen.add(name)
                    page_functions[name] += int(count)
    total = sum(totals.values())
    if not total:
        print("  profile: no samples held the interpreter")
        return
    shares = ", ".join(f"{kind} {count / total:.0%}" for kind, count in totals.most_common())
    print(f"  interpreter held ({total:,} samples at 100/s): {shares}")
    pages = totals["page and fragment runs"]
    for name, count in page_functions.most_common(12):
        print(f"    {count / pages:5.0%} of page runs in {name}")


def one_class(n_sessions: int, seconds: float, browser, profile: bool = False) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(f"/tmp/classroom-{n_sessions}.log", "w")  # noqa: SIM115
    server = start_streamlit(port, log)
    try:
        wait_until_healthy(server, url)
        rss_idle, threads_idle = proc_status(server.pid)
        contexts = [browser.new_context(viewport={"width": 1280, "height": 900})
                    for _ in range(n_sessions)]  # fmt: skip
        pages, loads = [], []
        for context in contexts:  # the class comes in, one tab after another
            page, seconds_to_load = open_tab(context, url)
            pages.append(page)
            loads.append(seconds_to_load)
        for page in pages:
            toggle = run_button(page, "toggle")
            toggle.filter(has_text="Play").click(timeout=LOAD_TIMEOUT_MS)
        time.sleep(3.0)  # let every session start (or queue)
        waiting_before = [queued(page) for page in pages]
        before = [counter(page) for page in pages]
        started = time.perf_counter()
        profile_output = Path(f"/tmp/classroom-{n_sessions}-profile.txt")
        profile_output.unlink(missing_ok=True)
        profiler = start_profile(server.pid, seconds, profile_output) if profile else None
        time.sleep(seconds)
        if profiler is not None:
            _, errors = profiler.communicate(timeout=seconds + 60)
            if profiler.returncode:
                print(f"  py-spy failed: {errors.decode(errors='replace').strip()[-300:]}")
        after = [counter(page) for page in pages]
        elapsed = time.perf_counter() - started
        waiting = [queued(page) for page in pages]
        # Only the sessions that held a place all along (a place lasts longer than the window,
        # so training at both ends means training throughout).
        training_all_along = [not (w0 or w1) for w0, w1 in zip(waiting_before, waiting,
                                                                 strict=True)]  # fmt: skip
        rates = [(b - a) / elapsed
                 for a, b, trained in zip(before, after, training_all_along, strict=True)
                 if trained and a is not None and b is not None]  # fmt: skip
        unresponsive = sum(a is None or b is None for a, b in zip(before, after, strict=True))
        rss_playing, threads_playing = proc_status(server.pid)
        extra = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            _, late_load = open_tab(extra, url)
        except PlaywrightTimeoutError:
            late_load = float("inf")
        print(f"\n{n_sessions} sessions, {seconds:.0f} s of playing")
        print(f"  page load:          {summary(loads, 's')}")
        print(f"  training:           {len(rates)} of {n_sessions} sessions all along "
              f"({sum(waiting)} queued at the end)")  # fmt: skip
        print(f"  steps/s (training): {summary(rates, 'steps/s')}")
        print(f"  tabs that showed no step counter within 30 s: {unresponsive}")
        late = f"loads in {late_load:.1f} s" if late_load < float("inf") else (
            f"did not load within {LOAD_TIMEOUT_MS / 1000:.0f} s")  # fmt: skip
        print(f"  new tab while playing {late}", flush=True)
        if profiler is not None:
            print_profile(profile_output)
        pause_latencies, no_answer = [], 0
        # Pause where it matters: in tabs that are training (a queued one only leaves the queue).
        training_pages = [page for page in pages if not queued(page)] or pages
        for page in training_pages[: min(3, n_sessions)]:
            clicked = time.perf_counter()
            try:
                run_button(page, "toggle").filter(has_text="Pause").click(timeout=30_000)
                page.locator('[data-testid="stCaptionContainer"]', has_text="Paused.").wait_for(
                    timeout=60_000)  # fmt: skip
            except PlaywrightTimeoutError:
                no_answer += 1
                continue
            pause_latencies.append(time.perf_counter() - clicked)
        for context in [*contexts, extra]:
            context.close()
        closed = time.perf_counter()
        threads_after = threads_playing
        while time.perf_counter() - closed < 90:
            rss_after, threads_after = proc_status(server.pid)
            if threads_after <= threads_idle:
                break
            time.sleep(1.0)
        back_after = time.perf_counter() - closed
        print(f"  Pause shows 'Paused.' in {summary(pause_latencies, 's')}; "
              f"{no_answer} of {min(3, n_sessions)} tabs did not answer within 90 s")  # fmt: skip
        print(f"  server RSS: {rss_idle:.0f} MB idle, {rss_playing:.0f} MB playing, "
              f"{rss_after:.0f} MB after")  # fmt: skip
        print(f"  server threads: {threads_idle} idle, {threads_playing} playing, "
              f"{threads_after} {back_after:.0f} s after the tabs closed")  # fmt: skip
    finally:
        stop_streamlit(server)
        log.close()


def low_priority_chromium(folder: Path) -> str:
    """A script that starts Chromium (and so all its processes) at nice 19."""
    script = folder / "chromium-nice"
    script.write_text(f'#!/bin/sh\nexec nice -n 19 "{CHROMIUM}" "$@"\n')
    script.chmod(0o755)
    return str(script)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,10,30")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument(
        "--profile", action="store_true", help="sample where the server's time goes (py-spy)"
    )
    parser.add_argument("--browser-priority", choices=("low", "normal"), default="normal")
    args = parser.parse_args()
    sizes = [min(int(n), MAX_SESSIONS) for n in args.sessions.split(",")]
    print(f"Chromium at {args.browser_priority} priority, on the server's cores.", flush=True)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        executable = CHROMIUM
        if args.browser_priority == "low":
            executable = low_priority_chromium(Path(folder))
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)  # fmt: skip
        try:
            for n_sessions in sizes:
                one_class(n_sessions, args.seconds, browser, args.profile)
        finally:
            browser.close()


if __name__ == "__main__":
    main()

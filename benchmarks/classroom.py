"""A class on one server: N students open the Playground at once and press Play.

Prints figures and asserts nothing. 127.0.0.1 only; bounded in count (at most 40 sessions)
and in time (each size takes a few minutes).

    python benchmarks/classroom.py [--sessions 1,10,30] [--seconds 15] [--browsers 3]

For each N, a fresh `streamlit run`, then N sessions: `--browsers` real tabs in one headless
Chromium, and the rest protocol clients (`benchmarks/protocol_client.py`), which ask the
server for what a tab asks for (the page, the live views' timed reruns, Play and Pause) over
Streamlit's own socket, without drawing. In a class every browser runs on its student's own
machine; here a browser runs on the server's two cores, and ten Chromium tabs took 5-10 s
each to load before anyone pressed Play (thirty did not finish within 25 minutes), so a
class of real tabs measures Chromium's backlog, not the server. With `--browsers N` every
session is a real tab, as before.

It reports: how long each page took to arrive (in Chromium: until the frame that first shows
its run buttons and Step metric, see `LOAD_WATCH_JS`; for a protocol client: until the server
finished the page run); steps per second per session while all play (min, median, max over
the sessions that held a place to train throughout, and how many wait in the queue: see
`playground.core.scheduler`); how long new tabs take to load while they play (and to draw their
first charts; `--new-tabs`, one after another, each a browser that has nothing cached); how
long Pause takes to show "Paused." in up to three training Chromium tabs (from the click
event to the frame that shows it: see `time_pause`), and to be handled for up to three
protocol clients; the server's memory (RSS) and thread count while playing; and after the
sessions close, how long until the threads are back to where they were before the class came
in (a few threads that Streamlit and OpenBLAS start once, on first use, stay: a fresh server
has fewer than one that has served a session), with the Python threads then by name.

`--browser-priority low` runs Chromium at `nice -n 19`, so the server gets the cores first
(the browser then waits longer); say which when quoting these figures.

`--cores split` models a class more closely: the server (and the protocol clients, whose
work is charged to it) keeps to one core, and Chromium to the other, as a student's browser
runs on a machine of its own. The server then has half the cores a class server is meant to
have, so its figures are on the safe side; the tabs' figures are what a browser on one core
of its own sees. Without it (`--cores shared`) everything shares both cores.

With ``--profile`` (needs ``py-spy``, which may ask for ptrace rights) the server is sampled
while the tabs play, counting only the thread that holds the interpreter lock at each sample,
and the shares are printed: training workers, script and fragment runs (pages and live views),
and the rest (the web server), with the functions that take the most of the page runs. This
is "where the time goes" with N students.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from appdriver.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from appdriver.page import run_button  # noqa: E402
from appdriver.server import (  # noqa: E402
    free_port,
    start_streamlit,
    stop_streamlit,
    wait_until_healthy,
)
from benchmarks.protocol_client import ProtocolClient  # noqa: E402
from playground.core.training_pool import configured_processes  # noqa: E402

MAX_SESSIONS = 40
LOAD_TIMEOUT_MS = 120_000
FIRST_STEP_WATCH_SECONDS = 20.0  # how long to watch for each session's first step after Play


def proc_status(pid: int) -> tuple[float, int]:
    """The server's resident memory (MB) and thread count, from /proc: its own and its
    training processes' (`MLP_TRAINING_PROCESSES`), each counted once."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    rss = int(fields["VmRSS"].split()[0]) / 1024
    for child in _children(pid):
        with contextlib.suppress(OSError, KeyError, ValueError):
            child_fields = dict(line.partition(":")[::2] for line in
                                Path(f"/proc/{child}/status").read_text().splitlines())  # fmt: skip
            rss += int(child_fields["VmRSS"].split()[0]) / 1024
    return rss, int(fields["Threads"])


def _children(pid: int) -> list[int]:
    """Every process started by `pid`, and by those, from /proc's lists of children."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with contextlib.suppress(OSError):
                kids = [int(k) for k in (task / "children").read_text().split()]
                found += kids
                todo += kids
    return found


SOCKET_CLOSES: collections.Counter = collections.Counter()  # per tab: its sockets that closed
# What the tabs said about their connection, with the time since the first tab opened: socket
# closes, and Streamlit's own console lines about the socket (its close code and reason).
CONNECTION_NOTES: list[str] = []
CONNECTION_WORDS = ("websocket", "connection", "timed out", "disconnect")
_FIRST_TAB: list[float] = []


def _note_connection(text: str) -> None:
    since = time.perf_counter() - (_FIRST_TAB or [time.perf_counter()])[0]
    CONNECTION_NOTES.append(f"{since:6.1f} s  {text[:200]}")


# In each tab, before Streamlit's code: every socket's close code, reason and whether it was
# clean, as the page saw them (Streamlit logs a clean close only at its info level).
WATCH_SOCKETS_JS = """(() => {
  const Native = window.WebSocket;
  window.__socketCloses = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("close", (event) => window.__socketCloses.push(
        `code ${event.code} ${event.reason || "(no reason)"}, clean ${event.wasClean}, ` +
        `at ${(performance.now() / 1000).toFixed(1)} s of the page`));
    }
  };
})();"""


def socket_closes_seen(page) -> list[str]:
    """The close codes the page saw (empty when the page cannot be read)."""
    try:
        return page.evaluate("() => window.__socketCloses || []")
    except Exception:  # a page that is gone: the event notes still say something
        return []


# A page has loaded for its student once the frame that first shows its run buttons and its
# Step metric is drawn (a mutation observer, then the next animation frame; the time in ms
# since the epoch). Playwright's own wait for them checks the page between its tasks, and a
# page still busy drawing what comes after them answered up to 2.5 s late.
LOAD_WATCH_JS = """(() => {
  window.__mlpShownAt = null;
  const shown = () => document.querySelector('.st-key-run_controls button')
    && document.querySelector('[data-testid="stMetricValue"]');
  const observer = new MutationObserver(() => {
    if (shown()) {
      observer.disconnect();
      requestAnimationFrame(() => {
        window.__mlpShownAt = performance.timeOrigin + performance.now();
      });
    }
  });
  document.addEventListener("DOMContentLoaded", () =>
    observer.observe(document.body, { subtree: true, childList: true }));
})();"""


def open_tab(context, url: str) -> tuple[object, float]:
    """A new tab on `url`, and the seconds until its run buttons and metric are on the screen."""
    page = context.new_page()
    page.add_init_script(WATCH_SOCKETS_JS)
    page.add_init_script(LOAD_WATCH_JS)
    _FIRST_TAB[:] = _FIRST_TAB or [time.perf_counter()]

    # A tab whose socket closes has to reconnect (no Pause to press meanwhile): count it, and
    # keep what the page logged about it.
    def closed(socket) -> None:
        SOCKET_CLOSES.update([id(page)])
        _note_connection(f"socket closed: {socket.url}")

    page.on("websocket", lambda socket: socket.on("close", lambda _: closed(socket)))
    page.on("console", lambda message: any(
        word in message.text.lower() for word in CONNECTION_WORDS
    ) and _note_connection(f"console {message.type}: {message.text}"))  # fmt: skip
    started = time.time()  # the epoch, as the page's time stamp
    page.goto(url, timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function("window.__mlpShownAt !== null", timeout=LOAD_TIMEOUT_MS)
    return page, page.evaluate("window.__mlpShownAt") / 1000 - started


# Pause as a student sees it: from the click (the browser's own time stamp of the click event)
# until the frame that first shows "Paused." (a mutation observer, then the next animation
# frame). The click goes to the button's place at once, as a hand does: Playwright's
# `locator.click` first waits for the button to keep still over animation frames, which on a
# busy page added 1.2-1.5 s that no student waits.
PAUSE_WATCH_JS = """() => {
  window.__pauseClick = null; window.__pauseShown = null;
  document.addEventListener("click", (event) => { window.__pauseClick = event.timeStamp; },
                            { capture: true, once: true });
  const paused = () => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
    .some((caption) => caption.textContent.includes("Paused."));
  const observer = new MutationObserver(() => {
    if (window.__pauseClick !== null && paused()) {
      observer.disconnect();
      requestAnimationFrame(() => { window.__pauseShown = performance.now(); });
    }
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
}"""


def tab_state(page) -> str:
    """What a tab shows, for a note when it does not answer: its run button, its status line
    and how many times its socket closed."""
    toggle = run_button(page, "toggle")
    button = toggle.first.inner_text() if toggle.count() else "(no run buttons on the page)"
    captions = " ".join(page.locator('[data-testid="stCaptionContainer"]').all_inner_texts())
    return (f"button {button!r}, status {captions[:160]!r}, "
            f"socket closed {SOCKET_CLOSES[id(page)]} times")  # fmt: skip


def time_pause(page) -> float | None:
    """Seconds from a click on Pause to "Paused." on the screen, or None without an answer
    within 60 s."""
    try:
        box = run_button(page, "toggle").filter(has_text="Pause").bounding_box(timeout=30_000)
    except PlaywrightTimeoutError:
        print(f"  (no Pause button to press: {tab_state(page)})")
        return None
    page.evaluate(PAUSE_WATCH_JS)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    try:
        page.wait_for_function("window.__pauseShown !== null", timeout=60_000)
    except PlaywrightTimeoutError:
        clicked = page.evaluate("window.__pauseClick !== null")
        print(f"  (no Pause shown: click seen {clicked}, {tab_state(page)})")
        return None
    return page.evaluate("(window.__pauseShown - window.__pauseClick) / 1000")


# The charts at the top of the Playground (boundary, loss, accuracy) drawn by Plotly.
CHARTS_DRAWN_JS = """() => {
  const charts = [...document.querySelectorAll('.js-plotly-plot')];
  return charts.length >= 3 && charts.every((chart) => chart._fullLayout);
}"""


def charts_drawn(page, started: float) -> float | None:
    """Seconds from `started` until the tab's first charts are drawn (the page's controls
    come first: plotly.js loads after them), or None without them within 60 s."""
    try:
        page.wait_for_function(CHARTS_DRAWN_JS, timeout=60_000)
    except PlaywrightTimeoutError:
        return None
    return time.perf_counter() - started


# No live chart in the tab is drawing or waiting to be drawn (see `playground.ui.live_chart`).
CHARTS_IDLE_JS = """() => {
  const turns = window.__mlpTurns;
  return !turns || (!turns.busy && !turns.first.length && !turns.waiting.length
                    && !turns.later.length);
}"""


def wait_until_charts_idle(pages, timeout: float = 15.0) -> float:
    """Seconds until every tab's charts are drawn (at most `timeout`)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if all(page.evaluate(CHARTS_IDLE_JS) for page in pages):
                break
        except Exception:  # a tab that is gone has nothing to draw
            break
        time.sleep(0.2)
    return time.perf_counter() - started


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
    if "playground/core/session.py" in stack or "mlp/" in stack:
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


class SocketClass:
    """The protocol clients of a class (see `protocol_client`), on an event loop of their own
    in a background thread, so the Playwright tabs keep the main thread."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.clients: list[ProtocolClient] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def _run(self, coroutine, timeout: float = 600.0):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def open(self) -> tuple[ProtocolClient, float]:
        client = ProtocolClient(self.url)
        seconds = self._run(client.open(timeout=LOAD_TIMEOUT_MS / 1000))
        self.clients.append(client)
        return client, seconds

    def click(self, client: ProtocolClient, action: str) -> float:
        return self._run(client.click(action, timeout=LOAD_TIMEOUT_MS / 1000))

    def close(self) -> None:
        async def close_all() -> None:
            await asyncio.gather(*(client.close() for client in self.clients),
                                 return_exceptions=True)  # fmt: skip

        if not self._thread.is_alive():
            return
        try:
            self._run(close_all(), timeout=60)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)


def client_queued(client: ProtocolClient) -> bool:
    return "Queued" in client.status


def one_class(
    n_sessions: int,
    seconds: float,
    browser,
    n_browsers: int,
    place_seconds: int,
    profile: bool = False,
    new_tabs: int = 3,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(f"/tmp/classroom-{n_sessions}.log", "w")  # noqa: SIM115
    server = start_streamlit(port, log, env={"MLP_PLACE_SECONDS": str(place_seconds)})
    n_browsers = min(n_browsers, n_sessions)
    sockets = SocketClass(url)
    contexts = []
    try:
        wait_until_healthy(server, url)
        rss_idle, threads_idle = proc_status(server.pid)
        contexts = [browser.new_context(viewport={"width": 1280, "height": 900})
                    for _ in range(n_browsers)]  # fmt: skip
        pages, tab_loads, socket_loads = [], [], []
        for context in contexts:  # the class comes in, one tab after another
            page, seconds_to_load = open_tab(context, url)
            pages.append(page)
            tab_loads.append(seconds_to_load)
        for _ in range(n_sessions - n_browsers):
            _, seconds_to_load = sockets.open()
            socket_loads.append(seconds_to_load)
        # The browser tabs press Play first: they hold places, so Pause is timed where it
        # matters; the rest press Play after them and queue beyond the places.
        for page in pages:
            toggle = run_button(page, "toggle")
            toggle.filter(has_text="Play").click(timeout=LOAD_TIMEOUT_MS)
        socket_play, played_at = [], []
        for client in sockets.clients:
            played_at.append(time.perf_counter())  # the click, as a student makes it
            socket_play.append(sockets.click(client, "play"))
        # How long after its Play each protocol client first draws a step (its Step metric
        # above 0, as the page draws it, timed when it arrives): the wait a student sees
        # before the network moves.
        first_step: list[float] = []
        watch_until = time.perf_counter() + max(3.0, FIRST_STEP_WATCH_SECONDS)
        while (time.perf_counter() < watch_until
               and any(client.first_step_at is None for client in sockets.clients)):  # fmt: skip
            time.sleep(0.05)
        for client, played in zip(sockets.clients, played_at, strict=True):
            if client.first_step_at is not None:
                first_step.append(client.first_step_at - played)
        time.sleep(max(0.0, 3.0 - (time.perf_counter() - played_at[-1])) if played_at else 3.0)

        def states() -> tuple[list[int | None], list[bool]]:
            steps = [counter(page) for page in pages] + [c.step for c in sockets.clients]
            waiting = [queued(page) for page in pages] + [client_queued(c) for c in sockets.clients]
            return steps, waiting

        before, waiting_before = states()
        started = time.perf_counter()
        profile_output = Path(f"/tmp/classroom-{n_sessions}-profile.txt")
        profile_output.unlink(missing_ok=True)
        profiler = start_profile(server.pid, seconds, profile_output) if profile else None
        time.sleep(seconds)
        if profiler is not None:
            _, errors = profiler.communicate(timeout=seconds + 60)
            if profiler.returncode:
                print(f"  py-spy failed: {errors.decode(errors='replace').strip()[-300:]}")
        after, waiting = states()
        elapsed = time.perf_counter() - started
        # Only the sessions that held a place all along (a place lasts longer than the window,
        # so training at both ends means training throughout).
        rates = [(b - a) / elapsed
                 for a, b, w0, w1 in zip(before, after, waiting_before, waiting, strict=True)
                 if not (w0 or w1) and a is not None and b is not None]  # fmt: skip
        unresponsive = sum(a is None or b is None for a, b in zip(before, after, strict=True))
        rss_playing, threads_playing = proc_status(server.pid)
        clients = n_sessions - n_browsers
        print(f"\n{n_sessions} sessions ({n_browsers} Chromium tabs, {clients} protocol "
              f"clients), {seconds:.0f} s of playing")  # fmt: skip
        print(f"  page load, Chromium tab:        {summary(tab_loads, 's')}")
        print(f"  page load, protocol client:     {summary(socket_loads, 's')}")
        print(f"  Play handled (protocol client): {summary(socket_play, 's')}")
        print(f"  first step seen after Play:     {summary(first_step, 's')} "
              f"({len(first_step)} of {len(sockets.clients)} protocol clients within "
              f"{FIRST_STEP_WATCH_SECONDS:g} s)")  # fmt: skip
        print(f"  training:           {len(rates)} of {n_sessions} sessions all along "
              f"({sum(waiting_before)} queued at the start, {sum(waiting)} at the end; "
              f"places held up to {place_seconds} s)")  # fmt: skip
        print(f"  steps/s (training): {summary(rates, 'steps/s')}")
        print(f"  sessions that showed no step counter: {unresponsive}")
        if profiler is not None:
            print_profile(profile_output)
        pause_latencies, no_answer = [], 0
        # Pause where it matters: in tabs that are training (a queued one only leaves the queue).
        training_pages = [page for page in pages if not queued(page)] or pages
        for page in training_pages[: min(3, n_sessions)]:
            try:
                latency = time_pause(page)
            except PlaywrightTimeoutError:
                latency = None
            if latency is None:
                no_answer += 1
            else:
                pause_latencies.append(latency)
        training_clients = [c for c in sockets.clients if not client_queued(c)]
        socket_pauses = [sockets.click(c, "pause") for c in training_clients[:3]]
        # A new student comes in while the class plays. After the Pauses, once the tabs on
        # this machine are idle (a paused tab first draws the charts it skipped while they
        # were out of view): in a class the newcomer's browser is on a machine of its own
        # (the paused sessions' places have gone to sessions from the queue).
        idle_after = wait_until_charts_idle(pages)
        late_loads, late_charts = [], []
        for _ in range(new_tabs):  # one after another, each a browser that has not been here
            extra = browser.new_context(viewport={"width": 1280, "height": 900})
            try:
                opened = time.perf_counter()
                late_page, late_load = open_tab(extra, url)
                late_loads.append(late_load)
                drawn = charts_drawn(late_page, opened)
                if drawn is not None:
                    late_charts.append(drawn)
            except PlaywrightTimeoutError:
                late_loads.append(float("inf"))
            finally:
                extra.close()
        _, late_socket_load = sockets.open()  # closed with the others
        errors = [error for client in sockets.clients for error in client.errors]
        closes = sum(SOCKET_CLOSES[id(page)] for page in pages)  # before the tabs close
        for page in pages:
            for seen in socket_closes_seen(page):
                _note_connection(f"the page saw its socket close: {seen}")
        for context in contexts:
            context.close()
        sockets.close()
        closed = time.perf_counter()
        threads_after = threads_playing
        while time.perf_counter() - closed < 90:
            rss_after, threads_after = proc_status(server.pid)
            if threads_after <= threads_idle:
                break
            time.sleep(1.0)
        back_after = time.perf_counter() - closed
        names = python_threads(server.pid)
        asked = len(training_pages[:3])
        print(f"  Pause shows 'Paused.' in a Chromium tab: {summary(pause_latencies, 's')}; "
              f"{no_answer} of {asked} tabs did not answer within 60 s")  # fmt: skip
        print(f"  Pause handled (protocol client): {summary(socket_pauses, 's')}")
        finite = [load for load in late_loads if load < float("inf")]
        late = summary(finite, "s") if finite else "none loaded"
        late += f" [{', '.join(f'{load:.1f}' for load in late_loads)} in order]"
        if len(finite) < len(late_loads):
            late += (f"; {len(late_loads) - len(finite)} did not load within "
                     f"{LOAD_TIMEOUT_MS / 1000:.0f} s")  # fmt: skip
        if late_charts:
            late += f" (charts drawn: {summary(late_charts, 's')})"
        print(f"  new tabs while playing, one after another ({len(late_loads)}): Chromium {late}; "
              f"protocol client {late_socket_load:.1f} s (opened once the paused tabs had drawn "
              f"their charts, {idle_after:.1f} s after the Pauses)", flush=True)  # fmt: skip
        print(f"  errors shown to protocol clients: {len(errors)} {errors[:2]}")
        print(f"  Chromium tabs' sockets closed while open: {closes}")
        for note in CONNECTION_NOTES:
            print(f"    {note}")
        CONNECTION_NOTES.clear()
        _FIRST_TAB.clear()
        pool = configured_processes() or "none (MLP_TRAINING_PROCESSES=0)"
        print(f"  server RSS (with its training processes: {pool}): {rss_idle:.0f} MB idle, "
              f"{rss_playing:.0f} MB playing, {rss_after:.0f} MB after")  # fmt: skip
        print(f"  server threads: {threads_idle} idle, {threads_playing} playing, "
              f"{threads_after} {back_after:.0f} s after the tabs closed")  # fmt: skip
        if names is not None:
            workers = sum(count for name, count in names.items() if name.startswith("mlp-"))
            print(
                f"  Python threads then: {workers} training workers; "
                + ", ".join(f"{name} {count}" for name, count in sorted(names.items()))
            )
    finally:
        for context in contexts:
            with contextlib.suppress(Exception):
                context.close()
        with contextlib.suppress(Exception):
            sockets.close()
        stop_streamlit(server)
        log.close()


def chromium_starter(folder: Path, low_priority: bool, core: int | None) -> str:
    """Chromium itself, or a script that starts it (and so all its processes) at nice 19
    and/or on one core."""
    if not low_priority and core is None:
        return CHROMIUM
    prefix = ("nice -n 19 " if low_priority else "") + (
        f"taskset -c {core} " if core is not None else "")  # fmt: skip
    script = folder / "chromium-starter"
    script.write_text(f'#!/bin/sh\nexec {prefix}"{CHROMIUM}" "$@"\n')
    script.chmod(0o755)
    return str(script)


def python_threads(pid: int) -> collections.Counter | None:
    """The server's Python threads by name (py-spy dump), or None without py-spy."""
    if shutil.which("py-spy") is None:
        return None
    dump = subprocess.run(["py-spy", "dump", "--pid", str(pid)], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    names = collections.Counter()
    for line in dump.stdout.splitlines():
        if line.startswith("Thread ") and '"' in line:
            names[line.split('"')[1]] += 1
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,10,30")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument(
        "--profile", action="store_true", help="sample where the server's time goes (py-spy)"
    )
    parser.add_argument("--browser-priority", choices=("low", "normal"), default="normal")
    parser.add_argument(
        "--cores", choices=("shared", "split"), default="shared",
        help="split: the server and protocol clients on core 0, Chromium on core 1",
    )  # fmt: skip
    parser.add_argument(
        "--place-seconds", type=int, default=120,
        help="MLP_PLACE_SECONDS for the server: longer than the measured window, so the "
             "sessions that train are the same at both ends (default 120; the app's is 30)",
    )  # fmt: skip
    parser.add_argument(
        "--browsers", type=int, default=3,
        help="real Chromium tabs per class (the rest are protocol clients); default 3",
    )  # fmt: skip
    parser.add_argument(
        "--new-tabs", type=int, default=3,
        help="new tabs opened one after another while the class plays, each in a browser "
             "context of its own (nothing cached); default 3",
    )  # fmt: skip
    args = parser.parse_args()
    sizes = [min(int(n), MAX_SESSIONS) for n in args.sessions.split(",")]
    split = args.cores == "split"
    if split:
        # Threads and processes started from here on (the server, the protocol clients'
        # thread, Playwright's driver) inherit core 0; Chromium's starter moves it to core 1.
        os.sched_setaffinity(0, {0})
    where = "on a core of its own (the server on the other)" if split else "on the server's cores"
    print(f"Chromium at {args.browser_priority} priority, {where}.", flush=True)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        executable = chromium_starter(Path(folder), args.browser_priority == "low",
                                      1 if split else None)  # fmt: skip
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)  # fmt: skip
        try:
            for n_sessions in sizes:
                one_class(n_sessions, args.seconds, browser, args.browsers, args.place_seconds,
                          args.profile, args.new_tabs)  # fmt: skip
        finally:
            browser.close()


if __name__ == "__main__":
    main()

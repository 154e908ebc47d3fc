"""Training in worker processes: every session that plays trains at once, on every core.

The page's own process serves pages; a pool of training processes (`MLP_TRAINING_PROCESSES`,
one per core is a good choice) trains. When a session plays, its runs go to the process
with the fewest sessions, copied once (`pickle`: the network, the optimizer's state, the
trainer's generators and curves; never the data, which the process builds from the
configuration as a seed sweep does, or is given once for a CSV). There the runs train in
slices of `SLICE_SECONDS`, each playing session in turn, so all share their process evenly.
While it plays, the page asks for snapshots (what the views draw) and gets them between two
slices; live settings, new drawn points, the speed and the inside switch are sent along.
When it pauses (or its runs stop by themselves: they diverged), the runs come back, as they
are, and everything a paused page does (a step, look back, the inside views, save, surgery)
works on them in the page's process. The same configuration and seed give bitwise the same
numbers as training in the page's process: the copy holds every bit of state.

A process that dies costs its sessions their training since Play (they get a message; Reset
works) and is replaced; the server goes on. Closing a tab drops its session from its process.

On by default, one process per core (`configured_processes`). At most `SESSIONS_PER_PROCESS`
sessions per process train at once (`MLP_MAX_TRAINING` sets another cap); beyond it a session
waits in the queue of `scheduler.TrainingPlaces`, a guard rather than the rule. With
`MLP_TRAINING_PROCESSES=0` sessions train in a thread of the page's process instead
(`session.Worker`), one at a time among a few places.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import sys
import threading
import time
import traceback
import types
from collections import deque
from collections.abc import Iterator
from itertools import count
from typing import Any

__all__ = [
    "PROCESSES_VARIABLE",
    "SESSIONS_PER_PROCESS",
    "RemoteRuns",
    "TrainingPool",
    "available_cores",
    "configured_processes",
]

PROCESSES_VARIABLE = "MLP_TRAINING_PROCESSES"
SLICE_SECONDS = 0.02  # training a process gives one playing session before the next one's turn
IDLE_POLL_SECONDS = 0.05  # how long a process with nothing playing waits for a message
REPLY_SECONDS = 30.0  # longest a page waits for its runs to come back at Pause
FIRST_SNAPSHOT_SECONDS = 1.0  # longest a page waits for the first steps after Play
SESSIONS_PER_PROCESS = 20  # sessions a process trains at once before more wait in the queue
MAX_PROCESSES = 64
NICENESS = 10  # how much lower the training processes' priority is than the server's
STOPPED = (
    "The training process stopped ({why}): the training since you pressed Play is lost. "
    "Press Reset to start again."
)


def available_cores() -> int:
    """The cores this process may run on (its affinity, which a container or `taskset` may
    narrow, rather than every core of the machine)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def configured_processes() -> int:
    """The training processes `MLP_TRAINING_PROCESSES` asks for (0: none, sessions train in
    the page's process); unset or not a whole number: one per core."""
    text = os.environ.get(PROCESSES_VARIABLE, "").strip()
    if text.isdigit():
        return min(int(text), MAX_PROCESSES)
    return min(available_cores(), MAX_PROCESSES)


# -- the page's side ----------------------------------------------------------------------


class RemoteRuns:
    """One session's runs while they train in a pool process; the page's handle on them."""

    def __init__(self, process: _Process, session_id: int, on_stop) -> None:
        self._process = process
        self.session_id = session_id
        self._on_stop = on_stop  # called with (runs bytes or None, error or None), unasked
        self._snapshots: tuple | None = None
        self._snapshot_ready = threading.Event()
        self._returned: bytes | None = None
        self._back = threading.Event()
        self._copy: bytes | None = None
        self._copied = threading.Event()
        self.failed: str | None = None
        self.stats: tuple[int, float] = (1, 0.0)  # (sessions playing in the pool, step rate)

    def send(self, kind: str, *payload: Any) -> None:
        self._process.send((kind, self.session_id, *payload))

    def fresh_snapshots(self, timeout: float) -> tuple | None:
        """The runs' snapshots as of now (taken between two slices), or the latest ones if
        they do not come within `timeout` seconds; None before the first."""
        self._snapshot_ready.clear()
        if self.failed is None:
            self.send("snapshot")
            # The first answer comes after the first slice (see `_serve`): the page that
            # pressed Play shows the network moving, not the step it was at.
            self._snapshot_ready.wait(FIRST_SNAPSHOT_SECONDS if self._snapshots is None
                                      else timeout)  # fmt: skip
        return self._snapshots

    def copy_runs(self, timeout: float = REPLY_SECONDS) -> bytes | None:
        """The runs as they are now, pickled, while they go on training (for an export of
        the present); None if they do not come within `timeout` seconds."""
        self._copied.clear()
        if self.failed is None:
            self.send("copy")
            self._copied.wait(timeout)
        return self._copy

    def take_back(self) -> bytes | None:
        """Stop training and return the runs as they are now (None if the process died)."""
        if self.failed is None and self._returned is None:
            self.send("pause")
            self._back.wait(REPLY_SECONDS)
        self._process.forget(self.session_id)
        return self._returned

    def drop(self) -> None:
        """The tab closed: the process forgets the runs."""
        if self.failed is None:
            self.send("drop")
        self._process.forget(self.session_id)

    # called by the process's reader thread
    def _snapshots_arrived(self, snapshots: tuple, stats: tuple[int, float]) -> None:
        self._snapshots = snapshots
        self.stats = stats
        self._snapshot_ready.set()

    def _copy_arrived(self, runs: bytes) -> None:
        self._copy = runs
        self._copied.set()

    def _runs_arrived(self, runs: bytes, asked: bool) -> None:
        self._returned = runs
        self._back.set()
        if not asked:
            self._on_stop(runs, None)

    def _fail(self, why: str) -> None:
        self.failed = why
        self._snapshot_ready.set()
        self._back.set()
        self._copied.set()
        self._on_stop(None, why)


_MAIN_LOCK = threading.Lock()


@contextlib.contextmanager
def _plain_main() -> Iterator[None]:
    """While a process starts, an empty `__main__`. A "spawn" child first runs the file of
    its parent's `__main__`, and Streamlit runs each page script as `__main__`: without
    this, every training process would run the page (`app.py`) once in bare mode, and one
    started from a page run would start processes of its own."""
    with _MAIN_LOCK:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if main is not None:
                sys.modules["__main__"] = main


class _Process:
    """One training process, the pipe to it and the thread that reads what it sends."""

    def __init__(self, context, index: int) -> None:
        self.index = index
        self._context = context
        self._send_lock = threading.Lock()
        self._handles: dict[int, RemoteRuns] = {}
        self._lock = threading.Lock()
        self._start()

    def _start(self) -> None:
        ours, theirs = self._context.Pipe()
        self.process = self._context.Process(
            target=_serve, args=(theirs,), name=f"mlp-training-{self.index}", daemon=True
        )
        with _plain_main():
            self.process.start()
        theirs.close()
        self._connection = ours
        reader = threading.Thread(target=self._read, args=(ours, self.process), daemon=True,
                                  name=f"mlp-training-reader-{self.index}")  # fmt: skip
        reader.start()

    @property
    def sessions(self) -> int:
        with self._lock:
            return len(self._handles)

    def add(self, handle: RemoteRuns) -> None:
        with self._lock:
            self._handles[handle.session_id] = handle

    def forget(self, session_id: int) -> None:
        with self._lock:
            self._handles.pop(session_id, None)

    def send(self, message: tuple) -> None:
        try:
            with self._send_lock:
                self._connection.send(message)
        except (OSError, ValueError):  # the process is gone: its reader says so
            pass

    def _read(self, connection, process) -> None:
        while True:
            try:
                kind, session_id, *payload = connection.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                handle = self._handles.get(session_id)
            if handle is None:
                continue
            if kind == "snapshots":
                handle._snapshots_arrived(pickle.loads(payload[0]), payload[1])
            elif kind == "runs":
                handle._runs_arrived(payload[0], asked=payload[1])
            elif kind == "copy":
                handle._copy_arrived(payload[0])
            elif kind == "error":
                self.forget(session_id)
                handle._fail(payload[0])
        # The process ended (killed, or out of memory): its sessions hear why, and a new
        # process takes its place for the sessions that play next.
        process.join(timeout=1.0)
        why = f"exit code {process.exitcode}" if process.exitcode is not None else "no reply"
        with self._lock:
            handles, self._handles = list(self._handles.values()), {}
        for handle in handles:
            handle._fail(STOPPED.format(why=why))
        if self._connection is connection and not getattr(self, "closed", False):
            self._start()

    def close(self) -> None:
        self.closed = True
        self.send(("stop", 0))
        self.process.join(timeout=2.0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=2.0)


class TrainingPool:
    """`processes` training processes, started with the "spawn" method (a fresh interpreter:
    the page's threads are not copied into it). `play` hands a session's runs to the one with
    the fewest sessions."""

    def __init__(self, processes: int) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._size = processes
        self._processes: list[_Process] = []  # started at the first Play
        self._start_lock = threading.Lock()
        self._ids = count(1)

    @property
    def size(self) -> int:
        return self._size

    @property
    def playing(self) -> int:
        """Sessions whose runs are in a training process now."""
        return sum(process.sessions for process in self._processes)

    def pids(self) -> list[int]:
        return [process.process.pid for process in self._processes]

    def start(self) -> None:
        """Start the processes now, not at the first Play (a process takes a second or two to
        start, which the first student to press Play would otherwise wait)."""
        with self._start_lock:
            if not self._processes:
                self._processes = [_Process(self._context, index) for index in range(self._size)]

    def play(self, runs: bytes, data: tuple[str, Any], speed: float | None, inside: bool,
             on_stop) -> RemoteRuns:  # fmt: skip
        """Train the pickled `runs` in a process from now on. `data`: ("key", the settings
        that decide the data as `compare.data_key` writes them) or ("data", the pickled data
        set). `on_stop(runs, error)` is called when the runs come back unasked (they diverged)
        or the process died."""
        self.start()
        process = min(self._processes, key=lambda p: p.sessions)
        handle = RemoteRuns(process, next(self._ids), on_stop)
        process.add(handle)
        handle.send("play", runs, data, speed, inside)
        return handle

    def close(self) -> None:
        for process in self._processes:
            process.close()


# -- the training process's side ----------------------------------------------------------


def _serve(connection) -> None:
    """A training process: takes sessions' runs, trains every playing one in turn, answers."""
    import threadpoolctl

    threadpoolctl.threadpool_limits(limits=1, user_api="blas")  # one core each
    # Pages come first: the server's process gets a core when it has a page to draw, and
    # training takes the rest of the time (a lower priority, not a cap).
    with contextlib.suppress(AttributeError, OSError):
        os.nice(NICENESS)
    sessions: dict[int, Any] = {}  # id -> TrainingSession
    turns: deque[int] = deque()
    # Sessions not yet given a slice since Play: id -> whether their page asked for a
    # snapshot, which is answered after that first slice.
    unstarted: dict[int, bool] = {}
    while True:
        wait = 0.0 if turns else IDLE_POLL_SECONDS
        while connection.poll(wait):
            message = connection.recv()
            if message[0] == "stop":
                return
            try:
                _handle(message, sessions, turns, unstarted, connection)
            except Exception:  # noqa: BLE001 - the page hears of any failure, in words
                session_id = message[1]
                _forget(session_id, sessions, turns, unstarted)
                connection.send(("error", session_id, _failure()))
            wait = 0.0
        if not turns:
            continue
        session_id = turns[0]
        turns.rotate(-1)
        session = sessions[session_id]
        try:
            session.advance(SLICE_SECONDS)
        except Exception:  # noqa: BLE001
            _forget(session_id, sessions, turns, unstarted)
            connection.send(("error", session_id, _failure()))
            continue
        if unstarted.pop(session_id, False):
            _send_snapshots(session_id, session, len(turns), connection)
        if not session.playing:  # every run diverged: the runs go back, as they are
            _forget(session_id, sessions, turns, unstarted)
            connection.send(("runs", session_id, pickle.dumps(session.runs), False))
        elif session.steps_per_second is not None:
            time.sleep(min(session.seconds_until_next_step(), SLICE_SECONDS) / max(len(turns), 1))


def _forget(session_id: int, sessions: dict, turns: deque, unstarted: dict) -> None:
    sessions.pop(session_id, None)
    unstarted.pop(session_id, None)
    if session_id in turns:
        turns.remove(session_id)


def _send_snapshots(session_id: int, session, playing: int, connection) -> None:
    session.publish(reuse_inside=True)
    stats = (playing, 0.0)
    connection.send(("snapshots", session_id, pickle.dumps(session.snapshots), stats))


def _failure() -> str:
    lines = traceback.format_exc().strip().splitlines()
    return f"The training process failed: {lines[-1] if lines else 'unknown error'}"


def _handle(message: tuple, sessions: dict, turns: deque, unstarted: dict, connection) -> None:
    from playground.core.compare import task_data
    from playground.core.session import TrainingSession

    kind, session_id, *payload = message
    if kind == "play":
        runs_bytes, (source, value), speed, inside = payload
        data = task_data(value, None) if source == "key" else pickle.loads(value)
        runs = pickle.loads(runs_bytes)
        for run in runs:
            run.attach(data)
        session = TrainingSession.from_runs(runs, data)
        session.set_speed(speed)
        session.show_inside(inside)
        session.play()
        sessions[session_id] = session
        turns.append(session_id)
        unstarted[session_id] = False
        return
    session = sessions.get(session_id)
    if session is None:
        return
    if kind == "snapshot":
        if session_id in unstarted:
            unstarted[session_id] = True  # answered after its first slice
        else:
            _send_snapshots(session_id, session, len(turns), connection)
    elif kind == "copy":
        connection.send(("copy", session_id, pickle.dumps(session.runs)))
    elif kind == "pause":
        session.playing = False
        _forget(session_id, sessions, turns, unstarted)
        connection.send(("runs", session_id, pickle.dumps(session.runs), True))
    elif kind == "drop":
        _forget(session_id, sessions, turns, unstarted)
    elif kind == "live":
        session.apply_live(payload[0])
    elif kind == "data":
        session.replace_data(pickle.loads(payload[0]))
    elif kind == "speed":
        session.set_speed(payload[0])
    elif kind == "inside":
        session.show_inside(payload[0])

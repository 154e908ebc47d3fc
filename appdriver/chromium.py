"""Which Chromium the tests and benchmarks launch, with which flags, and its processes.

Debian's Chromium at /usr/bin/chromium unless MLP_CHROMIUM names another. Playwright closes
the browser it launched; `chromium_processes` and `stop_processes` make sure, by PID, that
none of its processes outlives the tests.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "chromium_processes", "descendants", "stop_processes"]

CHROMIUM = os.environ.get("MLP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def descendants(root: int) -> list[int]:
    """Every process below `root` (Linux /proc); an empty list elsewhere."""
    try:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as stat:
                        parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
                children.setdefault(parent, []).append(int(entry))
    except OSError:
        return []
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _start_time(pid: int) -> str | None:
    """The process's start time (in clock ticks after boot), which tells it from a later
    process given the same PID; None when it is gone (or has exited and waits to be reaped)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return fields[19]


def chromium_processes(root: int | None = None) -> dict[int, str]:
    """The Chromium processes below `root` (this process by default), by PID, with their start
    times: what `stop_processes` ends if closing the browser left any."""
    found = {}
    for pid in descendants(os.getpid() if root is None else root):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                program = cmdline.read().split(b"\0", 1)[0].decode(errors="replace")
        except OSError:
            continue
        started = _start_time(pid)
        if "chrom" in os.path.basename(program) and started is not None:
            found[pid] = started
    return found


def stop_processes(
    processes: dict[int, str], grace: float = 3.0, timeout: float = 5.0
) -> list[int]:
    """End, by PID, those of `processes` (PID: start time) still running after `grace` seconds
    (a browser's helpers exit a moment after it): politely, then for sure. A PID that now
    names another process is left alone. Returns the PIDs it had to end."""

    def running(pids) -> list[int]:
        return [pid for pid in pids if _start_time(pid) == processes[pid]]

    def wait(pids, seconds: float) -> list[int]:
        deadline = time.monotonic() + seconds
        while running(pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        return running(pids)

    ended = wait(list(processes), grace)
    for pid in ended:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    for pid in wait(ended, timeout):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return ended

"""Start and stop `streamlit run app.py` on 127.0.0.1, each server stopped by its PID.

Shared by the browser tests and the benchmarks, so both start the app the same way.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(log_path: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """A fresh `streamlit run` on a free port for the `with` block, with the variables `env`
    added and its output in `log_path`; yields its base URL and stops it by its PID after."""
    port = free_port()
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("w") as log:
        process = start_streamlit(port, log, env)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_healthy(process, url)
            yield url
        finally:
            stop_streamlit(process)


def start_streamlit(port: int, log, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Launch the app on 127.0.0.1:`port`, its output going to the open file `log`, with the
    variables `env` added to the environment."""
    return subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none",
        ],
        cwd=REPO_ROOT,
        env=None if env is None else {**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_until_healthy(process: subprocess.Popen, url: str, timeout: float = 60.0) -> float:
    """Poll the health endpoint every 50 ms; the perf_counter time it first answered.

    Raises RuntimeError when the server exits or does not answer within `timeout` seconds.
    """
    deadline = time.perf_counter() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter()
        except OSError:
            pass
        if process.poll() is not None or time.perf_counter() > deadline:
            raise RuntimeError("streamlit did not start; see its log")
        time.sleep(0.05)


def stop_streamlit(process: subprocess.Popen) -> None:
    """End the server we started, by its PID: politely, then for sure."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def close_browser_and_server(browser, process: subprocess.Popen | None) -> None:
    """Close the browser, then stop the server we started, even when closing the browser
    fails (the benchmarks' cleanup)."""
    try:
        browser.close()
    finally:
        if process is not None:
            stop_streamlit(process)

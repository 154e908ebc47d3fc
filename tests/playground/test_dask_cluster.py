"""Seed sweeps on a real Dask cluster: a `dask scheduler` and a `dask worker` started as
processes of their own, in a folder outside the project, with the project installed as a
package (`pip install .`), as on a lab's machines. The sweep runs through the page's own code
(`make_executor`, `run_sweep`) and gives the numbers the process pool gives; a cluster without
the project says so in words. Both processes are stopped by PID."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from playground.core.compare import (
    DASK_ADDRESS_VARIABLE,
    SweepError,
    make_executor,
    preset_variants,
    run_sweep,
    sweep_tasks,
)
from playground.core.config import Config, HiddenLayer

pytest.importorskip("distributed", reason="dask.distributed is not installed")

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The project installed as a package into a folder of its own (no dependencies: the
    test's environment has them), as `pip install .` puts it on a cluster's machines."""
    pytest.importorskip("setuptools", reason="building the package needs setuptools")
    # Built from a copy, so the build's scratch folders stay out of the project.
    source = tmp_path_factory.mktemp("source")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("mlp", "playground"):
        shutil.copytree(ROOT / folder, source / folder, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", source / "pyproject.toml")
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.fail(f"pip install . failed: {done.stderr[-2000:]}")
    assert (target / "playground" / "core" / "compare.py").is_file()
    assert (target / "mlp" / "datasets" / "mnist_sample.npz").is_file()  # the package's data
    return target


class Cluster:
    """A scheduler and one worker, each a process started in `folder` (outside the project)
    with `site` (or nothing) on its import path."""

    def __init__(self, folder: Path, site: Path | None) -> None:
        self.folder = folder
        environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        if site is not None:
            environment["PYTHONPATH"] = str(site)
        environment["OPENBLAS_NUM_THREADS"] = "1"
        scheduler_file = folder / "scheduler.json"
        common = {"cwd": folder, "env": environment, "stdout": subprocess.DEVNULL,
                  "stderr": subprocess.DEVNULL}  # fmt: skip
        scheduler = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--port", "0",
                     "--dashboard-address", ":0", "--scheduler-file",
                     str(scheduler_file)]  # fmt: skip
        self.processes = [subprocess.Popen(scheduler, **common)]
        try:
            deadline = time.monotonic() + START_SECONDS
            while not scheduler_file.is_file() and time.monotonic() < deadline:
                time.sleep(0.1)
            self.address = json.loads(scheduler_file.read_text())["address"]
            self.processes.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", "--scheduler-file",
                 str(scheduler_file), "--nthreads", "1", "--no-nanny", "--no-dashboard"],
                **common))  # fmt: skip
            self._wait_for_worker()
        except BaseException:
            self.stop()
            raise

    def _wait_for_worker(self) -> None:
        from distributed import Client

        with Client(self.address, timeout=START_SECONDS) as client:
            client.wait_for_workers(1, timeout=START_SECONDS)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def cluster_with(tmp_path):
    started = []

    def start(site: Path | None) -> Cluster:
        folder = tmp_path / f"cluster{len(started)}"
        folder.mkdir()
        started.append(Cluster(folder, site))
        return started[-1]

    yield start
    for cluster in started:
        cluster.stop()


def tasks():
    base = Config(dataset="xor", n_points=120, hidden=(HiddenLayer(5, "tanh"),), lr=0.3)
    configs = [variant.config(base) for variant in preset_variants("Max-norm?")]
    return sweep_tasks(configs, seeds=[0, 1], steps=40)


def test_a_sweep_on_a_real_cluster_gives_the_process_pools_numbers(
    installed, cluster_with, monkeypatch
):
    cluster = cluster_with(installed)
    assert ROOT not in cluster.folder.parents  # the cluster runs outside the project
    pool, _ = make_executor(workers=2)
    with pool:
        expected = {(r.variant, r.seed): r for r in run_sweep(tasks(), pool)}
    monkeypatch.setenv(DASK_ADDRESS_VARIABLE, cluster.address)
    executor, description = make_executor()
    assert description == f"the Dask cluster at {cluster.address}"
    with executor:
        on_cluster = {(r.variant, r.seed): r for r in run_sweep(tasks(), executor)}
    assert on_cluster.keys() == expected.keys() and len(expected) == 4
    for key, result in expected.items():
        assert on_cluster[key].test_loss == result.test_loss
        assert on_cluster[key].test_accuracy == result.test_accuracy


def test_a_cluster_without_the_project_is_told_in_words(cluster_with, monkeypatch):
    cluster = cluster_with(None)
    monkeypatch.setenv(DASK_ADDRESS_VARIABLE, cluster.address)
    executor, _ = make_executor()
    with executor, pytest.raises(SweepError) as error:
        list(run_sweep(tasks(), executor))
    words = str(error.value)
    assert "need this project installed" in words and 'pip install ".[distributed]"' in words

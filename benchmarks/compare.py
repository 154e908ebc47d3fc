"""Wall time of a Compare-page seed sweep: one by one, on a process pool, on a local Dask cluster.

Prints figures and asserts nothing.

    python benchmarks/compare.py [--variants 4] [--seeds 5] [--steps 2000] [--rounds 3]

The sweep is the page's: the default spiral (500 points, 16-16 tanh, Adam, batch 10), the
preset "All three" (plain, dropout, dropout + max-norm, all three), each variant with seeds
0..N-1 for a fixed number of steps. The same tasks run three ways, taking turns for `rounds`
rounds (medians printed): one by one in this process, on the page's process pool (one
process per core, started fresh for each sweep as the page does, so start-up counts), and
on a `dask.distributed.LocalCluster` (one single-threaded worker process per core, started
before the clock, as a cluster would be, and closed before the next way runs). Every way must
give the same test accuracies; the script says so.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import threadpoolctl  # noqa: E402

from playground.core.compare import (  # noqa: E402
    PRESETS,
    make_executor,
    preset_variants,
    run_sweep,
    sweep_tasks,
)
from playground.core.config import Config  # noqa: E402


class _KeepOpen:
    """A cluster's executor, left open when the sweep ends (the cluster closes it)."""

    def __init__(self, executor) -> None:
        self._executor = executor

    def submit(self, *args, **kwargs):
        return self._executor.submit(*args, **kwargs)

    def shutdown(self, wait: bool = True) -> None:
        pass


def timed(tasks, executor_factory) -> tuple[float, dict]:
    started = time.perf_counter()
    executor = executor_factory() if executor_factory else None
    try:
        results = {(r.variant, r.seed): r.test_accuracy for r in run_sweep(tasks, executor)}
    finally:
        if executor is not None:
            executor.shutdown(wait=True)
    return time.perf_counter() - started, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    threadpoolctl.threadpool_limits(limits=1, user_api="blas")  # as the server does

    variants = preset_variants("All three")[: args.variants]
    configs = [variant.config(Config()) for variant in variants]
    tasks = sweep_tasks(configs, range(args.seeds), args.steps)
    cores = os.cpu_count() or 1
    names = ", ".join(PRESETS["All three"][: args.variants])
    print(f"{len(configs)} variants ({names}) × {args.seeds} seeds = {len(tasks)} runs of "
          f"{args.steps:,} steps on the default spiral; {cores} cores; "
          f"Python {platform.python_version()}; {args.rounds} rounds")  # fmt: skip

    ways: dict[str, object] = {
        "one by one": None,
        "process pool": lambda: make_executor()[0],
    }
    try:
        from dask.distributed import Client, LocalCluster

        ways["Dask LocalCluster"] = "dask"
    except ImportError:
        print("dask.distributed is not installed: the Dask figure is left out")

    seconds: dict[str, list[float]] = {name: [] for name in ways}
    answers: dict[str, dict] = {}
    for _ in range(args.rounds):
        for name, factory in ways.items():
            if factory != "dask":
                elapsed, results = timed(tasks, factory)
            else:
                # The cluster is up before the clock starts (as a lab's would be) and gone
                # before the next way runs, so its idle processes disturb no other figure.
                cluster = LocalCluster(n_workers=cores, threads_per_worker=1, processes=True,
                                       dashboard_address=None)  # fmt: skip
                with cluster, Client(cluster) as client:
                    executor = client.get_executor()
                    elapsed, results = timed(tasks, lambda executor=executor: _KeepOpen(executor))
            seconds[name].append(elapsed)
            answers[name] = results

    alone = statistics.median(seconds["one by one"])
    print(f"\n{'way':<20} {'median s':>9} {'speed-up':>9}   all rounds (s)")
    for name, values in seconds.items():
        median = statistics.median(values)
        rounds = ", ".join(f"{value:.2f}" for value in values)
        print(f"{name:<20} {median:9.2f} {alone / median:8.2f}×   {rounds}")
    same = all(results == answers["one by one"] for results in answers.values())
    print(f"\nSame test accuracies every way: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()

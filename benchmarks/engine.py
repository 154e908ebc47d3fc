"""Training speed of the NumPy engine next to PyTorch, scikit-learn and the matrix products.

Prints figures and asserts nothing.

    python benchmarks/engine.py [--rounds 15] [--threads 2]

Fair by construction: each implementation runs in its own fresh process (a worker in
``benchmarks/peers/``) at its library's defaults, all with the same thread count (2); no
environment variable is set or changed here (those that matter are printed, with every
process's BLAS and OpenMP pools and kernels). The workers take turns, one case at a time
(ceiling, engine, PyTorch, scikit-learn, ceiling, engine, ...), each for about 0.4 s of steps,
so that drifts of the machine's speed hit them alike; every figure is the median over the
rounds. A worker waiting for its turn is stopped (SIGSTOP), so its idle threads cannot spin
beside the one measured. On a busy 2-core machine two-thread BLAS slows down many times
over, so a turn during which other processes used more than 10% of the cores is run again (up
to 3 times), and the share they used is printed: figures from a busy machine say little.
PyTorch and scikit-learn are optional (``pip install -r benchmarks/requirements.txt``): a
missing one is reported and left out.

Cases:
- MNIST-sized: 784-256-256-10 ReLU, batch 128, float32, SGD (lr 0.01) and Adam (lr 0.001),
  plain and with batch norm + dropout (0.2 on the inputs, 0.5 on the hidden units); samples
  per second on 60,000 real digits (the offline MNIST sample repeated, pixels in [0, 1]). Each
  figure is also given as a share of the ceiling: the same network's matrix products alone
  (3 forward, 3 weight-gradient and 2 input-gradient GEMMs per step), measured in the same
  rounds.
- Toy: 2-8-8-2 tanh on 500 points with SGD (lr 0.1), at batch 10 and at full batch 500; steps
  per second. At full batch every step of the engine ends an epoch and so also evaluates the
  training set; the figure without that evaluation is printed too.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

PEERS = Path(__file__).resolve().parent / "peers"
sys.path.insert(0, str(PEERS))

from protocol import (  # noqa: E402
    CEILING_CASE,
    MNIST_BATCH,
    MNIST_CASES,
    THREADS,
    TOY_CASES,
)

# Worker scripts, in the order they take their turns.
WORKERS = {
    "ceiling": "ceiling.py",
    "engine": "numpy_engine.py",
    "torch": "torch_mlp.py",
    "sklearn": "sklearn_mlp.py",
}
# Exit status of a worker whose library is not installed.
MISSING = 3
# Variables that change how the BLAS and OpenMP libraries run; printed, never set here.
VARIABLES = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_WAIT_POLICY",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "GOMP_SPINCOUNT",
    "KMP_BLOCKTIME",
)
# Seconds of steps per turn.
TURN = 0.4
# A turn during which other processes used more than this share of the cores is run again,
# up to RETRIES times, RETRY_PAUSE seconds apart: a shared machine's load comes in bursts.
BUSY = 0.1
RETRIES = 3
RETRY_PAUSE = 0.5


class Worker:
    """One implementation's process, answering one request at a time."""

    def __init__(self, name: str, script: str, threads: int) -> None:
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, str(PEERS / script), str(threads)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=PEERS,
        )
        line = self.process.stdout.readline()
        if not line:
            status = self.process.wait()
            reason = "not installed" if status == MISSING else f"exited with status {status}"
            raise RuntimeError(f"{name}: {reason}")
        self.info = json.loads(line)["info"]
        self._pause()

    def _pause(self) -> None:
        # A waiting worker is stopped: after their work, OpenBLAS and OpenMP threads spin for
        # up to ~0.1 s before they sleep, which would take the cores from the next worker.
        self.process.send_signal(signal.SIGSTOP)

    def seconds_per_step(self, case: str, budget: float) -> tuple[float | None, float | None]:
        """Mean seconds per step over about budget seconds (None if the case is unsupported),
        and the share of the machine's cores that other processes used meanwhile."""
        self.process.send_signal(signal.SIGCONT)
        busy_before, mine_before = busy_ticks(), process_ticks(self.process.pid)
        self.process.stdin.write(json.dumps({"case": case, "seconds": budget}) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        busy, mine = busy_ticks(), process_ticks(self.process.pid)
        self._pause()
        others = None
        if None not in (busy, busy_before, mine, mine_before) and "seconds" in answer:
            ticks = answer["seconds"] * os.sysconf("SC_CLK_TCK") * os.cpu_count()
            others = max(0.0, (busy[0] - busy_before[0]) - (mine - mine_before)) / ticks
        if "steps" not in answer:
            return None, others
        return answer["seconds"] / answer["steps"], others

    def close(self) -> None:
        self.process.send_signal(signal.SIGCONT)
        self.process.stdin.close()
        self.process.wait()


def busy_ticks() -> tuple[int] | None:
    """Clock ticks all cores have spent busy since boot (Linux), or None."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(f) for f in stat.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle,)


def process_ticks(pid: int) -> int | None:
    """Clock ticks a process has run, all its threads (Linux), or None."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime and stime


def start_workers(threads: int) -> dict[str, Worker]:
    workers = {}
    for name, script in WORKERS.items():
        try:
            workers[name] = Worker(name, script, threads)
        except RuntimeError as error:
            print(f"Left out: {error}.")
    return workers


def measure(workers: dict[str, Worker], rounds: int) -> tuple[dict, list[float], int]:
    """Seconds per step of every (worker, case) pair and whether other processes were busy
    then (above BUSY even after the retries), one list entry per round; for every kept turn
    the share of the cores that other processes used; and how many kept turns were busy."""
    plan = [CEILING_CASE, *MNIST_CASES, *TOY_CASES, "toy evaluation"]
    times: dict[tuple[str, str], list[float]] = {}
    others: list[float] = []
    busy_turns = 0
    unsupported = set()
    for _ in range(rounds):
        for case in plan:
            for name, worker in workers.items():
                if (name, case) in unsupported:
                    continue
                for retry in range(RETRIES + 1):
                    if retry:
                        time.sleep(RETRY_PAUSE)
                    seconds, used_by_others = worker.seconds_per_step(case, TURN)
                    if used_by_others is None or used_by_others <= BUSY:
                        break
                if used_by_others is not None:
                    others.append(used_by_others)
                    busy_turns += used_by_others > BUSY
                if seconds is None:
                    unsupported.add((name, case))
                else:
                    busy = used_by_others is not None and used_by_others > BUSY
                    times.setdefault((name, case), []).append((seconds, busy))
    return times, others, busy_turns


def describe(workers: dict, threads: int, load: tuple, others: list, busy_turns: int) -> None:
    print(f"{threads} threads in every implementation; each in its own process.")
    print("Environment variables:")
    for name in VARIABLES:
        print(f"  {name}={os.environ.get(name, '(unset)')}")
    for name, worker in workers.items():
        info = worker.info
        threads = f", {info['threads']} threads" if "threads" in info else ""
        print(f"{name}: {info['library']}{threads}")
        for pool in info["pools"]:
            print(
                f"  {pool['internal_api']} {pool['version']}, kernel {pool['architecture']}, "
                f"{pool['num_threads']} threads, {Path(pool['filepath']).name}"
            )
    before, after = (" ".join(f"{x:.2f}" for x in averages) for averages in load)
    print(f"Load average (1, 5, 15 min) before: {before}; after: {after}")
    if others:
        quartiles = statistics.quantiles(others, n=4) if len(others) > 1 else others * 3
        print(
            f"Other processes used {quartiles[1]:.0%} of the {os.cpu_count()} cores during the "
            f"median turn ({quartiles[0]:.0%} to {quartiles[2]:.0%} in the middle half of the "
            "turns); figures from a busy machine are not comparable to a quiet one's."
        )
        print(
            f"{busy_turns} of {len(others)} turns kept with others above {BUSY:.0%} "
            f"after {RETRIES} retries."
        )


def figures(times, name: str, case: str) -> list[float]:
    """Seconds per step of the quiet turns if there are at least 3 of them, else of all."""
    turns = times.get((name, case), [])
    quiet = [seconds for seconds, busy in turns if not busy]
    return quiet if len(quiet) >= 3 else [seconds for seconds, _ in turns]


def median(times, name: str, case: str) -> float | None:
    values = figures(times, name, case)
    return None if not values else statistics.median(values)


def spread(times, name: str, case: str) -> str:
    """Interquartile range over the median, a measure of how steady the figure was."""
    values = figures(times, name, case)
    if len(values) < 4:
        return ""
    q1, _, q3 = statistics.quantiles(values, n=4)
    return f"±{(q3 - q1) / statistics.median(values) / 2:.0%}"


def mnist_table(times) -> None:
    ceiling_seconds = median(times, "ceiling", CEILING_CASE)
    ceiling = MNIST_BATCH / ceiling_seconds if ceiling_seconds else None
    print("\nMNIST-sized 784-256-256-10 ReLU, batch 128, float32: samples/s (median, ±IQR/2)")
    print("and share of the ceiling measured in the same rounds")
    if ceiling:
        label = "matrix products alone (ceiling)"
        print(f"  {label:<34}{ceiling:>11,.0f} {spread(times, 'ceiling', CEILING_CASE):>4}")
    header = f"  {'case':<24}"
    for name in ("engine", "torch", "sklearn"):
        header += f"{name:>23}"
    header += f"{'engine/torch':>14}{'engine/sklearn':>16}"
    print(header)
    for case in MNIST_CASES:
        line = f"  {case.removeprefix('mnist '):<24}"
        speeds = {}
        for name in ("engine", "torch", "sklearn"):
            seconds = median(times, name, case)
            if seconds is None:
                line += f"{'–':>23}"
                continue
            speeds[name] = MNIST_BATCH / seconds
            share = f"{speeds[name] / ceiling:4.0%}" if ceiling else ""
            line += f"{speeds[name]:>11,.0f} {spread(times, name, case):>4} {share:>5}"
        for peer, width in (("torch", 14), ("sklearn", 16)):
            if "engine" in speeds and peer in speeds:
                line += f"{speeds['engine'] / speeds[peer]:>{width - 1}.2f}x"
            else:
                line += f"{'–':>{width}}"
        print(line)


def toy_table(times) -> None:
    print("\nToy 2-8-8-2 tanh, 500 points, SGD, float32: steps/s (median, ±IQR/2)")
    header = f"  {'case':<24}{'engine':>17}{'torch':>17}{'sklearn':>17}"
    print(header + f"{'engine/torch':>14}{'engine/sklearn':>16}")
    evaluation = median(times, "engine", "toy evaluation")
    for case in TOY_CASES:
        speeds = {}
        line = f"  {case.removeprefix('toy '):<24}"
        for name in ("engine", "torch", "sklearn"):
            seconds = median(times, name, case)
            if seconds is None:
                line += f"{'–':>17}"
                continue
            speeds[name] = 1 / seconds
            line += f"{speeds[name]:>11,.0f} {spread(times, name, case):>5}"
        for peer, width in (("torch", 14), ("sklearn", 16)):
            if "engine" in speeds and peer in speeds:
                line += f"{speeds['engine'] / speeds[peer]:>{width - 1}.2f}x"
            else:
                line += f"{'–':>{width}}"
        print(line)
        if case == "toy batch 500" and "engine" in speeds and evaluation:
            without = 1 / (1 / speeds["engine"] - evaluation)
            line = f"  {'  engine without epoch eval':<24}{without:>11,.0f}{'':>40}"
            for peer, width in (("torch", 14), ("sklearn", 16)):
                if peer in speeds:
                    line += f"{without / speeds[peer]:>{width - 1}.2f}x"
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="turns of every worker")
    parser.add_argument(
        "--threads", type=int, default=THREADS, help="threads of every implementation"
    )
    args = parser.parse_args()

    load_before = os.getloadavg()
    workers = start_workers(args.threads)
    try:
        times, others, busy_turns = measure(workers, args.rounds)
    finally:
        for worker in workers.values():
            worker.close()
    describe(workers, args.threads, (load_before, os.getloadavg()), others, busy_turns)
    print(
        f"Medians over {args.rounds} rounds: over the quiet turns of a figure when it has 3 or "
        "more, else over all its turns."
    )
    mnist_table(times)
    toy_table(times)


if __name__ == "__main__":
    main()

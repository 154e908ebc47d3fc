"""Every lesson's claim, re-measured: the setup as given does not meet the goal, the solution
does, and the figures the answer quotes are what the runs give.

    python benchmarks/lessons.py [--seeds N] [--workers W] [--only KEY[,KEY…]] [--no-mnist]

For each lesson it runs the setup and the solution with seeds 0 … N-1 (the lesson's own
count by default) for the lesson's steps, with the pages' sweep code, and prints the claim,
the stored figures, the measured ones and PASS or FAIL. PASS: the setup met the goal in no
seed and the solution in all, and (at the lesson's own seed count) the stored figures are
within half a point of the measured ones. Exit status 1 when any lesson fails.

The MNIST lesson trains on the offline sample and is scored on its 1,000 test digits, as the
page does; where the real MNIST test set is at hand (`MLP_TEST_DATA_DIR`, or `shared/data`
beside the repository) the same networks are also scored on all 10,000 of its digits, and
the lesson's direction (dropout above plain) must hold there too.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from real_mnist import real_mnist_test  # noqa: E402  (beside this script)

from playground.core.compare import make_executor  # noqa: E402
from playground.core.lessons import LESSONS, Lesson, Measured, measure  # noqa: E402

TOLERANCE = 0.005  # the stored figures against a new measurement (BLAS differs by machine)
REPO_ROOT = Path(__file__).resolve().parents[1]


def _real_accuracy(config_json: str, steps: int) -> float:
    """Train on the offline sample as the page does, score on the real 10,000 digits."""
    from playground.core.compare import data_key, task_data
    from playground.core.config import Config
    from playground.core.session import make_run

    config = Config.from_json(config_json)
    run = make_run(config, task_data(data_key(config), None))
    while run.trainer.step_count < steps and run.step():
        pass
    X, y = real_mnist_test()
    return float(np.mean(run.network.predict_proba(X).argmax(axis=1) == y))


def real_test_check(lesson: Lesson, seeds: range, workers: int | None) -> tuple[bool, str]:
    """The MNIST lesson's setup and solution scored on the real test set, paired by seed."""
    if real_mnist_test() is None:
        return True, "real MNIST test set not found: skipped"
    jobs = [(c.replace(seed=s).to_json(), lesson.steps) for s in seeds
            for c in (lesson.setup, lesson.solution)]  # fmt: skip
    with ProcessPoolExecutor(workers or 2) as pool:
        scores = list(pool.map(_real_accuracy, *zip(*jobs, strict=True)))
    setup, solution = np.array(scores[0::2]), np.array(scores[1::2])
    better = int(np.sum(solution > setup))
    words = (f"real 10,000-digit test set: setup {setup.mean():.2%}, solution "
             f"{solution.mean():.2%}, solution higher in {better} of {len(setup)} seeds "
             f"(paired difference {100 * (solution - setup).mean():+.2f} points)")  # fmt: skip
    return better == len(setup), words


def figures(measured: Measured, lesson: Lesson) -> str:
    metric = lesson.goal.measure
    return (f"setup {metric.format(measured.setup_value)} (met {measured.setup_met}/"
            f"{measured.seeds}), solution {metric.format(measured.solution_value)} (met "
            f"{measured.solution_met}/{measured.seeds})")  # fmt: skip


def check(lesson: Lesson, measured: Measured) -> tuple[bool, str]:
    stored = lesson.measured
    if not measured.holds:
        return False, "the claim does not hold"
    if measured.seeds == stored.seeds and not (
        abs(measured.setup_value - stored.setup_value) <= TOLERANCE
        and abs(measured.solution_value - stored.solution_value) <= TOLERANCE
        and (measured.setup_met, measured.solution_met) == (stored.setup_met, stored.solution_met)
    ):
        return False, "the stored figures differ from the measured ones"
    return True, ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--only", default="")
    parser.add_argument("--no-mnist", action="store_true")
    args = parser.parse_args(argv)
    only = {key.strip() for key in args.only.split(",") if key.strip()}
    executor, where = make_executor(args.workers)
    print(f"Lessons' claims, on {where}.")
    failed = 0
    try:
        for lesson in LESSONS:
            if (only and lesson.key not in only) or (args.no_mnist and lesson.page == "mnist"):
                continue
            seeds = range(args.seeds or lesson.measured.seeds)
            started = time.perf_counter()
            measured = measure(lesson, seeds, executor=executor)
            passed, why = check(lesson, measured)
            real = ""
            spread = lesson.spread
            if spread is not None and not args.seeds:
                again = measure(lesson, range(spread.seeds), executor=executor)
                same = (abs(again.setup_value - spread.setup_value) <= TOLERANCE
                        and abs(again.solution_value - spread.solution_value) <= TOLERANCE
                        and (again.setup_met, again.solution_met, again.worse)
                        == (spread.setup_met, spread.solution_met, spread.worse))  # fmt: skip
                print(f"  over more seeds, stored:   {figures(spread, lesson)}, worse in "
                      f"{spread.worse}")  # fmt: skip
                print(f"  over more seeds, measured: {figures(again, lesson)}, worse in "
                      f"{again.worse}")  # fmt: skip
                if passed and not same:
                    passed, why = False, "the figures over more seeds differ from the stored"
            if lesson.page == "mnist":
                real_seeds = range(spread.seeds) if spread is not None else seeds
                real_passed, real = real_test_check(lesson, real_seeds, args.workers)
                if passed and not real_passed:
                    passed, why = False, "dropout is not higher on the real test set"
            failed += not passed
            print(f"\n{lesson.key}: {lesson.title}")
            print(f"  claim: as set up, not '{lesson.goal.describe()}'; "
                  f"{lesson.solution_words}, yes")  # fmt: skip
            print(f"  stored:   {figures(lesson.measured, lesson)}")
            print(f"  measured: {figures(measured, lesson)}  "
                  f"[{time.perf_counter() - started:.0f} s]")  # fmt: skip
            if real:
                print(f"  {real}")
            print(f"  {'PASS' if passed else 'FAIL: ' + why}")
    finally:
        executor.shutdown(cancel_futures=True)
    print(f"\n{'All lessons pass.' if not failed else f'{failed} lesson(s) FAIL.'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Every lesson's claim, re-measured: the setup as given does not meet the goal, the solution
does, and the figures the answer quotes are what the runs give.

    python benchmarks/lessons.py [--seeds N] [--workers W] [--only KEY[,KEY…]] [--no-mnist]

For each lesson it runs the setup and the solution with seeds 0 … N-1 (the lesson's own
count by default) for the lesson's steps, with the pages' sweep code, and prints the claim,
the stored figures, the measured ones and PASS or FAIL. PASS: the setup met the goal in no
seed and the solution in all, and (at the lesson's own seed count) the stored figures are
within half a point of the measured ones. Exit status 1 when any lesson fails.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from playground.core.compare import make_executor  # noqa: E402
from playground.core.lessons import LESSONS, Lesson, Measured, measure  # noqa: E402

TOLERANCE = 0.005  # the stored figures against a new measurement (BLAS differs by machine)


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
            failed += not passed
            print(f"\n{lesson.key}: {lesson.title}")
            print(f"  claim: as set up, not '{lesson.goal.describe()}'; "
                  f"{lesson.solution_words}, yes")  # fmt: skip
            print(f"  stored:   {figures(lesson.measured, lesson)}")
            print(f"  measured: {figures(measured, lesson)}  "
                  f"[{time.perf_counter() - started:.0f} s]")  # fmt: skip
            print(f"  {'PASS' if passed else 'FAIL: ' + why}")
    finally:
        executor.shutdown(cancel_futures=True)
    print(f"\n{'All lessons pass.' if not failed else f'{failed} lesson(s) FAIL.'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

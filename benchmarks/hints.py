"""The figures the hints quote, re-measured with the pages' sweep code.

    python benchmarks/hints.py [--workers W]

Batch norm by batch size on the default spiral, dropout by the units it keeps on the circle,
and dropout where nothing overfits (the default spiral). Prints each figure as the hint
quotes it beside the measurement, and PASS when they agree within half a point (the runs are
seeded; BLAS may differ by machine). Exit status 1 when any figure differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from playground.core.compare import make_executor, run_sweep, sweep_tasks  # noqa: E402
from playground.core.config import Config, parse_hidden  # noqa: E402

TOLERANCE = 0.005
SPIRAL = Config()  # the Playground's default: spiral, 2 × 16 tanh, batch 10, Adam 0.01
CIRCLE = Config(dataset="circle", noise=0.1, hidden=parse_hidden("8tanh,8tanh"))

# (what, configuration, steps, seeds, the figure the hint quotes)
FIGURES = [
    ("spiral without batch norm", SPIRAL, 3000, 3, 0.892),
    ("spiral, batch norm at batch 10", SPIRAL.replace(batch_norm=True), 3000, 3, 0.595),
    ("spiral, batch norm at batch 32", SPIRAL.replace(batch_norm=True, batch_size=32), 3000,
     3, 0.989),
    ("circle 2 × 8 tanh without dropout", CIRCLE, 2000, 3, 0.997),
    ("circle 2 × 8 tanh, dropout 0.7", CIRCLE.replace(dropout=0.7), 2000, 3, 0.765),
    ("circle 2 × 8 tanh, dropout 0.5", CIRCLE.replace(dropout=0.5), 2000, 3, 0.953),
]  # fmt: skip
# dropout 0.5 on the default spiral, against plain, 5 seeds: what it costs where nothing
# overfits (the hint says 34.5 points)
COST = ("dropout 0.5 on the default spiral, against plain", 3000, 5, -0.345)


def mean_test_accuracy(configs: list[Config], steps: int, seeds: int, executor) -> list[float]:
    results = list(run_sweep(sweep_tasks(configs, range(seeds), steps), executor))
    return [float(np.mean([r.test_accuracy for r in results if r.variant == index]))
            for index in range(len(configs))]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    executor, where = make_executor(args.workers)
    print(f"The hints' figures, on {where}.")
    failed = 0
    try:
        for what, config, steps, seeds, quoted in FIGURES:
            (measured,) = mean_test_accuracy([config], steps, seeds, executor)
            ok = abs(measured - quoted) <= TOLERANCE
            failed += not ok
            print(f"  {what} ({seeds} seeds, {steps:,} steps): quoted {quoted:.1%}, measured "
                  f"{measured:.1%}  {'PASS' if ok else 'FAIL'}")  # fmt: skip
        what, steps, seeds, quoted = COST
        plain, dropout = mean_test_accuracy([SPIRAL, SPIRAL.replace(dropout=0.5)], steps,
                                            seeds, executor)  # fmt: skip
        measured = dropout - plain
        ok = abs(measured - quoted) <= TOLERANCE
        failed += not ok
        print(f"  {what} ({seeds} seeds, {steps:,} steps): quoted {100 * quoted:+.1f} points, "
              f"measured {100 * measured:+.1f}  {'PASS' if ok else 'FAIL'}")  # fmt: skip
    finally:
        executor.shutdown(cancel_futures=True)
    print("All figures agree." if not failed else f"{failed} figure(s) FAIL.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

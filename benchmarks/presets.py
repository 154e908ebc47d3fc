"""Every Compare preset's measured claim, measured again with the page's sweep code.

    python benchmarks/presets.py [--seeds N] [--first-seed K] [--workers W] [--only KEY[,KEY…]]
        [--code]

Each preset's variants train on the preset's own base for its steps with seeds K … K+N-1
(default 0 … 9, the seeds the claims name), on a process pool of W workers (default: one per
core) through `sweep_tasks`, `run_sweep` and `make_executor`. A run that several presets
share (the same configuration, seed and steps) runs once: runs are deterministic per seed.

For each preset it prints the question, each stored claim in words, the stored figures, the
measured ones and PASS or FAIL. PASS: the measured 95% interval lies on the claimed side of
zero (holds zero, for a claim of no clear difference) and, when the seeds are the claim's own,
every stored figure is within half a point of the measured one (the same machine gives the
same figures; BLAS may differ slightly on another). With other seeds (--first-seed 10: is the
claim luck?) only the direction is checked. --code prints the measured claims as Python, to
paste into `playground/core/compare.py`. Exit status 1 when any claim fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script

from playground.core.compare import (  # noqa: E402
    MAX_SEEDS,
    PRESET_LIST,
    MeasuredClaim,
    describe_claim,
    find_preset,
    make_executor,
    measure_presets,
)

TOLERANCE = 0.005  # half a point: the stored figures against a new measurement


def figures(claim: MeasuredClaim) -> str:
    direction = {1: "better", -1: "worse", 0: "no clear difference"}[claim.direction]
    return (f"{100 * claim.mean:+.1f} [{100 * claim.low:+.1f}, {100 * claim.high:+.1f}] "
            f"({direction}); test {100 * claim.test_a:.1f}% → {100 * claim.test_b:.1f}%, "
            f"train {100 * claim.train_a:.1f}% → {100 * claim.train_b:.1f}%")  # fmt: skip


def verdict(stored: MeasuredClaim, measured: MeasuredClaim, own_seeds: bool) -> tuple[bool, str]:
    """Whether the claim holds in `measured`, and why not."""
    if measured.direction != stored.direction:
        return False, "the measured interval is not on the claimed side of zero"
    if own_seeds:
        if (stored.seeds, stored.steps) != (measured.seeds, measured.steps):
            return False, "measured over other seeds or steps than the claim's"
        off = [name for name in MeasuredClaim.FIGURES
               if abs(getattr(stored, name) - getattr(measured, name)) > TOLERANCE]  # fmt: skip
        if off:
            return False, "stored figures differ from the measured: " + ", ".join(off)
    return True, ""


def code(claim: MeasuredClaim) -> str:
    claim = claim.rounded()
    return (f"MeasuredClaim({claim.variant!r}, {claim.against!r}, mean={claim.mean}, "
            f"low={claim.low}, high={claim.high}, seeds={claim.seeds}, steps={claim.steps}, "
            f"direction={claim.direction}, test_a={claim.test_a}, test_b={claim.test_b}, "
            f"train_a={claim.train_a}, train_b={claim.train_b}),")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=None,
                        help="how many seeds (default: each claim's own, 10)")  # fmt: skip
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", default="", help="preset names or keys, comma-separated")
    parser.add_argument("--code", action="store_true", help="print the claims as Python")
    args = parser.parse_args()

    presets = list(PRESET_LIST)
    if args.only:
        presets = [find_preset(name) for name in args.only.split(",")]
        if None in presets:
            parser.error(f"--only: no preset among {args.only!r}")
    counts = {claim.seeds for preset in presets for claim in preset.claims}
    seed_count = args.seeds or (counts.pop() if len(counts) == 1 else 10)
    if not 2 <= seed_count <= MAX_SEEDS:
        parser.error(f"--seeds must be from 2 to {MAX_SEEDS}")
    seeds = list(range(args.first_seed, args.first_seed + seed_count))
    runs = len({(c, p.steps) for p in presets for c in p.configs}) * len(seeds)
    executor, where = make_executor(args.workers)
    print(f"{len(presets)} presets, seeds {seeds[0]}–{seeds[-1]}, {runs} distinct runs on "
          f"{where}", flush=True)  # fmt: skip
    started = time.perf_counter()
    with executor:
        measured = measure_presets(presets, seeds, executor)
    seconds = time.perf_counter() - started

    failures = 0
    for preset in presets:
        print(f"\n{preset.name} ({preset.key}): {preset.question}")
        stored_claims = preset.claims or (None,) * len(measured[preset.name])
        for stored, claim in zip(stored_claims, measured[preset.name], strict=True):
            print(f"  {claim.variant} against {claim.against}")
            if stored is None:
                failures += 1
                print(f"    measured: {figures(claim)}")
                print("    FAIL: no stored claim")
                continue
            own = seeds == list(range(stored.seeds))
            ok, why = verdict(stored, claim, own)
            failures += not ok
            print(f"    claim:    {describe_claim(stored)}")
            print(f"    stored:   {figures(stored)}")
            print(f"    measured: {figures(claim)}")
            checked = "" if own else " (direction only: not the claim's seeds)"
            print(f"    {'PASS' if ok else 'FAIL: ' + why}{checked}")
        if args.code:
            print("    claims=(")
            for claim in measured[preset.name]:
                print(f"        {code(claim)}")
            print("    ),")
    print(f"\n{'All claims hold' if not failures else f'{failures} claims FAIL'}; "
          f"{runs} runs in {seconds:.0f} s wall time on {where}.")  # fmt: skip
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

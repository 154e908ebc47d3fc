"""The paper presets' figures measured again: each variant trained for the preset's step budget
on the offline sample, as `python -m playground.train` trains it (one BLAS thread), for a few
seeds, and scored on the sample's 1,000 test images and on the real MNIST test set (10,000
digits). Prints figures and asserts nothing.

    MLP_TEST_DATA_DIR=/work/shared/data python benchmarks/paper_presets.py [augment ...]
        [--seeds 0,1,2]

For seed 0 each line also says whether it matches the figure the preset shows on the MNIST
page (`PresetVariant.test_accuracy_here`, `real_test_accuracy_here`): the same seed gives
the same run, so a difference means the code changed what the preset trains. The mean of the
seeds is what a preset's `scaled` words quote. Without the real test set (from
`MLP_TEST_DATA_DIR/mnist-test/` or `shared/data/mnist-test/` beside the repository) only the
sample's figures are printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `mlp`, `playground`
sys.path.insert(0, str(Path(__file__).resolve().parent))  # `real_mnist`, beside this script

import threadpoolctl  # noqa: E402
from real_mnist import real_mnist_test  # noqa: E402

from playground.core.cli import load_data  # noqa: E402
from playground.core.presets import PRESETS_BY_KEY  # noqa: E402
from playground.core.session import make_run  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    command = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    command.add_argument("presets", nargs="*", help=f"preset keys (default: all of "
                         f"{', '.join(PRESETS_BY_KEY)})")  # fmt: skip
    command.add_argument("--seeds", default="0,1,2", help="comma-separated seeds (default 0,1,2)")
    args = command.parse_args(argv)
    keys = args.presets or list(PRESETS_BY_KEY)
    unknown = [key for key in keys if key not in PRESETS_BY_KEY]
    if unknown:
        command.error(f"no preset called {', '.join(unknown)}")
    seeds = [int(seed) for seed in args.seeds.split(",")]
    threadpoolctl.threadpool_limits(1, "blas")  # as the command and the app train
    real = real_mnist_test()
    if real is None:
        print("The real MNIST test set is not here: only the sample's figures follow.")
    for preset in (PRESETS_BY_KEY[key] for key in keys):
        print(f"\n{preset.title}: {preset.steps:,} steps, seeds {args.seeds}")
        data = load_data(preset.first)
        for variant in preset.variants:
            sample, whole = [], []
            for seed in seeds:
                run = make_run(variant.config.replace(seed=seed), data)
                started = time.perf_counter()
                while run.trainer.step_count < preset.steps and run.step():
                    pass
                seconds = time.perf_counter() - started
                sample.append(run.trainer.evaluate(data.inputs_test, data.y_test)[1])
                line = f"  {variant.name:<22} seed {seed}: {sample[-1]:.1%} on the sample"
                if real is not None:
                    whole.append(run.trainer.evaluate(*real)[1])
                    line += f", {whole[-1]:.2%} on the real test set"
                if seed == 0:
                    same = sample[-1] == variant.test_accuracy_here and (
                        not whole or variant.real_test_accuracy_here in (None, whole[-1])
                    )
                    line += " (as the page shows)" if same else " (the page shows other figures)"
                print(f"{line}; {seconds:.0f} s", flush=True)
            means = f"mean {statistics.fmean(sample):.1%} on the sample"
            if whole:
                spread = max(whole) - min(whole)
                means += f", {statistics.fmean(whole):.2%} on the real test set (spread "
                means += f"{spread * 100:.2f} points)"
            print(f"  {variant.name:<22} {means}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

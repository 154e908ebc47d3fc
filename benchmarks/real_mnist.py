"""The real MNIST test set (10,000 digits) for the benchmarks that score networks trained on
the offline sample against it: read from `$MLP_TEST_DATA_DIR/mnist-test/`, or `shared/data/
mnist-test/` beside the repository, as the pages' inputs (pixels in [0, 1])."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]


def real_mnist_test() -> tuple[np.ndarray, np.ndarray] | None:
    """The real MNIST test set (10,000 digits) as the pages' inputs, or None where absent."""
    from mlp.datasets.idx import read_idx_pair

    for folder in (os.environ.get("MLP_TEST_DATA_DIR"), REPO_ROOT.parent / "shared" / "data"):
        if folder and (Path(folder) / "mnist-test").is_dir():
            base = Path(folder) / "mnist-test"
            images, labels = read_idx_pair(base / "t10k-images-idx3-ubyte.gz",
                                           base / "t10k-labels-idx1-ubyte.gz")  # fmt: skip
            pixels = images.reshape(len(images), -1).astype(np.float32) / np.float32(255.0)
            return pixels, labels.astype(np.int64)
    return None

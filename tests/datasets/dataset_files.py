"""Small IDX files written on the fly, and where the shared real files live."""

import gzip
import os
from pathlib import Path

import numpy as np

from mlp.datasets import images

# The real MNIST-family files live beside the repository, read-only; never write there.
SHARED_DATA_DIR = Path(
    os.environ.get("MLP_TEST_DATA_DIR")
    or Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
)


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """The IDX encoding of a uint8 array (magic 0x0000080d for d dimensions)."""
    array = np.asarray(array, dtype=np.uint8)
    if magic is None:
        magic = 0x0800 | array.ndim
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.tobytes()


def small_set(n_train=20, n_test=10, seed=0):
    """Four arrays like an MNIST set, but tiny: images (n, 28, 28) uint8, labels (n,) uint8."""
    rng = np.random.default_rng(seed)
    return {
        images.TRAIN_IMAGES: rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8),
        images.TRAIN_LABELS: (np.arange(n_train) % 10).astype(np.uint8),
        images.TEST_IMAGES: rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8),
        images.TEST_LABELS: (np.arange(n_test) % 10).astype(np.uint8),
    }


def write_set(folder: Path, arrays: dict, compresslevel: int = 9) -> dict[str, bytes]:
    """Write each array as a gzipped IDX file in folder; return the bytes written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for file_name, array in arrays.items():
        data = gzip.compress(idx_bytes(array), compresslevel=compresslevel, mtime=0)
        (folder / file_name).write_bytes(data)
        written[file_name] = data
    return written

"""Reading IDX files, the format of MNIST and Fashion-MNIST, gzipped or plain.

An IDX file is a header and then raw numbers, all big-endian::

    bytes 0-1   zero
    byte  2     type of the numbers (0x08: unsigned byte, the only type these sets use)
    byte  3     number of dimensions d
    4 * d bytes size of each dimension, uint32
    the data    prod(sizes) numbers, row-major

So an image file starts with the "magic number" 0x00000803 (uint8, 3 dims: count, rows,
columns) and a label file with 0x00000801 (uint8, 1 dim: count). Every check here names the
file, so a person knows which of the four files to replace.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from mlp.datasets.errors import DataError

UNSIGNED_BYTE = 0x08
IMAGE_MAGIC = 0x00000803
LABEL_MAGIC = 0x00000801
GZIP_SIGNATURE = b"\x1f\x8b"


def _read_raw(path: Path) -> bytes:
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        raise DataError(f"The file {path} cannot be read: {error.strerror}.") from None
    if data[:2] != GZIP_SIGNATURE:
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error):
        raise DataError(
            f"The file {path} is a damaged or incomplete gzip file. Delete it and download "
            "it again, or replace it by hand."
        ) from None


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file of unsigned bytes, gzipped (detected by content) or plain.

    Returns
    -------
    np.ndarray, uint8, shape as given by the header (e.g. (n, 28, 28) or (n,))

    Raises
    ------
    DataError
        Naming the file: unreadable, damaged gzip, wrong magic number, or a data part shorter
        or longer than the header promises.
    """
    path = Path(path)
    data = _read_raw(path)
    if len(data) < 4:
        raise DataError(f"The file {path} is too short to be an IDX file (only {len(data)} bytes).")
    n_dimensions = data[3]
    if data[0] != 0 or data[1] != 0 or data[2] != UNSIGNED_BYTE or n_dimensions == 0:
        magic = int.from_bytes(data[:4], "big")
        raise DataError(
            f"The file {path} is not an IDX file of bytes (its magic number is 0x{magic:08x}; "
            f"images start with 0x{IMAGE_MAGIC:08x} and labels with 0x{LABEL_MAGIC:08x})."
        )
    header_length = 4 + 4 * n_dimensions
    if len(data) < header_length:
        raise DataError(f"The file {path} is truncated: its header is incomplete.")
    shape = tuple(
        int.from_bytes(data[4 + 4 * axis : 8 + 4 * axis], "big") for axis in range(n_dimensions)
    )
    expected = int(np.prod(shape, dtype=np.int64))
    actual = len(data) - header_length
    if actual < expected:
        raise DataError(
            f"The file {path} is truncated: its header promises {expected:,} bytes of data "
            f"(shape {shape}) but it holds {actual:,}. Delete it and get it again."
        )
    if actual > expected:
        raise DataError(
            f"The file {path} has {actual - expected:,} bytes more than its header "
            f"(shape {shape}) describes, so it is not a valid IDX file."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_length).reshape(shape)


def read_idx_images(path: str | os.PathLike, image_shape: tuple[int, int] = (28, 28)) -> np.ndarray:
    """Read an IDX image file and check it holds ``(n, rows, columns)`` images.

    Returns
    -------
    np.ndarray, uint8, shape (n, rows, columns)
    """
    images = read_idx(path)
    if images.ndim != 3 or images.shape[1:] != image_shape:
        raise DataError(
            f"The file {Path(path)} should hold images of {image_shape[0]}x{image_shape[1]} "
            f"pixels (3 dimensions), but its header says shape {images.shape}. "
            "Is it a label file?"
        )
    return images


def read_idx_labels(path: str | os.PathLike, n_classes: int = 10) -> np.ndarray:
    """Read an IDX label file and check every label is below ``n_classes``.

    Returns
    -------
    np.ndarray, uint8, shape (n,)
    """
    labels = read_idx(path)
    if labels.ndim != 1:
        raise DataError(
            f"The file {Path(path)} should hold labels (1 dimension), but its header says "
            f"shape {labels.shape}. Is it an image file?"
        )
    if labels.size and int(labels.max()) >= n_classes:
        raise DataError(
            f"The file {Path(path)} has a label {int(labels.max())}, but labels must be "
            f"0 to {n_classes - 1}."
        )
    return labels


def read_idx_pair(
    images_path: str | os.PathLike, labels_path: str | os.PathLike
) -> tuple[np.ndarray, np.ndarray]:
    """Read matching image and label files and check they count the same examples.

    Returns
    -------
    images : np.ndarray, uint8, shape (n, 28, 28)
    labels : np.ndarray, uint8, shape (n,)
    """
    images = read_idx_images(images_path)
    labels = read_idx_labels(labels_path)
    if len(images) != len(labels):
        raise DataError(
            f"The files {Path(images_path)} ({len(images):,} images) and {Path(labels_path)} "
            f"({len(labels):,} labels) do not match: they must hold the same number of "
            "examples. Replace the one that belongs to another set."
        )
    return images, labels

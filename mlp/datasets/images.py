"""The MNIST family: an offline MNIST sample, and the full sets from IDX files.

Two sources:

- ``"sample"`` (the default, no network): 5,000 real MNIST training images, 500 per digit,
  shipped in this package as ``mnist_sample.npz`` and split 4,000 / 1,000 (stratified,
  seed 0) by ``scripts/make_mnist_sample.py``. Only MNIST has one.
- ``"full"``: the four standard IDX files of a set in ``<data folder>/<name>/``, where the
  data folder is ``data_dir`` if given, else the environment variable ``MLP_DATA_DIR``, else
  the user's cache folder (``~/.cache/mlp-playground`` on Linux, following XDG_CACHE_HOME).
  Files missing there are downloaded with pooch from public mirrors and checked against
  their published MD5 checksums; a file only appears in the folder once it is complete and
  verified. Files a person placed there by hand are not checksum-checked (a re-compressed
  copy is fine) but are checked through their IDX headers.

Images come back as float32 in [0, 1], flattened to 784 values (28 x 28, row by row).
Loaded sets are cached once per process and shared, so their arrays are read-only.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlp.datasets.errors import DataError
from mlp.datasets.idx import read_idx_pair

IMAGE_DATASETS: dict[str, str] = {
    "mnist": "MNIST (handwritten digits)",
    "fashion-mnist": "Fashion-MNIST (clothes)",
}
"""Image set names in menu order, mapped to the label a person reads."""

IMAGE_SOURCES: dict[str, str] = {
    "sample": "Offline sample (5,000 MNIST images)",
    "full": "Full set (70,000 images, downloaded once)",
}

CLASS_NAMES: dict[str, tuple[str, ...]] = {
    "mnist": tuple(str(digit) for digit in range(10)),
    "fashion-mnist": (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
}

IMAGE_SHAPE = (28, 28)
TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS = IDX_FILE_NAMES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)

# The mirrors torchvision uses, tried in order. Tests point these at a local server.
MIRRORS: dict[str, list[str]] = {
    "mnist": [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ],
    "fashion-mnist": ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
}

# Published MD5 checksums of the gzipped files, in the order of IDX_FILE_NAMES.
MD5_CHECKSUMS: dict[str, dict[str, str]] = {
    "mnist": dict(
        zip(
            IDX_FILE_NAMES,
            [
                "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                "d53e105ee54ea40749a09fcbcd1e9432",
                "9fb629c4189551a2d022fa330f9573f3",
                "ec29112dd5afa0611ce80d1b7f02629c",
            ],
            strict=True,
        )
    ),
    "fashion-mnist": dict(
        zip(
            IDX_FILE_NAMES,
            [
                "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                "25c81989df183df01b3e8a0aad5dffbe",
                "bef4ecab320f06d8554ea6380940ec79",
                "bb300cfdad3c16e7a12a480ee83cd310",
            ],
            strict=True,
        )
    ),
}

# Connect and read timeouts in seconds: offline, a download fails in seconds, not minutes.
DOWNLOAD_TIMEOUT = (5.0, 30.0)
DOWNLOAD_CHUNK_BYTES = 64 * 1024

SAMPLE_PATH = Path(__file__).with_name("mnist_sample.npz")
DATA_DIR_VARIABLE = "MLP_DATA_DIR"

# Progress reports: fraction of the work done (0..1) and a sentence saying what is happening.
ProgressCallback = Callable[[float, str], None]


@dataclass(frozen=True)
class ImageData:
    """A loaded image set, shared between sessions: its arrays are read-only.

    Attributes
    ----------
    name : str
        "mnist" or "fashion-mnist".
    source : str
        "sample" or "full".
    X_train : np.ndarray, shape (n_train, 784), float32 in [0, 1]
    y_train : np.ndarray, shape (n_train,), int64 in 0..9
    X_test : np.ndarray, shape (n_test, 784), float32 in [0, 1]
    y_test : np.ndarray, shape (n_test,), int64 in 0..9
    class_names : tuple[str, ...]
        Name of each class, ``class_names[k]`` for label ``k``.
    image_shape : tuple[int, int]
        (28, 28): reshape a row of X to this to draw it.
    """

    name: str
    source: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    image_shape: tuple[int, int] = IMAGE_SHAPE

    def __repr__(self) -> str:
        return (
            f"ImageData(name={self.name!r}, source={self.source!r}, "
            f"train={self.X_train.shape}, test={self.X_test.shape})"
        )


def default_data_dir() -> Path:
    """The data folder: ``MLP_DATA_DIR`` if set, else the user's cache folder."""
    configured = os.environ.get(DATA_DIR_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    import pooch

    return Path(pooch.os_cache("mlp-playground"))


def dataset_folder(name: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Folder that holds (or will hold) the four IDX files of ``name``."""
    _check_name(name)
    base = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    return base / name


def _check_name(name: str) -> None:
    if name not in IMAGE_DATASETS:
        known = ", ".join(f'"{known_name}"' for known_name in IMAGE_DATASETS)
        raise DataError(f'There is no image data set called "{name}". Choose one of {known}.')


def missing_files(name: str, data_dir: str | os.PathLike | None = None) -> list[str]:
    """The IDX files of ``name`` not yet in its folder (those ``download`` would fetch)."""
    folder = dataset_folder(name, data_dir)
    return [file_name for file_name in IDX_FILE_NAMES if not (folder / file_name).is_file()]


def _place_by_hand_advice(folder: Path) -> str:
    return (
        f"To use the full set without a download, place the four files "
        f"{', '.join(IDX_FILE_NAMES)} in the folder {folder}. "
        "The offline MNIST sample works without them."
    )


def _read_only_pixels(images: np.ndarray) -> np.ndarray:
    pixels = (images.reshape(len(images), -1).astype(np.float32)) / np.float32(255.0)
    pixels.setflags(write=False)
    return pixels


def _read_only_labels(labels: np.ndarray) -> np.ndarray:
    labels = labels.astype(np.int64)
    labels.setflags(write=False)
    return labels


def _image_data(
    name: str,
    source: str,
    train_images: np.ndarray,
    train_labels: np.ndarray,
    test_images: np.ndarray,
    test_labels: np.ndarray,
) -> ImageData:
    """uint8 images (n, 28, 28) or (n, 784) and labels (n,) -> read-only ImageData."""
    return ImageData(
        name=name,
        source=source,
        X_train=_read_only_pixels(train_images),
        y_train=_read_only_labels(train_labels),
        X_test=_read_only_pixels(test_images),
        y_test=_read_only_labels(test_labels),
        class_names=CLASS_NAMES[name],
    )


class _PoochProgress:
    """The tqdm-like object pooch's HTTPDownloader drives, forwarding to a callback.

    Pooch sets ``total`` (bytes, 0 when the server does not say) and calls ``update(n)``
    per chunk, then ``reset()``, ``update(total)`` and ``close()`` at the end. Reports go out
    only when the overall fraction has grown by ``REPORT_STEP``, so a progress bar is redrawn
    a few hundred times per download, not once per chunk.
    """

    REPORT_STEP = 0.005

    def __init__(self, report: ProgressCallback, file_name: str, done_files: int, n_files: int):
        self.report = report
        self.file_name = file_name
        self.done_files = done_files
        self.n_files = n_files
        self.total = 0
        self.received = 0
        self.last_reported = -1.0

    def update(self, n_bytes: int) -> None:
        self.received += n_bytes
        file_fraction = min(self.received / self.total, 1.0) if self.total else 0.0
        overall = (self.done_files + file_fraction) / self.n_files
        if overall - self.last_reported < self.REPORT_STEP and file_fraction < 1.0:
            return
        self.last_reported = overall
        size = (
            f"{min(self.received, self.total) / 1e6:.1f} of {self.total / 1e6:.1f} MB"
            if self.total
            else f"{self.received / 1e6:.1f} MB"
        )
        self.report(overall, f"Downloading {self.file_name} ({size})")

    def reset(self) -> None:
        self.received = 0
        self.last_reported = -1.0

    def close(self) -> None:
        pass


def _describe_download_failure(error: Exception) -> str:
    import requests

    if isinstance(error, requests.HTTPError) and error.response is not None:
        return f"the server answered {error.response.status_code} {error.response.reason}"
    if isinstance(error, requests.Timeout):
        return "the server did not answer in time"
    if isinstance(error, requests.ConnectionError):
        return "no connection to the server (are you offline?)"
    if isinstance(error, requests.RequestException):
        return "the download broke off before the end"
    if isinstance(error, ValueError) and "hash" in str(error).lower():
        return "the downloaded file did not match its published checksum"
    if isinstance(error, OSError):
        return f"the file could not be written ({error.strerror or error})"
    return str(error)


def _download(
    name: str, file_name: str, folder: Path, progress: _PoochProgress | None
) -> str | None:
    """Try every mirror for one file; return None on success, else the reasons it failed."""
    # pooch and requests cost a third of a second to import: only downloads need them.
    import pooch
    import requests

    # pooch logs its own "Downloading ..." lines; progress reaches the person via the callback.
    pooch.get_logger().setLevel(logging.WARNING)
    reasons = []
    for mirror in MIRRORS[name]:
        downloader = pooch.HTTPDownloader(
            progressbar=progress if progress is not None else False,
            chunk_size=DOWNLOAD_CHUNK_BYTES,
            timeout=DOWNLOAD_TIMEOUT,
        )
        try:
            pooch.retrieve(
                url=mirror + file_name,
                known_hash=f"md5:{MD5_CHECKSUMS[name][file_name]}",
                fname=file_name,
                path=folder,
                downloader=downloader,
            )
            return None
        except (requests.RequestException, ValueError, OSError) as error:
            reasons.append(f"{mirror}: {_describe_download_failure(error)}")
    return "; ".join(reasons)


def download(
    name: str,
    data_dir: str | os.PathLike | None = None,
    progress: ProgressCallback | None = None,
) -> Path:
    """Make sure the four IDX files of ``name`` are in its folder, downloading missing ones.

    Files already there are kept as they are (not checksum-checked). Each download goes to a
    temporary file in the folder and is moved into place only after its MD5 matched.

    Parameters
    ----------
    name : str
        "mnist" or "fashion-mnist".
    data_dir : str | os.PathLike | None
        The data folder; None means ``default_data_dir()``.
    progress : callable (fraction: float, message: str) -> None, optional
        Called as bytes arrive; fraction counts files, each filling in by its bytes.

    Returns
    -------
    Path
        The folder that holds the four files.

    Raises
    ------
    DataError
        When a file could not be downloaded (offline, mirror down, checksum mismatch), with
        the folder and file names for placing the files by hand.
    """
    folder = dataset_folder(name, data_dir)
    missing = missing_files(name, data_dir)
    for index, file_name in enumerate(missing):
        reporter = _PoochProgress(progress, file_name, index, len(missing)) if progress else None
        if progress:
            progress(index / len(missing), f"Downloading {file_name}")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DataError(
                f"The folder {folder} cannot be created ({error.strerror}). Set "
                f"{DATA_DIR_VARIABLE} to a folder you can write to."
            ) from None
        failure = _download(name, file_name, folder, reporter)
        if failure is not None:
            raise DataError(
                f"{IMAGE_DATASETS[name]} could not be downloaded: {file_name} failed "
                f"({failure}). {_place_by_hand_advice(folder)}"
            )
    if progress and missing:
        progress(1.0, f"Downloaded {len(missing)} file{'s' if len(missing) > 1 else ''}")
    return folder


@functools.lru_cache(maxsize=4)
def _load_full(name: str, folder: Path) -> ImageData:
    train_images, train_labels = read_idx_pair(folder / TRAIN_IMAGES, folder / TRAIN_LABELS)
    test_images, test_labels = read_idx_pair(folder / TEST_IMAGES, folder / TEST_LABELS)
    return _image_data(name, "full", train_images, train_labels, test_images, test_labels)


@functools.lru_cache(maxsize=1)
def _load_sample() -> ImageData:
    with np.load(SAMPLE_PATH) as sample:
        return _image_data(
            "mnist",
            "sample",
            sample["train_images"],
            sample["train_labels"],
            sample["test_images"],
            sample["test_labels"],
        )


def load_images(
    name: str = "mnist",
    source: str = "sample",
    data_dir: str | os.PathLike | None = None,
    progress: ProgressCallback | None = None,
) -> ImageData:
    """Load an MNIST-family set, once per process (later calls share the same arrays).

    Parameters
    ----------
    name : str, default "mnist"
        "mnist" or "fashion-mnist" (see ``IMAGE_DATASETS``).
    source : str, default "sample"
        "sample": the offline MNIST sample (4,000 train / 1,000 test, balanced).
        "full": the IDX files in the data folder, downloading the missing ones
        (60,000 train / 10,000 test).
    data_dir : str | os.PathLike | None
        The data folder for "full"; None means ``MLP_DATA_DIR`` or the user's cache.
    progress : callable (fraction: float, message: str) -> None, optional
        Called during downloads, fraction from 0 to 1.

    Returns
    -------
    ImageData
        ``X_train`` (n, 784) float32 in [0, 1], ``y_train`` (n,) int64, the same for test,
        and ``class_names``. Its arrays are read-only; copy before changing them.

    Raises
    ------
    DataError
        Unknown name or source, no offline sample for the set, a failed download, or a
        damaged or mismatched IDX file (the message names the file).
    """
    _check_name(name)
    if source not in IMAGE_SOURCES:
        raise DataError(f'The image source must be "sample" or "full", not "{source}".')
    if source == "sample":
        if name != "mnist":
            folder = dataset_folder(name, data_dir)
            raise DataError(
                f"Only MNIST has an offline sample. For {IMAGE_DATASETS[name]} choose the full "
                f"set: it is downloaded into {folder}, or you can place the four files "
                f"{', '.join(IDX_FILE_NAMES)} there by hand."
            )
        return _load_sample()
    folder = download(name, data_dir, progress).resolve()
    return _load_full(name, folder)

"""Trained models as files: the weights as `.npz` (NumPy arrays only, never pickle) with the
configuration as JSON inside, written by a page and read back, checked, by a page.

A model file is a zip of `.npy` arrays: `config` (the configuration's JSON as text),
`shape` (inputs, classes), and one group of arrays per layer, input side first:
`hidden1.W` (D, units), `hidden1.b`, with batch norm also `hidden1.gamma`, `hidden1.beta`,
`hidden1.running_mean`, `hidden1.running_var`; ...; `output.W`, `output.b`. The pages and
the headless command (`python -m playground.train`) write and read the same files. Reading refuses
anything else with a message in words: not a zip, a truncated file, a pickled array, a huge
or overly compressed member (a zip bomb), a configuration out of range, a model for other
data (inputs or classes other than those of the data the page trains it on), a network larger
than the page's largest, an array of the wrong shape or dtype, a number that is not finite.

Reading checks before it allocates: a file's few bytes can claim a network of gigabytes (a
file of under 800 bytes claiming 100,000 inputs made the loader build a 1.6 GB network before it
refused the file). So the file's size and its members' count and sizes come first, from the
zip's directory; then every array's `.npy` header (shape and dtype, read without the data);
then the configuration, the input and class counts and the network's size; then each array's
header against the configuration. Only then are the weights read, and no network is built.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from mlp import datasets
from mlp.datasets.csv_points import MAX_CLASSES as MAX_CSV_CLASSES
from mlp.datasets.images import IMAGE_SHAPE
from mlp.datasets.regression import REGRESSION_DATASETS
from mlp.layers import BatchNorm, Dense
from mlp.network import Network
from playground.core import drawn
from playground.core.config import MAX_HIDDEN_LAYERS, Config, ConfigError, PageSpec
from playground.core.data import CURVE_FEATURES, INPUT_FEATURES

__all__ = [
    "DataShape",
    "LoadedModel",
    "ModelError",
    "array_shapes",
    "data_shape",
    "load_model",
    "max_weights",
    "model_arrays",
    "named_arrays",
    "save_model",
]

MAX_FILE_BYTES = 50_000_000  # a 784-1024×6 float32 network is about 25 MB
MAX_MEMBER_BYTES = 100_000_000
MAX_MEMBERS = 200
MAX_COMPRESSION_RATIO = 50  # float weights compress about 1.1×; more is a zip bomb
# A configuration's JSON is about 560 characters, and 900 with six layers; a text many times
# longer is not one, and is refused from its header, before it is read.
MAX_CONFIG_CHARS = 20_000
WEIGHT_DTYPE = np.dtype(np.float32)  # the dtype of the engine's networks

# What a page expects of a model for a configuration: the input and class counts of the data
# it would train that configuration on (None: a class count known only with the data).
DataShape = Callable[[Config], tuple[int, int | None]]


class ModelError(ValueError):
    """A model file cannot be used; the message says why, in words."""


@dataclass(frozen=True)
class LoadedModel:
    config: Config
    n_inputs: int
    n_classes: int
    arrays: dict[str, np.ndarray]  # by name, as `named_arrays` gives them

    def apply_to(self, network: Network) -> None:
        """Copy the weights (and running statistics) into a network of the same shape."""
        for name, target in named_arrays(network, copy=False).items():
            target[...] = self.arrays[name]


def named_arrays(network: Network, copy: bool = True) -> dict[str, np.ndarray]:
    """Every parameter and running statistic of `network` by its name in a model file
    (copies, or with copy=False the network's own arrays)."""
    take = np.copy if copy else (lambda array: array)
    dense = [layer for layer in network.layers if isinstance(layer, Dense)]
    names = {id(layer): f"hidden{k + 1}" for k, layer in enumerate(dense[:-1])}
    names[id(dense[-1])] = "output"
    arrays: dict[str, np.ndarray] = {}
    current = None
    for layer in network.layers:
        if isinstance(layer, Dense):
            current = names[id(layer)]
            arrays[f"{current}.W"] = take(layer.params["W"])
            arrays[f"{current}.b"] = take(layer.params["b"])
        elif isinstance(layer, BatchNorm):
            arrays[f"{current}.gamma"] = take(layer.params["gamma"])
            arrays[f"{current}.beta"] = take(layer.params["beta"])
            arrays[f"{current}.running_mean"] = take(layer.running_mean)
            arrays[f"{current}.running_var"] = take(layer.running_var)
    return arrays


def model_arrays(network: Network, config: Config, n_inputs: int, n_classes: int) -> dict:
    """What a model file holds, as arrays by name."""
    return {
        **named_arrays(network),
        "config": np.array(config.to_json()),
        "shape": np.array([n_inputs, n_classes]),
    }


def save_model(network: Network, config: Config, n_inputs: int, n_classes: int) -> bytes:
    """The model file of a network trained with `config`, as bytes."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **model_arrays(network, config, n_inputs, n_classes))
    return buffer.getvalue()


def data_shape(config: Config) -> tuple[int, int | None]:
    """The input and class counts of the data a page trains `config` on: an image's pixels
    and the image set's classes, or one input per chosen feature of a 2-D point and the toy
    set's classes. A person's CSV has its own class count, known only with the file: None."""
    if config.is_images:
        return math.prod(IMAGE_SHAPE), len(datasets.CLASS_NAMES[config.dataset])
    if config.dataset == "csv":
        return len(config.features), None
    if config.dataset == "drawn":
        return len(config.features), max([2] + [label + 1 for _, _, label in config.points])
    if config.is_curve:  # one input, x: only the features of x₁ (see `make_regression_data`)
        return max(1, sum(name in config.features for name in CURVE_FEATURES)), 1
    if config.is_regression:
        return len(config.features), 1
    return len(config.features), datasets.toy_class_count(config.dataset)


def _largest_data(page: PageSpec) -> tuple[int, int]:
    """The most inputs and the most classes of any data set `page` offers."""
    inputs, classes = 0, 0
    for dataset in page.datasets:
        if dataset in datasets.IMAGE_DATASETS:
            size = math.prod(IMAGE_SHAPE), len(datasets.CLASS_NAMES[dataset])
        elif dataset == "csv":
            size = len(INPUT_FEATURES), MAX_CSV_CLASSES
        elif dataset == "drawn":
            size = len(INPUT_FEATURES), drawn.MAX_CLASSES
        elif dataset in REGRESSION_DATASETS:
            size = len(INPUT_FEATURES), 1
        else:
            size = len(INPUT_FEATURES), datasets.toy_class_count(dataset)
        inputs, classes = max(inputs, size[0]), max(classes, size[1])
    return inputs, classes


def _shapes(units: Sequence[int], batch_norm: bool, n_inputs: int,
            n_classes: int) -> dict[str, tuple[int, ...]]:  # fmt: skip
    shapes: dict[str, tuple[int, ...]] = {}
    width = n_inputs
    for k, n in enumerate(units, start=1):
        shapes[f"hidden{k}.W"], shapes[f"hidden{k}.b"] = (width, n), (n,)
        if batch_norm:
            for name in ("gamma", "beta", "running_mean", "running_var"):
                shapes[f"hidden{k}.{name}"] = (n,)
        width = n
    shapes["output.W"], shapes["output.b"] = (width, n_classes), (n_classes,)
    return shapes


def array_shapes(config: Config, n_inputs: int, n_classes: int) -> dict[str, tuple[int, ...]]:
    """The shape of every weight array a model file of `config` holds, by the name
    `named_arrays` gives it, worked out without building the network."""
    units = [layer.units for layer in config.hidden]
    return _shapes(units, config.batch_norm, n_inputs, n_classes)


def max_weights(page: PageSpec) -> int:
    """The most numbers (weights, biases, batch-norm statistics) a model file for `page` can
    hold: those of the largest network the page builds, `MAX_HIDDEN_LAYERS` layers of the
    page's widest layer (`page.max_units`) with batch norm, on the page's data set with the
    most inputs and the one with the most classes. The MNIST page: 784 inputs, six layers of
    1,024, 10 classes: 6,086,666 numbers, 24 MB in float32. The Playground: 7 inputs, six
    layers of 128, 10 classes: 87,946."""
    inputs, classes = _largest_data(page)
    units = [page.max_units] * MAX_HIDDEN_LAYERS
    return sum(math.prod(shape) for shape in _shapes(units, True, inputs, classes).values())


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


@dataclass(frozen=True)
class _Member:
    """One `.npy` member of a model file as its header describes it; no data read yet."""

    info: zipfile.ZipInfo
    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    data_offset: int  # where the numbers start, after the header

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


_UNREADABLE = "This model file cannot be used: an array in it cannot be read."


def _check_zip(data: bytes) -> zipfile.ZipFile:
    """The file as an open zip, once its size, its member count and every member's size are
    within the limits (read from the zip's directory, before any member is unpacked) and every
    member's checksum is right (unpacked in small pieces, none kept)."""
    if len(data) > MAX_FILE_BYTES:
        raise ModelError(f"This file is {len(data):,} bytes; a model file is at most "
                         f"{MAX_FILE_BYTES:,}.")  # fmt: skip
    archive = None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ModelError(f"This file holds {len(members)} arrays; a model has at most "
                             f"{MAX_MEMBERS}.")  # fmt: skip
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > MAX_MEMBER_BYTES or ratio > MAX_COMPRESSION_RATIO:
                raise ModelError(f"{member.filename!r} would unpack to "
                                 f"{member.file_size:,} bytes: not a model file.")  # fmt: skip
        bad = archive.testzip()  # unpacks each member in small pieces, keeping none
        if bad is not None:
            raise ModelError(f"This file is damaged ({bad!r} does not check out).")
        return archive
    except Exception as error:  # a hostile archive can break the reader in many ways
        if archive is not None:
            archive.close()
        if isinstance(error, ModelError):
            raise
        raise ModelError("This is not a model file of MLP Playground (not a complete .npz "
                         "archive; was it cut short?).") from None  # fmt: skip


def _read_header(stream) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(stream)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(stream)
    raise ValueError(f"npy version {version}")  # 3.0 only for field names save_model never writes


def _read_headers(archive: zipfile.ZipFile) -> dict[str, _Member | None]:
    """Every member by its array name (as `np.load` names them: without `.npy`), with what
    its `.npy` header says; None for a member that is not a `.npy` file. Reads the headers
    only (numpy's own header reader, which refuses headers over 10,000 characters)."""
    members: dict[str, _Member | None] = {}
    for info in archive.infolist():
        is_array = info.filename.endswith(".npy")
        name = info.filename[: -len(".npy")] if is_array else info.filename
        if name in members:
            raise ModelError(f"This file is damaged (it holds two arrays called {name!r}).")
        members[name] = None
        if not is_array:
            continue
        try:
            with archive.open(info) as stream:
                shape, fortran_order, dtype = _read_header(stream)
                offset = stream.tell()
        except Exception:
            raise ModelError(_UNREADABLE) from None
        if dtype.hasobject:
            raise ModelError("This model file cannot be used: it holds Python objects "
                             "(pickle), which are never loaded.")  # fmt: skip
        if any(size < 0 for size in shape):
            raise ModelError(_UNREADABLE)
        members[name] = _Member(info, tuple(shape), dtype, fortran_order, offset)
    return members


def _read_data(archive: zipfile.ZipFile, name: str, member: _Member) -> np.ndarray:
    """The numbers of a member whose header was checked: at most its unpacked size."""
    # np.save writes a header and its numbers, nothing more: the member's size, from the
    # zip's directory, shows whether they are all there before anything is read.
    held = member.info.file_size - member.data_offset
    if held < member.nbytes:
        raise ModelError(f"This model file cannot be used: {name} is cut short (it holds "
                         f"fewer numbers than its header says).")  # fmt: skip
    if held > member.nbytes:
        raise ModelError(f"This model file cannot be used: {name} holds more bytes than "
                         f"its header says.")  # fmt: skip
    try:
        with archive.open(member.info) as stream:
            _read_header(stream)
            raw = stream.read(member.nbytes)
        if len(raw) != member.nbytes:
            raise ValueError("short read")
        count = math.prod(member.shape)
        flat = np.frombuffer(raw, dtype=member.dtype, count=count) if count else np.empty(
            0, member.dtype)  # fmt: skip
        return flat.reshape(member.shape, order="F" if member.fortran_order else "C")
    except Exception:
        raise ModelError(_UNREADABLE) from None


def _read_config(archive: zipfile.ZipFile, members: dict[str, _Member | None],
                 page: PageSpec) -> Config:  # fmt: skip
    member = members["config"]
    if member is None or member.dtype.kind != "U" or member.shape != ():
        raise ModelError("The model file's configuration is not text.")
    length = member.dtype.itemsize // np.dtype("U1").itemsize
    if length > MAX_CONFIG_CHARS:
        raise ModelError(f"The model file's configuration is {length:,} characters long; a "
                         f"configuration has at most {MAX_CONFIG_CHARS:,}.")  # fmt: skip
    text = str(_read_data(archive, "config", member)[()])
    try:
        config = Config.from_json(text)
    except ConfigError as error:
        raise ModelError(f"The model file's configuration cannot be used: {error}") from None
    config, notes = page.limit(config)
    if notes:
        raise ModelError(f"This model does not fit the {page.name} page: {' '.join(notes)}")
    return config


def _read_counts(archive: zipfile.ZipFile, members: dict[str, _Member | None], config: Config,
                 page: PageSpec, expect: DataShape) -> tuple[int, int]:  # fmt: skip
    """The file's input and class counts, once they are those of the page's data for
    `config` and the network they make is within the page's size."""
    invalid = "The model file's input and class counts are not valid."
    member = members["shape"]
    if member is None or member.shape != (2,) or member.dtype.kind not in "iu" or (
        member.dtype.itemsize > 8
    ):  # fmt: skip
        raise ModelError(invalid)
    n_inputs, n_classes = (int(count) for count in _read_data(archive, "shape", member))
    regression = config.is_regression or config.dataset == "csv"  # a CSV may be either
    if n_inputs < 1 or n_classes < 1 or (n_classes == 1 and not regression):
        raise ModelError(invalid)  # one output is a regression's, two or more classes
    want_inputs, want_classes = expect(config)
    if n_inputs != want_inputs:
        raise ModelError(f"This model takes {_plural(n_inputs, 'input')}; this page's data "
                         f"has {want_inputs:,}.")  # fmt: skip
    if want_classes is None:  # data known only by its kind (a CSV): the page's most classes
        most = _largest_data(page)[1]
        if n_classes > most:
            raise ModelError(f"This model tells {n_classes:,} classes apart; data on the "
                             f"{page.name} page has at most {most:,}.")  # fmt: skip
    elif n_classes != want_classes:
        raise ModelError(f"This model tells {n_classes:,} classes apart; this page's data "
                         f"has {want_classes:,}.")  # fmt: skip
    # The counts are the page's own, so this holds for every page as it stands; it is what
    # bounds the memory a file can ask for, whatever `expect` says.
    size = sum(math.prod(shape) for shape in array_shapes(config, n_inputs, n_classes).values())
    limit = max_weights(page)
    if size > limit:
        raise ModelError(f"This model has {size:,} weights; a model on the {page.name} page "
                         f"has at most {limit:,}.")  # fmt: skip
    return n_inputs, n_classes


def load_model(data: bytes, page: PageSpec, expect: DataShape = data_shape) -> LoadedModel:
    """A model file's configuration and weights, checked against `page` and the data the
    page trains the configuration on (`expect`: its input and class counts, None for a class
    count known only with the data; by default `data_shape`). Raises ModelError.

    Everything is checked before anything large is read: the file's size and its members'
    count and sizes, every array's header, the configuration, the input and class counts,
    the network's size, and each array's shape and dtype against the configuration. Then only
    the weights are read, each at most the size of its array; no network is built."""
    with _check_zip(data) as archive:
        members = _read_headers(archive)
        for key in ("config", "shape"):
            if key not in members:
                raise ModelError(f"This is not a model file of MLP Playground (no {key!r}).")
        config = _read_config(archive, members, page)
        n_inputs, n_classes = _read_counts(archive, members, config, page, expect)
        expected = array_shapes(config, n_inputs, n_classes)
        unknown = set(members) - set(expected) - {"config", "shape"}
        missing = set(expected) - set(members)
        if missing or unknown:
            kind, names = ("missing", missing) if missing else ("unexpected", unknown)
            shown = ", ".join(sorted(names)[:3])
            raise ModelError(f"The model file's arrays do not match its configuration ({kind}: "
                             f"{shown}).")  # fmt: skip
        headers: dict[str, _Member] = {}
        for name, want in expected.items():
            member = members[name]
            if member is None:
                raise ModelError(_UNREADABLE)
            if member.shape != want:
                raise ModelError(f"{name} has shape {member.shape}; the configuration needs "
                                 f"{want}.")  # fmt: skip
            if member.dtype.kind != "f":
                raise ModelError(f"{name} holds {member.dtype} values, not floating-point "
                                 "numbers.")  # fmt: skip
            headers[name] = member
        checked = {}
        for name, member in headers.items():
            array = np.array(_read_data(archive, name, member), dtype=WEIGHT_DTYPE)
            if not np.isfinite(array).all():
                raise ModelError(f"{name} holds values that are not finite numbers.")
            checked[name] = array
    return LoadedModel(config, n_inputs, n_classes, checked)

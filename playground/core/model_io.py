"""Trained models as files: the weights as `.npz` (NumPy arrays only, never pickle) with the
configuration as JSON inside, written by a page and read back, checked, by a page.

A model file is a zip of `.npy` arrays: `config` (the configuration's JSON as text),
`shape` (inputs, classes), and one group of arrays per layer, input side first:
`hidden1.W` (D, units), `hidden1.b`, with batch norm also `hidden1.gamma`, `hidden1.beta`,
`hidden1.running_mean`, `hidden1.running_var`; ...; `output.W`, `output.b`. The pages and
the headless command (`python -m playground.train`) write and read the same files. Reading refuses
anything else with a message in words: not a zip, a truncated file, a pickled array, a huge
or overly compressed member (a zip bomb), a configuration out of range, an array of the
wrong shape or dtype, a number that is not finite.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import numpy as np

from mlp.layers import BatchNorm, Dense
from mlp.network import Network
from playground.core.config import Config, ConfigError, PageSpec
from playground.core.session import make_network

__all__ = ["LoadedModel", "ModelError", "load_model", "model_arrays", "named_arrays", "save_model"]

MAX_FILE_BYTES = 50_000_000  # a 784-1024×6 float32 network is about 25 MB
MAX_MEMBER_BYTES = 100_000_000
MAX_MEMBERS = 200
MAX_COMPRESSION_RATIO = 50  # float weights compress about 1.1×; more is a zip bomb


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


def _check_zip(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise ModelError(f"This file is {len(data):,} bytes; a model file is at most "
                         f"{MAX_FILE_BYTES:,}.")  # fmt: skip
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise ModelError(f"This file holds {len(members)} arrays; a model has at most "
                                 f"{MAX_MEMBERS}.")  # fmt: skip
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > MAX_MEMBER_BYTES or ratio > MAX_COMPRESSION_RATIO:
                    raise ModelError(f"{member.filename!r} would unpack to "
                                     f"{member.file_size:,} bytes: not a model file.")  # fmt: skip
            bad = archive.testzip()
            if bad is not None:
                raise ModelError(f"This file is damaged ({bad!r} does not check out).")
    except Exception as error:  # a hostile archive can break the reader in many ways
        if isinstance(error, ModelError):
            raise
        raise ModelError("This is not a model file of MLP Playground (not a complete .npz "
                         "archive; was it cut short?).") from None  # fmt: skip


def load_model(data: bytes, page: PageSpec) -> LoadedModel:
    """A model file's configuration and weights, checked against `page` and the network
    the configuration builds. Raises ModelError."""
    _check_zip(data)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except Exception as error:  # as in _check_zip: any failure to read is a bad file
        reason = "it holds Python objects (pickle), which are never loaded" if "pickle" in str(
            error) else "an array in it cannot be read"  # fmt: skip
        raise ModelError(f"This model file cannot be used: {reason}.") from None
    for key in ("config", "shape"):
        if key not in arrays:
            raise ModelError(f"This is not a model file of MLP Playground (no {key!r}).")
    text = arrays["config"]
    if text.dtype.kind != "U" or text.ndim != 0:
        raise ModelError("The model file's configuration is not text.")
    try:
        config = Config.from_json(str(text))
    except ConfigError as error:
        raise ModelError(f"The model file's configuration cannot be used: {error}") from None
    config, notes = page.limit(config)
    if notes:
        raise ModelError(f"This model does not fit the {page.name} page: {' '.join(notes)}")
    shape = arrays["shape"]
    if shape.shape != (2,) or shape.dtype.kind not in "iu" or not (
        1 <= shape[0] <= 100_000 and 2 <= shape[1] <= 100
    ):  # fmt: skip
        raise ModelError("The model file's input and class counts are not valid.")
    n_inputs, n_classes = int(shape[0]), int(shape[1])
    network = make_network(config, n_inputs, n_classes)
    expected = named_arrays(network, copy=False)
    unknown = set(arrays) - set(expected) - {"config", "shape"}
    missing = set(expected) - set(arrays)
    if missing or unknown:
        kind, names = ("missing", missing) if missing else ("unexpected", unknown)
        shown = ", ".join(sorted(names)[:3])
        raise ModelError(f"The model file's arrays do not match its configuration ({kind}: "
                         f"{shown}).")  # fmt: skip
    checked = {}
    for name, want in expected.items():
        array = arrays[name]
        if array.shape != want.shape:
            raise ModelError(f"{name} has shape {array.shape}; the configuration needs "
                             f"{want.shape}.")  # fmt: skip
        if array.dtype.kind != "f":
            raise ModelError(f"{name} holds {array.dtype} values, not floating-point numbers.")
        if not np.isfinite(array).all():
            raise ModelError(f"{name} holds values that are not finite numbers.")
        checked[name] = array.astype(want.dtype)
    return LoadedModel(config, n_inputs, n_classes, checked)

"""What happens inside a network: each hidden unit's output over the plane, how healthy each
layer is (dead ReLUs, saturated sigmoid and tanh units), and hints in plain words.

Nothing here imports Streamlit or Plotly; every function reads a network and never changes
it (evaluation mode: dropout off, batch norm on its running statistics).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlp.layers import LeakyReLU, ReLU, Sigmoid, Tanh
from mlp.network import Network

__all__ = [
    "LayerHealth",
    "MAX_MAP_UNITS",
    "config_warnings",
    "hidden_outputs",
    "layer_health",
    "loss_hint",
    "neuron_maps",
]

MAX_MAP_UNITS = 16  # units of a layer drawn as maps; the rest are summarised
SATURATION_MARGIN = 0.01  # within 1% of an activation's limits counts as saturated
SATURATED_SHARE = 0.95  # a unit is saturated when this share of its outputs are
DEAD_HINT_SHARE = 0.5  # hint when at least this share of a layer's ReLUs are dead
SATURATED_HINT_SHARE = 0.5
_ACTIVATIONS = (ReLU, LeakyReLU, Sigmoid, Tanh)
_NAMES = {ReLU: "ReLU", LeakyReLU: "Leaky ReLU", Sigmoid: "sigmoid", Tanh: "tanh"}
_LIMITS = {Sigmoid: (0.0, 1.0), Tanh: (-1.0, 1.0)}


def hidden_outputs(network: Network, inputs: np.ndarray) -> list[np.ndarray]:
    """Each hidden layer's activation output for `inputs`, in evaluation mode.

    Returns one (N, units) array per hidden layer, input side first.
    """
    outputs = []
    x = np.asarray(inputs, dtype=network.dtype)
    for layer in network.layers:
        x = layer.forward(x, train=False)
        if isinstance(layer, _ACTIVATIONS):
            outputs.append(np.array(x, copy=True))
    return outputs


def neuron_maps(
    network: Network,
    grid_inputs: np.ndarray,
    grid_shape: tuple[int, int],
    max_units: int = MAX_MAP_UNITS,
) -> list[np.ndarray]:
    """Per hidden layer, what each of its first `max_units` units computes over the grid.

    Parameters
    ----------
    network : Network
    grid_inputs : np.ndarray, shape (G_y * G_x, D)
        The grid's points as the network takes them (row-major, as `encode_boundary`).
    grid_shape : tuple[int, int]
        (G_y, G_x).
    max_units : int
        Units drawn per layer.

    Returns
    -------
    list of np.ndarray, each (min(units, max_units), G_y, G_x) int8
        Each unit's output scaled by its largest absolute value on the grid to [-127, 127]
        (a unit that is 0 everywhere stays 0): the shape of what it computes, small to send.
    """
    maps = []
    for outputs in hidden_outputs(network, grid_inputs):
        shown = np.nan_to_num(outputs[:, :max_units].T.astype(np.float64), nan=0.0,
                              posinf=0.0, neginf=0.0)  # fmt: skip
        scale = np.abs(shown).max(axis=1, keepdims=True)
        scale[scale == 0] = 1.0
        codes = np.rint(shown / scale * 127).astype(np.int8)
        maps.append(codes.reshape(len(codes), *grid_shape))
    return maps


@dataclass(frozen=True)
class LayerHealth:
    """One hidden layer's state on an evaluation sample.

    dead: share of ReLU units never active (output 0, or never positive for Leaky ReLU) on the
    sample; saturated: share of sigmoid/tanh units with at least `SATURATED_SHARE` of their
    outputs within 1% of the activation's limits. Each is None where it does not apply.
    """

    index: int  # 1 for the first hidden layer
    activation: str
    units: int
    dead: float | None
    saturated: float | None
    outputs: np.ndarray  # (N, units) the layer's outputs on the sample

    def hint(self) -> str | None:
        """A plain-words hint when the layer is mostly dead or saturated."""
        if self.dead is not None and self.dead >= DEAD_HINT_SHARE:
            return (f"Layer {self.index}: {self.dead:.0%} of its ReLUs are dead (never active on "
                    "the data); try a smaller learning rate or He init.")  # fmt: skip
        if self.saturated is not None and self.saturated >= SATURATED_HINT_SHARE:
            return (f"Layer {self.index}: {self.saturated:.0%} of its {self.activation} units are "
                    "saturated (stuck near their limits, so their gradients vanish); try "
                    "Xavier init, a smaller learning rate or batch norm.")  # fmt: skip
        return None


def layer_health(network: Network, inputs: np.ndarray) -> list[LayerHealth]:
    """The health of every hidden layer on `inputs` (an evaluation sample)."""
    activations = [layer for layer in network.layers if isinstance(layer, _ACTIVATIONS)]
    result = []
    for index, (layer, outputs) in enumerate(
        zip(activations, hidden_outputs(network, inputs), strict=True), start=1
    ):
        kind = type(layer)
        dead = saturated = None
        if kind in (ReLU, LeakyReLU):
            dead = float((outputs <= 0).all(axis=0).mean())
        else:
            low, high = _LIMITS[kind]
            margin = SATURATION_MARGIN * (high - low)
            near = (outputs <= low + margin) | (outputs >= high - margin)
            saturated = float((near.mean(axis=0) >= SATURATED_SHARE).mean())
        result.append(LayerHealth(index, _NAMES[kind], outputs.shape[1], dead, saturated,
                                  outputs))  # fmt: skip
    return result


def loss_hint(step_losses: np.ndarray, n_classes: int, steps: int) -> str | None:
    """A hint when training neither learns nor diverges: the recent minibatch losses sit far
    above what a uniform guess scores (ln K), which is what a learning rate too high for
    the network does while the numbers stay finite."""
    recent = np.asarray(step_losses, dtype=np.float64)[-200:]
    recent = recent[np.isfinite(recent)]
    if steps < 500 or len(recent) < 20:
        return None
    guess = math.log(n_classes)
    typical = float(np.median(recent))
    if typical < 2 * guess:
        return None
    return (f"The loss swings around {typical:.3g}, far above the {guess:.2f} of a uniform "
            f"guess, between {np.min(recent):.3g} and {np.max(recent):.3g}: the learning rate "
            "is too high for this network: lower it.")  # fmt: skip


def config_warnings(batch_norm: bool, batch_size: int, hidden: Sequence) -> list[str]:
    """What will not work with a setup, said before Play."""
    warnings = []
    if batch_norm and batch_size == 1 and hidden:
        warnings.append(
            "Batch norm with batch size 1 normalises every unit over a single point, so each "
            "hidden output is the same whatever the input: the network cannot learn. Use a "
            "batch size of 8 or more, or switch batch norm off."
        )
    return warnings

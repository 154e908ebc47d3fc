"""What happens inside a network: each hidden unit's output over the plane, the weights the
network diagram draws, how healthy each layer is (dead ReLUs, saturated sigmoid and tanh
units, histograms of activations and gradients), and hints in plain words.

Nothing here imports Streamlit or Plotly; every function reads a network and never changes
it (evaluation mode: dropout off, batch norm on its running statistics). The gradients are
worked out here from the layers' parameters, without the layers' own `backward`, so the
arrays a training step reuses are never touched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mlp.layers import (
    ELU,
    GELU,
    BatchNorm,
    Dense,
    Dropout,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Sine,
    Tanh,
)
from mlp.network import Network

__all__ = [
    "GRADIENT_EDGES",
    "LayerHealth",
    "LayerHistograms",
    "MAX_MAP_UNITS",
    "diagram_weights",
    "hidden_outputs",
    "input_maps",
    "layer_health",
    "layer_histograms",
    "loss_hint",
    "near_zero_shares",
    "near_zero_text",
    "neuron_maps",
    "weight_gradients",
]

MAX_MAP_UNITS = 16  # units of a layer drawn as maps; the rest are summarised
NEAR_ZERO = 1e-3  # |w| below this counts as a weight near zero (what L1 makes of many)
SATURATION_MARGIN = 0.01  # within 1% of an activation's limits counts as saturated
SATURATED_SHARE = 0.95  # a unit is saturated when this share of its outputs are
DEAD_HINT_SHARE = 0.5  # hint when at least this share of a layer's ReLUs are dead
SATURATED_HINT_SHARE = 0.5
_NAMES = {ReLU: "ReLU", LeakyReLU: "Leaky ReLU", Sigmoid: "sigmoid", Tanh: "tanh", ELU: "ELU",
          GELU: "GELU", SiLU: "SiLU", Sine: "sine", Identity: "linear"}  # fmt: skip
_ACTIVATIONS = tuple(_NAMES)
# Activations that flatten out at both ends: a unit stuck near one end has lost its gradient.
_LIMITS = {Sigmoid: (0.0, 1.0), Tanh: (-1.0, 1.0)}
ACTIVATION_BINS = 24
# log10 |dL/dw| from 1e-9 to 10 in quarter decades: every layer's gradients on one scale, so a
# vanishing gradient shows as a layer whose bars sit far left of the others'.
GRADIENT_EDGES = np.linspace(-9.0, 1.0, 41)


def hidden_outputs(network: Network, inputs: np.ndarray) -> list[np.ndarray]:
    """Each hidden layer's activation output for `inputs`, in evaluation mode.

    Returns one (N, units) array per hidden layer, input side first. A unit knocked out by
    hand (`Network.knock_out`) shows as zero, as the layers above see it.
    """
    outputs = []
    x = np.asarray(inputs, dtype=network.dtype)
    for layer in network.layers:
        x = layer.forward(x, train=False)
        if isinstance(layer, _ACTIVATIONS):
            outputs.append(np.array(x, copy=True))
    return _without_knocked_out(network, outputs)


def _without_knocked_out(network: Network, outputs: list[np.ndarray]) -> list[np.ndarray]:
    """`outputs` (one per hidden layer) with each knocked-out unit's column set to zero."""
    for number, units in network.knocked_out().items():
        outputs[number - 1][:, units] = 0
    return outputs


def near_zero_shares(network: Network) -> list[float]:
    """Per Dense layer, the share of its weights W (not biases) with |w| < NEAR_ZERO."""
    return [float(np.count_nonzero(np.abs(layer.params["W"]) < NEAR_ZERO)) / layer.params["W"].size
            for layer in network.dense_layers()]  # fmt: skip


def near_zero_text(shares: list[float] | tuple[float, ...]) -> str:
    """One line for under the weight norms: "Weights near zero (|w| < 0.001): Dense 1 41%, ..."."""
    if not shares:
        return ""
    parts = ", ".join(f"Dense {index + 1} {share:.0%}" for index, share in enumerate(shares))
    return f"Weights near zero (|w| < {NEAR_ZERO:g}): {parts}. L1 pushes this share up."


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
    return [_map_codes(outputs[:, :max_units], grid_shape)
            for outputs in hidden_outputs(network, grid_inputs)]  # fmt: skip


def input_maps(grid_inputs: np.ndarray, grid_shape: tuple[int, int]) -> np.ndarray:
    """What each input feature is over the grid (x₁, x₂, x₁², …), coded as `neuron_maps`.

    grid_inputs: (G_y * G_x, F) the grid's points as the network takes them. Returns
    (F, G_y, G_x) int8.
    """
    return _map_codes(np.asarray(grid_inputs), grid_shape)


def _map_codes(values: np.ndarray, grid_shape: tuple[int, int]) -> np.ndarray:
    """values: (G_y * G_x, units) -> (units, G_y, G_x) int8, each unit scaled by its largest
    absolute value to [-127, 127] (non-finite values count as 0)."""
    shown = np.nan_to_num(values.T.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    scale = np.abs(shown).max(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    codes = np.rint(shown / scale * 127).astype(np.int8)
    return codes.reshape(len(codes), *grid_shape)


def diagram_weights(network: Network, max_units: int = MAX_MAP_UNITS) -> list[np.ndarray]:
    """Per Dense layer, the weights between the units the network diagram draws.

    Returns one (min(n_in, max_units), min(n_out, max_units)) float32 copy per Dense layer,
    input side first: entry [i, j] is the weight from unit i of one column to unit j of the
    next.
    """
    return [layer.params["W"][:max_units, :max_units].astype(np.float32)
            for layer in network.dense_layers()]  # fmt: skip


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
        dead, saturated = _dead_and_saturated(kind, outputs)
        result.append(LayerHealth(index, _NAMES[kind], outputs.shape[1], dead, saturated,
                                  outputs))  # fmt: skip
    return result


def state_words(dead: float | None, saturated: float | None) -> str:
    """A layer's share of dead or saturated units in words ("25% dead", "80% saturated"), or ""
    for an activation that neither dies nor saturates (ELU, GELU, SiLU, sine, linear)."""
    if dead is not None:
        return f"{dead:.0%} dead"
    if saturated is not None:
        return f"{saturated:.0%} saturated"
    return ""


def _dead_and_saturated(kind: type, outputs: np.ndarray) -> tuple[float | None, float | None]:
    """(share of dead units, share of saturated units) of a layer's (N, units) outputs; each
    None where it does not apply to the activation `kind`."""
    if kind in (ReLU, LeakyReLU):
        return float((outputs <= 0).all(axis=0).mean()), None
    if kind not in _LIMITS:
        return None, None  # ELU, GELU, SiLU, sine, linear: no dead or saturated share told
    low, high = _LIMITS[kind]
    margin = SATURATION_MARGIN * (high - low)
    near = (outputs <= low + margin) | (outputs >= high - margin)
    return None, float((near.mean(axis=0) >= SATURATED_SHARE).mean())


def weight_gradients(
    network: Network, inputs: np.ndarray, labels: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray, list[np.ndarray]]:
    """One forward and backward pass on a sample, in evaluation mode, for the health views.

    The gradient is that of the mean softmax cross-entropy on the sample (without weight
    decay), or of the mean squared error where `labels` are real-valued targets (a network
    with one output: a regression set), as the network computes it in evaluation mode:
    dropout off, batch norm on its running statistics. It is worked out here from the
    parameters, never through a layer's `backward`, so the training buffers and `grads` stay
    as they are.

    Parameters
    ----------
    network : Network
    inputs : np.ndarray, shape (N, D)
    labels : np.ndarray, shape (N,)
        Class indices.

    Returns
    -------
    hidden : list of np.ndarray, each (N, units)
        Each hidden layer's activation output, input side first.
    probabilities : np.ndarray, shape (N, C)
        The network's class probabilities.
    gradients : list of np.ndarray, each (n_in, n_out)
        dL/dW of every Dense layer, input side first.
    """
    x = np.asarray(inputs, dtype=network.dtype)
    passed = []  # (layer, its input, its output)
    hidden = []
    for layer in network.layers:
        y = layer.forward(x, train=False)
        passed.append((layer, x, y))
        if isinstance(layer, _ACTIVATIONS):
            hidden.append(y)
        x = y
    hidden = _without_knocked_out(network, [np.array(h, copy=True) for h in hidden])
    logits = x.astype(np.float64)
    if np.issubdtype(np.asarray(labels).dtype, np.floating):
        probabilities = logits  # a regression's outputs are its predictions
        # dL/dp = 2 (p − t) / N for the mean squared error of one output
        grad = 2.0 * (logits - np.asarray(labels, np.float64).reshape(-1, 1)) / max(len(logits), 1)
    else:
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        # dL/dz = (softmax(z) - onehot(y)) / N for the mean cross-entropy
        grad = probabilities.copy()
        grad[np.arange(len(grad)), np.asarray(labels, dtype=np.intp)] -= 1.0
        grad /= max(len(grad), 1)
    gradients = []
    for layer, x_in, y in reversed(passed):
        if isinstance(layer, Dense):
            gradients.append(x_in.T.astype(np.float64) @ grad)  # dW = x^T dy
            grad = grad @ layer.params["W"].T.astype(np.float64)  # dx = dy W^T
        elif isinstance(layer, ReLU):
            grad = grad * (x_in > 0)
        elif isinstance(layer, LeakyReLU):
            grad = np.where(x_in > 0, grad, layer.alpha * grad)
        elif isinstance(layer, Sigmoid):
            grad = grad * (y * (1 - y))
        elif isinstance(layer, Tanh):
            grad = grad * (1 - y * y)
        elif isinstance(layer, (ELU, GELU, SiLU, Sine, Identity)):
            grad = grad * _slope(layer, x_in.astype(np.float64), y.astype(np.float64))
        elif isinstance(layer, BatchNorm):  # y = gamma (x - mean) / sqrt(var + eps) + beta
            grad = grad * (layer.params["gamma"] / np.sqrt(layer.running_var + layer.eps))
        elif isinstance(layer, Dropout):  # the identity in evaluation mode, but for units
            if layer.keep is not None:  # knocked out by hand, which pass nothing back
                grad = grad * layer.keep
        else:
            raise TypeError(f"No gradient rule for {type(layer).__name__}.")
    gradients.reverse()
    return hidden, probabilities, gradients


def _slope(layer, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dy/dx of the smooth activations, from their input x and output y (float64)."""
    if isinstance(layer, ELU):
        return np.minimum(y + 1, 1)  # 1 where x > 0, eˣ elsewhere
    if isinstance(layer, GELU):
        c, k = GELU.SQRT_2_OVER_PI, GELU.CUBIC
        t = np.tanh(c * (x + k * x**3))
        return 0.5 * (1 + t) + 0.5 * (1 - t * t) * x * c * (1 + 3 * k * x * x)
    if isinstance(layer, SiLU):
        s = 0.5 + 0.5 * np.tanh(x / 2)
        return s * (1 + x * (1 - s))
    if isinstance(layer, Sine):
        return np.cos(x)
    return np.ones_like(x)  # linear


@dataclass(frozen=True)
class LayerHistograms:
    """One layer's activations and gradients on an evaluation sample, binned to draw.

    label: e.g. "Layer 1 · 16 ReLU" or "Output · 2 softmax"; state: what its shares say in
    words ("25% dead", "80% saturated", or "" for the output). `activation_edges` (B + 1,)
    and `activation_shares` (B,): the share of all its outputs on the sample in each bin.
    `gradient_shares` (len(GRADIENT_EDGES) - 1,): the share of its incoming weights whose
    log10 |dL/dw| falls in each bin of `GRADIENT_EDGES` (beyond the ends: in the end bins);
    `zero_gradients`: the share whose gradient is exactly 0 (no logarithm, not binned).
    """

    label: str
    state: str
    activation_edges: np.ndarray
    activation_shares: np.ndarray
    gradient_shares: np.ndarray
    zero_gradients: float


def layer_histograms(
    network: Network, inputs: np.ndarray, labels: np.ndarray
) -> list[LayerHistograms]:
    """Per hidden layer, then the output layer (its class probabilities), the histograms of
    `LayerHistograms` on a sample (`weight_gradients`)."""
    hidden, probabilities, gradients = weight_gradients(network, inputs, labels)
    activations = [layer for layer in network.layers if isinstance(layer, _ACTIVATIONS)]
    rows = []
    for index, (layer, outputs) in enumerate(zip(activations, hidden, strict=True), start=1):
        kind = type(layer)
        dead, saturated = _dead_and_saturated(kind, outputs)
        state = state_words(dead, saturated)
        label = f"Layer {index} · {outputs.shape[1]} {_NAMES[kind]}"
        rows.append((label, state, outputs, _activation_edges(kind, outputs)))
    n_classes = probabilities.shape[1]
    if np.issubdtype(np.asarray(labels).dtype, np.floating):
        rows.append(("Output · 1 linear (the prediction)", "", probabilities,
                     _activation_edges(Identity, probabilities)))  # fmt: skip
    else:
        rows.append((f"Output · {n_classes} softmax", "", probabilities,
                     np.linspace(0.0, 1.0, ACTIVATION_BINS + 1)))  # fmt: skip
    result = []
    for (label, state, outputs, edges), gradient in zip(rows, gradients, strict=True):
        gradient_shares, zero_gradients = _gradient_shares(gradient)
        result.append(
            LayerHistograms(
                label, state, edges.astype(np.float32), _shares(outputs, edges),
                gradient_shares, zero_gradients,
            )
        )  # fmt: skip
    return result


def _activation_edges(kind: type, outputs: np.ndarray) -> np.ndarray:
    """Bin edges for a layer's outputs: the activation's range for sigmoid and tanh; for
    (leaky) ReLU from its lowest output (0 or below) to a round number above its largest, so
    the axis changes rarely while the network trains."""
    if kind in _LIMITS:
        low, high = _LIMITS[kind]
    else:
        finite = outputs[np.isfinite(outputs)]
        low = min(0.0, float(finite.min())) if finite.size else 0.0
        high = _round_up(float(finite.max())) if finite.size else 1.0
        low = -_round_up(-low) if low < 0 else 0.0
    return np.linspace(low, high, ACTIVATION_BINS + 1)


def _round_up(value: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten that is at least `value` (at least 1e-3)."""
    value = max(value, 1e-3)
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value * (1 - 1e-9))


def _shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The share of the finite `values` in each bin; values beyond the ends count in the end
    bins. (B,) float32."""
    finite = values[np.isfinite(values)]
    n_bins = len(edges) - 1
    # The edges are evenly spaced: a value's bin is its offset from the first edge, in bin
    # widths (np.histogram does the same, with more checks).
    position = (finite - edges[0]) * (n_bins / (edges[-1] - edges[0]))
    bins = np.clip(position, 0, n_bins - 1).astype(np.intp)
    counts = np.bincount(bins, minlength=n_bins)
    return (counts / max(finite.size, 1)).astype(np.float32)


def _gradient_shares(gradient: np.ndarray) -> tuple[np.ndarray, float]:
    """(shares of log10 |g| in the bins of GRADIENT_EDGES, share of g exactly 0)."""
    magnitudes = np.abs(gradient[np.isfinite(gradient)])
    nonzero = magnitudes[magnitudes > 0]
    shares = _shares(np.log10(nonzero), GRADIENT_EDGES) * (nonzero.size / max(magnitudes.size, 1))
    zero = 1.0 - nonzero.size / magnitudes.size if magnitudes.size else 0.0
    return shares.astype(np.float32), float(zero)


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

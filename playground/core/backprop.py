"""Backpropagation on one training point, in the engine's own numbers.

`trace_point` sends one point through a copy of the network as a batch of one, calling each
layer's `forward(train=True)` and then `backward`, and keeps what every layer computed on the
way: per Dense layer the pre-activations z, the activations a, dL/da and dL/dz per unit, and
the gradients dL/dW and dL/db. Nothing is computed again here: the numbers are the engine's.
`step_on_point` applies one plain SGD step on that point to the live network and reports what
changed. `forward_formulas` and `backward_formulas` write one unit's formulas in LaTeX with
those numbers put in, for the Playground's "Backprop, one example at a time".

Dropout is off in the copy (one example, as in evaluation). Batch norm is not traced: on a
batch of one it normalises every unit to 0, and what it does in evaluation (its running
statistics) is not what a training step differentiates.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass

import numpy as np

from mlp.layers import BatchNorm, Dense, Dropout, LeakyReLU
from mlp.losses import softmax_cross_entropy
from mlp.network import ACTIVATIONS, Network

__all__ = [
    "MAX_HIDDEN_LAYERS",
    "MAX_UNITS",
    "LayerTrace",
    "PointTrace",
    "StepResult",
    "WeightChange",
    "backward_formulas",
    "forward_formulas",
    "short_number",
    "step_on_point",
    "tex",
    "trace_point",
    "weight_tex",
    "why_not_traced",
]

# The view draws every unit with its numbers: beyond this the diagram and formulas crowd.
MAX_HIDDEN_LAYERS = 3
MAX_UNITS = 8
LARGEST_CHANGES = 5  # weight changes a step reports, the largest first
LINE_LENGTH = 30  # characters shown a line of a written-out sum at most (a term at least)

_ACTIVATION_NAMES = {layer_type: name for name, layer_type in ACTIVATIONS.items()}


@dataclass(frozen=True)
class LayerTrace:
    """One Dense layer and the activation after it, for one point (n_in inputs, n_out units).

    activation: a key of `mlp.network.ACTIVATIONS`, or "softmax" for the output layer;
    alpha: LeakyReLU's slope below 0 (None for the others).
    weights: (n_in, n_out) and bias: (n_out,), the parameters the point went through.
    inputs: (n_in,), what came in: the previous layer's activations, or the point's features.
    z: (n_out,), the pre-activations z = inputs · W + b.
    a: (n_out,), the activations f(z); for the output layer the softmax probabilities.
    grad_a: (n_out,), dL/da, what flowed back into the activation (None for the output).
    grad_z: (n_out,), dL/dz; grad_weights: (n_in, n_out), dL/dW; grad_bias: (n_out,), dL/db.
    """

    activation: str
    alpha: float | None
    weights: np.ndarray
    bias: np.ndarray
    inputs: np.ndarray
    z: np.ndarray
    a: np.ndarray
    grad_a: np.ndarray | None
    grad_z: np.ndarray
    grad_weights: np.ndarray
    grad_bias: np.ndarray


@dataclass(frozen=True)
class PointTrace:
    """One point through the network: its features (D,), its class, every Dense layer's
    `LayerTrace` (the hidden layers, then the output layer) and the loss on it,
    L = −log p_label."""

    features: np.ndarray
    label: int
    layers: tuple[LayerTrace, ...]
    loss: float

    @property
    def probabilities(self) -> np.ndarray:
        """(C,) the softmax of the logits: the network's class probabilities for the point."""
        return self.layers[-1].a


@dataclass(frozen=True)
class WeightChange:
    """One weight a step changed: Dense layer `layer` (1 = the first), from input `source`
    to unit `target` (both 0-based), its value `before` and `after`."""

    layer: int
    source: int
    target: int
    before: float
    after: float

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True)
class StepResult:
    """One plain SGD step on one point: the learning rate, the point traced before and after
    the step, and the weights that changed most (at most LARGEST_CHANGES, largest first)."""

    lr: float
    before: PointTrace
    after: PointTrace
    largest_changes: tuple[WeightChange, ...]

    @property
    def loss_before(self) -> float:
        return self.before.loss

    @property
    def loss_after(self) -> float:
        return self.after.loss


def why_not_traced(network: Network) -> str | None:
    """Why the view does not trace `network`, in one sentence; None when it does."""
    if any(isinstance(layer, BatchNorm) for layer in network.layers):
        return ("This view is for networks without batch norm, which sets every unit to 0 on a "
                "single point (switch it off under Network).")  # fmt: skip
    hidden = [layer.n_out for layer in network.dense_layers()[:-1]]
    if len(hidden) > MAX_HIDDEN_LAYERS or any(units > MAX_UNITS for units in hidden):
        shape = " → ".join(str(units) for units in hidden)
        return (f"Shown for up to {MAX_HIDDEN_LAYERS} hidden layers of up to {MAX_UNITS} units, "
                f"so that every number fits; this network has {shape} (change it under "
                "Network).")  # fmt: skip
    return None


def trace_point(network: Network, features: np.ndarray, label: int) -> PointTrace:
    """Send one point through a copy of `network` (dropout off) forward and back.

    features: (D,), the point as the network sees it (a row of `inputs_train`); label: its
    class. The network itself is only read (hold its lock while calling): its parameters,
    gradients and buffers are left as they were. Raises ValueError for a network with batch
    norm (see the module's docstring).
    """
    if any(isinstance(layer, BatchNorm) for layer in network.layers):
        raise ValueError("A network with batch norm cannot be traced on a single point.")
    twin = copy.deepcopy(network)
    twin.set_dropout(0.0, 0.0)
    layers = twin.layers
    batch = np.asarray(features, dtype=twin.dtype).reshape(1, -1)
    # A diverged network's NaN and infinite numbers are shown as they are, without warnings.
    with np.errstate(all="ignore"):
        # Forward, layer by layer: what went into each layer and what came out (copies, since a
        # layer reuses its arrays at its next call).
        inputs_of, outputs = [], []
        x = batch
        for layer in layers:
            inputs_of.append(x[0].copy())
            x = layer.forward(x, train=True)
            outputs.append(x[0].copy())
        loss, grad = softmax_cross_entropy(x, np.array([label]))
        # Backward: the gradient that arrives at each layer's output, dL/d(output).
        arriving: list[np.ndarray] = [np.empty(0)] * len(layers)
        for index in range(len(layers) - 1, -1, -1):
            arriving[index] = grad[0].copy()
            grad = layers[index].backward(grad)
        probabilities = twin.predict_proba(batch)[0]

    dense_at = [index for index, layer in enumerate(layers) if isinstance(layer, Dense)]
    traced = []
    for number, index in enumerate(dense_at):
        dense = layers[index]
        is_output = number == len(dense_at) - 1
        if is_output:
            activation, alpha, a, grad_a = "softmax", None, probabilities, None
        else:
            # the activation: the layer after the Dense one that is not a Dropout
            after = next(i for i in range(index + 1, dense_at[number + 1])
                         if not isinstance(layers[i], Dropout))  # fmt: skip
            layer = layers[after]
            activation = _ACTIVATION_NAMES.get(type(layer), type(layer).__name__.lower())
            alpha = layer.alpha if isinstance(layer, LeakyReLU) else None
            a, grad_a = outputs[after], arriving[after]
        traced.append(LayerTrace(
            activation=activation, alpha=alpha,
            weights=dense.params["W"].copy(), bias=dense.params["b"].copy(),
            inputs=inputs_of[index], z=outputs[index], a=a, grad_a=grad_a,
            grad_z=arriving[index], grad_weights=dense.grads["W"].copy(),
            grad_bias=dense.grads["b"].copy(),
        ))  # fmt: skip
    return PointTrace(features=inputs_of[0], label=int(label), layers=tuple(traced),
                      loss=float(loss))  # fmt: skip


def step_on_point(network: Network, features: np.ndarray, label: int, lr: float) -> StepResult:
    """One plain SGD step on one point, in place on `network`'s parameters: no momentum, no
    weight decay, no max-norm, dropout off. Hold the network's lock while calling.

    The gradients are those `trace_point` reports; the step's result says the point's loss
    before and after and which weights changed most.
    """
    before = trace_point(network, features, label)
    for dense, layer in zip(network.dense_layers(), before.layers, strict=True):
        # w ← w − η · ∂L/∂w,   b ← b − η · ∂L/∂b
        dense.params["W"] -= lr * layer.grad_weights
        dense.params["b"] -= lr * layer.grad_bias
    after = trace_point(network, features, label)
    changes = [
        WeightChange(number, int(source), int(target), float(old.weights[source, target]),
                     float(new.weights[source, target]))
        for number, (old, new) in enumerate(zip(before.layers, after.layers, strict=True), 1)
        for source, target in np.ndindex(old.weights.shape)
    ]  # fmt: skip
    changes.sort(key=lambda change: -abs(change.change))
    return StepResult(lr=float(lr), before=before, after=after,
                      largest_changes=tuple(changes[:LARGEST_CHANGES]))  # fmt: skip


# -- the formulas, with the numbers put in ---------------------------------------------------


def short_number(value: float) -> tuple[str, int | None]:
    """`value` to three significant figures as (mantissa, power of ten or None): (0.531,
    None), (−1.2, −5) for −1.2·10⁻⁵. Plain decimals from 0.001 to below 1000."""
    value = float(value)
    if value == 0:
        return ("0", None)  # and never "-0"
    if not math.isfinite(value):
        return (f"{value:g}", None)
    if 0.001 <= abs(value) < 1000:
        return (f"{value:.3g}", None)
    mantissa, exponent = f"{value:.2e}".split("e")
    return (mantissa.rstrip("0").rstrip("."), int(exponent))


def tex(value: float, bracket: bool = False) -> str:
    """`value` in LaTeX, three significant figures; with `bracket`, a negative number or a
    power of ten in brackets, so that it can stand as a factor."""
    mantissa, exponent = short_number(value)
    text = mantissa if exponent is None else rf"{mantissa} \times 10^{{{exponent}}}"
    return f"({text})" if bracket and (text.startswith("-") or exponent is not None) else text


def _product(first: float, second: float) -> str:
    """Two numbers multiplied, in LaTeX: "0.53 \\cdot (-1.2)"."""
    return rf"{tex(first, True)} \cdot {tex(second, True)}"


def _name(letter: str, layer: int | None, unit: int | str, last: bool = False) -> str:
    """A quantity's name: a^{(2)}_{3}, or x_{3} for the inputs (`layer` 0), or z_{3} for the
    output layer (`last`: it goes without a layer number)."""
    if layer == 0:
        return f"x_{{{unit}}}"
    return f"{letter}_{{{unit}}}" if last else f"{letter}^{{({layer})}}_{{{unit}}}"


def weight_tex(layer: int, source: int, target: int, last: bool) -> str:
    """A weight's name in LaTeX, from 0-based units: w^{(2)}_{3,1}, or w_{3,1} in the output
    layer (`last`), as the formulas write it."""
    where = "" if last else f"^{{({layer})}}"
    return f"w{where}_{{{source + 1},{target + 1}}}"


def _d(name: str) -> str:
    return rf"\frac{{\partial L}}{{\partial {name}}}"


def _shown_length(latex: str) -> int:
    """About how many characters `latex` shows: without its commands, braces and spaces."""
    return len(re.sub(r"\\[a-z]+|[{}^ ]", "", latex))


def _written_sum(terms: list[str], result: str) -> list[str]:
    """Lines of an aligned block: "&= t1 + t2", "&\\quad + t3 ...", "&= result", as many
    terms a line as fit in LINE_LENGTH shown characters (one at least)."""
    rows: list[list[str]] = []
    for term in terms:
        row = rows[-1] if rows else None
        if row and _shown_length(" + ".join([*row, term])) <= LINE_LENGTH:
            row.append(term)
        else:
            rows.append([term])
    lines = [("&= " if number == 0 else r"&\quad + ") + " + ".join(row)
             for number, row in enumerate(rows)]  # fmt: skip
    return [*lines, f"&= {result}"]


def _aligned(first: str, lines: list[str]) -> str:
    return r"\begin{aligned}" + first + r" \\ ".join(["", *lines]) + r"\end{aligned}"


def _steps(name: str, *sides: str) -> str:
    """`name` = side 1 = side 2 = …, one side a line, aligned on the "=" signs: a formula,
    then the same with the numbers put in, then the value."""
    return _aligned(f"{name} &= {sides[0]}", [f"&= {side}" for side in sides[1:]])


def forward_formulas(trace: PointTrace, layer: int, unit: int) -> list[str]:
    """The forward pass of one unit in LaTeX, with the point's numbers put in: z as the
    weighted sum of what came in, then a = f(z) (for the output: the softmax probability, then
    the loss). `layer` 1 .. L are the hidden layers, L + 1 the output; `unit` is 0-based.
    Every formula ends with its value, "= 0.531"."""
    traced = trace.layers[layer - 1]
    last = layer == len(trace.layers)
    j = unit + 1
    z_name, a_name = _name("z", layer, j, last), _name("a", layer, j, last)
    w = "w" if last else f"w^{{({layer})}}"
    terms = [_product(traced.weights[i, unit], value) for i, value in enumerate(traced.inputs)]
    terms.append(tex(traced.bias[unit], True))
    head = rf"{z_name} &= \textstyle\sum_i {w}_{{i,{j}}}\, {_name('a', layer - 1, 'i')} + b_{{{j}}}"
    formulas = [_aligned(head, _written_sum(terms, tex(traced.z[unit])))]
    z_value, z, a = tex(traced.z[unit]), tex(traced.z[unit], True), tex(traced.a[unit])
    if traced.activation == "tanh":
        formulas.append(_steps(a_name, rf"\tanh({z_name})", rf"\tanh({z_value})", a))
    elif traced.activation == "sigmoid":
        formulas.append(_steps(a_name, rf"\sigma({z_name}) = \frac{{1}}{{1 + e^{{-{z_name}}}}}",
                               rf"\frac{{1}}{{1 + e^{{-{z}}}}}", a))  # fmt: skip
    elif traced.activation == "relu":
        formulas.append(_steps(a_name, rf"\max(0,\ {z_name})", rf"\max(0,\ {z_value})", a))
    elif traced.activation == "leaky_relu":
        # as the engine computes it: max(z, αz) for α ≤ 1, min(z, αz) above
        alpha = tex(traced.alpha or 0.0)
        pick = r"\max" if (traced.alpha or 0.0) <= 1 else r"\min"
        formulas.append(_steps(a_name, rf"{pick}({z_name},\ {alpha}\,{z_name})",
                               rf"{pick}({z_value},\ {alpha} \cdot {z})", a))  # fmt: skip
    elif traced.activation == "linear":
        formulas.append(_steps(a_name, z_name, a))
    elif traced.activation != "softmax":  # one the formulas do not spell out: f by its name
        f = rf"\operatorname{{{traced.activation}}}"
        formulas.append(_steps(a_name, f"{f}({z_name})", f"{f}({z_value})", a))
    else:  # the softmax of the output layer, then the loss
        logits = [rf"e^{{{tex(value)}}}" for value in traced.z]
        below = " + ".join(logits) if len(logits) <= 3 else r"\textstyle\sum_m e^{z_m}"
        formulas.append(_steps(f"p_{{{j}}}", rf"\frac{{e^{{z_{{{j}}}}}}}{{\sum_m e^{{z_m}}}}",
                               rf"\frac{{e^{{{z_value}}}}}{{{below}}}", a))  # fmt: skip
        y = trace.label + 1
        formulas.append(_steps("L", rf"-\log p_{{{y}}}",
                               rf"-\log {tex(traced.a[trace.label], True)}",
                               tex(trace.loss)))  # fmt: skip
    return formulas


def backward_formulas(trace: PointTrace, layer: int, unit: int) -> list[str]:
    """The backward pass at one unit in LaTeX, with the point's numbers put in: dL/dz (for a
    hidden unit from dL/da, the sum over the units it feeds, times f'(z)), then dL/dw of its
    incoming weight with the largest gradient, and dL/db. Layers and units as in
    `forward_formulas`; every formula ends with its value."""
    traced = trace.layers[layer - 1]
    last = layer == len(trace.layers)
    j = unit + 1
    z_name, a_name = _name("z", layer, j, last), _name("a", layer, j, last)
    grad_z = tex(traced.grad_z[unit])
    formulas = []
    if last:
        target = 1 if unit == trace.label else 0
        p = tex(traced.a[unit])
        formulas.append(_steps(_d(z_name), rf"p_{{{j}}} - [{j} = y]",
                               rf"{p} - [{j} = {trace.label + 1}]", rf"{p} - {target}",
                               grad_z))  # fmt: skip
    else:
        above = trace.layers[layer]
        k_last = layer + 1 == len(trace.layers)
        w = "w" if k_last else f"w^{{({layer + 1})}}"
        z_above = "z_k" if k_last else f"z^{{({layer + 1})}}_k"
        terms = [_product(above.weights[unit, k], value) for k, value in enumerate(above.grad_z)]
        head = rf"{_d(a_name)} &= \textstyle\sum_k {w}_{{{j},k}}\, {_d(z_above)}"
        formulas.append(_aligned(head, _written_sum(terms, tex(traced.grad_a[unit]))))
        grad_a = tex(traced.grad_a[unit], True)
        a = tex(traced.a[unit], True)
        alpha = tex(traced.alpha or 0.0)
        # f'(z) written out where the formulas know f; else by its name, at the point's z
        f = rf"\operatorname{{{traced.activation}}}'"
        slope = {
            "tanh": (rf"(1 - ({a_name})^2)", rf"(1 - {a}^2)"),
            "sigmoid": (rf"{a_name}(1 - {a_name})", rf"{a}(1 - {a})"),
            "relu": (rf"[{z_name} > 0]", "1" if traced.z[unit] > 0 else "0"),
            "leaky_relu": (rf"([{z_name} > 0] + {alpha}\,[{z_name} \le 0])",
                           "1" if traced.z[unit] > 0 else alpha),
            "linear": ("1", "1"),
        }.get(traced.activation, (f"{f}({z_name})", f"{f}({tex(traced.z[unit])})"))  # fmt: skip
        formulas.append(_steps(_d(z_name), rf"{_d(a_name)} \cdot {slope[0]}",
                               rf"{grad_a} \cdot {slope[1]}", grad_z))  # fmt: skip
    i = int(np.argmax(np.abs(traced.grad_weights[:, unit])))
    formulas.append(_steps(_d(weight_tex(layer, i, unit, last)),
                           rf"{_name('a', layer - 1, i + 1)}\, {_d(z_name)}",
                           _product(traced.inputs[i], traced.grad_z[unit]),
                           tex(traced.grad_weights[i, unit])))  # fmt: skip
    b_name = f"b_{{{j}}}" if last else f"b^{{({layer})}}_{{{j}}}"
    formulas.append(_steps(_d(b_name), _d(z_name), tex(traced.grad_bias[unit])))
    return formulas

"""Backprop on one point: the trace's numbers against the engine's own backward pass, against
central differences of the loss in float64 and against a forward pass written out by hand;
one SGD step on the point; which networks the view traces; the formulas' numbers."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

from mlp.layers import Dense
from mlp.losses import softmax_cross_entropy
from mlp.network import Network, build_network
from playground.core.backprop import (
    MAX_HIDDEN_LAYERS,
    MAX_UNITS,
    backward_formulas,
    forward_formulas,
    short_number,
    step_on_point,
    tex,
    trace_point,
    why_not_traced,
)

# Every activation, three hidden layers, three classes, and dropout that the trace must switch
# off (the numerical loss below is the evaluation pass, which has no dropout).
HIDDEN = [(5, "tanh"), (4, "leaky_relu"), (3, "sigmoid")]
POINT = np.array([0.7, -1.3, 0.4])
LABEL = 2
STEP = 1e-6


def network(dtype=np.float64, hidden=HIDDEN, seed=3) -> Network:
    return build_network(3, 3, hidden, dropout=0.4, input_dropout=0.2, seed=seed, dtype=dtype)


def point_loss(net: Network, features=POINT, label=LABEL) -> float:
    logits = net.forward(np.asarray(features, dtype=net.dtype)[None, :])
    return softmax_cross_entropy(logits, np.array([label]))[0]


def loss_from(net: Network, start: int, x: np.ndarray, label=LABEL) -> float:
    """The loss with the layers from index `start` on applied to `x` (what arrives there)."""
    for layer in net.layers[start:]:
        x = layer.forward(x)
    return softmax_cross_entropy(x, np.array([label]))[0]


def central_difference(loss, array: np.ndarray) -> np.ndarray:
    """d loss() / d array, one entry at a time, changing `array` in place and back."""
    gradient = np.empty(array.shape)
    for index in np.ndindex(array.shape):
        kept = array[index]
        array[index] = kept + STEP
        above = loss()
        array[index] = kept - STEP
        below = loss()
        array[index] = kept
        gradient[index] = (above - below) / (2 * STEP)
    return gradient


def test_parameter_gradients_are_the_engines_own_for_that_point():
    net = network(np.float32)
    trace = trace_point(net, POINT, LABEL)
    twin = copy.deepcopy(net)
    twin.set_dropout(0.0, 0.0)
    logits = twin.forward(POINT[None, :], train=True)
    loss, grad = softmax_cross_entropy(logits, np.array([LABEL]))
    twin.backward(grad)
    assert trace.loss == loss
    for traced, dense in zip(trace.layers, twin.dense_layers(), strict=True):
        np.testing.assert_array_equal(traced.grad_weights, dense.grads["W"])
        np.testing.assert_array_equal(traced.grad_bias, dense.grads["b"])
        assert traced.grad_weights.dtype == np.float32


def test_parameter_gradients_match_central_differences_in_float64():
    net = network()
    trace = trace_point(net, POINT, LABEL)
    assert trace.layers[0].grad_weights.dtype == np.float64
    for traced, dense in zip(trace.layers, net.dense_layers(), strict=True):
        for name, gradient in (("W", traced.grad_weights), ("b", traced.grad_bias)):
            numerical = central_difference(lambda: point_loss(net), dense.params[name])
            np.testing.assert_allclose(gradient, numerical, rtol=1e-6, atol=1e-9)
    assert np.abs(trace.layers[0].grad_weights).max() > 1e-3  # not trivially zero


def test_unit_gradients_match_central_differences_in_float64():
    net = network()
    trace = trace_point(net, POINT, LABEL)
    dense_at = [i for i, layer in enumerate(net.layers) if isinstance(layer, Dense)]
    for number, index in enumerate(dense_at):
        traced = trace.layers[number]
        z = traced.z[None, :].copy()
        numerical = central_difference(lambda i=index + 1, z=z: loss_from(net, i, z), z)
        np.testing.assert_allclose(traced.grad_z, numerical[0], rtol=1e-6, atol=1e-9)
        if traced.grad_a is not None:  # a hidden layer: dL/da, after its activation
            a = traced.a[None, :].copy()
            numerical = central_difference(lambda i=index + 2, a=a: loss_from(net, i, a), a)
            np.testing.assert_allclose(traced.grad_a, numerical[0], rtol=1e-6, atol=1e-9)


def test_z_and_a_are_a_forward_pass_written_out():
    net = network()
    trace = trace_point(net, POINT, LABEL)
    activations = {
        "tanh": np.tanh,
        "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
        "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    }
    a = POINT
    for traced, dense, (units, name) in zip(trace.layers, net.dense_layers(), HIDDEN + [(3, "")],
                                            strict=True):  # fmt: skip
        np.testing.assert_allclose(traced.inputs, a, rtol=1e-12)
        z = a @ dense.params["W"] + dense.params["b"]
        np.testing.assert_allclose(traced.z, z, rtol=1e-12)
        a = activations[name](z) if name else np.exp(z) / np.exp(z).sum()
        np.testing.assert_allclose(traced.a, a, rtol=1e-12)
        assert traced.activation == (name or "softmax") and len(traced.z) == units
    assert trace.layers[1].alpha == 0.01 and trace.layers[0].alpha is None
    np.testing.assert_allclose(trace.probabilities.sum(), 1.0)
    assert trace.loss == pytest.approx(-np.log(trace.probabilities[LABEL]), rel=1e-12)


def test_tracing_leaves_the_network_as_it_was():
    net = network(np.float32)
    net.forward(np.ones((4, 3), np.float32), train=True)  # buffers of a batch of 4 in use
    params, grads = net.param_vector.copy(), net.grad_vector.copy()
    trace_point(net, POINT, LABEL)
    np.testing.assert_array_equal(net.param_vector, params)
    np.testing.assert_array_equal(net.grad_vector, grads)
    assert [layer.p for layer in net.layers if hasattr(layer, "p")] == [0.2, 0.4, 0.4, 0.4]


def test_a_step_changes_each_weight_by_minus_lr_times_its_gradient_and_lowers_the_loss():
    net = network(np.float32)
    before = [(dense.params["W"].copy(), dense.params["b"].copy()) for dense in net.dense_layers()]
    trace = trace_point(net, POINT, LABEL)
    lr = 0.05
    result = step_on_point(net, POINT, LABEL, lr)
    for (weights, bias), traced, dense in zip(before, trace.layers, net.dense_layers(),
                                              strict=True):  # fmt: skip
        np.testing.assert_array_equal(dense.params["W"], weights - lr * traced.grad_weights)
        np.testing.assert_array_equal(dense.params["b"], bias - lr * traced.grad_bias)
    assert result.loss_before == trace.loss
    assert result.loss_after < result.loss_before
    assert result.loss_after == pytest.approx(point_loss(net), rel=1e-6)
    # the largest changes, largest first, with the weights as they were and are
    changes = result.largest_changes
    assert len(changes) == 5
    assert [abs(c.change) for c in changes] == sorted((abs(c.change) for c in changes),
                                                      reverse=True)  # fmt: skip
    every = np.concatenate([lr * t.grad_weights.ravel() for t in trace.layers])
    assert abs(changes[0].change) == pytest.approx(np.abs(every).max(), rel=1e-4)
    first = changes[0]
    weights, _ = before[first.layer - 1]
    assert first.before == weights[first.source, first.target]
    assert (
        first.after == net.dense_layers()[first.layer - 1].params["W"][first.source, first.target]
    )


def test_a_network_without_hidden_layers_is_traced():
    net = network(hidden=[])
    trace = trace_point(net, POINT, 0)
    (output,) = trace.layers
    assert output.activation == "softmax" and output.grad_a is None
    numerical = central_difference(lambda: point_loss(net, label=0),
                                   net.dense_layers()[0].params["W"])  # fmt: skip
    np.testing.assert_allclose(output.grad_weights, numerical, rtol=1e-6, atol=1e-9)


def test_which_networks_the_view_traces():
    assert why_not_traced(network(hidden=[(MAX_UNITS, "relu")] * MAX_HIDDEN_LAYERS)) is None
    assert why_not_traced(network(hidden=[])) is None
    too_wide = why_not_traced(network(hidden=[(16, "tanh"), (16, "tanh")]))
    assert "up to 3 hidden layers of up to 8 units" in too_wide and "16 → 16" in too_wide
    too_deep = why_not_traced(network(hidden=[(2, "tanh")] * 4))
    assert "2 → 2 → 2 → 2" in too_deep
    batch_norm = build_network(2, 2, [(4, "tanh")], batch_norm=True)
    assert "without batch norm" in why_not_traced(batch_norm)
    with pytest.raises(ValueError, match="batch norm"):
        trace_point(batch_norm, np.zeros(2), 0)
    assert "\n" not in too_wide


def test_numbers_read_well_in_the_formulas():
    assert short_number(0.5312) == ("0.531", None)
    assert short_number(-0.0) == ("0", None)
    assert short_number(-1.234e-5) == ("-1.23", -5)
    assert short_number(12345.0) == ("1.23", 4)
    assert tex(-0.25, bracket=True) == "(-0.25)" and tex(0.25, bracket=True) == "0.25"
    assert tex(2e-6) == r"2 \times 10^{-6}"


def ends_with(formula: str, value: float) -> bool:
    """Whether a formula's last step is the engine's `value`."""
    return formula.removesuffix(r"\end{aligned}").endswith(f"&= {tex(value)}")


def braces_balance(text: str) -> bool:
    depth = 0
    for character in text.replace(r"\{", "").replace(r"\}", ""):
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("hidden", [HIDDEN, [(4, "relu")], []])
def test_every_units_formulas_carry_the_traces_numbers(hidden):
    trace = trace_point(network(hidden=hidden), POINT, LABEL)
    for layer, traced in enumerate(trace.layers, start=1):
        for unit in range(len(traced.z)):
            forward = forward_formulas(trace, layer, unit)
            backward = backward_formulas(trace, layer, unit)
            for formula in forward + backward:
                assert braces_balance(formula), formula
                assert not re.search(r"_\{[^}]*\}\^", formula), formula  # a double script
                assert "-0 " not in formula + " " and "nan" not in formula, formula
            assert ends_with(forward[0], traced.z[unit])
            assert ends_with(forward[1], traced.a[unit])
            assert ends_with(backward[-1], traced.grad_bias[unit])
            assert ends_with(backward[-3], traced.grad_z[unit])  # dL/dz
            i = int(np.argmax(np.abs(traced.grad_weights[:, unit])))  # the weight written out
            assert ends_with(backward[-2], traced.grad_weights[i, unit])
    last = forward_formulas(trace, len(trace.layers), 0)
    probability = tex(trace.probabilities[LABEL], True)
    assert last[-1] == (rf"\begin{{aligned}}L &= -\log p_{{{LABEL + 1}}} \\ &= -\log {probability}"
                        rf" \\ &= {tex(trace.loss)}\end{{aligned}}")  # fmt: skip


def test_the_diagram_passes_plotly_validation_and_draws_every_unit_and_weight():
    import plotly.graph_objects as go

    from playground.charts.backprop import (
        backprop_diagram_figure,
        chart_number,
        point_picker_figure,
    )

    trace = trace_point(network(np.float32), POINT, LABEL)
    for stage in ("forward", "backward"):
        figure = backprop_diagram_figure(trace, ["x₁", "x₂", "x₁²"], ["a", "b", "<c>"], stage,
                                         selected=(2, 1))  # fmt: skip
        go.Figure(figure.to_dict())  # the builder skips validation; rebuilt with it on
        boxes = [shape for shape in figure.layout.shapes if shape.type == "rect"]
        assert len(boxes) == 3 + 5 + 4 + 3 + 3 + 1  # inputs, hidden, outputs, the loss
        assert sum(shape.line.width == 3 for shape in boxes) == 1  # the selected unit
        (clickable,) = [t for t in figure.data if t.customdata is not None]
        assert [list(pair) for pair in clickable.customdata][:2] == [[1, 0], [1, 1]]
        assert len(clickable.customdata) == 5 + 4 + 3 + 3
        texts = next(t for t in figure.data if t.mode == "text").text
        assert texts[-1] == f"<b>L = {chart_number(trace.loss)}</b>"
        names = [a.text for a in figure.layout.annotations]
        assert "a" in names and "<b>&lt;c&gt;</b>" in names  # the point's class in bold
    unit = texts[3 + 5]  # backward: layer 2, unit 1
    assert unit == chart_number(trace.layers[1].grad_z[0])
    line_points = sum(len(t.x) for t in figure.data if t.mode == "lines")
    assert line_points == 3 * (3 * 5 + 5 * 4 + 4 * 3 + 3 * 3)  # each line: x0, x1, None
    picker = point_picker_figure(
        np.linspace(-1, 1, 4), np.linspace(-1, 1, 4), np.zeros((4, 4), np.uint8), 2,
        np.array([[0.0, 0.0], [0.5, 0.5]]), np.array([0, 1]), np.array([3, 8]), 8,
        (-1, 1), (-1, 1), 300,
    )  # fmt: skip
    go.Figure(picker.to_dict())
    assert list(picker.data[1].customdata) == [3, 8]
    assert (picker.data[2].x, picker.data[2].y) == ((0.5,), (0.5,))
    assert chart_number(-1.5e-5) == "−1.5e−5"


def test_a_diverged_network_is_traced_and_drawn_without_an_error():
    from playground.charts.backprop import backprop_diagram_figure

    net = network(np.float32, hidden=[(3, "relu")])
    net.dense_layers()[0].params["W"][0, 0] = np.inf
    trace = trace_point(net, POINT, LABEL)
    assert not np.isfinite(trace.loss)
    for stage in ("forward", "backward"):
        backprop_diagram_figure(trace, ["a", "b", "c"], ["0", "1", "2"], stage)
    forward_formulas(trace, 1, 0) + backward_formulas(trace, 2, 1)


@pytest.mark.parametrize("name", ["linear", "elu"])
def test_an_activation_the_formulas_do_not_spell_out_is_named_with_the_engines_numbers(name):
    from dataclasses import replace

    trace = trace_point(network(hidden=[(3, "tanh")]), POINT, LABEL)
    hidden = replace(trace.layers[0], activation=name)
    trace = replace(trace, layers=(hidden, trace.layers[1]))
    forward, backward = forward_formulas(trace, 1, 0), backward_formulas(trace, 1, 0)
    assert ends_with(forward[1], hidden.a[0]) and ends_with(backward[1], hidden.grad_z[0])
    if name == "elu":
        assert r"\operatorname{elu}(z^{(1)}_{1})" in forward[1]
        assert r"\operatorname{elu}'(z^{(1)}_{1})" in backward[1]
    for formula in forward + backward:
        assert braces_balance(formula), formula

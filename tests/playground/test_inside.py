"""Inside the network: neuron maps against a hand-built network, dead and saturated shares on
constructed cases, the hints, the health pass's gradients (against finite differences and the
engine's own backward pass) and its histograms on constructed dead and saturated layers."""

from __future__ import annotations

import math

import numpy as np

from mlp.layers import BatchNorm, Dense, Dropout, LeakyReLU, ReLU, Sigmoid, Tanh
from mlp.losses import SoftmaxCrossEntropy
from mlp.network import Network
from playground.core.inside import (
    GRADIENT_EDGES,
    diagram_weights,
    input_maps,
    layer_health,
    layer_histograms,
    loss_hint,
    neuron_maps,
    weight_gradients,
)


def dense(weights, bias) -> Dense:
    layer = Dense(len(weights), len(weights[0]), dtype=np.float64)
    layer.params["W"][...] = np.array(weights, dtype=np.float64)
    layer.params["b"][...] = np.array(bias, dtype=np.float64)
    return layer


def test_neuron_maps_of_a_hand_built_network():
    # unit 1 = relu(x1), unit 2 = relu(-x2), unit 3 = relu(x1 + x2 - 100): never active here
    net = Network([dense([[1, 0, 1], [0, -1, 1]], [0, 0, -100]), ReLU(),
                   dense([[1, 0], [0, 1], [0, 0]], [0, 0])])  # fmt: skip
    xs = np.array([-1.0, 0.0, 2.0])
    ys = np.array([-2.0, 1.0])
    grid = np.array([[x, y] for y in ys for x in xs])  # row-major: all x of the first y row
    (maps,) = neuron_maps(net, grid, (2, 3))
    assert maps.shape == (3, 2, 3) and maps.dtype == np.int8
    # unit 1: relu(x) = [0, 0, 2] on each row, scaled so the largest is 127
    assert maps[0].tolist() == [[0, 0, 127], [0, 0, 127]]
    # unit 2: relu(-y) = 2 on the first row (y = -2), 0 on the second
    assert maps[1].tolist() == [[127, 127, 127], [0, 0, 0]]
    assert not maps[2].any()


def test_only_the_first_units_of_a_wide_layer_are_mapped():
    net = Network([Dense(2, 40, dtype=np.float64), Tanh(), Dense(40, 2, dtype=np.float64)])
    (maps,) = neuron_maps(net, np.zeros((6, 2)), (2, 3), max_units=16)
    assert maps.shape == (16, 2, 3)


def test_dead_relus_are_counted_and_hinted():
    # 4 units; units 0 and 1 are never active on the positive inputs (negative weights)
    net = Network([dense([[-1, -2, 1, 3]], [0, 0, 0, 0]), ReLU(), dense([[1]] * 4, [0])])
    (health,) = layer_health(net, np.array([[0.5], [1.0], [2.0]]))
    assert health.dead == 0.5 and health.saturated is None
    assert health.hint() == ("Layer 1: 50% of its ReLUs are dead (never active on the data); "
                             "try a smaller learning rate or He init.")  # fmt: skip
    (alive,) = layer_health(net, np.array([[-1.0], [1.0]]))
    assert alive.dead == 0.0 and alive.hint() is None


def test_saturated_sigmoids_are_counted_and_hinted():
    # unit 0: a huge weight pushes it to 0 or 1; unit 1: small, stays near 0.5
    net = Network([dense([[1000, 0.1]], [0, 0]), Sigmoid(), dense([[1], [1]], [0])])
    (health,) = layer_health(net, np.array([[-1.0], [0.5], [2.0], [-3.0]]))
    assert health.saturated == 0.5 and health.dead is None
    assert "50% of its sigmoid units are saturated" in health.hint()
    tanh_net = Network([dense([[1000, 1000]], [0, 0]), Tanh(), dense([[1], [1]], [0])])
    (health,) = layer_health(tanh_net, np.array([[-1.0], [1.0]]))
    assert health.saturated == 1.0


def test_a_loss_far_above_a_uniform_guess_gets_a_learning_rate_hint():
    rng = np.random.default_rng(0)
    swinging = rng.uniform(4, 72, size=400)
    hint = loss_hint(swinging, n_classes=2, steps=385_000)
    assert hint is not None and "learning rate is too high" in hint
    assert f"{math.log(2):.2f}" in hint
    learning = np.linspace(0.7, 0.05, 400)
    assert loss_hint(learning, n_classes=2, steps=5_000) is None
    assert loss_hint(swinging, n_classes=2, steps=100) is None  # too early to tell


# -- gradients and histograms ---------------------------------------------------------------


def softmax_loss(net: Network, inputs: np.ndarray, labels: np.ndarray) -> float:
    logits = net.forward(inputs, train=False).astype(np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probabilities[np.arange(len(labels)), labels].mean())


def test_weight_gradients_match_finite_differences_through_every_layer_kind():
    rng = np.random.default_rng(0)
    batch_norm = BatchNorm(4, dtype=np.float64)
    batch_norm.params["gamma"][...] = [1.5, 0.5, 1.0, 2.0]
    batch_norm.running_mean[...] = [0.1, -0.2, 0.0, 0.3]
    batch_norm.running_var[...] = [0.5, 2.0, 1.0, 1.5]
    net = Network([
        Dense(2, 4, rng=rng, dtype=np.float64), batch_norm, LeakyReLU(0.1), Dropout(0.5),
        Dense(4, 3, rng=rng, dtype=np.float64), Sigmoid(),
        Dense(3, 3, rng=rng, dtype=np.float64), Tanh(),
        Dense(3, 2, rng=rng, dtype=np.float64),
    ])  # fmt: skip
    inputs = rng.normal(size=(7, 2))
    labels = np.array([0, 1, 1, 0, 1, 0, 0])
    hidden, probabilities, gradients = weight_gradients(net, inputs, labels)
    assert [h.shape for h in hidden] == [(7, 4), (7, 3), (7, 3)]
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    for dense, gradient in zip(net.dense_layers(), gradients, strict=True):
        weights = dense.params["W"]
        numeric = np.zeros_like(weights)
        for index in np.ndindex(weights.shape):
            kept = weights[index]
            weights[index] = kept + 1e-6
            above = softmax_loss(net, inputs, labels)
            weights[index] = kept - 1e-6
            below = softmax_loss(net, inputs, labels)
            weights[index] = kept
            numeric[index] = (above - below) / 2e-6
        assert np.allclose(gradient, numeric, atol=1e-7), dense


def test_weight_gradients_leave_a_training_step_undisturbed():
    # The same gradient as the engine's own backward pass, and its buffers stay as they were:
    # a training forward, then the health pass, then the training backward gives the same
    # parameter gradients as without the health pass in between.
    rng = np.random.default_rng(1)
    net = Network([Dense(2, 5, rng=rng, dtype=np.float64), ReLU(),
                   Dense(5, 3, rng=rng, dtype=np.float64)])  # fmt: skip
    inputs, labels = rng.normal(size=(6, 2)), np.array([0, 1, 2, 2, 1, 0])
    loss = SoftmaxCrossEntropy()
    _, grad_logits = loss(net.forward(inputs, train=True), labels)
    net.backward(grad_logits.copy(), input_grad=False)
    expected = net.grad_vector.copy()
    _, _, gradients = weight_gradients(net, inputs, labels)
    for dense_layer, gradient in zip(net.dense_layers(), gradients, strict=True):
        assert np.allclose(gradient, dense_layer.grads["W"])

    net.grad_vector[...] = 0
    _, grad_logits = loss(net.forward(inputs, train=True), labels)
    weight_gradients(net, rng.normal(size=(11, 2)), np.zeros(11, dtype=int))  # other shape
    net.backward(grad_logits.copy(), input_grad=False)
    assert np.array_equal(net.grad_vector, expected)


def test_histograms_of_a_half_dead_relu_layer():
    # units 0 and 1 never fire on positive inputs: their incoming weights get no gradient
    net = Network([dense([[-1, -2, 1, 3]], [0, 0, 0, 0]), ReLU(),
                   dense([[1, -1]] * 4, [0, 0])])  # fmt: skip
    inputs = np.array([[0.5], [1.0], [2.0], [0.25]])
    layer, output = layer_histograms(net, inputs, np.array([0, 1, 0, 1]))
    assert layer.label == "Layer 1 · 4 ReLU" and layer.state == "50% dead"
    assert output.label == "Output · 2 softmax" and output.state == ""
    assert layer.zero_gradients == 0.5  # 2 of the 4 weights into the layer
    assert math.isclose(layer.gradient_shares.sum() + layer.zero_gradients, 1.0, rel_tol=1e-6)
    assert math.isclose(layer.activation_shares.sum(), 1.0, rel_tol=1e-6)
    # ReLU outputs from 0 to 6 (= 3 × 2): the axis ends at a round number above
    assert layer.activation_edges[0] == 0 and layer.activation_edges[-1] == 10
    # half of the 16 outputs are the dead units' zeros, in the first bin
    assert layer.activation_shares[0] >= 0.5
    assert output.activation_edges[0] == 0 and output.activation_edges[-1] == 1


def test_histograms_of_a_saturated_tanh_layer_sit_at_its_limits():
    net = Network([dense([[1000, -1000]], [0, 0]), Tanh(), dense([[1], [1]], [0])])
    layer, _ = layer_histograms(net, np.array([[-1.0], [1.0], [2.0]]), np.zeros(3, dtype=int))
    assert layer.state == "100% saturated"
    assert list(layer.activation_edges[[0, -1]]) == [-1, 1]
    ends = layer.activation_shares[0] + layer.activation_shares[-1]
    assert math.isclose(ends, 1.0, rel_tol=1e-6)  # every output in the end bins
    # saturated units pass (almost) no gradient: log10 |g| far below the others, or 0
    finite_bins = np.flatnonzero(layer.gradient_shares)
    assert layer.zero_gradients == 1.0 or GRADIENT_EDGES[finite_bins.max() + 1] <= -6


def test_diagram_weights_and_input_maps():
    net = Network([Dense(3, 40, dtype=np.float64), ReLU(), Dense(40, 2, dtype=np.float64)])
    first, last = diagram_weights(net, max_units=16)
    assert first.shape == (3, 16) and last.shape == (16, 2) and first.dtype == np.float32
    assert np.allclose(first, net.dense_layers()[0].params["W"][:, :16])
    grid = np.array([[x, y] for y in (-1.0, 1.0) for x in (-2.0, 0.0, 2.0)])
    maps = input_maps(grid, (2, 3))
    assert maps.shape == (2, 2, 3) and maps.dtype == np.int8
    assert maps[0].tolist() == [[-127, 0, 127], [-127, 0, 127]]  # x₁ grows to the right
    assert maps[1].tolist() == [[-127] * 3, [127] * 3]  # x₂ grows upwards


def test_activations_that_neither_die_nor_saturate_are_described_without_a_share():
    """Found in the real page: a network of GELU, sine and linear layers raised a TypeError
    while its histograms were labelled (no dead or saturated share to write)."""
    from mlp.network import build_network
    from playground.core.inside import layer_health, layer_histograms

    network = build_network(2, 2, [(8, "gelu"), (8, "sine"), (8, "linear"), (4, "elu"),
                                   (4, "silu")], seed=0)  # fmt: skip
    inputs = np.random.default_rng(0).standard_normal((50, 2)).astype(np.float32)
    labels = (inputs[:, 0] > 0).astype(np.int64)
    health = layer_health(network, inputs)
    assert [(h.dead, h.saturated) for h in health] == [(None, None)] * 5
    histograms = layer_histograms(network, inputs, labels)
    assert [h.state for h in histograms[:5]] == [""] * 5

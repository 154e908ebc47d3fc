"""Inside the network: neuron maps against a hand-built network, dead and saturated shares on
constructed cases, and the hints."""

from __future__ import annotations

import math

import numpy as np

from mlp.layers import Dense, ReLU, Sigmoid, Tanh
from mlp.network import Network
from playground.inside import config_warnings, layer_health, loss_hint, neuron_maps


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


def test_batch_norm_with_batch_size_one_is_warned_before_play():
    (warning,) = config_warnings(batch_norm=True, batch_size=1, hidden=[(8, "relu")])
    assert "batch size 1" in warning
    assert config_warnings(batch_norm=True, batch_size=8, hidden=[(8, "relu")]) == []
    assert config_warnings(batch_norm=False, batch_size=1, hidden=[(8, "relu")]) == []

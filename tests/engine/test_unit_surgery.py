"""Knocking a unit out and freezing weights, in the engine: a knocked-out unit contributes
exactly zero, a frozen parameter is bitwise unchanged however the network trains."""

from __future__ import annotations

import numpy as np
import pytest

from mlp.constraints import MaxNorm
from mlp.network import build_network
from mlp.optim import SGD, Adam
from mlp.train import Trainer


def data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return X, y


def net(**kwargs):
    return build_network(2, 2, [(6, "tanh"), (5, "sigmoid")], seed=3, **kwargs)


def test_a_knocked_out_unit_contributes_exactly_zero():
    X, _ = data()
    knocked = net()
    knocked.knock_out(1, 2)
    zeroed = net()
    zeroed.dense_layers()[1].params["W"][2, :] = 0  # unit 2 of layer 1 reaches nothing
    np.testing.assert_array_equal(knocked.forward(X), zeroed.forward(X))
    hidden = knocked.layers[: knocked.layers.index(knocked.unit_dropout(1)) + 1]
    x = X
    for layer in hidden:
        x = layer.forward(x)
    assert (x[:, 2] == 0).all() and (x[:, [0, 1, 3, 4, 5]] != 0).all()
    # a sigmoid unit knocked out gives 0, not σ(0) = ½
    knocked.knock_out(2, 4)
    assert knocked.knocked_out() == {1: [2], 2: [4]}
    knocked.knock_out(1, 2, out=False)
    knocked.knock_out(2, 4, out=False)
    assert knocked.knocked_out() == {}
    np.testing.assert_array_equal(knocked.forward(X), net().forward(X))


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_a_knocked_out_unit_learns_nothing_and_passes_no_gradient(dropout):
    X, y = data()
    network = net(dropout=dropout)
    network.knock_out(1, 0)
    incoming = network.unit_parameters(1, 0)
    before = network.param_vector[incoming].copy()
    trainer = Trainer(network, SGD(lr=0.5), X, y, batch_size=16, seed=1)
    trainer.run(n_steps=30)
    np.testing.assert_array_equal(network.param_vector[incoming], before)  # zero gradient
    assert not np.array_equal(network.param_vector, net(dropout=dropout).param_vector)


def test_knocking_a_unit_out_leaves_the_other_units_dropout_draws_alone():
    X, _ = data()
    plain, knocked = net(dropout=0.5), net(dropout=0.5)
    knocked.knock_out(1, 3)
    plain.forward(X, train=True)
    knocked.forward(X, train=True)
    plain_mask, knocked_mask = plain.unit_dropout(1).mask, knocked.unit_dropout(1).mask
    others = [0, 1, 2, 4, 5]
    np.testing.assert_array_equal(plain_mask[:, others], knocked_mask[:, others])
    assert (knocked_mask[:, 3] == 0).all()


def test_unit_parameters_name_the_units_incoming_weights_and_bias():
    network = net()
    for dense_number, dense in enumerate(network.dense_layers(), start=1):
        for unit in range(dense.n_out):
            positions = network.unit_parameters(dense_number, unit)
            expected = np.append(dense.params["W"][:, unit], dense.params["b"][unit])
            np.testing.assert_array_equal(network.param_vector[positions], expected)
    with pytest.raises(ValueError, match="units 0 to 5"):
        network.unit_parameters(1, 6)


def test_frozen_parameters_stay_bitwise_however_the_network_trains():
    """Adam with weight decay and max-norm would all move a parameter whose gradient is zero;
    a frozen one is put back after every step."""
    X, y = data()
    network = net(batch_norm=True)
    frozen = np.concatenate([network.unit_parameters(1, 1), network.unit_parameters(3, 0)])
    before = network.param_vector[frozen].copy()
    trainer = Trainer(network, Adam(lr=0.05, weight_decay=0.01), X, y, batch_size=16, seed=2,
                      max_norm=MaxNorm(0.5))  # fmt: skip
    trainer.frozen = frozen
    trainer.run(n_steps=60)
    np.testing.assert_array_equal(network.param_vector[frozen], before)
    others = np.setdiff1d(np.arange(network.n_params), frozen)
    assert (network.param_vector[others] != net(batch_norm=True).param_vector[others]).mean() > 0.9
    # unfrozen, it trains again
    trainer.frozen = None
    trainer.run(n_steps=5)
    assert not np.array_equal(network.param_vector[frozen], before)

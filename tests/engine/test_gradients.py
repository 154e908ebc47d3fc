"""Numerical gradient checks: every backward pass against central differences, in float64."""

import numpy as np
import pytest

from mlp.layers import BatchNorm, Dense, Dropout, LeakyReLU, ReLU, Sigmoid, Tanh
from mlp.losses import softmax_cross_entropy
from mlp.network import build_network

STEP = 1e-5
TOLERANCE = 1e-6


# Central differences in float64 carry an absolute noise of about 1e-11 for losses of order 1,
# so below this size an entry has no relative precision left; the floor still catches any
# absolute error above 1e-10.
DENOMINATOR_FLOOR = 1e-4


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), DENOMINATOR_FLOOR)
    return float(np.max(np.abs(analytic - numeric) / scale))


def numerical_gradient(f, array: np.ndarray) -> np.ndarray:
    """Central differences of the scalar f() with respect to every entry of array (in place)."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + STEP
        f_plus = f()
        array[index] = saved - STEP
        f_minus = f()
        array[index] = saved
        grad[index] = (f_plus - f_minus) / (2 * STEP)
    return grad


def check_layer(layer, x: np.ndarray, rng: np.random.Generator, before_forward=lambda: None):
    """Check dL/dx and every dL/dparam of L = sum(forward(x) * upstream)."""
    upstream = rng.standard_normal(layer.forward(x, train=True).shape)

    def loss() -> float:
        before_forward()
        return float(np.sum(layer.forward(x, train=True) * upstream))

    before_forward()
    layer.forward(x, train=True)
    grad_x = layer.backward(upstream).copy()
    grads = {name: g.copy() for name, g in layer.grads.items()}

    assert relative_error(grad_x, numerical_gradient(loss, x)) < TOLERANCE
    for name, param in layer.params.items():
        assert relative_error(grads[name], numerical_gradient(loss, param)) < TOLERANCE, name


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def away_from_zero(rng, shape):
    """Inputs at least 0.1 from 0, so no difference straddles a kink of ReLU or LeakyReLU."""
    x = rng.uniform(0.1, 2.0, shape)
    return x * rng.choice([-1.0, 1.0], shape)


def test_dense(rng):
    layer = Dense(4, 3, rng=rng, dtype=np.float64)
    layer.params["b"][:] = rng.standard_normal(3)
    check_layer(layer, rng.standard_normal((5, 4)), rng)


@pytest.mark.parametrize("activation", [ReLU(), LeakyReLU(0.1), Sigmoid(), Tanh()], ids=repr)
def test_activation(activation, rng):
    check_layer(activation, away_from_zero(rng, (6, 5)), rng)


def test_batch_norm_in_training_mode(rng):
    layer = BatchNorm(4, dtype=np.float64)
    layer.params["gamma"][:] = rng.uniform(0.5, 2.0, 4)
    layer.params["beta"][:] = rng.standard_normal(4)
    check_layer(layer, rng.standard_normal((8, 4)) * 3 + 1, rng)


def test_dropout_with_its_mask_held_fixed(rng):
    layer = Dropout(0.4)

    def same_mask():
        layer.rng = np.random.default_rng(7)

    check_layer(layer, rng.standard_normal((10, 6)), rng, before_forward=same_mask)
    assert np.any(layer.mask == 0) and np.any(layer.mask > 0)


def test_softmax_cross_entropy(rng):
    logits = rng.standard_normal((6, 4))
    labels = rng.integers(0, 4, 6)
    _, grad = softmax_cross_entropy(logits, labels)
    numeric = numerical_gradient(lambda: softmax_cross_entropy(logits, labels)[0], logits)
    assert relative_error(grad, numeric) < TOLERANCE


def test_whole_network_with_batch_norm_and_dropout(rng):
    net = build_network(
        3,
        3,
        [(5, "tanh"), (4, "leaky_relu"), (4, "sigmoid")],
        batch_norm=True,
        dropout=0.3,
        input_dropout=0.2,
        seed=3,
        dtype=np.float64,
    )
    for param in net.params():
        param += rng.standard_normal(param.shape) * 0.1  # non-trivial biases, gamma and beta
    x = rng.standard_normal((7, 3))
    labels = rng.integers(0, 3, 7)
    dropout_layers = [layer for layer in net.layers if isinstance(layer, Dropout)]

    def same_masks():
        for k, layer in enumerate(dropout_layers):
            layer.rng = np.random.default_rng(k)

    def loss() -> float:
        same_masks()
        return softmax_cross_entropy(net.forward(x, train=True), labels)[0]

    same_masks()
    grad_x = net.backward(softmax_cross_entropy(net.forward(x, train=True), labels)[1]).copy()
    analytic = [g.copy() for g in net.grads()]
    assert any(np.any(layer.mask == 0) for layer in dropout_layers)

    assert relative_error(grad_x, numerical_gradient(loss, x)) < TOLERANCE
    for param, grad in zip(net.params(), analytic, strict=True):
        assert relative_error(grad, numerical_gradient(loss, param)) < TOLERANCE

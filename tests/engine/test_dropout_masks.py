"""Dropout masks drawn from random bits keep what dropout promises."""

import numpy as np
import pytest

from mlp.layers import Dropout
from mlp.network import build_network


@pytest.mark.parametrize("p", [0.1, 0.2, 0.5, 0.9])
def test_drop_rate_is_p_within_statistical_bounds(p):
    layer = Dropout(p, rng=np.random.default_rng(0))
    x = np.ones((400, 1000), np.float32)
    dropped = np.mean(layer.forward(x, train=True) == 0)
    # 4e5 independent units: the rate's standard deviation is sqrt(p (1 - p) / 4e5) < 8e-4.
    sigma = np.sqrt(p * (1 - p) / x.size)
    assert abs(dropped - p) < 5 * sigma


def test_units_are_dropped_independently_of_their_neighbours():
    # Four neighbouring units share one 64-bit draw: their bits must not be reused.
    layer = Dropout(0.5, rng=np.random.default_rng(1))
    dropped = layer.forward(np.ones((200, 1000)), train=True) == 0
    both = np.mean(dropped[:, :-1] & dropped[:, 1:])
    assert abs(both - 0.25) < 5 * np.sqrt(0.25 * 0.75 / dropped[:, 1:].size)
    # Successive passes draw fresh masks.
    assert not np.array_equal(dropped, layer.forward(np.ones((200, 1000)), train=True) == 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kept_units_are_scaled_by_one_over_one_minus_p_and_backward_uses_the_mask(dtype):
    layer = Dropout(0.3, rng=np.random.default_rng(2))
    rng = np.random.default_rng(3)
    # An odd shape, larger than one draw of bits: the mask is filled to its last unit.
    x = rng.standard_normal((7, 5003)).astype(dtype)
    y = layer.forward(x, train=True)
    kept = layer.mask != 0
    assert y.dtype == layer.mask.dtype == dtype
    np.testing.assert_allclose(layer.mask[kept], 1 / 0.7, rtol=1e-7)
    np.testing.assert_allclose(y[kept], x[kept] / 0.7, rtol=1e-6)
    assert np.all(y[~kept] == 0)
    assert abs(np.mean(~kept[:, -100:]) - 0.3) < 0.15  # the last units are masks, not leftovers

    upstream = rng.standard_normal(x.shape).astype(dtype)
    grad = layer.backward(upstream)
    np.testing.assert_allclose(grad, upstream * layer.mask, rtol=1e-7)


def test_same_seed_same_masks_and_another_seed_other_masks():
    x = np.ones((64, 300), np.float32)

    def masks(seed):
        layer = Dropout(0.4, rng=np.random.default_rng(seed))
        return [layer.forward(x, train=True).copy() for _ in range(3)]

    first, again, other = masks(7), masks(7), masks(8)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not any(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_networks_with_the_same_seed_draw_the_same_masks():
    def masks(seed):
        network = build_network(4, 3, [(16, "relu")], dropout=0.5, input_dropout=0.2, seed=seed)
        network.forward(np.ones((32, 4), np.float32), train=True)
        return [layer.mask.copy() for layer in network.layers if isinstance(layer, Dropout)]

    assert all(np.array_equal(a, b) for a, b in zip(masks(0), masks(0), strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(masks(0), masks(1), strict=True))


def test_a_drop_probability_near_one_still_keeps_a_scaled_few():
    layer = Dropout(0.999, rng=np.random.default_rng(4))
    y = layer.forward(np.ones((100, 1000), np.float32), train=True)
    assert abs(np.mean(y == 0) - 0.999) < 5 * np.sqrt(0.999 * 0.001 / y.size)
    np.testing.assert_allclose(np.unique(y), [0.0, 1000.0], rtol=1e-4)

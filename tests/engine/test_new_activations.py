"""The activations beyond the classic four: linear, ELU, GELU (tanh), SiLU and sine.

Each against PyTorch (forward and backward, over inputs of every size), against central
differences in float64, and with no floating-point warning for inputs up to 1e4 in size.
"""

import warnings

import numpy as np
import pytest

from mlp.layers import ELU, GELU, Identity, SiLU, Sine
from mlp.network import ACTIVATIONS, build_network
from tests.engine.test_gradients import away_from_zero, check_layer

NEW = {"linear": Identity, "elu": ELU, "gelu": GELU, "silu": SiLU, "sine": Sine}


def torch_module(name, torch):
    return {
        "linear": torch.nn.Identity(),
        "elu": torch.nn.ELU(),
        "gelu": torch.nn.GELU(approximate="tanh"),
        "silu": torch.nn.SiLU(),
        "sine": None,  # torch has no Sine module: torch.sin
    }[name]


def inputs(rng, n_rows=64):
    """Standard normal values, values spread over [-30, 30] and a row of large magnitudes."""
    large = np.array([-1e4, -1e3, -100.0, -40.0, -20.0, -0.0, 0.0, 20.0, 40.0, 100.0, 1e3, 1e4])
    x = np.concatenate(
        [rng.standard_normal((n_rows, 12)), rng.uniform(-30, 30, (n_rows, 12)), large[None, :]]
    )
    return x


def test_every_new_activation_is_named_in_activations():
    for name, layer_type in NEW.items():
        assert ACTIVATIONS[name] is layer_type


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_and_backward_match_torch(name, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = inputs(rng).astype(dtype)
    upstream = rng.standard_normal(x.shape).astype(dtype)
    layer = NEW[name]()

    y = layer.forward(x, train=True).copy()
    grad_x = layer.backward(upstream).copy()
    x_tensor = torch.tensor(x, requires_grad=True)
    module = torch_module(name, torch)
    y_tensor = torch.sin(x_tensor) if module is None else module(x_tensor)
    y_tensor.backward(torch.tensor(upstream))

    # float32: a few ulps of each value; float64: torch and NumPy's own libm differences.
    rtol, atol = (2e-6, 1e-6) if dtype == np.float32 else (1e-12, 1e-14)
    if name == "sine":  # sin of 1e4 loses the last digits of x's fraction to range reduction
        atol = 1e-5 if dtype == np.float32 else atol
    assert y.dtype == grad_x.dtype == dtype
    np.testing.assert_allclose(y, y_tensor.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(grad_x, x_tensor.grad.numpy(), rtol=rtol, atol=atol)
    # Evaluation mode computes the same values in a fresh array.
    evaluated = layer.forward(x, train=False)
    np.testing.assert_allclose(evaluated, y, rtol=1e-6 if dtype == np.float32 else 1e-15)


@pytest.mark.parametrize("name", NEW)
def test_gradient_against_central_differences(name):
    rng = np.random.default_rng(1234)
    # ELU is not twice differentiable at 0: keep the differences on one side of it.
    x = away_from_zero(rng, (6, 5)) * 2
    check_layer(NEW[name](), x, rng)


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_no_floating_point_warning_for_large_inputs(name, dtype):
    x = np.array([[-1e4, -1e3, -88.0, -20.0, 0.0, 20.0, 89.0, 710.0, 1e3, 1e4]], dtype)
    layer = NEW[name]()
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        y = layer.forward(x, train=True)
        grad_x = layer.backward(np.ones_like(x))
        evaluated = layer.forward(x, train=False)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(grad_x))
    assert np.array_equal(evaluated, y)


@pytest.mark.parametrize(
    ("name", "x", "expected_y", "expected_slope"),
    [
        # Far out, each one is the identity, zero, or the asymptote -1 of ELU.
        ("elu", [-1e4, 1e4], [-1.0, 1e4], [0.0, 1.0]),
        ("gelu", [-1e4, 1e4], [0.0, 1e4], [0.0, 1.0]),
        ("silu", [-1e4, 1e4], [0.0, 1e4], [0.0, 1.0]),
        ("linear", [-1e4, 1e4], [-1e4, 1e4], [1.0, 1.0]),
        # At 0: ELU's slope is 1 from both sides; GELU and SiLU have slope 1/2.
        ("elu", [0.0], [0.0], [1.0]),
        ("gelu", [0.0], [0.0], [0.5]),
        ("silu", [0.0], [0.0], [0.5]),
        ("sine", [0.0, np.pi / 2], [0.0, 1.0], [1.0, 0.0]),
    ],
)
def test_limits_and_values_at_zero(name, x, expected_y, expected_slope):
    x = np.array([x])
    layer = NEW[name]()
    np.testing.assert_allclose(layer.forward(x, train=True), [expected_y], atol=1e-15)
    np.testing.assert_allclose(layer.backward(np.ones_like(x)), [expected_slope], atol=1e-15)


def test_training_results_live_in_reused_buffers_and_evaluation_in_fresh_arrays():
    x = np.random.default_rng(2).standard_normal((8, 3)).astype(np.float32)
    for name in ("elu", "gelu", "silu", "sine"):
        layer = NEW[name]()
        first = layer.forward(x, train=True)
        assert layer.forward(x + 1, train=True) is first
        assert layer.backward(x) is layer.backward(x)
        evaluated = layer.forward(x, train=False)
        assert not np.shares_memory(evaluated, first)


def test_linear_passes_values_through_and_casts_the_gradient():
    layer = Identity()
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    assert layer.forward(x, train=True) is x and layer.forward(x) is x
    grad = layer.backward(np.ones((2, 3)))
    assert grad.dtype == np.float32 and np.all(grad == 1)


def test_networks_with_the_new_activations_and_their_repr():
    network = build_network(3, 2, [(4, name) for name in NEW], seed=0)
    assert repr(network) == (
        "Network(3 → Dense(3, 4) → Identity → Dense(4, 4) → ELU → Dense(4, 4) → GELU → "
        "Dense(4, 4) → SiLU → Dense(4, 4) → Sine → Dense(4, 2))"
    )
    x = np.random.default_rng(3).standard_normal((5, 3))
    assert np.all(np.isfinite(network.forward(x, train=True)))
    assert network.backward(np.ones((5, 2)), input_grad=True).shape == (5, 3)

"""Every layer computes in one dtype, whatever the dtype of what it is given."""

import numpy as np
import pytest

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


def layers_in(dtype):
    """One layer of each kind; those with parameters in dtype."""
    rng = np.random.default_rng(0)
    return [
        Dense(5, 5, rng=rng, dtype=dtype),
        BatchNorm(5, dtype=dtype),
        ReLU(),
        LeakyReLU(0.1),
        Sigmoid(),
        Tanh(),
        Dropout(0.3, rng=np.random.default_rng(1)),
        Identity(),
        ELU(),
        GELU(),
        SiLU(),
        Sine(),
    ]


@pytest.mark.parametrize(
    "index",
    range(len(layers_in(np.float32))),
    ids=lambda i: type(layers_in(np.float32)[i]).__name__,
)
@pytest.mark.parametrize(("own", "given"), [(np.float32, np.float64), (np.float64, np.float32)])
def test_a_layer_with_parameters_casts_to_their_dtype_and_others_keep_the_input_dtype(
    index, own, given
):
    layer = layers_in(own)[index]
    rng = np.random.default_rng(2)
    x = rng.standard_normal((8, 5)).astype(given)
    upstream = rng.standard_normal((8, 5)).astype(given)
    computes_in = own if layer.params else given

    y = layer.forward(x, train=True)
    assert y.dtype == computes_in
    # The upstream gradient comes in the other dtype: cast to the forward pass's dtype.
    other = np.float64 if computes_in == np.float32 else np.float32
    grad_x = layer.backward(upstream.astype(other))
    assert grad_x.dtype == computes_in
    assert all(g.dtype == own for g in layer.grads.values())
    assert np.all(np.isfinite(grad_x))
    assert layer.forward(x, train=False).dtype == computes_in


def test_batch_norm_given_float64_computes_as_if_given_its_float32_cast():
    rng = np.random.default_rng(3)
    x = rng.normal(2.0, 3.0, (16, 4))
    upstream = rng.standard_normal((16, 4))
    cast, direct = BatchNorm(4), BatchNorm(4)

    expected = cast.forward(x.astype(np.float32), train=True).copy()
    expected_grad = cast.backward(upstream.astype(np.float32)).copy()
    assert np.array_equal(direct.forward(x, train=True), expected)
    assert np.array_equal(direct.backward(upstream), expected_grad)
    assert np.array_equal(direct.running_var, cast.running_var)


def test_a_float64_network_converts_batch_norm_running_statistics_too():
    rng = np.random.default_rng(4)
    # BatchNorm left at its float32 default; the first parameter makes the network float64.
    network = Network(
        [
            Dense(3, 4, rng=rng, dtype=np.float64),
            BatchNorm(4),
            ReLU(),
            Dense(4, 2, rng=rng, dtype=np.float64),
        ]
    )
    norm = network.layers[1]
    assert network.dtype == np.float64
    assert norm.running_mean.dtype == norm.running_var.dtype == np.float64
    assert all(a.dtype == np.float64 for a in network.running_stats())

    x = rng.normal(1.0, 2.0, (32, 3))
    for _ in range(3):
        network.forward(x, train=True)
    # Evaluation in float64 throughout, against the formula computed here in float64.
    dense, second = network.layers[0], network.layers[3]
    hidden = x @ dense.params["W"] + dense.params["b"]
    hidden = (hidden - norm.running_mean) / np.sqrt(norm.running_var + norm.eps)
    hidden = np.maximum(hidden * norm.params["gamma"] + norm.params["beta"], 0)
    expected = hidden @ second.params["W"] + second.params["b"]
    logits = network.forward(x, train=False)
    assert logits.dtype == np.float64
    np.testing.assert_allclose(logits, expected, rtol=1e-12, atol=1e-12)


def test_a_float64_network_evaluates_like_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    dense, second = Dense(3, 4, rng=rng, dtype=np.float64), Dense(4, 2, rng=rng, dtype=np.float64)
    network = Network([dense, BatchNorm(4), ReLU(), second])
    x = rng.normal(1.0, 2.0, (32, 3))
    for _ in range(3):
        network.forward(x, train=True)
    theirs = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Linear(4, 2)
    ).double()
    with torch.no_grad():
        theirs[0].weight.copy_(torch.tensor(dense.params["W"].T))
        theirs[0].bias.copy_(torch.tensor(dense.params["b"]))
        theirs[3].weight.copy_(torch.tensor(second.params["W"].T))
        theirs[3].bias.copy_(torch.tensor(second.params["b"]))
        theirs.train()
        for _ in range(3):
            theirs(torch.tensor(x))
        theirs.eval()
        expected = theirs(torch.tensor(x)).numpy()
    np.testing.assert_allclose(network.forward(x, train=False), expected, rtol=1e-10)

"""What the layers, the loss, the initialisers, max-norm and the network promise."""

import numpy as np
import pytest

from mlp.constraints import MaxNorm
from mlp.init import INITIALIZERS, get_initializer
from mlp.layers import BatchNorm, Dense, Dropout, ReLU, Tanh
from mlp.losses import softmax_cross_entropy
from mlp.network import Network, build_network


def test_max_norm_shrinks_long_columns_only():
    layer = Dense(3, 4, rng=np.random.default_rng(0), dtype=np.float64)
    layer.params["W"][:] = [[3.0, 0.1, 0.0, 1.0], [4.0, 0.2, 0.0, 1.0], [0.0, 0.2, 0.0, 1.0]]
    layer.params["b"][:] = [10.0, -10.0, 5.0, 0.0]
    network = Network([layer])
    before = layer.params["W"].copy()

    MaxNorm(1.5).apply(network)

    weights = layer.params["W"]
    norms = np.linalg.norm(weights, axis=0)
    np.testing.assert_allclose(norms[[0, 3]], 1.5)  # were 5 and sqrt(3)
    np.testing.assert_allclose(weights[:, 0], before[:, 0] * 1.5 / 5)  # direction kept
    assert np.array_equal(weights[:, 1:3], before[:, 1:3])  # within the limit: untouched
    assert layer.params["b"].tolist() == [10.0, -10.0, 5.0, 0.0]
    assert np.allclose(network.weight_norms_per_unit()[0], [1.5, 0.3, 0.0, 1.5])


def test_max_norm_limit_is_writable_and_positive():
    constraint = MaxNorm(2.0)
    constraint.c = 0.5
    assert constraint.c == 0.5
    with pytest.raises(ValueError):
        MaxNorm(0.0)


def test_dropout_keeps_the_mean_in_training_and_is_identity_in_evaluation():
    layer = Dropout(0.3, rng=np.random.default_rng(0))
    x = np.ones((1000, 100), np.float32)
    y = layer.forward(x, train=True)
    # Each entry is 0 or 1/0.7; the mean of 1e5 of them has a standard deviation of about 0.002.
    assert abs(y.mean() - 1.0) < 0.01
    assert abs(np.mean(y == 0) - 0.3) < 0.01
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.7], rtol=1e-6)
    assert np.array_equal(layer.forward(x, train=False), x)


def test_dropout_gradient_uses_the_forward_mask():
    layer = Dropout(0.5, rng=np.random.default_rng(1))
    x = np.random.default_rng(2).standard_normal((50, 20))
    y = layer.forward(x, train=True).copy()
    upstream = np.random.default_rng(3).standard_normal((50, 20))
    grad = layer.backward(upstream)
    dropped = y == 0
    assert dropped.any() and (~dropped).any()
    assert np.all(grad[dropped] == 0)
    np.testing.assert_allclose(grad[~dropped], upstream[~dropped] * 2)


def test_dropout_with_p_zero_passes_input_and_gradient_through():
    layer = Dropout(0.0)
    x = np.arange(6.0).reshape(2, 3)
    assert layer.forward(x, train=True) is x
    assert layer.backward(x) is x
    with pytest.raises(ValueError):
        layer.p = 1.0


def test_batch_norm_running_statistics():
    rng = np.random.default_rng(0)
    layer = BatchNorm(3, momentum=0.2, dtype=np.float64)
    batches = [rng.normal(2.0, 3.0, (10, 3)), rng.normal(-1.0, 0.5, (10, 3))]
    running_mean, running_var = np.zeros(3), np.ones(3)
    for batch in batches:
        layer.forward(batch, train=True)
        running_mean = 0.8 * running_mean + 0.2 * batch.mean(axis=0)
        running_var = 0.8 * running_var + 0.2 * batch.var(axis=0, ddof=1)
    np.testing.assert_allclose(layer.running_mean, running_mean)
    np.testing.assert_allclose(layer.running_var, running_var)


def test_batch_norm_normalises_with_batch_stats_in_training_and_running_stats_in_evaluation():
    rng = np.random.default_rng(1)
    layer = BatchNorm(4, dtype=np.float64)
    layer.params["gamma"][:] = [1.0, 2.0, 0.5, 1.0]
    layer.params["beta"][:] = [0.0, 1.0, -1.0, 3.0]
    x = rng.normal(5.0, 2.0, (64, 4))
    y = layer.forward(x, train=True)
    np.testing.assert_allclose(y.mean(axis=0), layer.params["beta"], atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), layer.params["gamma"], rtol=1e-4)

    layer.running_mean[:] = [1.0, 2.0, 3.0, 4.0]
    layer.running_var[:] = [4.0, 1.0, 0.25, 9.0]
    expected = (x - layer.running_mean) / np.sqrt(layer.running_var + layer.eps)
    expected = expected * layer.params["gamma"] + layer.params["beta"]
    np.testing.assert_allclose(layer.forward(x, train=False), expected, rtol=1e-12)


def test_batch_norm_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x = rng.normal(1.0, 2.0, (16, 5))
    upstream = rng.standard_normal((16, 5))
    ours = BatchNorm(5, momentum=0.1, eps=1e-5, dtype=np.float64)
    theirs = torch.nn.BatchNorm1d(5, momentum=0.1, eps=1e-5).double()

    x_tensor = torch.tensor(x, requires_grad=True)
    y_tensor = theirs(x_tensor)
    y_tensor.backward(torch.tensor(upstream))
    y = ours.forward(x, train=True)
    grad_x = ours.backward(upstream)

    np.testing.assert_allclose(y, y_tensor.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad_x, x_tensor.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.grads["gamma"], theirs.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.grads["beta"], theirs.bias.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)
    theirs.eval()
    np.testing.assert_allclose(
        ours.forward(x, train=False), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10
    )


def test_softmax_cross_entropy_matches_the_direct_formula():
    logits = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    labels = np.array([1, 0])
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    loss, grad = softmax_cross_entropy(logits, labels)
    assert loss == pytest.approx(-np.log(probabilities[[0, 1], labels]).mean(), rel=1e-12)
    one_hot = np.eye(3)[labels]
    np.testing.assert_allclose(grad, (probabilities - one_hot) / 2, rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_cross_entropy_is_stable_for_huge_logits(dtype):
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]], dtype)
    loss, grad = softmax_cross_entropy(logits, np.array([1, 2]))
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    assert loss == pytest.approx(2e4 / 2, rel=1e-6)  # sample 0 is wrong by 2e4, sample 1 right
    extreme = np.array([[3e38, -3e38]], np.float32)
    loss, grad = softmax_cross_entropy(extreme, np.array([1]))
    assert not np.isnan(loss) and not np.any(np.isnan(grad))


def test_softmax_cross_entropy_refuses_bad_labels():
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))


@pytest.mark.parametrize(
    ("name", "expected_std"),
    [
        ("xavier", np.sqrt(2 / (300 + 200))),
        ("xavier_uniform", np.sqrt(6 / (300 + 200)) / np.sqrt(3)),
        ("he", np.sqrt(2 / 300)),
        ("small", 0.01),
    ],
)
def test_initialisers_have_their_spread(name, expected_std):
    weights = get_initializer(name)(300, 200, np.random.default_rng(0), np.float64)
    assert weights.shape == (300, 200)
    assert weights.std() == pytest.approx(expected_std, rel=0.02)
    assert abs(weights.mean()) < 0.05 * expected_std


def test_xavier_uniform_stays_in_its_bounds_and_biases_start_at_zero():
    layer = Dense(50, 30, init="xavier_uniform", rng=np.random.default_rng(0))
    assert np.abs(layer.params["W"]).max() <= np.sqrt(6 / 80)
    assert not layer.params["b"].any()


def test_unknown_initialiser_names_the_choices():
    with pytest.raises(ValueError) as error:
        Dense(2, 2, init="glorot")
    for name in INITIALIZERS:
        assert name in str(error.value)


def test_build_network_layer_order_and_repr():
    network = build_network(
        4, 3, [(8, "relu"), (6, "tanh")], batch_norm=True, dropout=0.5, input_dropout=0.2
    )
    names = [type(layer).__name__ for layer in network.layers]
    assert names == [
        "Dropout",
        *("Dense", "BatchNorm", "ReLU", "Dropout"),
        *("Dense", "BatchNorm", "Tanh", "Dropout"),
        "Dense",
    ]
    assert repr(network) == (
        "Network(4 → Dropout(p=0.2) → Dense(4, 8) → BatchNorm(8) → ReLU → Dropout(p=0.5) → "
        "Dense(8, 6) → BatchNorm(6) → Tanh → Dropout(p=0.5) → Dense(6, 3))"
    )
    plain = build_network(2, 2, [(8, "tanh"), (8, "tanh")])
    assert repr(plain) == "Network(2 → Dense(2, 8) → Tanh → Dense(8, 8) → Tanh → Dense(8, 2))"
    assert plain.n_params == (2 * 8 + 8) + (8 * 8 + 8) + (8 * 2 + 2)


def test_build_network_refuses_unknown_activation():
    with pytest.raises(ValueError, match="relu"):
        build_network(2, 2, [(4, "swish")])


def test_same_seed_same_weights_whatever_the_regularisation():
    def weights(**options):
        network = build_network(5, 3, [(7, "relu"), (4, "sigmoid")], seed=42, **options)
        return [layer.params["W"] for layer in network.dense_layers()]

    reference = weights()
    for options in [{}, {"dropout": 0.5, "input_dropout": 0.2}, {"batch_norm": True}]:
        for a, b in zip(reference, weights(**options), strict=True):
            assert np.array_equal(a, b)
    other = build_network(5, 3, [(7, "relu"), (4, "sigmoid")], seed=43).dense_layers()
    assert not np.array_equal(reference[0], other[0].params["W"])
    as_float64 = build_network(5, 3, [(7, "relu"), (4, "sigmoid")], seed=42, dtype=np.float64)
    assert np.array_equal(as_float64.dense_layers()[0].params["W"].astype(np.float32), reference[0])


def test_params_and_grads_are_the_arrays_the_layers_use():
    network = build_network(3, 2, [(4, "tanh")], batch_norm=True)
    params = network.params()
    assert len(params) == len(network.grads()) == 6  # W, b, gamma, beta, W, b
    assert params[0] is network.dense_layers()[0].params["W"]
    params[0][:] = 0  # changing the listed array changes the network
    assert not network.forward(np.ones((2, 3)))[:, 0].std()
    assert all(p.shape == g.shape for p, g in zip(params, network.grads(), strict=True))


def test_set_dropout_changes_hidden_and_input_probabilities():
    network = build_network(3, 2, [(4, "relu"), (4, "relu")])
    dropouts = [layer for layer in network.layers if isinstance(layer, Dropout)]
    network.set_dropout(0.4)
    assert [d.p for d in dropouts] == [0.0, 0.4, 0.4]
    network.set_dropout(0.1, input_p=0.2)
    assert [d.p for d in dropouts] == [0.2, 0.1, 0.1]


def test_predicting_between_forward_and_backward_changes_nothing():
    rng = np.random.default_rng(0)
    network = build_network(3, 2, [(5, "relu"), (5, "tanh")], batch_norm=True, dropout=0.3)
    x, upstream = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))

    def gradients(predict_in_between: bool):
        dropouts = [layer for layer in network.layers if isinstance(layer, Dropout)]
        for k, layer in enumerate(dropouts):
            layer.rng = np.random.default_rng(k)
        network.forward(x, train=True)
        if predict_in_between:
            probabilities = network.predict_proba(rng.standard_normal((13, 3)))
            np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-6)
            network.predict(rng.standard_normal((8, 3)))
        network.backward(upstream)
        return [g.copy() for g in network.grads()]

    for a, b in zip(gradients(False), gradients(True), strict=True):
        assert np.array_equal(a, b)


def test_predict_proba_returns_fresh_arrays():
    network = build_network(2, 3, [(4, "relu")])
    x = np.random.default_rng(0).standard_normal((5, 2))
    first = network.predict_proba(x)
    second = network.predict_proba(x)
    assert first is not second and not np.shares_memory(first, second)
    assert np.array_equal(first.argmax(axis=1), network.predict(x))


def test_layer_reprs():
    assert repr(Dense(3, 4)) == "Dense(3, 4)"
    assert repr(ReLU()) == "ReLU()" and repr(Tanh()) == "Tanh()"
    assert repr(Dropout(0.25)) == "Dropout(p=0.25)"
    assert repr(BatchNorm(7)) == "BatchNorm(7)"

"""The L1 penalty of every optimizer: g <- g + weight_decay * p + l1 * sign(p).

A step with ``l1`` is the step without it on the gradient plus l1 * sign(p); 25 steps of a
small network equal PyTorch's on the loss plus l1 * sum |p|, alone and with weight decay.
"""

import numpy as np
import pytest

from mlp.losses import SoftmaxCrossEntropy
from mlp.network import build_network
from mlp.optim import SGD, AdaGrad, Adam, RMSProp

# name: (ours(l1, weight_decay), theirs(torch, params, weight_decay))
OPTIMIZERS = {
    "sgd": (
        lambda l1, wd: SGD(0.1, l1=l1, weight_decay=wd),
        lambda t, p, wd: t.optim.SGD(p, lr=0.1, weight_decay=wd),
    ),
    "sgd-momentum": (
        lambda l1, wd: SGD(0.05, momentum=0.9, l1=l1, weight_decay=wd),
        lambda t, p, wd: t.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=wd),
    ),
    "sgd-nesterov": (
        lambda l1, wd: SGD(0.05, momentum=0.9, nesterov=True, l1=l1, weight_decay=wd),
        lambda t, p, wd: t.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=wd),
    ),
    "adagrad": (
        lambda l1, wd: AdaGrad(0.1, l1=l1, weight_decay=wd),
        lambda t, p, wd: t.optim.Adagrad(p, lr=0.1, weight_decay=wd),
    ),
    "rmsprop": (
        lambda l1, wd: RMSProp(0.01, rho=0.9, l1=l1, weight_decay=wd),
        lambda t, p, wd: t.optim.RMSprop(p, lr=0.01, alpha=0.9, weight_decay=wd),
    ),
    "adam": (
        lambda l1, wd: Adam(0.01, l1=l1, weight_decay=wd),
        lambda t, p, wd: t.optim.Adam(p, lr=0.01, weight_decay=wd),
    ),
}
START = np.array([1.0, -2.0, 0.5, 0.0, -0.03])
GRADIENTS = np.array(
    [[0.3, -0.1, 2.0, 0.5, 0.0], [-0.2, 0.4, 1.0, 0.0, 0.1], [0.1, 0.1, -3.0, 1.5, 0.0]]
)


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_l1_is_l1_times_the_sign_added_to_the_gradient(name, weight_decay):
    make = OPTIMIZERS[name][0]
    with_l1, without = make(0.2, weight_decay), make(0.0, weight_decay)
    param, reference = START.copy(), START.copy()
    for grad in GRADIENTS:
        with_l1.step([param], [grad.copy()])
        without.step([reference], [grad + 0.2 * np.sign(reference)])
    np.testing.assert_allclose(param, reference, rtol=1e-12, atol=1e-15)
    assert not np.allclose(param, run_without_l1(make, weight_decay))


def run_without_l1(make, weight_decay):
    param = START.copy()
    optimizer = make(0.0, weight_decay)
    for grad in GRADIENTS:
        optimizer.step([param], [grad.copy()])
    return param


def test_sign_of_zero_is_zero():
    # A parameter at exactly 0 with a zero gradient stays at 0 (torch's abs has gradient 0 there).
    param = np.zeros(3)
    SGD(0.1, l1=0.5).step([param], [np.zeros(3)])
    assert param.tolist() == [0.0, 0.0, 0.0]
    param = np.array([0.0, 2.0, -2.0])
    SGD(0.1, l1=0.5, weight_decay=0.1).step([param], [np.zeros(3)])
    np.testing.assert_allclose(param, [0.0, 2 - 0.1 * (0.2 + 0.5), -2 + 0.1 * (0.2 + 0.5)])


def test_l1_changed_between_steps_takes_effect():
    optimizer = SGD(0.1)
    param = START.copy()
    optimizer.step([param], [GRADIENTS[0].copy()])
    after_first = START - 0.1 * GRADIENTS[0]
    np.testing.assert_allclose(param, after_first, rtol=1e-15)
    optimizer.l1 = 0.5
    optimizer.step([param], [GRADIENTS[1].copy()])
    expected = after_first - 0.1 * (GRADIENTS[1] + 0.5 * np.sign(after_first))
    np.testing.assert_allclose(param, expected, rtol=1e-15)
    optimizer.l1 = 0.0
    optimizer.step([param], [GRADIENTS[2].copy()])
    np.testing.assert_allclose(param, expected - 0.1 * GRADIENTS[2], rtol=1e-15)


def test_the_given_gradient_is_left_unchanged():
    for make, _ in OPTIMIZERS.values():
        grad = GRADIENTS[0].copy()
        make(0.3, 0.1).step([START.copy()], [grad])
        assert np.array_equal(grad, GRADIENTS[0])


def test_reprs_name_l1_when_it_is_set_and_negative_l1_is_refused():
    assert repr(SGD(0.1)) == "SGD(lr=0.1, momentum=0, nesterov=False, weight_decay=0)"
    assert repr(SGD(0.1, l1=0.001)) == (
        "SGD(lr=0.1, momentum=0, nesterov=False, weight_decay=0, l1=0.001)"
    )
    assert repr(AdaGrad(0.1, l1=0.01, weight_decay=0.1)).endswith("weight_decay=0.1, l1=0.01)")
    assert repr(RMSProp(0.1, l1=0.01)).endswith("weight_decay=0, l1=0.01)")
    assert repr(Adam(0.1, l1=0.01)).endswith("weight_decay=0, l1=0.01)")
    assert "l1" not in repr(Adam(0.1))
    with pytest.raises(ValueError, match="L1"):
        Adam(0.1, l1=-0.1)


def minibatches(n_steps=25, batch_size=16, seed=0):
    """Three classes of 4-D points in n_steps minibatches."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((200, 4))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(np.intp) + (X[:, 3] > 1)
    order = np.concatenate([rng.permutation(200) for _ in range(2)])
    return [
        (
            X[order[k * batch_size : (k + 1) * batch_size]],
            y[order[k * batch_size : (k + 1) * batch_size]],
        )
        for k in range(n_steps)
    ]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weight_decay", [0.0, 0.05], ids=["l1", "l1+weight_decay"])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_25_steps_of_a_network_match_torch_on_loss_plus_l1_norm(name, weight_decay, dtype):
    torch = pytest.importorskip("torch")
    l1 = 0.01
    ours, theirs = OPTIMIZERS[name]
    network = build_network(4, 3, [(8, "tanh"), (6, "relu")], seed=0, dtype=dtype)
    dense = network.dense_layers()
    torch_dtype = torch.float32 if dtype == np.float32 else torch.float64
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 6),
        torch.nn.ReLU(),
        torch.nn.Linear(6, 3),
    ).to(torch_dtype)
    linear = [model[0], model[2], model[4]]
    with torch.no_grad():
        for layer, module in zip(dense, linear, strict=True):
            module.weight.copy_(torch.tensor(layer.params["W"].T))
            module.bias.copy_(torch.tensor(layer.params["b"]))

    optimizer = ours(l1, weight_decay)
    torch_optimizer = theirs(torch, model.parameters(), weight_decay)
    loss_function = SoftmaxCrossEntropy()
    for X, y in minibatches():
        _, grad = loss_function(network.forward(X, train=True), y)
        network.backward(grad, input_grad=False)
        optimizer.step([network.param_vector], [network.grad_vector])

        torch_optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(
            model(torch.tensor(X, dtype=torch_dtype)), torch.tensor(y)
        )
        loss = loss + l1 * sum(p.abs().sum() for p in model.parameters())
        loss.backward()
        torch_optimizer.step()

    rtol, atol = (1e-4, 1e-5) if dtype == np.float32 else (1e-9, 1e-11)
    for layer, module in zip(dense, linear, strict=True):
        np.testing.assert_allclose(layer.params["W"], module.weight.detach().numpy().T, rtol, atol)
        np.testing.assert_allclose(layer.params["b"], module.bias.detach().numpy(), rtol, atol)
    # The penalty mattered: without it the weights end elsewhere.
    plain = build_network(4, 3, [(8, "tanh"), (6, "relu")], seed=0, dtype=dtype)
    plain_optimizer = ours(0.0, weight_decay)
    for X, y in minibatches():
        _, grad = loss_function(plain.forward(X, train=True), y)
        plain.backward(grad, input_grad=False)
        plain_optimizer.step([plain.param_vector], [plain.grad_vector])
    assert np.abs(plain.param_vector - network.param_vector).max() > 100 * atol

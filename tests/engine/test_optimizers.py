"""Optimizers against their update rules, computed here element by element in plain Python."""

import math

import numpy as np
import pytest

from mlp.optim import SGD, AdaGrad, Adam, RMSProp

START = [1.0, -2.0, 0.5, 0.0]
GRADIENTS = [[0.3, -0.1, 2.0, 0.5], [-0.2, 0.4, 1.0, 0.0], [0.1, 0.1, -3.0, 1.5]]


def run(optimizer, n_steps=3, between_steps=lambda step: None):
    param = np.array(START)
    for step in range(n_steps):
        between_steps(step)
        optimizer.step([param], [np.array(GRADIENTS[step])])
    return param


def sgd_by_hand(lr, momentum=0.0, nesterov=False, weight_decay=0.0, lrs=None):
    params, velocity = list(START), [None] * len(START)
    for step, grads in enumerate(GRADIENTS):
        rate = lrs[step] if lrs else lr
        for i, g in enumerate(grads):
            g = g + weight_decay * params[i]
            if momentum:
                velocity[i] = g if velocity[i] is None else momentum * velocity[i] + g
                g = g + momentum * velocity[i] if nesterov else velocity[i]
            params[i] = params[i] - rate * g
    return params


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"weight_decay": 0.1},
        {"momentum": 0.9},
        {"momentum": 0.9, "weight_decay": 0.1},
        {"momentum": 0.8, "nesterov": True},
        {"momentum": 0.8, "nesterov": True, "weight_decay": 0.05},
    ],
    ids=str,
)
def test_sgd(settings):
    np.testing.assert_allclose(run(SGD(0.1, **settings)), sgd_by_hand(0.1, **settings), rtol=1e-12)


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_adagrad(weight_decay):
    params, sums = list(START), [0.0] * len(START)
    for grads in GRADIENTS:
        for i, g in enumerate(grads):
            g = g + weight_decay * params[i]
            sums[i] += g * g
            params[i] -= 0.5 * g / (math.sqrt(sums[i]) + 1e-10)
    np.testing.assert_allclose(run(AdaGrad(0.5, weight_decay=weight_decay)), params, rtol=1e-12)


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_rmsprop(weight_decay):
    params, mean_squares = list(START), [0.0] * len(START)
    for grads in GRADIENTS:
        for i, g in enumerate(grads):
            g = g + weight_decay * params[i]
            mean_squares[i] = 0.9 * mean_squares[i] + 0.1 * g * g
            params[i] -= 0.01 * g / (math.sqrt(mean_squares[i]) + 1e-8)
    result = run(RMSProp(0.01, rho=0.9, weight_decay=weight_decay))
    np.testing.assert_allclose(result, params, rtol=1e-12)


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_adam(weight_decay):
    beta1, beta2, lr, eps = 0.8, 0.95, 0.05, 1e-8
    params, m, v = list(START), [0.0] * len(START), [0.0] * len(START)
    for t, grads in enumerate(GRADIENTS, start=1):
        for i, g in enumerate(grads):
            g = g + weight_decay * params[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            m_hat = m[i] / (1 - beta1**t)
            v_hat = v[i] / (1 - beta2**t)
            params[i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
    result = run(Adam(lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay))
    np.testing.assert_allclose(result, params, rtol=1e-10)


def test_learning_rate_changed_between_steps_takes_effect():
    optimizer = SGD(0.1, momentum=0.9)
    rates = [0.1, 0.01, 0.5]

    def set_rate(step):
        optimizer.lr = rates[step]

    expected = sgd_by_hand(None, momentum=0.9, lrs=rates)
    np.testing.assert_allclose(run(optimizer, between_steps=set_rate), expected, rtol=1e-12)


def test_weight_decay_changed_between_steps_takes_effect():
    optimizer = SGD(0.1)

    def switch_on_decay(step):
        optimizer.weight_decay = 0.0 if step == 0 else 0.5

    param = run(optimizer, n_steps=2, between_steps=switch_on_decay)
    after_first = np.array(START) - 0.1 * np.array(GRADIENTS[0])
    expected = after_first - 0.1 * (np.array(GRADIENTS[1]) + 0.5 * after_first)
    np.testing.assert_allclose(param, expected, rtol=1e-12)


def test_state_is_kept_per_parameter():
    optimizer = Adam(0.1)
    a, b = np.ones(3), np.ones((2, 2))
    for _ in range(2):
        optimizer.step([a, b], [np.full(3, 1.0), np.full((2, 2), -4.0)])
    assert np.all(a < 1) and np.all(b > 1)
    assert optimizer.state[0]["m_sum"].shape == (3,)
    assert optimizer.state[1]["m_sum"].shape == (2, 2)
    with pytest.raises(ValueError, match="other parameters"):
        optimizer.step([a], [a])


def test_updates_leave_parameters_alone_until_applied():
    optimizer = SGD(0.5)
    param = np.array(START)
    (update,) = optimizer.updates([param], [np.array(GRADIENTS[0])])
    assert param.tolist() == START
    np.testing.assert_allclose(update, 0.5 * np.array(GRADIENTS[0]))


def test_invalid_settings_are_refused():
    with pytest.raises(ValueError, match="Nesterov"):
        SGD(0.1, nesterov=True)
    with pytest.raises(ValueError, match="learning rate"):
        Adam(-1.0)
    # beta = 1 would divide by 1 - beta^t = 0 in the bias correction.
    with pytest.raises(ValueError, match="beta1"):
        Adam(0.1, beta1=1.0)
    with pytest.raises(ValueError, match="beta2"):
        Adam(0.1, beta2=1.0)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: SGD(0.1), lambda t, p: t.optim.SGD(p, lr=0.1)),
        (
            lambda: SGD(0.1, momentum=0.9, weight_decay=0.01),
            lambda t, p: t.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01),
        ),
        (
            lambda: SGD(0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
            lambda t, p: t.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        ),
        (
            lambda: AdaGrad(0.3, weight_decay=0.01),
            lambda t, p: t.optim.Adagrad(p, lr=0.3, weight_decay=0.01),
        ),
        (
            lambda: RMSProp(0.01, rho=0.9, weight_decay=0.01),
            lambda t, p: t.optim.RMSprop(p, lr=0.01, alpha=0.9, weight_decay=0.01),
        ),
        (
            lambda: Adam(0.05, beta1=0.8, beta2=0.95, weight_decay=0.01),
            lambda t, p: t.optim.Adam(p, lr=0.05, betas=(0.8, 0.95), weight_decay=0.01),
        ),
    ],
    ids=["sgd", "sgd-momentum", "sgd-nesterov", "adagrad", "rmsprop", "adam"],
)
def test_matches_torch_over_five_steps(ours, theirs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    start = rng.standard_normal((3, 4))
    gradients = rng.standard_normal((5, 3, 4))

    param = start.copy()
    optimizer = ours()
    tensor = torch.tensor(start, requires_grad=True)
    torch_optimizer = theirs(torch, [tensor])
    for g in gradients:
        optimizer.step([param], [g.copy()])
        tensor.grad = torch.tensor(g)
        torch_optimizer.step()
    np.testing.assert_allclose(param, tensor.detach().numpy(), rtol=1e-10, atol=1e-12)

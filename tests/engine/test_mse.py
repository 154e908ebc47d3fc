"""Mean squared error: the formula, PyTorch's mse_loss, central differences, the buffered form."""

import numpy as np
import pytest

from mlp.losses import MeanSquaredError, mean_squared_error
from tests.engine.test_gradients import TOLERANCE, numerical_gradient, relative_error


def test_matches_the_direct_formula_over_all_entries():
    predictions = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]])
    targets = np.array([[0.0, 2.0], [1.5, 1.0], [3.0, -2.0]])
    loss, grad = mean_squared_error(predictions, targets)
    # Errors 1, 0, -1, -2, 0, 2: squares sum to 10 over 6 entries (not over 3 rows).
    assert loss == pytest.approx(10 / 6, rel=1e-15)
    np.testing.assert_allclose(grad, 2 * (predictions - targets) / 6, rtol=1e-15)


@pytest.mark.parametrize("shape", [(16, 1), (16, 3), (1, 1), (7,)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_torch(shape, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    predictions = (rng.standard_normal(shape) * 10).astype(dtype)
    targets = (rng.standard_normal(shape) * 10).astype(dtype)

    loss, grad = mean_squared_error(predictions, targets)
    tensor = torch.tensor(predictions, requires_grad=True)
    expected = torch.nn.functional.mse_loss(tensor, torch.tensor(targets))
    expected.backward()

    rtol = 1e-6 if dtype == np.float32 else 1e-13
    assert isinstance(loss, float) and grad.dtype == dtype
    assert loss == pytest.approx(expected.item(), rel=rtol)
    np.testing.assert_allclose(grad, tensor.grad.numpy(), rtol=rtol)


def test_gradient_against_central_differences():
    rng = np.random.default_rng(1)
    predictions = rng.standard_normal((6, 3))
    targets = rng.standard_normal((6, 3))
    _, grad = mean_squared_error(predictions, targets)
    numeric = numerical_gradient(lambda: mean_squared_error(predictions, targets)[0], predictions)
    assert relative_error(grad, numeric) < TOLERANCE


def test_the_buffered_loss_reuses_its_gradient_array_and_keeps_the_predictions_dtype():
    rng = np.random.default_rng(2)
    loss_function = MeanSquaredError()
    predictions = rng.standard_normal((8, 2)).astype(np.float32)
    targets = rng.standard_normal((8, 2))  # float64 targets for float32 predictions
    loss, grad = loss_function(predictions, targets)
    again, grad_again = loss_function(predictions + 1, targets)
    assert grad_again is grad and grad.dtype == np.float32
    assert again != loss
    # A new shape gets new arrays; the answer is the one of the plain function.
    loss, grad = loss_function(predictions[:3], targets[:3])
    expected_loss, expected_grad = mean_squared_error(predictions[:3], targets[:3])
    assert grad.shape == (3, 2) and loss == pytest.approx(expected_loss, rel=1e-6)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-6)


def test_the_function_returns_fresh_arrays_and_accepts_integer_inputs():
    first = mean_squared_error(np.zeros((2, 2)), np.ones((2, 2)))[1]
    second = mean_squared_error(np.zeros((2, 2)), np.ones((2, 2)))[1]
    assert first is not second
    loss, grad = mean_squared_error(np.array([[1, 2]]), np.array([[0, 0]]))
    assert loss == 2.5 and grad.dtype == np.float64 and grad.tolist() == [[1.0, 2.0]]


def test_refuses_shapes_that_would_broadcast():
    with pytest.raises(ValueError, match=r"\(4, 1\) and \(4,\)"):
        mean_squared_error(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError, match="at least one entry"):
        mean_squared_error(np.zeros((0, 1)), np.zeros((0, 1)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_25_regression_steps_of_the_trainer_match_torch(dtype):
    """The Trainer with loss="mse" (the Playground's regression sets): 25 Adam steps on a
    sine, each on the trainer's own minibatch, end where torch's mse_loss and Adam end."""
    torch = pytest.importorskip("torch")
    from mlp.network import build_network
    from mlp.optim import Adam
    from mlp.train import Trainer

    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(96, 1)).astype(dtype)
    y = np.sin(X[:, 0]).astype(dtype)
    network = build_network(1, 1, [(8, "tanh"), (6, "elu")], seed=3, dtype=dtype)
    dense = network.dense_layers()
    torch_dtype = torch.float32 if dtype == np.float32 else torch.float64
    model = torch.nn.Sequential(torch.nn.Linear(1, 8), torch.nn.Tanh(), torch.nn.Linear(8, 6),
                                torch.nn.ELU(), torch.nn.Linear(6, 1)).to(torch_dtype)  # fmt: skip
    linear = [model[0], model[2], model[4]]
    with torch.no_grad():
        for layer, module in zip(dense, linear, strict=True):
            module.weight.copy_(torch.tensor(layer.params["W"].T))
            module.bias.copy_(torch.tensor(layer.params["b"]))
    trainer = Trainer(network, Adam(lr=0.01), X, y, batch_size=16, seed=4, loss="mse")
    torch_optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(25):
        # the rows of the trainer's next minibatch, from its own epoch order
        start = trainer._batch_in_epoch * trainer.batch_size
        rows = trainer._order[start : start + trainer.batch_size].copy()
        loss = trainer.step()
        torch_optimizer.zero_grad()
        torch_loss = torch.nn.functional.mse_loss(
            model(torch.tensor(X[rows])), torch.tensor(y[rows, None])
        )
        torch_loss.backward()
        torch_optimizer.step()
        assert loss == pytest.approx(torch_loss.item(), rel=1e-4 if dtype == np.float32 else 1e-9)
    rtol, atol = (1e-4, 1e-5) if dtype == np.float32 else (1e-9, 1e-11)
    for layer, module in zip(dense, linear, strict=True):
        np.testing.assert_allclose(layer.params["W"], module.weight.detach().numpy().T, rtol, atol)
        np.testing.assert_allclose(layer.params["b"], module.bias.detach().numpy(), rtol, atol)

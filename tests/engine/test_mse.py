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

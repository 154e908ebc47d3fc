"""Losses: softmax cross-entropy for classifiers, mean squared error for regression.

Softmax cross-entropy, for logits z: (N, C) and integer labels y: (N,),

    loss = 1/N sum_n [ log sum_j exp(z_nj) - z_n,y_n ]
    dloss/dz_nj = 1/N (softmax(z_n)_j - [j == y_n])

computed with the log-sum-exp shift (subtract each row's maximum first), so logits of any
finite size give a finite gradient and never NaN.

Mean squared error, for predictions p: (N, K) and targets t: (N, K), as
torch.nn.functional.mse_loss (the mean over all N·K entries):

    loss = 1/(N K) sum_nk (p_nk - t_nk)^2
    dloss/dp_nk = 2/(N K) (p_nk - t_nk)
"""

import numpy as np

# Row-wise operations on a matrix with this few columns run faster column by column.
_FEW_COLUMNS = 4


def _reduce_rows(ufunc: np.ufunc, x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """ufunc.reduce over the rows of x: (N, C) into out: (N,)."""
    # outₙ = xₙ₀ ∘ xₙ₁ ∘ … ∘ xₙ,C−1   (∘ = ufunc: max or +)
    n_columns = x.shape[1]
    if n_columns > _FEW_COLUMNS:
        return ufunc.reduce(x, axis=1, out=out)
    if n_columns == 1:
        return np.copyto(out, x[:, 0])
    ufunc(x[:, 0], x[:, 1], out=out)
    for j in range(2, n_columns):
        ufunc(out, x[:, j], out=out)
    return out


def _per_row(ufunc: np.ufunc, x: np.ndarray, column: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out[n, j] = ufunc(x[n, j], column[n]) for x, out: (N, C) and column: (N,)."""
    # outₙⱼ = xₙⱼ ∘ columnₙ   (∘ = ufunc: − or ÷)
    if x.shape[1] > _FEW_COLUMNS:
        return ufunc(x, column[:, None], out=out)
    for j in range(x.shape[1]):
        ufunc(x[:, j], column, out=out[:, j])
    return out


class SoftmaxCrossEntropy:
    """Softmax cross-entropy that reuses its arrays between calls (used in training loops).

    ``loss, grad_logits = SoftmaxCrossEntropy()(logits, labels)``, with
    logits: (N, C), labels: (N,) integer class indices in [0, C) (not checked here),
    loss: float (mean over the batch), grad_logits: (N, C), the gradient of the mean loss,
    already divided by N. ``grad_logits`` belongs to this object and is overwritten by its
    next call.
    """

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}
        self._key: tuple | None = None

    def __getstate__(self) -> dict:
        """A copy makes its arrays anew (one is a view of another, which a copy would part)."""
        return {"_arrays": {}, "_key": None}

    def _arrays_for(self, logits: np.ndarray) -> dict[str, np.ndarray]:
        key = (logits.shape, logits.dtype)
        if key != self._key:
            n_samples, n_classes = logits.shape
            grad = np.empty(logits.shape, logits.dtype)
            self._arrays = {
                "shifted": np.empty(logits.shape, logits.dtype),
                "grad": grad,
                "grad_flat": grad.reshape(-1),
                "row_max": np.empty(n_samples, logits.dtype),
                "sum_exp": np.empty(n_samples, logits.dtype),
                "log_sum_exp": np.empty(n_samples, logits.dtype),
                "row_starts": np.arange(n_samples) * n_classes,
                "label_positions": np.empty(n_samples, np.intp),
            }
            self._key = key
        return self._arrays

    def __call__(self, logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
        arrays = self._arrays_for(logits)
        n_samples = logits.shape[0]
        shifted, grad = arrays["shifted"], arrays["grad"]
        sum_exp, log_sum_exp = arrays["sum_exp"], arrays["log_sum_exp"]

        # z′ₙⱼ = zₙⱼ − maxₖ zₙₖ,   Sₙ = Σⱼ exp(z′ₙⱼ),   log Sₙ
        # Shift each row so its largest logit is 0: exp() then stays in [0, 1] and the row sum
        # in [1, C], so log() is finite whatever the size of the logits.
        row_max = _reduce_rows(np.maximum, logits, out=arrays["row_max"])
        _per_row(np.subtract, logits, row_max, out=shifted)
        np.exp(shifted, out=grad)
        _reduce_rows(np.add, grad, out=sum_exp)
        np.log(sum_exp, out=log_sum_exp)

        # L = (1/N) · Σₙ (log Sₙ − z′ₙ,yₙ) = −(1/N) · Σₙ log softmax(zₙ)_yₙ
        # loss_n = log sum_j exp(shifted_nj) - shifted_n,y_n  (the shift cancels out).
        # Position of (n, y_n) in the flattened (N, C) arrays: n * C + y_n.
        label_positions = np.add(arrays["row_starts"], labels, out=arrays["label_positions"])
        log_sum_exp -= shifted.reshape(-1)[label_positions]
        loss = float(np.add.reduce(log_sum_exp)) / n_samples

        # ∂L/∂z = (softmax(z) − onehot(y)) / N = exp(z′) / (N·S) − onehot(y) / N
        # grad_nj = (exp(shifted_nj) / sum_exp_n - [j == y_n]) / N, with 1/N folded in here
        # once, so every gradient further back is already the gradient of the mean loss.
        sum_exp *= n_samples
        _per_row(np.divide, grad, sum_exp, out=grad)
        arrays["grad_flat"][label_positions] -= 1 / n_samples
        return loss, grad


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of a batch and its gradient.

    Parameters
    ----------
    logits : (N, C) float array
        Unnormalised class scores.
    labels : (N,) int array
        Class indices in [0, C).

    Returns
    -------
    loss : float
        Mean over the batch of -log softmax(logits_n)[labels_n].
    grad_logits : (N, C) array, a fresh array
        Gradient of that mean loss: (softmax(logits) - one_hot(labels)) / N.
    """
    logits = np.asarray(logits)
    if not np.issubdtype(logits.dtype, np.floating):
        logits = logits.astype(np.float64)
    labels = np.asarray(labels)
    if logits.ndim != 2 or labels.shape != (logits.shape[0],) or logits.shape[0] == 0:
        raise ValueError(
            f"Expected logits (N, C) and labels (N,) with N > 0, "
            f"got {logits.shape} and {labels.shape}."
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"Labels must be integer class indices, got dtype {labels.dtype}.")
    if labels.size and (labels.min() < 0 or labels.max() >= logits.shape[1]):
        raise ValueError(f"Labels must lie in [0, {logits.shape[1]}).")
    with np.errstate(over="ignore"):
        return SoftmaxCrossEntropy()(logits, labels)


class MeanSquaredError:
    """Mean squared error that reuses its arrays between calls (used in training loops).

    ``loss, grad_predictions = MeanSquaredError()(predictions, targets)``, with
    predictions: (N, K), targets: (N, K) of the same shape (not checked here),
    loss: float (the mean over all N·K entries), grad_predictions: (N, K), the gradient of
    that mean. ``grad_predictions`` belongs to this object, has the predictions' dtype and is
    overwritten by its next call.
    """

    def __init__(self) -> None:
        self._grad: np.ndarray | None = None
        self._grad_flat: np.ndarray | None = None

    def __getstate__(self) -> dict:
        """A copy makes its arrays anew (one is a view of the other, which a copy would part)."""
        return {"_grad": None, "_grad_flat": None}

    def __call__(self, predictions: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
        grad = self._grad
        if grad is None or grad.shape != predictions.shape or grad.dtype != predictions.dtype:
            grad = self._grad = np.empty(predictions.shape, predictions.dtype)
            self._grad_flat = grad.reshape(-1)
        flat, n_entries = self._grad_flat, predictions.size
        # e = p − t
        np.subtract(predictions, targets, out=grad)
        # L = (1/(N·K)) · Σₙₖ eₙₖ²   (eᵀe as one BLAS dot product over the flattened array)
        loss = float(np.dot(flat, flat)) / n_entries
        # ∂L/∂p = 2·e / (N·K)
        grad *= 2 / n_entries
        return loss, grad


def mean_squared_error(predictions: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error of a batch and its gradient, as torch.nn.functional.mse_loss.

    Parameters
    ----------
    predictions : (N, K) float array
        The network's outputs (any shape with at least one entry).
    targets : (N, K) array
        The values to predict, of the same shape (no broadcasting: a target of shape (N,)
        for predictions (N, 1) is refused rather than spread into an (N, N) difference).

    Returns
    -------
    loss : float
        Mean over all N·K entries of (predictions - targets)².
    grad_predictions : (N, K) array, a fresh array
        Gradient of that mean: 2 (predictions - targets) / (N K), in the predictions' dtype.
    """
    predictions = np.asarray(predictions)
    if not np.issubdtype(predictions.dtype, np.floating):
        predictions = predictions.astype(np.float64)
    targets = np.asarray(targets)
    if predictions.shape != targets.shape or predictions.size == 0:
        raise ValueError(
            f"Expected predictions and targets of the same shape with at least one entry, "
            f"got {predictions.shape} and {targets.shape}."
        )
    return MeanSquaredError()(predictions, targets)

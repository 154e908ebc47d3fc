"""Softmax cross-entropy: the loss of a classifier that outputs one logit per class.

For logits z: (N, C) and integer labels y: (N,),

    loss = 1/N sum_n [ log sum_j exp(z_nj) - z_n,y_n ]
    dloss/dz_nj = 1/N (softmax(z_n)_j - [j == y_n])

computed with the log-sum-exp shift (subtract each row's maximum first), so logits of any
finite size give a finite gradient and never NaN.
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

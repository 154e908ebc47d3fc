"""Softmax cross-entropy: the loss of a classifier that outputs one logit per class.

For logits z: (N, C) and integer labels y: (N,),

    loss = 1/N sum_n [ log sum_j exp(z_nj) - z_n,y_n ]
    dloss/dz_nj = 1/N (softmax(z_n)_j - [j == y_n])

computed with the log-sum-exp shift (subtract each row's maximum first), so logits of any
finite size give a finite gradient and never NaN.
"""

import numpy as np

# Reductions over an axis this short run faster as elementwise operations on its columns.
_SHORT_AXIS = 4


def _reduce_rows(ufunc: np.ufunc, x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """ufunc.reduce over axis 1 of x: (N, C) into out: (N,)."""
    n_columns = x.shape[1]
    if n_columns > _SHORT_AXIS:
        return ufunc.reduce(x, axis=1, out=out)
    if n_columns == 1:
        return np.copyto(out, x[:, 0])
    ufunc(x[:, 0], x[:, 1], out=out)
    for j in range(2, n_columns):
        ufunc(out, x[:, j], out=out)
    return out


class SoftmaxCrossEntropy:
    """Softmax cross-entropy that reuses its arrays between calls (used in training loops).

    ``loss, grad_logits = SoftmaxCrossEntropy()(logits, labels)``, with
    logits: (N, C), labels: (N,) integer class indices, loss: float (mean over the batch),
    grad_logits: (N, C), the gradient of the mean loss, already divided by N.
    ``grad_logits`` belongs to this object and is overwritten by its next call.
    """

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray] = {}

    def _buffer(self, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
        buffer = self._buffers.get(name)
        if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
            buffer = np.empty(shape, dtype)
            self._buffers[name] = buffer
        return buffer

    def __call__(self, logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
        n_samples, n_classes = logits.shape
        dtype = logits.dtype
        row_max = self._buffer("row_max", (n_samples,), dtype)
        shifted = self._buffer("shifted", logits.shape, dtype)
        sum_exp = self._buffer("sum_exp", (n_samples,), dtype)
        log_sum_exp = self._buffer("log_sum_exp", (n_samples,), dtype)
        grad = self._buffer("grad", logits.shape, dtype)
        rows = self._buffers.get("rows")
        if rows is None or rows.shape[0] != n_samples:
            rows = self._buffers["rows"] = np.arange(n_samples)

        # Shift each row so its largest logit is 0: exp() then stays in [0, 1] and the row sum
        # in [1, C], so log() is finite whatever the size of the logits.
        _reduce_rows(np.maximum, logits, out=row_max)
        np.subtract(logits, row_max[:, None], out=shifted)
        np.exp(shifted, out=grad)
        _reduce_rows(np.add, grad, out=sum_exp)
        np.log(sum_exp, out=log_sum_exp)
        # loss_n = log sum_j exp(shifted_nj) - shifted_n,y_n  (the shift cancels out)
        loss = (float(log_sum_exp.sum()) - float(shifted[rows, labels].sum())) / n_samples

        # grad_nj = (exp(shifted_nj) / sum_exp_n - [j == y_n]) / N, with 1/N folded in here
        # once, so every gradient further back is already the gradient of the mean loss.
        sum_exp *= n_samples
        np.divide(grad, sum_exp[:, None], out=grad)
        grad[rows, labels] -= 1 / n_samples
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

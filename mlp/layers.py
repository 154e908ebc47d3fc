"""Layers of a multilayer perceptron: Dense, activations, Dropout and BatchNorm.

Every layer maps ``x: (N, D_in)`` to ``y: (N, D_out)`` with ``forward(x, train=False)`` and
maps the upstream gradient ``dL/dy: (N, D_out)`` to ``dL/dx: (N, D_in)`` with
``backward(grad_y)``, using what ``forward`` cached. Layers with parameters fill ``grads``
(same keys as ``params``) in ``backward``; they never change ``params`` themselves: an
optimizer does.

dtypes: a layer with parameters computes in its parameters' dtype and casts an input or an
upstream gradient of another dtype to it (float64 data into a float32 network is converted,
never refused); a layer without parameters computes in its input's dtype, and ``backward``
casts the upstream gradient to the dtype of the training forward pass.

``backward`` uses what the last training-mode pass (``train=True``) cached: evaluation-mode
passes cache nothing, so predicting between a training forward and its backward is harmless.

Memory: in training mode and in ``backward`` a layer writes its results into arrays it owns
and reuses from one call to the next (one set per batch shape), so a training step allocates
nothing. Such a result is only valid until the layer's next training call; copy it to keep
it. In evaluation mode results are fresh arrays (or the input itself, for layers that are the
identity there), so predicting on any batch shape never disturbs the training buffers.
"""

import math

import numpy as np
from numpy.typing import DTypeLike

from mlp.init import get_initializer


def _cast(array: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """array in dtype: itself if it has it, else a converted copy."""
    return array if array.dtype == dtype else array.astype(dtype)


class Layer:
    """Base class: no parameters, and the reusable training arrays shared by all layers."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._workspace: dict[str, np.ndarray] = {}
        self._workspace_key: tuple | None = None

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    @property
    def dtype(self) -> np.dtype | None:
        """The dtype of the parameters, in which the layer computes; None without parameters."""
        first = next(iter(self.params.values()), None)
        return None if first is None else first.dtype

    def __getstate__(self) -> dict:
        """A copy (pickle, e.g. to a training process) leaves the training arrays behind: some
        are views of others, which a copy would make separate arrays. The next training
        forward pass makes them anew, as the first one does."""
        state = self.__dict__.copy()
        state["_workspace"], state["_workspace_key"] = {}, None
        return state

    def _arrays_for(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """The arrays this layer reuses for training batches shaped like x (made on first use)."""
        key = (x.shape, x.dtype)
        if key != self._workspace_key:
            self._workspace = self._allocate(x.shape, x.dtype)
            self._workspace_key = key
        return self._workspace

    def _allocate(self, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, np.ndarray]:
        """Arrays for a training batch x of this shape: by default y and grad_x, shaped like x."""
        return {"y": np.empty(shape, dtype), "grad_x": np.empty(shape, dtype)}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Dense(Layer):
    """Fully connected layer: y = x W + b.

    Parameters
    ----------
    n_in, n_out : int
        Number of inputs and of units.
    init : str, default "xavier"
        Name of a weight initialiser in ``mlp.init.INITIALIZERS``. Biases start at zero.
    rng : numpy.random.Generator, optional
        Source of the initial weights; a fresh unseeded generator if None.
    dtype : default float32

    ``params``: ``W: (n_in, n_out)``, ``b: (n_out,)``. Column j of W holds the incoming
    weights of unit j.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        init: str = "xavier",
        rng: np.random.Generator | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        super().__init__()
        rng = np.random.default_rng() if rng is None else rng
        self.n_in = n_in
        self.n_out = n_out
        self.init = init
        weights = get_initializer(init)(n_in, n_out, rng, dtype)
        self.params = {"W": weights, "b": np.zeros(n_out, dtype)}
        self.grads = {"W": np.zeros_like(weights), "b": np.zeros(n_out, dtype)}

    def _allocate(self, shape, dtype):
        n_samples = shape[0]
        return {
            "y": np.empty((n_samples, self.n_out), dtype),
            "grad_x": np.empty(shape, dtype),
            "ones": np.ones(n_samples, dtype),
        }

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        """x: (N, n_in) -> y: (N, n_out)."""
        weights = self.params["W"]
        x = _cast(x, weights.dtype)
        if train:
            y = self._arrays_for(x)["y"]
            self._x = x
        else:
            y = np.empty((x.shape[0], self.n_out), weights.dtype)
        # y = x · W + b   (b added to every row)
        np.dot(x, weights, out=y)
        y += self.params["b"]
        return y

    def backward(self, grad_y: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """grad_y: (N, n_out) -> grad_x: (N, n_in); fills grads["W"] and grads["b"].

        With ``input_grad=False`` only the parameter gradients are computed and None is
        returned (the first layer of a network needs no gradient for the data).
        """
        # y = x W + b  =>  dW = x^T dy,  db = 1^T dy (the sum over the batch),  dx = dy W^T.
        # The sum is written as a product with a vector of ones: BLAS does it faster than a
        # reduction over the batch axis.
        arrays = self._workspace
        grad_y = _cast(grad_y, self._x.dtype)
        # ∂L/∂W = xᵀ · δ,   ∂L/∂b = 1ᵀ · δ = Σₙ δₙ   (δ = ∂L/∂y: (N, n_out))
        np.dot(self._x.T, grad_y, out=self.grads["W"])
        np.dot(arrays["ones"], grad_y, out=self.grads["b"])
        if not input_grad:
            return None
        grad_x = arrays["grad_x"]
        # ∂L/∂x = δ · Wᵀ
        np.dot(grad_y, self.params["W"].T, out=grad_x)
        return grad_x

    def __repr__(self) -> str:
        return f"Dense({self.n_in}, {self.n_out})"


class ReLU(Layer):
    """Rectified linear unit: y = max(x, 0). Shapes: x, y, grads: (N, D)."""

    def _allocate(self, shape, dtype):
        return {
            "y": np.empty(shape, dtype),
            "grad_x": np.empty(shape, dtype),
            "zeros": np.zeros(shape, dtype),  # max(x, zeros) runs faster than max(x, 0)
            "active": np.empty(shape, bool),
        }

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        if not train:
            return np.maximum(x, 0)
        arrays = self._arrays_for(x)
        # relu: y = max(x, 0)
        y = np.maximum(x, arrays["zeros"], out=arrays["y"])
        self._y = y
        return y

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        # dy/dx is 1 where the unit is active (y > 0) and 0 elsewhere.
        arrays = self._workspace
        # relu: ∂y/∂x = [x > 0] = [y > 0];   ∂L/∂x = δ ⊙ [y > 0]
        active = np.greater(self._y, 0, out=arrays["active"])
        return np.multiply(_cast(grad_y, self._y.dtype), active, out=arrays["grad_x"])


class LeakyReLU(Layer):
    """Leaky ReLU: y = x where x > 0, alpha * x elsewhere. Shapes: x, y, grads: (N, D)."""

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        y = self._arrays_for(x)["y"] if train else np.empty_like(x)
        # y = max(x, α·x) if α ≤ 1, min(x, α·x) if α > 1   (= x where x > 0, α·x elsewhere)
        np.multiply(x, self.alpha, out=y)
        if self.alpha <= 1:
            np.maximum(x, y, out=y)
        else:
            np.minimum(x, y, out=y)
        if train:
            self._x = x
        return y

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        # dy/dx is 1 where x > 0 and alpha elsewhere.
        grad_x = self._workspace["grad_x"]
        grad_y = _cast(grad_y, self._x.dtype)
        # ∂L/∂x = δ ⊙ ([x > 0] + α·[x ≤ 0])
        np.multiply(grad_y, self.alpha, out=grad_x)
        np.copyto(grad_x, grad_y, where=self._x > 0)
        return grad_x

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha:g})"


class Sigmoid(Layer):
    """Logistic sigmoid: y = 1 / (1 + exp(-x)). Shapes: x, y, grads: (N, D)."""

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        # sigmoid(x) = (1 + tanh(x / 2)) / 2: the same function, without exp overflowing.
        y = self._arrays_for(x)["y"] if train else np.empty_like(x)
        # σ(x) = 1 / (1 + e^(−x)) = ½ + ½ · tanh(x/2)
        np.multiply(x, 0.5, out=y)
        np.tanh(y, out=y)
        y *= 0.5
        y += 0.5
        if train:
            self._y = y
        return y

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        # dy/dx = y (1 - y)
        grad_x = self._workspace["grad_x"]
        # σ: ∂y/∂x = y ⊙ (1 − y);   ∂L/∂x = (1 − y) ⊙ y ⊙ δ
        np.subtract(1, self._y, out=grad_x)
        grad_x *= self._y
        grad_x *= _cast(grad_y, self._y.dtype)
        return grad_x


class Tanh(Layer):
    """Hyperbolic tangent: y = tanh(x). Shapes: x, y, grads: (N, D)."""

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        if not train:
            return np.tanh(x)
        # y = tanh(x)
        y = np.tanh(x, out=self._arrays_for(x)["y"])
        self._y = y
        return y

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        # dy/dx = 1 - y^2
        grad_x = self._workspace["grad_x"]
        # tanh: ∂y/∂x = 1 − y²;   ∂L/∂x = (1 − y²) ⊙ δ
        np.multiply(self._y, self._y, out=grad_x)
        np.subtract(1, grad_x, out=grad_x)
        grad_x *= _cast(grad_y, self._y.dtype)
        return grad_x


class Identity(Layer):
    """The identity, y = x: a "linear" activation (no non-linearity). Shapes: x, y: (N, D).

    The output is the input itself and the gradient passes through unchanged (cast to the
    dtype of the training forward pass), so the layer costs nothing.
    """

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        if train:
            self._dtype = x.dtype
        # y = x
        return x

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        # ∂y/∂x = 1;   ∂L/∂x = δ
        return _cast(grad_y, self._dtype)


class ELU(Layer):
    """Exponential linear unit with α = 1, as torch.nn.ELU(): y = x where x > 0, eˣ − 1 elsewhere.

    Clevert, Unterthiner & Hochreiter (2016), "Fast and accurate deep network learning by
    exponential linear units (ELUs)", ICLR. The exponential only ever sees min(x, 0), so a
    large positive x cannot overflow; the backward pass takes its slope from y, with no
    exponential that could underflow. Shapes: x, y, grads: (N, D).
    """

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        y = self._arrays_for(x)["y"] if train else np.empty_like(x)
        # elu: y = max(x, e^min(x, 0) − 1)   (= x where x > 0, eˣ − 1 ≥ x elsewhere)
        np.minimum(x, 0, out=y)
        np.expm1(y, out=y)
        np.maximum(x, y, out=y)
        if train:
            self._y = y
        return y

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        grad_x = self._workspace["grad_x"]
        # elu: ∂y/∂x = 1 where x > 0, eˣ = y + 1 ≤ 1 elsewhere   ⇒   ∂y/∂x = min(y + 1, 1)
        #      ∂L/∂x = min(y + 1, 1) ⊙ δ
        np.add(self._y, 1, out=grad_x)
        np.minimum(grad_x, 1, out=grad_x)
        grad_x *= _cast(grad_y, self._y.dtype)
        return grad_x


class GELU(Layer):
    """Gaussian error linear unit, tanh approximation, as torch.nn.GELU(approximate="tanh").

    y = ½ · x · (1 + tanh(u)),   u = √(2/π) · (x + 0.044715 · x³)

    Hendrycks & Gimpel (2016), "Gaussian error linear units (GELUs)", arXiv:1606.08415.
    tanh saturates to ±1 without overflow, so large |x| give y = x or y = 0 and a slope of 1
    or 0; u overflows (to ±∞, whose tanh is still ±1) only beyond |x| ≈ 2e13 in float32.
    Shapes: x, y, grads: (N, D).
    """

    SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
    CUBIC = 0.044715

    def _allocate(self, shape, dtype):
        arrays = super()._allocate(shape, dtype)
        arrays["tanh_u"] = np.empty(shape, dtype)
        arrays["scratch"] = np.empty(shape, dtype)
        return arrays

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        if train:
            arrays = self._arrays_for(x)
            y, tanh_u = arrays["y"], arrays["tanh_u"]
        else:
            y, tanh_u = np.empty_like(x), np.empty_like(x)
        c, k = self.SQRT_2_OVER_PI, self.CUBIC
        # u = √(2/π) · (x + k·x³) = x · (c + c·k·x²),   t = tanh(u)
        np.multiply(x, x, out=tanh_u)
        tanh_u *= c * k
        tanh_u += c
        tanh_u *= x
        np.tanh(tanh_u, out=tanh_u)
        # gelu: y = ½ · x · (1 + t) = ½ · (x·t + x)
        np.multiply(x, tanh_u, out=y)
        y += x
        y *= 0.5
        if train:
            self._x, self._tanh_u = x, tanh_u
        return y

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        arrays = self._workspace
        grad_x, scratch = arrays["grad_x"], arrays["scratch"]
        x, tanh_u = self._x, self._tanh_u
        c, k = self.SQRT_2_OVER_PI, self.CUBIC
        # gelu: ∂y/∂x = ½ · (1 + t) + ½ · x · (1 − t²) · ∂u/∂x,   ∂u/∂x = c · (1 + 3k·x²)
        #             = ½ · (1 + t + (1 − t²) · x · (c + 3ck·x²));   ∂L/∂x = ∂y/∂x ⊙ δ
        # (1 − t²) · x first: it is 0 wherever tanh saturates, before x² can grow large.
        np.multiply(tanh_u, tanh_u, out=grad_x)
        np.subtract(1, grad_x, out=grad_x)
        grad_x *= x
        np.multiply(x, x, out=scratch)
        scratch *= 3 * c * k
        scratch += c
        grad_x *= scratch
        grad_x += tanh_u
        grad_x += 1
        grad_x *= 0.5
        grad_x *= _cast(grad_y, grad_x.dtype)
        return grad_x


class SiLU(Layer):
    """Sigmoid linear unit (swish), as torch.nn.SiLU(): y = x · σ(x). Shapes: x, y, grads: (N, D).

    Elfwing, Uchibe & Doya (2018), "Sigmoid-weighted linear units for neural network function
    approximation in reinforcement learning", Neural Networks 107. σ is computed as in
    ``Sigmoid``, through tanh, so no exponential can overflow.
    """

    def _allocate(self, shape, dtype):
        arrays = super()._allocate(shape, dtype)
        arrays["sigmoid"] = np.empty(shape, dtype)
        return arrays

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        if train:
            arrays = self._arrays_for(x)
            y, sigmoid = arrays["y"], arrays["sigmoid"]
        else:
            y, sigmoid = np.empty_like(x), np.empty_like(x)
        # σ(x) = ½ + ½ · tanh(x/2)
        np.multiply(x, 0.5, out=sigmoid)
        np.tanh(sigmoid, out=sigmoid)
        sigmoid *= 0.5
        sigmoid += 0.5
        # silu: y = x · σ(x)
        np.multiply(x, sigmoid, out=y)
        if train:
            self._x, self._sigmoid = x, sigmoid
        return y

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        grad_x = self._workspace["grad_x"]
        sigmoid = self._sigmoid
        # silu: ∂y/∂x = σ + x · σ · (1 − σ) = σ · (1 + x · (1 − σ));   ∂L/∂x = ∂y/∂x ⊙ δ
        np.subtract(1, sigmoid, out=grad_x)
        grad_x *= self._x
        grad_x += 1
        grad_x *= sigmoid
        grad_x *= _cast(grad_y, grad_x.dtype)
        return grad_x


class Sine(Layer):
    """Sine activation: y = sin(x). Shapes: x, y, grads: (N, D).

    The periodic activation of SIREN networks, which fit signals and their derivatives
    (Sitzmann et al. (2020), "Implicit neural representations with periodic activation
    functions", NeurIPS); they scale x by a frequency ω₀ and use their own initialisation,
    where this layer is plain sin x.
    """

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        if not train:
            return np.sin(x)
        # y = sin(x)
        y = np.sin(x, out=self._arrays_for(x)["y"])
        self._x = x
        return y

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        grad_x = self._workspace["grad_x"]
        # sine: ∂y/∂x = cos(x);   ∂L/∂x = cos(x) ⊙ δ
        np.cos(self._x, out=grad_x)
        grad_x *= _cast(grad_y, grad_x.dtype)
        return grad_x


class Dropout(Layer):
    """Inverted dropout (Srivastava et al., 2014).

    In training each unit is dropped (set to 0) with probability ``p`` and the kept units are
    scaled by 1 / (1 - p), so the expected activation is unchanged and evaluation is the
    identity. ``backward`` applies the same mask. ``p`` may be changed at any time (the next
    forward pass uses it); with p = 0 the layer passes its input through untouched.

    The mask comes from 16 random bits per unit: a unit is kept when its bits, read as an
    integer u in [0, 65536), satisfy u >= round(65536 p). So the drop probability is ``p``
    rounded to a multiple of 2^-16 (off by at most 7.6e-6; at most 1 - 2^-16).

    Parameters
    ----------
    p : float in [0, 1)
        Probability of dropping a unit.
    rng : numpy.random.Generator, optional
        Source of the masks (the attribute ``rng``; its bit generator is read directly); a
        fresh unseeded generator if None. The same seed gives the same masks.

    ``keep``: None, or a (D,) array of 1s and 0s that holds the units marked 0 at zero in
    training and in evaluation alike (a unit knocked out by hand: it then contributes exactly
    nothing downstream, and no gradient flows back through it). The random masks are drawn as
    without it, so knocking a unit out changes no other unit's draws.

    Shapes: x, y, grads: (N, D).
    """

    # Units whose random bits are drawn at once: 64 KiB of bits, below glibc's 128 KiB mmap
    # threshold, so the temporary is recycled from the heap instead of being mapped afresh
    # (and page-faulted in) at every step.
    UNITS_PER_DRAW = 32768

    def __init__(self, p: float, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        self.p = p
        self.rng = np.random.default_rng() if rng is None else rng
        self._mask: np.ndarray | None = None
        self.keep: np.ndarray | None = None

    @property
    def p(self) -> float:
        return self._p

    @p.setter
    def p(self, value: float) -> None:
        if not 0 <= value < 1:
            raise ValueError(f"Dropout probability must be in [0, 1), got {value}.")
        self._p = float(value)
        self._threshold = np.uint16(min(round(self._p * 65536), 65535))

    @property
    def mask(self) -> np.ndarray | None:
        """The mask of the last training forward pass (0 or 1/(1-p) per unit), or None."""
        return self._mask

    def _allocate(self, shape, dtype):
        arrays = super()._allocate(shape, dtype)
        arrays["mask"] = np.empty(shape, dtype)
        return arrays

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        keep = self.keep
        if not train:
            # y = x ⊙ keep   (units knocked out by hand stay at zero)
            return x if keep is None else x * keep.astype(x.dtype, copy=False)
        if self._p == 0:
            self._mask = None
            if keep is None:
                return x
            arrays = self._arrays_for(x)
            mask = arrays["mask"]
            mask[...] = keep
            self._mask = mask
            return np.multiply(x, mask, out=arrays["y"])
        arrays = self._arrays_for(x)
        mask = arrays["mask"]
        # inverted dropout: y = x ⊙ m / (1 − p),   m ~ Bernoulli(1 − p̃)
        # m = [u ≥ 2¹⁶·p̃],   u ~ U{0, …, 2¹⁶ − 1},   p̃ = min(round(2¹⁶·p), 2¹⁶ − 1) / 2¹⁶
        # Four units per 64-bit draw, compared as integers straight into the float mask: the
        # bits cost about a quarter of what rng.random() takes to draw a float per unit.
        flat_mask = mask.reshape(-1)
        draw = self.rng.bit_generator.random_raw
        for start in range(0, flat_mask.size, self.UNITS_PER_DRAW):
            part = flat_mask[start : start + self.UNITS_PER_DRAW]
            bits = draw((part.size + 3) // 4).view(np.uint16)[: part.size]
            np.greater_equal(bits, self._threshold, out=part)  # 1 where kept, 0 where dropped
        # m ← m / (1 − p);   y = x ⊙ m
        mask *= 1 / (1 - self._p)
        if keep is not None:
            mask *= keep  # m ← m ⊙ keep
        self._mask = mask
        return np.multiply(x, mask, out=arrays["y"])

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        if self._mask is None:
            return grad_y
        grad_y = _cast(grad_y, self._mask.dtype)
        # ∂L/∂x = δ ⊙ m   (m holds 0 or 1 / (1 − p))
        return np.multiply(grad_y, self._mask, out=self._workspace["grad_x"])

    def __repr__(self) -> str:
        return f"Dropout(p={self._p:g})"


class BatchNorm(Layer):
    """Batch normalisation over the batch axis (Ioffe & Szegedy, 2015), as torch's BatchNorm1d.

    Training: y = gamma * (x - mean) / sqrt(var + eps) + beta with the batch mean and the
    biased batch variance; the running statistics move towards the batch ones,
    ``running = (1 - momentum) * running + momentum * batch`` (the variance unbiased,
    times N / (N - 1); a batch of one sample leaves the running variance as it is).
    Evaluation: the running statistics replace the batch ones.

    Parameters
    ----------
    n : int
        Number of features D.
    momentum : float, default 0.1
    eps : float, default 1e-5
    dtype : default float32

    ``params``: ``gamma: (D,)`` (starts at 1), ``beta: (D,)`` (starts at 0).
    Attributes ``running_mean: (D,)`` (starts at 0) and ``running_var: (D,)`` (starts at 1).
    Shapes: x, y, grads: (N, D).
    """

    def __init__(
        self, n: int, momentum: float = 0.1, eps: float = 1e-5, dtype: DTypeLike = np.float32
    ) -> None:
        super().__init__()
        self.n = n
        self.momentum = momentum
        self.eps = eps
        self.params = {"gamma": np.ones(n, dtype), "beta": np.zeros(n, dtype)}
        self.grads = {"gamma": np.zeros(n, dtype), "beta": np.zeros(n, dtype)}
        self.running_mean = np.zeros(n, dtype)
        self.running_var = np.ones(n, dtype)

    def _allocate(self, shape, dtype):
        n_samples, n_features = shape
        arrays = super()._allocate(shape, dtype)
        arrays["x_hat"] = np.empty(shape, dtype)
        arrays["ones"] = np.ones(n_samples, dtype)
        arrays["mean_weights"] = np.full(n_samples, 1 / n_samples, dtype)
        for name in ("mean", "var", "inv_std"):
            arrays[name] = np.empty(n_features, dtype)
        return arrays

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        gamma, beta = self.params["gamma"], self.params["beta"]
        x = _cast(x, gamma.dtype)
        if not train:
            # y = γ · (x − μ̄) / √(σ̄² + ε) + β   (μ̄, σ̄²: running mean and variance)
            #   = x · s + (β − μ̄ · s),   s = γ / √(σ̄² + ε)
            scale = gamma / np.sqrt(self.running_var + self.eps)
            return x * scale + (beta - self.running_mean * scale)

        arrays = self._arrays_for(x)
        mean, var, inv_std = arrays["mean"], arrays["var"], arrays["inv_std"]
        x_hat, y = arrays["x_hat"], arrays["y"]
        # μ = (1/N) · Σₙ xₙ,   σ² = (1/N) · Σₙ (xₙ − μ)²   (biased)
        # Means over the batch as products with a vector of 1/N (BLAS, faster than mean(axis=0)).
        np.dot(arrays["mean_weights"], x, out=mean)
        np.subtract(x, mean, out=x_hat)  # centred x, normalised below
        np.multiply(x_hat, x_hat, out=y)  # y as scratch for the squares
        np.dot(arrays["mean_weights"], y, out=var)
        # y = γ · (x − μ) / √(σ² + ε) + β = γ ⊙ x̂ + β,   x̂ = (x − μ) / √(σ² + ε)
        np.add(var, self.eps, out=inv_std)
        np.sqrt(inv_std, out=inv_std)
        np.divide(1, inv_std, out=inv_std)
        x_hat *= inv_std
        np.multiply(x_hat, gamma, out=y)
        y += beta

        n_samples = x.shape[0]
        # μ̄ ← (1 − momentum) · μ̄ + momentum · μ
        self.running_mean *= 1 - self.momentum
        self.running_mean += self.momentum * mean
        if n_samples > 1:
            # σ̄² ← (1 − momentum) · σ̄² + momentum · N/(N − 1) · σ²
            self.running_var *= 1 - self.momentum
            self.running_var += (self.momentum * n_samples / (n_samples - 1)) * var
        self._x_hat, self._inv_std = x_hat, inv_std
        return y

    def backward(self, grad_y: np.ndarray) -> np.ndarray:
        # With x_hat = (x - mean) / std and y = gamma x_hat + beta, over a batch of N:
        #   dbeta  = sum_n dy
        #   dgamma = sum_n dy * x_hat
        #   dx     = gamma / std * (dy - dbeta / N - x_hat * dgamma / N)
        # (the last two terms come from the batch mean and variance depending on x).
        arrays = self._workspace
        grad_y = _cast(grad_y, self._x_hat.dtype)
        x_hat, n_samples = self._x_hat, grad_y.shape[0]
        dgamma, dbeta = self.grads["gamma"], self.grads["beta"]
        grad_x = arrays["grad_x"]
        # ∂L/∂β = Σₙ δₙ,   ∂L/∂γ = Σₙ δₙ ⊙ x̂ₙ   (δ = ∂L/∂y)
        np.dot(arrays["ones"], grad_y, out=dbeta)
        np.multiply(grad_y, x_hat, out=grad_x)
        np.dot(arrays["ones"], grad_x, out=dgamma)
        # ∂L/∂x = γ / (N·√(σ² + ε)) · (N·δ − Σₙ δₙ − x̂ · Σₙ δₙ ⊙ x̂ₙ)
        #       = (δ − x̂ · (∂L/∂γ)/N − (∂L/∂β)/N) ⊙ γ / √(σ² + ε)
        np.multiply(x_hat, dgamma / n_samples, out=grad_x)
        np.subtract(grad_y, grad_x, out=grad_x)
        grad_x -= dbeta / n_samples
        grad_x *= self.params["gamma"] * self._inv_std
        return grad_x

    def __repr__(self) -> str:
        return f"BatchNorm({self.n})"

"""A sequential network of layers, and ``build_network`` to make the usual MLP from a recipe."""

from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from mlp.layers import (
    ELU,
    GELU,
    BatchNorm,
    Dense,
    Dropout,
    Identity,
    Layer,
    LeakyReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Sine,
    Tanh,
)

ACTIVATIONS: dict[str, type[Layer]] = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "linear": Identity,
    "elu": ELU,
    "gelu": GELU,
    "silu": SiLU,
    "sine": Sine,
}

# Rows per chunk in every evaluation-mode pass (prediction and ``Trainer.evaluate``), so a
# large data set never needs all its activations at once.
EVAL_BATCH = 2048


class Network:
    """Layers applied one after the other: x: (N, D) -> logits: (N, C).

    All parameters live in one contiguous vector (``param_vector``) and all gradients in
    another (``grad_vector``); each layer's ``params`` and ``grads`` entries are views into
    them. So ``params()`` and ``grads()`` are the very arrays the layers use, and an optimizer
    can update every parameter with a few whole-vector operations. Parameters must be changed
    in place (``W -= ...``, ``W[...] = ...``), never replaced by a new array.

    The network is not safe to use from two threads at once: a caller that trains in one thread
    and predicts in another must hold a lock around both.

    Parameters
    ----------
    layers : sequence of Layer
        Their parameters, and the running statistics of BatchNorm layers, are converted to
        the dtype of the first parameter (float32 if none).
    """

    def __init__(self, layers: Sequence[Layer]) -> None:
        self.layers = list(layers)
        first = next((a for layer in self.layers for a in layer.params.values()), None)
        self.dtype = np.dtype(np.float32 if first is None else first.dtype)
        self.param_vector = self._gather("params")
        self.grad_vector = self._gather("grads")
        # Statistics left in another dtype would make evaluation compute in that one (a float64
        # network with float32 running variances is only float32-accurate there).
        for layer in self.layers:
            if isinstance(layer, BatchNorm):
                layer.running_mean = layer.running_mean.astype(self.dtype, copy=False)
                layer.running_var = layer.running_var.astype(self.dtype, copy=False)
        self._first_trainable = next(
            (i for i, layer in enumerate(self.layers) if layer.params), len(self.layers)
        )

    def __setstate__(self, state: dict) -> None:
        """A copy (from pickle) holds its layers' arrays and the two vectors apart: make the
        layers views of the vectors again, as the original's are."""
        self.__dict__.update(state)
        self.param_vector = self._gather("params")
        self.grad_vector = self._gather("grads")

    def _gather(self, attribute: str) -> np.ndarray:
        """Copy every layer's arrays into one vector and make the layers hold views of it."""
        dicts = [getattr(layer, attribute) for layer in self.layers]
        vector = np.empty(sum(a.size for d in dicts for a in d.values()), self.dtype)
        offset = 0
        for arrays in dicts:
            for name, array in arrays.items():
                view = vector[offset : offset + array.size].reshape(array.shape)
                view[...] = array
                arrays[name] = view
                offset += array.size
        return vector

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        """x: (N, D) -> logits: (N, C).

        In training mode the result is a buffer of the last layer, overwritten by the next
        training pass; in evaluation mode it is a fresh array.
        """
        x = np.asarray(x, dtype=self.dtype)
        for layer in self.layers:
            x = layer.forward(x, train)
        return x

    def backward(self, grad: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """grad: (N, C), dL/dlogits -> dL/dx: (N, D); fills every layer's ``grads``.

        With ``input_grad=False`` the gradient for the input is not computed (a training step
        does not need it) and None is returned.
        """
        grad = np.asarray(grad, dtype=self.dtype)
        layers = self.layers
        # Without input_grad, stop at the first layer with parameters: nothing before it needs
        # a gradient, and a Dense layer there can skip its input gradient as well.
        stop = 0 if input_grad else self._first_trainable
        for index in range(len(layers) - 1, stop, -1):
            grad = layers[index].backward(grad)
        if stop == len(layers):
            return grad if input_grad else None
        first = layers[stop]
        if not input_grad and isinstance(first, Dense):
            return first.backward(grad, input_grad=False)
        grad = first.backward(grad)
        return grad if input_grad else None

    def params(self) -> list[np.ndarray]:
        """Every parameter array, layer by layer (Dense: W, b; BatchNorm: gamma, beta)."""
        return [array for layer in self.layers for array in layer.params.values()]

    def grads(self) -> list[np.ndarray]:
        """The gradient arrays, in the same order as ``params()``."""
        return [array for layer in self.layers for array in layer.grads.values()]

    def running_stats(self) -> list[np.ndarray]:
        """The running statistics of the BatchNorm layers (state that is not a parameter)."""
        return [
            array
            for layer in self.layers
            if isinstance(layer, BatchNorm)
            for array in (layer.running_mean, layer.running_var)
        ]

    @property
    def n_params(self) -> int:
        """Number of trainable numbers."""
        return int(self.param_vector.size)

    def dense_layers(self) -> list[Dense]:
        """The Dense layers, input to output."""
        return [layer for layer in self.layers if isinstance(layer, Dense)]

    def weight_norms_per_unit(self) -> list[np.ndarray]:
        """Per Dense layer, the L2 norm of each unit's incoming weights (columns of W): (n_out,)."""
        return [np.linalg.norm(layer.params["W"], axis=0) for layer in self.dense_layers()]

    def set_dropout(self, hidden_p: float, input_p: float | None = None) -> None:
        """Set the drop probability of the hidden Dropout layers, and of the input one if given.

        The input Dropout layer is a Dropout that comes before the first Dense layer.
        """
        seen_dense = False
        for layer in self.layers:
            if isinstance(layer, Dense):
                seen_dense = True
            elif isinstance(layer, Dropout):
                if seen_dense:
                    layer.p = hidden_p
                elif input_p is not None:
                    layer.p = input_p

    def unit_dropout(self, hidden_layer: int) -> Dropout:
        """The Dropout layer after hidden layer `hidden_layer` (1 = the first) activation: the
        place where a unit of that layer can be knocked out (see ``Dropout.keep``)."""
        seen = 0
        for index, layer in enumerate(self.layers):
            if isinstance(layer, Dense):
                seen += 1
            if seen == hidden_layer and isinstance(layer, Dropout) and index > 0:
                return layer
        raise ValueError(f"The network has no hidden layer {hidden_layer}.")

    def knock_out(self, hidden_layer: int, unit: int, out: bool = True) -> None:
        """Hold unit `unit` (0-based) of hidden layer `hidden_layer` (1-based) at zero, or
        let it work again (`out=False`)."""
        dropout = self.unit_dropout(hidden_layer)
        width = self.dense_layers()[hidden_layer - 1].n_out
        if not 0 <= unit < width:
            raise ValueError(f"Hidden layer {hidden_layer} has units 0 to {width - 1}.")
        keep = np.ones(width, self.dtype) if dropout.keep is None else dropout.keep
        keep[unit] = 0 if out else 1
        dropout.keep = None if keep.all() else keep

    def knocked_out(self) -> dict[int, list[int]]:
        """The units knocked out, by hidden layer (1-based): {layer: [units]}."""
        found = {}
        for number in range(1, len(self.dense_layers())):
            try:
                keep = self.unit_dropout(number).keep
            except ValueError:  # a network put together without Dropout layers
                continue
            if keep is not None:
                found[number] = [int(u) for u in np.flatnonzero(keep == 0)]
        return found

    def unit_parameters(self, dense_layer: int, unit: int) -> np.ndarray:
        """Positions in ``param_vector`` of the incoming weights and the bias of unit `unit`
        (0-based) of Dense layer `dense_layer` (1-based; the output layer is the last)."""
        dense = self.dense_layers()[dense_layer - 1]
        if not 0 <= unit < dense.n_out:
            raise ValueError(f"Dense layer {dense_layer} has units 0 to {dense.n_out - 1}.")
        base = self.param_vector.__array_interface__["data"][0]
        itemsize = self.param_vector.itemsize
        w_start = (dense.params["W"].__array_interface__["data"][0] - base) // itemsize
        b_start = (dense.params["b"].__array_interface__["data"][0] - base) // itemsize
        weights = w_start + np.arange(dense.n_in) * dense.n_out + unit  # column `unit` of W
        return np.concatenate([weights, [b_start + unit]]).astype(np.intp)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """x: (N, D) -> class probabilities: (N, C), a fresh array (evaluation mode)."""
        x = np.asarray(x)
        chunks = []
        for start in range(0, x.shape[0], EVAL_BATCH):
            logits = self.forward(x[start : start + EVAL_BATCH], train=False)
            # softmax(z)ₙⱼ = exp(zₙⱼ − maxₖ zₙₖ) / Σₖ exp(zₙₖ − maxₖ zₙₖ)
            probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
            probabilities /= probabilities.sum(axis=1, keepdims=True)
            chunks.append(probabilities)
        if not chunks:
            return np.empty((0, self.dense_layers()[-1].n_out), self.dtype)
        return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """x: (N, D) -> predicted class indices: (N,) int, a fresh array (evaluation mode)."""
        x = np.asarray(x)
        labels = np.empty(x.shape[0], np.intp)
        for start in range(0, x.shape[0], EVAL_BATCH):
            logits = self.forward(x[start : start + EVAL_BATCH], train=False)
            labels[start : start + EVAL_BATCH] = logits.argmax(axis=1)
        return labels

    def __repr__(self) -> str:
        """The architecture, e.g. ``Network(2 → Dense(2, 8) → Tanh → Dense(8, 2))``.

        Dropout layers whose probability is currently 0 are left out: they do nothing.
        """
        parts = [
            repr(layer).removesuffix("()")
            for layer in self.layers
            if not (isinstance(layer, Dropout) and layer.p == 0)
        ]
        dense = self.dense_layers()
        if dense:
            parts.insert(0, str(dense[0].n_in))
        return f"Network({' → '.join(parts)})"


def build_network(
    n_inputs: int,
    n_classes: int,
    hidden: Sequence[tuple[int, str]],
    batch_norm: bool = False,
    dropout: float = 0.0,
    input_dropout: float = 0.0,
    init: str = "xavier",
    seed: int = 0,
    dtype: DTypeLike = np.float32,
) -> Network:
    """A multilayer perceptron classifier.

    Layers: Dropout(input_dropout), then per hidden block Dense → [BatchNorm] → activation →
    Dropout(dropout), then Dense(·, n_classes) giving the logits. Every Dropout layer is
    created even when its probability is 0 (it then does nothing and is left out of the
    ``repr``), so dropout can be switched on later with ``Network.set_dropout`` without
    rebuilding the network.

    Parameters
    ----------
    n_inputs : int
        Number of input features D.
    n_classes : int
        Number of classes C (outputs).
    hidden : sequence of (units, activation)
        One pair per hidden layer; activation is a key of ``ACTIVATIONS``.
    batch_norm : bool
        Insert BatchNorm after each hidden Dense layer.
    dropout, input_dropout : float in [0, 1)
        Drop probability of the hidden units and of the inputs.
    init : str
        Weight initialiser, a key of ``mlp.init.INITIALIZERS``.
    seed : int
        All randomness (initial weights, dropout masks) comes from ``SeedSequence(seed)``:
        one child stream per Dense layer and one per Dropout layer. So the same architecture
        and seed give bitwise the same initial weights whatever the dropout or batch-norm
        settings, and in float64 the same weights as in float32 before rounding.
    dtype : default float32
    """
    for units, activation in hidden:
        if activation not in ACTIVATIONS:
            choices = ", ".join(ACTIVATIONS)
            raise ValueError(f"Unknown activation {activation!r}; choose one of: {choices}.")
        if int(units) < 1:
            raise ValueError(f"A hidden layer needs at least one unit, got {units}.")
    init_seeds, dropout_seeds = np.random.SeedSequence(seed).spawn(2)
    dense_rngs = [np.random.default_rng(s) for s in init_seeds.spawn(len(hidden) + 1)]
    dropout_rngs = [np.random.default_rng(s) for s in dropout_seeds.spawn(len(hidden) + 1)]

    layers: list[Layer] = [Dropout(input_dropout, rng=dropout_rngs[0])]
    width = n_inputs
    for k, (units, activation) in enumerate(hidden):
        layers.append(Dense(width, int(units), init=init, rng=dense_rngs[k], dtype=dtype))
        if batch_norm:
            layers.append(BatchNorm(int(units), dtype=dtype))
        layers.append(ACTIVATIONS[activation]())
        layers.append(Dropout(dropout, rng=dropout_rngs[k + 1]))
        width = int(units)
    layers.append(Dense(width, n_classes, init=init, rng=dense_rngs[-1], dtype=dtype))
    return Network(layers)

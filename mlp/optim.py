"""Optimizers: SGD (with momentum and Nesterov), AdaGrad, RMSProp and Adam.

Each optimizer updates a list of parameter arrays in place from the matching list of
gradients, and keeps its own state (velocities, moments) per parameter, created at the first
step. The update rules are those of ``torch.optim`` with the same arguments. Two penalties
are added to the gradient of every parameter the optimizer is given:

    g <- g + weight_decay * p + l1 * sign(p)

weight decay is the gradient of the L2 penalty weight_decay/2 * sum p^2, and ``l1`` that of
the L1 penalty l1 * sum |p| (sign(0) = 0, as in PyTorch's autograd of abs), so a step equals
``torch.optim``'s step on the loss plus l1 * sum |p|. ``lr``, ``weight_decay`` and ``l1`` are
plain attributes: changing them takes effect at the next step.

``updates(params, grads)`` advances the state and returns the arrays to subtract (the steps
themselves, owned by the optimizer); ``step(params, grads)`` does that and subtracts them.
A caller can so look at a step before applying it (the trainer refuses non-finite ones).
"""

import math
from collections.abc import Sequence

import numpy as np


class Optimizer:
    """Base class: per-parameter state and the ``step = updates + subtract`` plumbing.

    Parameters
    ----------
    lr : float
        Learning rate.
    weight_decay : float
        L2 penalty coefficient: weight_decay * p is added to the gradient.
    l1 : float
        L1 penalty coefficient: l1 * sign(p) is added to the gradient.
    """

    def __init__(self, lr: float, weight_decay: float = 0.0, l1: float = 0.0) -> None:
        if lr < 0:
            raise ValueError(f"The learning rate must be >= 0, got {lr}.")
        if weight_decay < 0:
            raise ValueError(f"Weight decay must be >= 0, got {weight_decay}.")
        if l1 < 0:
            raise ValueError(f"The L1 penalty must be >= 0, got {l1}.")
        self.lr = lr
        self.weight_decay = weight_decay
        self.l1 = l1
        self.step_count = 0
        self.state: list[dict[str, np.ndarray]] = []

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every array of ``params`` in place (p <- p - update)."""
        for param, update in zip(params, self.updates(params, grads), strict=True):
            # θ ← θ − Δθ
            param -= update

    def updates(
        self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]
    ) -> list[np.ndarray]:
        """Advance the state by one step and return the updates: p_new = p - update.

        The returned arrays belong to the optimizer and are overwritten by the next call.
        """
        if not self.state:
            self.state = [{"update": np.zeros_like(p)} for p in params]
        elif len(params) != len(self.state) or any(
            p.shape != s["update"].shape for p, s in zip(params, self.state, strict=False)
        ):
            raise ValueError(
                "This optimizer was used with other parameters; create a new optimizer "
                "for a new network."
            )
        self.step_count += 1
        return [
            self._update(state, param, grad)
            for state, param, grad in zip(self.state, params, grads, strict=True)
        ]

    def _with_penalties(
        self, state: dict[str, np.ndarray], param: np.ndarray, grad: np.ndarray
    ) -> np.ndarray:
        """g + weight_decay * p + l1 * sign(p), written into the update buffer.

        g itself when both are 0, with no array operation at all. With both set, the L1 term
        goes through the state's "scratch" array, which the optimizers' steps overwrite later.
        """
        if not self.weight_decay and not self.l1:
            return grad
        penalised = state["update"]
        if self.weight_decay:
            # g ← g + λ₂·θ   (L2 weight decay, λ₂ = weight_decay)
            np.multiply(param, float(self.weight_decay), out=penalised)
            penalised += grad
            grad = penalised
        if self.l1:
            # g ← g + λ₁·sign(θ)   (L1 penalty λ₁·Σ|θ|, λ₁ = l1;  sign(0) = 0)
            # sign(θ) goes to the update buffer unless that already holds g + λ₂·θ.
            sign = self._scratch(state, "scratch") if grad is penalised else penalised
            np.sign(param, out=sign)
            sign *= float(self.l1)
            np.add(grad, sign, out=penalised)
        return penalised

    def _penalties_repr(self) -> str:
        """ ", weight_decay=..." and, when it is set, ", l1=..." for the reprs."""
        l1 = f", l1={self.l1:g}" if self.l1 else ""
        return f", weight_decay={self.weight_decay:g}{l1}"

    def _scratch(self, state: dict[str, np.ndarray], name: str) -> np.ndarray:
        """A state array of zeros shaped like the parameter, created on first use."""
        array = state.get(name)
        if array is None:
            array = state[name] = np.zeros_like(state["update"])
        return array

    def _update(
        self, state: dict[str, np.ndarray], param: np.ndarray, grad: np.ndarray
    ) -> np.ndarray:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (heavy ball or Nesterov).

    As ``torch.optim.SGD`` (dampening=0). At step t, with gradient g_t of parameter p:

        g_t <- g_t + weight_decay * p + l1 * sign(p)
        if momentum:
            b_t = g_t                      at the first step
            b_t = momentum * b_{t-1} + g_t afterwards
            g_t <- g_t + momentum * b_t    if nesterov
            g_t <- b_t                     otherwise
        p <- p - lr * g_t

    Polyak (1964) for momentum; Sutskever et al. (2013), "On the importance of initialization
    and momentum in deep learning", for this form of Nesterov's accelerated gradient.

    Parameters
    ----------
    lr : float
        Learning rate.
    momentum : float, default 0.0
    nesterov : bool, default False
        Needs momentum > 0.
    weight_decay : float, default 0.0
    l1 : float, default 0.0
    """

    def __init__(
        self,
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        l1: float = 0.0,
    ) -> None:
        super().__init__(lr, weight_decay, l1)
        if nesterov and momentum <= 0:
            raise ValueError("Nesterov momentum needs momentum > 0.")
        self.momentum = momentum
        self.nesterov = nesterov

    def _update(self, state, param, grad):
        update = state["update"]
        grad = self._with_penalties(state, param, grad)
        if self.momentum:
            # b ← μ·b + g   (b = g at the first step;  μ = momentum)
            velocity = state.get("momentum_buffer")
            if velocity is None:
                velocity = state["momentum_buffer"] = grad.copy()
            else:
                velocity *= self.momentum
                velocity += grad
            if self.nesterov:
                # Nesterov: g ← g + μ·b
                look_ahead = self._scratch(state, "nesterov_scratch")
                np.multiply(velocity, self.momentum, out=look_ahead)
                np.add(grad, look_ahead, out=update)
                grad = update
            else:
                grad = velocity
        # Δθ = lr · g   (g ← b with heavy-ball momentum)
        np.multiply(grad, float(self.lr), out=update)
        return update

    def __repr__(self) -> str:
        return (
            f"SGD(lr={self.lr:g}, momentum={self.momentum:g}, nesterov={self.nesterov}"
            f"{self._penalties_repr()})"
        )


class AdaGrad(Optimizer):
    """AdaGrad: per-coordinate learning rates that shrink with the gradients seen so far.

    As ``torch.optim.Adagrad`` (lr_decay=0, initial_accumulator_value=0):

        g <- g + weight_decay * p + l1 * sign(p)
        s <- s + g^2                     (s starts at 0)
        p <- p - lr * g / (sqrt(s) + eps)

    Duchi, Hazan & Singer (2011), "Adaptive subgradient methods for online learning and
    stochastic optimization", JMLR 12.

    Parameters
    ----------
    lr : float
    eps : float, default 1e-10
    weight_decay : float, default 0.0
    l1 : float, default 0.0
    """

    def __init__(
        self, lr: float, eps: float = 1e-10, weight_decay: float = 0.0, l1: float = 0.0
    ) -> None:
        super().__init__(lr, weight_decay, l1)
        self.eps = eps

    def _update(self, state, param, grad):
        update = state["update"]
        grad = self._with_penalties(state, param, grad)
        sum_squares = self._scratch(state, "sum_squares")
        denominator = self._scratch(state, "scratch")
        # s ← s + g²
        np.multiply(grad, grad, out=denominator)
        sum_squares += denominator
        # Δθ = lr · g / (√s + ε)
        np.sqrt(sum_squares, out=denominator)
        denominator += self.eps
        np.divide(grad, denominator, out=update)
        update *= float(self.lr)
        return update

    def __repr__(self) -> str:
        return f"AdaGrad(lr={self.lr:g}, eps={self.eps:g}{self._penalties_repr()})"


class RMSProp(Optimizer):
    """RMSProp: divide the gradient by a running root mean square of recent gradients.

    As ``torch.optim.RMSprop`` with alpha=rho, centered=False, momentum=0:

        g <- g + weight_decay * p + l1 * sign(p)
        v <- rho * v + (1 - rho) * g^2   (v starts at 0)
        p <- p - lr * g / (sqrt(v) + eps)

    Tieleman & Hinton (2012), Lecture 6.5 of "Neural Networks for Machine Learning", Coursera.

    Parameters
    ----------
    lr : float
    rho : float, default 0.99
        Decay of the running average of squared gradients.
    eps : float, default 1e-8
    weight_decay : float, default 0.0
    l1 : float, default 0.0
    """

    def __init__(
        self,
        lr: float,
        rho: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        l1: float = 0.0,
    ) -> None:
        super().__init__(lr, weight_decay, l1)
        self.rho = rho
        self.eps = eps

    def _update(self, state, param, grad):
        update = state["update"]
        grad = self._with_penalties(state, param, grad)
        mean_square = self._scratch(state, "mean_square")
        denominator = self._scratch(state, "scratch")
        # v ← ρ·v + (1 − ρ)·g²
        np.multiply(grad, grad, out=denominator)
        denominator *= 1 - self.rho
        mean_square *= self.rho
        mean_square += denominator
        # Δθ = lr · g / (√v + ε)
        np.sqrt(mean_square, out=denominator)
        denominator += self.eps
        np.divide(grad, denominator, out=update)
        update *= float(self.lr)
        return update

    def __repr__(self) -> str:
        return (
            f"RMSProp(lr={self.lr:g}, rho={self.rho:g}, eps={self.eps:g}{self._penalties_repr()})"
        )


class Adam(Optimizer):
    """Adam: momentum on the gradient and on its square, with bias correction.

    As ``torch.optim.Adam`` (amsgrad=False, L2 weight decay, not AdamW). At step t = 1, 2, ...:

        g <- g + weight_decay * p + l1 * sign(p)
        m <- beta1 * m + (1 - beta1) * g       (m, v start at 0)
        v <- beta2 * v + (1 - beta2) * g^2
        p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    Kingma & Ba (2015), "Adam: A method for stochastic optimization", ICLR.

    The state holds the moments without their constant factors, ``m_sum = m / (1 - beta1)``
    and ``v_sum = v / (1 - beta2)`` (keys "m_sum" and "v_sum"), which follow
    ``m_sum <- beta1 * m_sum + g``: one pass over the parameters fewer for each moment.

    Parameters
    ----------
    lr : float
    beta1, beta2 : float in [0, 1), default 0.9 and 0.999
        Decay rates of the first and second moment estimates.
    eps : float, default 1e-8
    weight_decay : float, default 0.0
    l1 : float, default 0.0
    """

    def __init__(
        self,
        lr: float,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        l1: float = 0.0,
    ) -> None:
        super().__init__(lr, weight_decay, l1)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= beta < 1:
                raise ValueError(f"Adam's {name} must be in [0, 1), got {beta}.")
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps

    def _update(self, state, param, grad):
        grad = self._with_penalties(state, param, grad)
        m_sum = self._scratch(state, "m_sum")
        v_sum = self._scratch(state, "v_sum")
        update = self._scratch(state, "scratch")
        beta1, beta2, t = self.beta1, self.beta2, self.step_count

        # m ← β₁·m + (1 − β₁)·g,   kept as m_sum = m / (1 − β₁):   m_sum ← β₁·m_sum + g
        m_sum *= beta1
        m_sum += grad
        # v ← β₂·v + (1 − β₂)·g²,   kept as v_sum = v / (1 − β₂):   v_sum ← β₂·v_sum + g²
        np.multiply(grad, grad, out=update)
        v_sum *= beta2
        v_sum += update

        # θ ← θ − lr · m̂ / (√v̂ + ε),   m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)
        # With m = (1 - beta1) m_sum and v = (1 - beta2) v_sum the step is
        #   lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
        #   = step_size * m_sum / (sqrt(v_sum) + eps * k),  k = sqrt((1 - beta2^t) / (1 - beta2)),
        #   step_size = lr (1 - beta1) / (1 - beta1^t) * k:
        # the bias corrections are folded into two scalars (section 2 of the paper).
        k = math.sqrt((1 - beta2**t) / (1 - beta2))
        np.sqrt(v_sum, out=update)
        update += self.eps * k
        np.divide(m_sum, update, out=update)
        update *= float(self.lr) * (1 - beta1) / (1 - beta1**t) * k
        return update

    def __repr__(self) -> str:
        return (
            f"Adam(lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g}, "
            f"eps={self.eps:g}{self._penalties_repr()})"
        )

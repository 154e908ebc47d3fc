"""Learning-rate schedules: the learning rate to use at each training step.

``schedule = make_schedule(name, base_lr, **params)``; ``schedule.lr(step)`` is the learning
rate of step number ``step`` (0 for the first step), a plain function of the step, so a run
can set ``optimizer.lr = schedule.lr(trainer.step_count)`` before every step, and jump to any
step. Schedules are applied per step (per minibatch), not per epoch.

Each equals a ``torch.optim.lr_scheduler`` whose ``scheduler.step()`` is called after every
``optimizer.step()``: ``lr(0)`` is the learning rate torch's optimizer uses before the first
``scheduler.step()``, ``lr(t)`` the one after t of them. torch computes each learning rate
from the previous one; here each is the closed form, equal to torch's up to the rounding its
recursion gathers (measured: a relative 1e-15 for step decay and warm-up, 1e-10 for cosine
annealing after 200,000 steps).

``SCHEDULES`` names each schedule with a one-line description, in the order to offer them.
"""

import inspect
import math


class Schedule:
    """Base class: a learning rate for every step t = 0, 1, 2, ...

    Parameters
    ----------
    base_lr : float
        The learning rate the schedule starts from (or scales, for warm-up).
    """

    description = ""

    def __init__(self, base_lr: float) -> None:
        if base_lr < 0:
            raise ValueError(f"The learning rate must be >= 0, got {base_lr}.")
        self.base_lr = base_lr

    def lr(self, step: int) -> float:
        """The learning rate for step number ``step`` (0-based)."""
        if step < 0:
            raise ValueError(f"Steps are counted from 0, got {step}.")
        return self._lr(int(step))

    def _lr(self, step: int) -> float:
        raise NotImplementedError


class Constant(Schedule):
    """lr(t) = base_lr at every step (torch: no scheduler)."""

    description = "The same learning rate at every step."

    def _lr(self, step: int) -> float:
        return self.base_lr

    def __repr__(self) -> str:
        return f"Constant(base_lr={self.base_lr:g})"


class StepDecay(Schedule):
    """Multiply the learning rate by ``gamma`` every ``step_size`` steps.

    As ``torch.optim.lr_scheduler.StepLR(optimizer, step_size, gamma)``:

        lr(t) = base_lr · gamma^⌊t / step_size⌋

    Parameters
    ----------
    base_lr : float
    step_size : int >= 1
        Steps between two decays.
    gamma : float > 0, default 0.1
        Factor of each decay.
    """

    description = "Multiply the learning rate by gamma every step_size steps."

    def __init__(self, base_lr: float, step_size: int, gamma: float = 0.1) -> None:
        super().__init__(base_lr)
        if int(step_size) != step_size or step_size < 1:
            raise ValueError(f"step_size must be a whole number >= 1, got {step_size}.")
        if gamma <= 0:
            raise ValueError(f"gamma must be > 0, got {gamma}.")
        self.step_size = int(step_size)
        self.gamma = gamma

    def _lr(self, step: int) -> float:
        # lr(t) = lr₀ · γ^⌊t / step_size⌋
        return self.base_lr * self.gamma ** (step // self.step_size)

    def __repr__(self) -> str:
        return (
            f"StepDecay(base_lr={self.base_lr:g}, step_size={self.step_size}, gamma={self.gamma:g})"
        )


class CosineAnnealing(Schedule):
    """Follow a cosine from ``base_lr`` down to ``min_lr`` over ``t_max`` steps.

    As ``torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=t_max, eta_min=min_lr)``
    (Loshchilov & Hutter (2017), "SGDR: stochastic gradient descent with warm restarts",
    ICLR, without the restarts):

        lr(t) = min_lr + (base_lr − min_lr) · (1 + cos(π · t / t_max)) / 2

    Past ``t_max`` the cosine goes on, as torch's does: the learning rate rises back to
    ``base_lr`` at 2·t_max, falls to ``min_lr`` at 3·t_max, and so on (period 2·t_max). To
    stay at ``min_lr``, stop training at ``t_max`` steps.

    Parameters
    ----------
    base_lr : float
    t_max : int >= 1
        Steps from ``base_lr`` down to ``min_lr`` (torch's ``T_max``).
    min_lr : float >= 0, default 0.0
        The lowest learning rate (torch's ``eta_min``).
    """

    description = "Lower the learning rate along a cosine to min_lr at step t_max."

    def __init__(self, base_lr: float, t_max: int, min_lr: float = 0.0) -> None:
        super().__init__(base_lr)
        if int(t_max) != t_max or t_max < 1:
            raise ValueError(f"t_max must be a whole number >= 1, got {t_max}.")
        if min_lr < 0:
            raise ValueError(f"min_lr must be >= 0, got {min_lr}.")
        self.t_max = int(t_max)
        self.min_lr = min_lr

    def _lr(self, step: int) -> float:
        # lr(t) = lr_min + (lr₀ − lr_min) · (1 + cos(π·t / t_max)) / 2
        cosine = math.cos(math.pi * step / self.t_max)
        return self.min_lr + (self.base_lr - self.min_lr) * (1 + cosine) / 2

    def __repr__(self) -> str:
        return (
            f"CosineAnnealing(base_lr={self.base_lr:g}, t_max={self.t_max}, min_lr={self.min_lr:g})"
        )


class LinearWarmup(Schedule):
    """Scale the learning rate linearly from ``start_factor`` to ``end_factor`` over
    ``total_steps`` steps, then keep ``end_factor``.

    As ``torch.optim.lr_scheduler.LinearLR(optimizer, start_factor, end_factor,
    total_iters=total_steps)``, with torch's defaults:

        lr(t) = base_lr · (start_factor + (end_factor − start_factor) · min(t, total_steps)
                                                                       / total_steps)

    Goyal et al. (2017), "Accurate, large minibatch SGD: training ImageNet in 1 hour",
    arXiv:1706.02677, for warming up the learning rate.

    Parameters
    ----------
    base_lr : float
    start_factor : float in (0, 1], default 1/3
        Share of ``base_lr`` at step 0.
    end_factor : float in [0, 1], default 1.0
        Share of ``base_lr`` from step ``total_steps`` on.
    total_steps : int >= 1, default 5
        Steps the change takes (torch's ``total_iters``).
    """

    description = "Raise the learning rate linearly from a share of it over the first steps."

    def __init__(
        self,
        base_lr: float,
        start_factor: float = 1 / 3,
        end_factor: float = 1.0,
        total_steps: int = 5,
    ) -> None:
        super().__init__(base_lr)
        if not 0 < start_factor <= 1:
            raise ValueError(f"start_factor must be in (0, 1], got {start_factor}.")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"end_factor must be in [0, 1], got {end_factor}.")
        if int(total_steps) != total_steps or total_steps < 1:
            raise ValueError(f"total_steps must be a whole number >= 1, got {total_steps}.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_steps = int(total_steps)

    def _lr(self, step: int) -> float:
        # lr(t) = lr₀ · (f_start + (f_end − f_start) · min(t, T) / T)
        progress = min(step, self.total_steps) / self.total_steps
        return self.base_lr * (self.start_factor + (self.end_factor - self.start_factor) * progress)

    def __repr__(self) -> str:
        return (
            f"LinearWarmup(base_lr={self.base_lr:g}, start_factor={self.start_factor:g}, "
            f"end_factor={self.end_factor:g}, total_steps={self.total_steps})"
        )


_SCHEDULE_TYPES: dict[str, type[Schedule]] = {
    "constant": Constant,
    "step": StepDecay,
    "cosine": CosineAnnealing,
    "warmup": LinearWarmup,
}

SCHEDULES: dict[str, str] = {name: kind.description for name, kind in _SCHEDULE_TYPES.items()}


def make_schedule(name: str, base_lr: float, **params) -> Schedule:
    """The schedule called ``name`` (a key of ``SCHEDULES``) from ``base_lr``.

    ``params`` are the schedule's own: ``step``: step_size, gamma; ``cosine``: t_max, min_lr;
    ``warmup``: start_factor, end_factor, total_steps; ``constant``: none.
    """
    if name not in _SCHEDULE_TYPES:
        choices = ", ".join(_SCHEDULE_TYPES)
        raise ValueError(f"Unknown learning-rate schedule {name!r}; choose one of: {choices}.")
    kind = _SCHEDULE_TYPES[name]
    accepted = [p for p in inspect.signature(kind).parameters if p != "base_lr"]
    unknown = [p for p in params if p not in accepted]
    if unknown:
        takes = ", ".join(accepted) if accepted else "no settings"
        raise ValueError(f"The {name!r} schedule takes {takes}; got {', '.join(unknown)}.")
    return kind(base_lr, **params)

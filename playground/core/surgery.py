"""Hands on the network: knock a unit out, freeze a unit's incoming weights, type a weight.

The Playground's diagram offers these while paused (see `ui.unit_edit_views`); each acts on a
run's network through the engine's own masks (`Network.knock_out`, `Trainer.frozen`), and is
recorded as a departure of the run (`Run.note_departure`), since its configuration alone no
longer describes it. The caller holds the session's lock.

Units are named as the diagram names them: hidden layer k (1-based) and unit u (0-based); the
output layer is Dense layer L + 1 for a network of L hidden layers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from playground.core.session import Run

__all__ = ["UnitState", "freeze", "knock_out", "set_weight", "unit_state"]


@dataclass(frozen=True)
class UnitState:
    """What a unit is now: knocked out (hidden units only), its incoming weights frozen, and
    those weights (W[:, unit], then the bias) with the names of their sources."""

    knocked_out: bool
    frozen: bool
    weights: tuple[float, ...]
    bias: float


def _frozen_units(run: Run) -> set[tuple[int, int]]:
    """The (Dense layer, unit) pairs whose incoming weights are frozen, kept with the run."""
    return run.__dict__.setdefault("frozen_units", set())


def unit_state(run: Run, dense_layer: int, unit: int) -> UnitState:
    network = run.network
    dense = network.dense_layers()[dense_layer - 1]
    knocked = dense_layer < len(network.dense_layers()) and unit in network.knocked_out().get(
        dense_layer, []
    )
    return UnitState(
        knocked_out=knocked,
        frozen=(dense_layer, unit) in _frozen_units(run),
        weights=tuple(float(w) for w in dense.params["W"][:, unit]),
        bias=float(dense.params["b"][unit]),
    )


def knock_out(run: Run, hidden_layer: int, unit: int, out: bool = True) -> None:
    """Hold a hidden unit's output at zero (`out=True`), or let it work again."""
    run.network.knock_out(hidden_layer, unit, out)
    what = "knocked out" if out else "let work again"
    run.note_departure(f"layer {hidden_layer}, unit {unit + 1} was {what}")


def freeze(run: Run, dense_layer: int, unit: int, frozen: bool = True) -> None:
    """Stop (or restart) the learning of a unit's incoming weights and bias."""
    units = _frozen_units(run)
    (units.add if frozen else units.discard)((dense_layer, unit))
    positions = [run.network.unit_parameters(layer, u) for layer, u in sorted(units)]
    run.trainer.frozen = np.concatenate(positions) if positions else None
    what = "frozen" if frozen else "unfrozen"
    run.note_departure(f"the weights into layer {dense_layer}, unit {unit + 1} were {what}")


def set_weight(run: Run, dense_layer: int, source: int | None, unit: int, value: float) -> None:
    """Set W[source, unit] of a Dense layer (`source` None: the unit's bias) to `value`.
    Raises ValueError for a number that is not finite or out of reach."""
    if not math.isfinite(value) or abs(value) > 1e6:
        raise ValueError(f"A weight must be a finite number between -1e6 and 1e6, not {value}.")
    dense = run.network.dense_layers()[dense_layer - 1]
    if not 0 <= unit < dense.n_out or (source is not None and not 0 <= source < dense.n_in):
        raise ValueError("No such weight in this network.")
    if source is None:
        dense.params["b"][unit] = value
        name = "bias"
    else:
        dense.params["W"][source, unit] = value
        name = f"weight from {source + 1}"
    run.note_departure(f"the {name} into layer {dense_layer}, unit {unit + 1} was set to {value:g}")

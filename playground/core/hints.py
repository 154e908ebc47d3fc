"""Hints where a setup misleads: what will not work, said before Play, and a regulariser
that has nothing to cure, said while training runs. Each names the figures it rests on and,
where there is one, the one-click fix (the settings to change). `benchmarks/hints.py`
re-measures every figure quoted here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from playground.core.config import Config, parse_hidden

__all__ = ["Hint", "regularisation_hint", "setup_hints"]

# Batch norm's statistics over a small batch are too noisy. Measured on the default spiral
# (2 × 16 tanh, Adam 0.01, 3 seeds, 3,000 steps): without batch norm 89.2%; with it 59.5% at
# batch 10, 83.9% at 16, 95.5% at 20, 98.9% at 32.
BATCH_NORM_MIN_BATCH = 20
BATCH_NORM_FIX_BATCH = 32
# Dropout that keeps fewer units than this in a layer, on average, starves it. Measured on
# the circle (2 × 8 tanh, noise 0.1, 3 seeds, 2,000 steps): 99.7% without dropout, 95.3% at
# 0.5 (4 units kept), 76.5% at 0.7 (2.4 kept).
MIN_UNITS_KEPT = 4.0
# Nothing overfits when train and test accuracy are this close, both high, after this many
# steps.
NOTHING_OVERFITS_GAP = 0.03
NOTHING_OVERFITS_ACCURACY = 0.85
NOTHING_OVERFITS_STEPS = 1000


@dataclass(frozen=True)
class Hint:
    text: str
    fix: Mapping[str, Any] = field(default_factory=dict)  # settings to change, in one click
    fix_label: str = ""


def _kept_units(config: Config) -> list[tuple[int, int, float]]:
    """(layer number, units, units kept on average) of the hidden layers dropout thins."""
    if config.dropout <= 0:
        return []
    return [(index, layer.units, layer.units * (1 - config.dropout))
            for index, layer in enumerate(config.hidden, 1)]  # fmt: skip


def setup_hints(config: Config) -> list[Hint]:
    """What will not work (or works badly) with `config`, before Play."""
    hints = []
    if config.batch_norm and config.hidden and config.batch_size == 1:
        hints.append(Hint(
            "Batch norm with batch size 1 normalises every unit over a single point, so each "
            "hidden output is the same whatever the input: the network cannot learn.",
            {"batch_size": BATCH_NORM_FIX_BATCH}, f"Use batch size {BATCH_NORM_FIX_BATCH}",
        ))  # fmt: skip
    elif config.batch_norm and config.hidden and config.batch_size < BATCH_NORM_MIN_BATCH:
        hints.append(Hint(
            f"Batch norm at batch size {config.batch_size}: its means and spreads over so few "
            "points are noisy, and it hurts more than it helps. On the default spiral (2 × 16 "
            "tanh, 3 seeds, 3,000 steps) it scored 59.5% at batch 10 and 98.9% at batch 32, "
            "against 89.2% without batch norm.",
            {"batch_size": BATCH_NORM_FIX_BATCH}, f"Use batch size {BATCH_NORM_FIX_BATCH}",
        ))  # fmt: skip
    starved = [(index, units, kept) for index, units, kept in _kept_units(config)
               if kept < MIN_UNITS_KEPT]  # fmt: skip
    if starved:
        index, units, kept = starved[0]
        narrowest = min(units for _, units, _ in starved)
        gentler = max(0.0, round(int(20 * (1 - MIN_UNITS_KEPT / narrowest)) / 20, 2))
        fix_label = f"Use dropout {gentler:g}" if gentler > 0 else "Switch dropout off"
        hints.append(Hint(
            f"Dropout {config.dropout:g} keeps about {kept:.1f} of layer {index}'s {units} "
            "units at each step: too few to carry the pattern. On the circle (2 × 8 tanh, 3 "
            "seeds, 2,000 steps) dropout 0.7, keeping 2.4 units, scored 76.5% against 99.7% "
            "without.",
            {"dropout": gentler}, fix_label,
        ))  # fmt: skip
    return hints


def regularisation_hint(config: Config, train_accuracy: float, test_accuracy: float | None,
                        step: int) -> Hint | None:  # fmt: skip
    """A regulariser at work where nothing overfits: train and test accuracy close and high.
    Regularisation then has nothing to cure and only costs accuracy."""
    on = [name for name, active in (
        ("dropout", config.dropout > 0), ("L2 weight decay", config.weight_decay > 0),
        ("max-norm", config.max_norm is not None), ("input dropout", config.input_dropout > 0),
        ("the L1 penalty", config.l1 > 0),
    ) if active]  # fmt: skip
    if (not on or test_accuracy is None or step < NOTHING_OVERFITS_STEPS
            or train_accuracy < NOTHING_OVERFITS_ACCURACY
            or train_accuracy - test_accuracy > NOTHING_OVERFITS_GAP):  # fmt: skip
        return None
    return Hint(
        f"Nothing overfits here: train accuracy {train_accuracy:.1%} and test accuracy "
        f"{test_accuracy:.1%} are within {100 * NOTHING_OVERFITS_GAP:.0f} points, so "
        f"{' and '.join(on)} has nothing to cure and can only cost accuracy (dropout 0.5 cost "
        "34.5 points on the default spiral, 5 seeds). Regularisation pays where a network "
        "memorises noise: few points with flipped labels and a wide network.",
        {"dataset": "circle", "n_points": 400, "train_share": 0.2, "noise": 0.1,
         "label_noise": 0.2, "hidden": parse_hidden("64relu,64relu"), "init": "he"},
        "Try it on few noisy points",
    )  # fmt: skip

"""Beside the enlarged tile of the Playground's diagram: knock its unit out, freeze its
incoming weights, or type one of them, and see the maps, the boundary and the metrics change
at once (see `core.surgery`). Only while paused: a change made between two steps of a
playing run would land at no step anyone could name."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from playground.charts.inside import DiagramUnit
from playground.core import surgery
from playground.core.session import TrainingSession
from playground.core.text import format_number
from playground.ui import keys, plain_text

__all__ = ["unit_controls"]


def _act(session: TrainingSession, action: Callable[[], None]) -> None:
    """Do `action` on the paused run, under the lock, and show its outcome at once."""
    with session.lock:
        if session.playing:  # Play was pressed meanwhile: the change would land mid-run
            return
        action()
        session.publish()


def _on_knock(session: TrainingSession, key: str, layer: int, unit: int) -> None:
    out = bool(st.session_state[key])
    _act(session, lambda: surgery.knock_out(session.runs[0], layer, unit, out))


def _on_freeze(session: TrainingSession, key: str, layer: int, unit: int) -> None:
    frozen = bool(st.session_state[key])
    _act(session, lambda: surgery.freeze(session.runs[0], layer, unit, frozen))


def _on_set_weight(session: TrainingSession, prefix: str, source_key: str, value_key: str,
                   layer: int, unit: int) -> None:  # fmt: skip
    source = st.session_state[source_key]
    value = st.session_state[value_key]
    error_key = keys.WEIGHT_ERROR.of(prefix)
    try:
        value = float(value)
        weight_from = None if source < 0 else source
        _act(session, lambda: surgery.set_weight(session.runs[0], layer, weight_from, unit, value))
        st.session_state.pop(error_key, None)
    except (TypeError, ValueError) as error:
        st.session_state[error_key] = str(error)


def unit_controls(prefix: str, session: TrainingSession, selected: DiagramUnit,
                  source_names: list[str]) -> None:  # fmt: skip
    """The switches and the weight box of the selected tile's unit. `source_names`: what
    feeds the unit's layer, input side first (the input features, or the units below)."""
    n_hidden = len(session.configs[0].hidden)
    if selected.column == 0 or selected.column > n_hidden:
        return  # an input, or the class map: no unit of its own to change
    if session.playing:
        st.caption("Pause to knock this unit out, freeze it or type one of its weights.")
        return
    layer, unit = selected.column, selected.unit
    run = session.runs[0]
    with session.lock:
        state = surgery.unit_state(run, layer, unit)
    where = f"{layer}_{unit}_{id(session)}"
    knock_key = f"{keys.UNIT_KNOCK.of(prefix)}_{where}"
    freeze_key = f"{keys.UNIT_FREEZE.of(prefix)}_{where}"
    st.session_state.setdefault(knock_key, state.knocked_out)
    st.session_state.setdefault(freeze_key, state.frozen)
    switches = st.columns(2)
    switches[0].toggle("Knock out", key=knock_key, on_change=_on_knock,
                       args=(session, knock_key, layer, unit),
                       help="Hold this unit's output at zero: the layers above no longer see "
                            "it. Switch off to let it work again.")  # fmt: skip
    switches[1].toggle("Freeze", key=freeze_key, on_change=_on_freeze,
                       args=(session, freeze_key, layer, unit),
                       help="Stop its incoming weights and bias from learning: training "
                            "leaves them exactly as they are.")  # fmt: skip
    source_key = f"{keys.WEIGHT_SOURCE.of(prefix)}_{where}"
    value_key = f"{keys.WEIGHT_VALUE.of(prefix)}_{where}"
    options = [-1, *range(len(source_names))]
    labels = {-1: "its bias", **{i: f"from {name}" for i, name in enumerate(source_names)}}
    current = {-1: state.bias, **dict(enumerate(state.weights))}
    choice_column, value_column = st.columns([3, 2])
    source = choice_column.selectbox(
        "Type a weight into this unit", options, key=source_key,
        format_func=lambda i: f"{labels[i]} (now {format_number(current[i])})",
    )  # fmt: skip
    # The key names the weight's present value: once training (or a typed value) changes it,
    # the box starts again from the new value instead of keeping an old one.
    box_key = f"{value_key}_{source}_{current[source]!r}"
    value_column.number_input("New value", value=float(round(current[source], 4)),
                              min_value=-1e6, max_value=1e6, step=0.1, format="%.4f",
                              key=box_key, on_change=_on_set_weight,
                              args=(session, prefix, source_key, box_key, layer, unit))  # fmt: skip
    error = st.session_state.get(keys.WEIGHT_ERROR.of(prefix))
    if error:
        plain_text.message(error, "error")

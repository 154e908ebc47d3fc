"""Beside the enlarged tile of the Playground's diagram: knock its unit out, freeze its
incoming weights, or type one of them, and see the maps, the boundary and the metrics change
at once (see `core.surgery`). Above it, the box a click on a weight line opens to type that
weight, as in TensorFlow Playground. Only while paused: a change made between two steps of a
playing run would land at no step anyone could name."""

from __future__ import annotations

import html
from collections.abc import Callable

import streamlit as st

from playground.charts.inside import DiagramUnit, DiagramWeight
from playground.core import surgery
from playground.core.session import TrainingSession
from playground.core.text import format_number
from playground.ui import keys, plain_text

__all__ = ["line_weight_box", "unit_controls"]


def _act(session: TrainingSession, prefix: str, action: Callable[[], None]) -> None:
    """Do `action` on the paused run, under the lock, and show its outcome at once: these
    callbacks run before the diagram's fragment, which then redraws the whole page, since the
    boundary and the metrics changed too (`NETWORK_EDITED`)."""
    with session.lock:
        if session.playing:  # Play was pressed meanwhile: the change would land mid-run
            return
        action()
        session.publish()
    st.session_state[keys.NETWORK_EDITED.of(prefix)] = True


def _on_knock(session: TrainingSession, prefix: str, key: str, layer: int, unit: int) -> None:
    out = bool(st.session_state[key])
    _act(session, prefix, lambda: surgery.knock_out(session.runs[0], layer, unit, out))


def _on_freeze(session: TrainingSession, prefix: str, key: str, layer: int, unit: int) -> None:
    frozen = bool(st.session_state[key])
    _act(session, prefix, lambda: surgery.freeze(session.runs[0], layer, unit, frozen))


def _on_set_weight(session: TrainingSession, prefix: str, source_key: str, value_key: str,
                   layer: int, unit: int) -> None:  # fmt: skip
    source = st.session_state[source_key]
    value = st.session_state[value_key]
    error_key = keys.WEIGHT_ERROR.of(prefix)
    try:
        value = float(value)
        weight_from = None if source < 0 else source
        run = session.runs[0]
        _act(session, prefix, lambda: surgery.set_weight(run, layer, weight_from, unit, value))
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
                       args=(session, prefix, knock_key, layer, unit),
                       help="Hold this unit's output at zero: the layers above no longer see "
                            "it. Switch off to let it work again.")  # fmt: skip
    switches[1].toggle("Freeze", key=freeze_key, on_change=_on_freeze,
                       args=(session, prefix, freeze_key, layer, unit),
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


def _on_type_line_weight(session: TrainingSession, prefix: str, weight: DiagramWeight,
                         value_key: str) -> None:  # fmt: skip
    value = st.session_state.get(value_key)
    error_key = keys.LINE_WEIGHT_ERROR.of(prefix)
    try:
        value = float(value)
        _act(session, prefix, lambda: surgery.set_weight(
            session.runs[0], weight.layer, weight.source, weight.unit, value))  # fmt: skip
        st.session_state.pop(error_key, None)
    except (TypeError, ValueError) as error:
        st.session_state[error_key] = str(error)


def _on_close_line_weight(prefix: str) -> None:
    st.session_state.pop(keys.LINE_WEIGHT.of(prefix), None)
    st.session_state.pop(keys.LINE_WEIGHT_ERROR.of(prefix), None)


def line_weight_box(prefix: str, session: TrainingSession, weight: DiagramWeight, name: str,
                    looked_back_to: int | None) -> None:  # fmt: skip
    """The box of the weight line last clicked: the weight's `name`, its present value, a box
    to type a new one (Enter applies it), Apply and Close. `looked_back_to`: the step the
    look-back slider shows, when it is not the present."""
    if session.playing:
        plain_text.caption(f"Pause to type the {name}: weights are typed while paused.")
        return
    if looked_back_to is not None:
        plain_text.caption(f"The views show step {looked_back_to:,}: move Look back to now "
                           f"to type the {name}.")  # fmt: skip
        return
    with session.lock:
        state = surgery.unit_state(session.runs[0], weight.layer, weight.unit)
    now = state.weights[weight.source]
    where = f"{weight.layer}_{weight.source}_{weight.unit}_{id(session)}"
    # The key names the present value, so the box starts from the new one after Apply.
    value_key = f"{keys.LINE_WEIGHT_VALUE.of(prefix)}_{where}_{now!r}"
    with st.form(key=f"{keys.LINE_WEIGHT.of(prefix)}_form", border=True):
        st.html(f"<strong>{html.escape(name[:1].upper() + name[1:])}</strong>")
        st.number_input(f"New value (now {format_number(now)})", value=now, step=0.1,
                        format="%.4f", key=value_key)  # fmt: skip
        buttons = st.container(horizontal=True)
        with buttons:
            st.form_submit_button("Apply", type="primary", on_click=_on_type_line_weight,
                                  args=(session, prefix, weight, value_key))  # fmt: skip
            st.form_submit_button("Close", on_click=_on_close_line_weight, args=(prefix,))
    error = st.session_state.get(keys.LINE_WEIGHT_ERROR.of(prefix))
    if error:
        plain_text.message(error, "error")

"""The Playground's "Backprop, one example at a time": one training point through the network,
forward to the loss and back, with one unit's formulas beside the diagram, and a button that
takes one plain SGD step on that point.

The section is an expander whose content runs only while it is open, in a fragment of its own
(choosing a point or a unit redraws only the section). Its numbers describe the network at
one moment, so they are shown only while training is paused; while it plays the section says
to pause first and draws nothing that changes. The network is read and stepped under the
session's lock, so the worker never trains it at the same time.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import streamlit as st

from playground.charts.backprop import (
    backprop_diagram_figure,
    chart_number,
    diagram_height,
    point_picker_figure,
)
from playground.charts.style import CLASS_COLORS
from playground.core.backprop import (
    PointTrace,
    StepResult,
    backward_formulas,
    forward_formulas,
    short_number,
    step_on_point,
    trace_point,
    weight_tex,
    why_not_traced,
)
from playground.core.data import PointData, fixed_subset
from playground.core.session import TrainingSession
from playground.ui import keys
from playground.ui.common_views import shown_snapshot
from playground.ui.live_chart import live_chart
from playground.ui.resources import page_fragment

__all__ = ["TITLE", "ShownStep", "backprop_section"]

TITLE = "Backprop, one example at a time"
STEP_LABEL = "Take one step on this point"
PICKER_HEIGHT = 300
PICKER_POINTS = 800  # training points drawn to click on at most (the number input reaches all)
# The formulas one under the other, each from the left edge of its column (KaTeX centres
# display formulas) and a little smaller than KaTeX's default, so that two products fit a line.
FORMULA_CSS = (
    ".st-key-{key} .stMarkdown > div {{margin-left:0 !important;align-items:flex-start !important}}"
    " .st-key-{key} .katex-display, .st-key-{key} .katex-display > .katex "
    "{{text-align:left !important}} .st-key-{key} .katex {{font-size:1.1em}}"
)
STAGES = {"forward": "Forward: z, a and the loss", "backward": "Backward: ∂L/∂z and ∂L/∂w"}


@dataclass(frozen=True)
class ShownStep:
    """A step taken on a point, shown while the network is still as that step left it: the
    session (its id) and its step count then, and the point's number."""

    session_id: int
    step_count: int
    number: int
    result: StepResult


def backprop_section(prefix: str, session: TrainingSession) -> None:
    """The section, collapsed at first; its content is drawn only while it is open."""

    @page_fragment(None)
    def section() -> None:
        if session is not st.session_state.get(keys.SESSION.of(prefix)):
            return  # a newer session replaced it: the next full run draws that one
        if st.session_state.pop(keys.BACKPROP_STEPPED.of(prefix), False):
            st.rerun(scope="app")  # a step changed the network: every view draws it anew
        with st.expander(TITLE, key=keys.BACKPROP_OPEN.of(prefix),
                         on_change="rerun") as expander:  # fmt: skip
            if expander.open:
                _draw(prefix, session)

    section()


def _draw(prefix: str, session: TrainingSession) -> None:
    network = session.runs[0].network
    reason = why_not_traced(network)
    if reason is not None:
        st.info(reason, icon=":material/info:")
        return
    if session.playing:
        st.caption("Pause training first: the numbers here describe the network at one "
                   "moment, and while it trains it changes under them.")  # fmt: skip
        st.button(STEP_LABEL, key=keys.BACKPROP_STEP_BUTTON.of(prefix), disabled=True,
                  help="Pause first.")  # fmt: skip
        return
    data: PointData = session.data
    number = _chosen_point(prefix, len(data.y_train))
    features, label = data.inputs_train[number - 1], int(data.y_train[number - 1])
    with session.lock:
        trace = trace_point(network, features, label)
        step_count = session.step_count
    shown = st.session_state.get(keys.BACKPROP_STEP.of(prefix))
    if not (isinstance(shown, ShownStep) and shown.session_id == id(session)
            and shown.step_count == step_count and shown.number == number):  # fmt: skip
        shown = None

    looking_back = shown_snapshot(prefix, session).step < session.snapshots[0].step
    st.caption(
        "One training point through the network: forward to its loss, then the gradients "
        "flowing back. The numbers are the engine's own layers' forward and backward passes "
        "on a batch of this one point, with dropout off (one example, as in evaluation); the "
        "view is for networks without batch norm. "
        + (f"It shows the network as it is now, at step {step_count:,}, not the moment you "
           "look back at." if looking_back else f"The network at step {step_count:,}.")
    )  # fmt: skip
    picker_column, point_column = st.columns([9, 11], gap="medium")
    with picker_column:
        _draw_picker(prefix, session, number)
    with point_column:
        _draw_point(prefix, session, data, number, trace, shown)

    st.session_state.setdefault(keys.BACKPROP_STAGE.of(prefix), "forward")
    stage = st.radio("Show", list(STAGES), format_func=STAGES.get, horizontal=True,
                     key=keys.BACKPROP_STAGE.of(prefix))  # fmt: skip
    columns = [len(layer.z) for layer in trace.layers]
    unit = _chosen_unit(prefix, columns)
    diagram_column, formula_column = st.columns([11, 9], gap="medium")
    with diagram_column:
        figure = backprop_diagram_figure(trace, data.feature_labels, data.class_names, stage,
                                         selected=unit)  # fmt: skip
        live_chart(figure, key=f"{prefix}backprop_diagram_chart", height=diagram_height(trace),
                   toolbar=False,
                   on_click=lambda clicked: _take_unit(prefix, clicked, columns))  # fmt: skip
        st.caption(_legend(stage))
    with formula_column:
        options = [(column, index) for column, size in enumerate(columns, start=1)
                   for index in range(size)]  # fmt: skip
        st.selectbox("Formulas of", options, key=keys.BACKPROP_UNIT.of(prefix),
                     format_func=lambda choice: _unit_label(trace, data, *choice))  # fmt: skip
        formulas = (forward_formulas if stage == "forward" else backward_formulas)(trace, *unit)
        box = f"{prefix}backprop_formulas"
        with st.container(key=box):
            st.html(f"<style>{FORMULA_CSS.format(key=box)}</style>")
            for formula in formulas:
                st.latex(formula)


def _chosen_point(prefix: str, n_points: int) -> int:
    """The number (1 .. n_points) of the training point to trace, kept in range."""
    key = keys.BACKPROP_POINT.of(prefix)
    number = st.session_state.get(key)
    if not isinstance(number, int) or not 1 <= number <= n_points:
        number = 1
        st.session_state[key] = number
    return number


def _take_point(prefix: str, clicked, n_points: int) -> None:
    """Keep a clicked training point (its number, from the browser); anything else is ignored."""
    try:
        number = int(clicked)
    except (TypeError, ValueError):
        return
    if 1 <= number <= n_points:
        st.session_state[keys.BACKPROP_POINT.of(prefix)] = number


def _chosen_unit(prefix: str, columns: list[int]) -> tuple[int, int]:
    """The (column, unit) whose formulas are shown: the one chosen if the network still has
    it, else the first unit of the last hidden layer (of the output without hidden layers)."""
    key = keys.BACKPROP_UNIT.of(prefix)
    chosen = st.session_state.get(key)
    if (isinstance(chosen, tuple) and len(chosen) == 2 and 1 <= chosen[0] <= len(columns)
            and 0 <= chosen[1] < columns[chosen[0] - 1]):  # fmt: skip
        return chosen
    default = (max(len(columns) - 1, 1), 0)
    st.session_state[key] = default
    return default


def _take_unit(prefix: str, clicked, columns: list[int]) -> None:
    """Keep a clicked box ([column, unit] from the browser) as the unit whose formulas are
    shown; anything else is ignored."""
    try:
        column, unit = (int(value) for value in clicked)
    except (TypeError, ValueError):
        return
    if 1 <= column <= len(columns) and 0 <= unit < columns[column - 1]:
        st.session_state[keys.BACKPROP_UNIT.of(prefix)] = (column, unit)


def _unit_label(trace: PointTrace, data: PointData, column: int, unit: int) -> str:
    if column == len(trace.layers):
        return f"Output {unit + 1}: class {data.class_names[unit]}"
    return f"Layer {column}, unit {unit + 1} ({trace.layers[column - 1].activation})"


def _draw_picker(prefix: str, session: TrainingSession, number: int) -> None:
    data: PointData = session.data
    n_points = len(data.y_train)
    rows = fixed_subset(n_points, PICKER_POINTS, seed=0)
    rows = np.arange(n_points) if rows is None else rows
    if number - 1 not in rows:
        rows = np.append(rows, number - 1)
    figure = point_picker_figure(
        data.grid_x, data.grid_y, session.snapshots[0].boundary, data.n_classes,
        data.X_train[rows], data.y_train[rows], rows + 1, number, data.x_range, data.y_range,
        PICKER_HEIGHT,
    )  # fmt: skip
    live_chart(figure, key=f"{prefix}backprop_points_chart", height=PICKER_HEIGHT, toolbar=False,
               on_click=lambda clicked: _take_point(prefix, clicked, n_points))  # fmt: skip


def _draw_point(prefix: str, session: TrainingSession, data: PointData, number: int,
                trace: PointTrace, shown: ShownStep | None) -> None:  # fmt: skip
    """The point's number, where it is, its class and loss; the step button and what the
    last step on it changed."""
    st.number_input("Training point #", min_value=1, max_value=len(data.y_train), step=1,
                    key=keys.BACKPROP_POINT.of(prefix))  # fmt: skip
    x, y = (chart_number(value) for value in data.X_train[number - 1])
    color = CLASS_COLORS[trace.label % len(CLASS_COLORS)]
    name = html.escape(str(data.class_names[trace.label]))
    st.html(f'<p style="margin:0">Point #{number} at ({x}, {y}), class '
            f'<b style="color:{color}">● {name}</b></p>')  # fmt: skip
    loss_column, probability_column = st.columns(2)
    probability = float(trace.probabilities[trace.label])
    loss_delta = probability_delta = None
    if shown is not None:
        before = shown.result.before
        loss_delta = _delta(trace.loss - before.loss)
        probability_delta = _delta(probability - float(before.probabilities[trace.label]))
    loss_column.metric("Loss on this point", chart_number(trace.loss), loss_delta,
                       delta_color="inverse", help="L = −log p, p the probability the "
                       "network gives the point's own class.")  # fmt: skip
    probability_column.metric("p of its class", chart_number(probability), probability_delta)
    lr = session.configs[0].lr
    st.button(STEP_LABEL, key=keys.BACKPROP_STEP_BUTTON.of(prefix), type="primary",
              icon=":material/trending_down:",
              on_click=_take_step, args=(prefix, session, number),
              help=f"w ← w − η · ∂L/∂w for every weight and bias, with η = {lr:g}, the "
                   "learning rate in the sidebar, on this point alone.")  # fmt: skip
    st.caption(f"A plain SGD step on this point alone: w ← w − η · ∂L/∂w with η = {lr:g} (the "
               "learning rate in the sidebar), no momentum, weight decay or max-norm. The "
               "step count stays as it is.")  # fmt: skip
    if shown is not None:
        _draw_changes(shown.result)


def _delta(change: float) -> str:
    """A metric's change with a plain "-" (Streamlit reads the sign from it): "-0.0421"."""
    mantissa, exponent = short_number(change)
    text = mantissa if exponent is None else f"{mantissa}e{exponent}"
    return text if text.startswith("-") else f"+{text}"


def _take_step(prefix: str, session: TrainingSession, number: int) -> None:
    """One SGD step on the point (the button's callback), only while paused and under the
    session's lock; the section's next run then draws the whole page again, so that every
    view shows the network after the step."""
    if session is not st.session_state.get(keys.SESSION.of(prefix)):
        return  # Reset or a new setup replaced the session the button was drawn for
    data: PointData = session.data
    with session.lock:
        if session.playing:  # Play was pressed meanwhile: the button's click is stale
            return
        result = step_on_point(session.runs[0].network, data.inputs_train[number - 1],
                               int(data.y_train[number - 1]), session.configs[0].lr)  # fmt: skip
        session.runs[0].note_departure(f"a step was taken on training point #{number} alone")
        session.publish()
        step_count = session.step_count
    st.session_state[keys.BACKPROP_STEP.of(prefix)] = ShownStep(id(session), step_count,
                                                                 number, result)  # fmt: skip
    st.session_state[keys.BACKPROP_STEPPED.of(prefix)] = True


def _draw_changes(result: StepResult) -> None:
    n_layers = len(result.before.layers)
    lines = [
        f"- ${weight_tex(change.layer, change.source, change.target, change.layer == n_layers)}$:"
        f" {chart_number(change.before)} → {chart_number(change.after)}"
        f" ({'+' if change.change > 0 else ''}{chart_number(change.change)})"
        for change in result.largest_changes
    ]
    st.markdown("**The step changed most:**\n" + "\n".join(lines))


def _legend(stage: str) -> str:
    if stage == "forward":
        return ("Each box: z, the weighted sum coming in, and a = f(z) (for the outputs p, the "
                "softmax), filled by a: blue positive, vermillion negative. Lines: the "
                "weights, blue positive, vermillion negative, wider when larger. Click a box "
                "for its formulas.")  # fmt: skip
    return ("Each box: ∂L/∂z, how fast the loss changes with that unit's z. Lines: ∂L/∂w = "
            "a · ∂L/∂z, blue positive (a step lowers the weight), vermillion negative (a step "
            "raises it), wider when larger. Boxes and lines share one scale, so a pale layer "
            "gets small updates. Click a box for its formulas.")  # fmt: skip

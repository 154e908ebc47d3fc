"""The Playground's "Backprop, one example at a time" through Streamlit's test runner: a chosen
point's loss and formulas, a step on it, the button while training plays, and the one line
shown for a network the view does not trace."""

from __future__ import annotations

import numpy as np
import pytest
import streamlit as st

from playground.charts.backprop import chart_number
from playground.core.backprop import trace_point
from playground.ui import keys
from playground.ui.backprop_views import STEP_LABEL, TITLE
from tests.app.messages import captions, message_text
from tests.app.run_buttons import click_run_button
from tests.app.test_app import start as open_playground

OPEN = keys.BACKPROP_OPEN.of(keys.PLAYGROUND)


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def open_section(query: dict[str, str]):
    app = open_playground(query)
    assert TITLE in [expander.label for expander in app.expander]
    assert not app.get("latex")  # closed at first: nothing in it is computed
    app.session_state[OPEN] = True  # what a click on the expander sets
    app.run()
    assert not app.exception, app.exception
    return app


def widget(app, kind: str, key):
    return next(w for w in getattr(app, kind) if w.key == key.of(keys.PLAYGROUND))


def metric(app, label: str):
    return next(m for m in app.metric if m.label == label)


def latex(app) -> str:
    return "\n".join(element.value for element in app.get("latex"))


def test_a_chosen_point_shows_its_loss_and_the_formulas_with_its_numbers():
    app = open_section({"hidden": "4tanh,3relu"})
    widget(app, "number_input", keys.BACKPROP_POINT).set_value(7).run()
    assert not app.exception, app.exception
    session = app.session_state["session"]
    data = session.data
    trace = trace_point(session.runs[0].network, data.inputs_train[6], int(data.y_train[6]))
    assert metric(app, "Loss on this point").value == chart_number(trace.loss)
    assert any("Point #7 at" in element.proto.body for element in app.get("html"))
    # the first unit of the last hidden layer, forward: its weighted sum and its ReLU
    formulas = latex(app)
    assert r"z^{(2)}_{1} &= \textstyle\sum_i w^{(2)}_{i,1}" in formulas
    assert r"a^{(2)}_{1} &= \max(0,\ z^{(2)}_{1})" in formulas
    widget(app, "radio", keys.BACKPROP_STAGE).set_value("backward").run()
    assert r"\frac{\partial L}{\partial z^{(2)}_{1}}" in latex(app)
    # the output unit of the point's class: its probability and the loss
    label = int(data.y_train[6])
    widget(app, "selectbox", keys.BACKPROP_UNIT).set_value((3, label))
    widget(app, "radio", keys.BACKPROP_STAGE).set_value("forward").run()
    assert not app.exception, app.exception
    assert rf"L &= -\log p_{{{label + 1}}}" in latex(app)
    assert latex(app).endswith(rf"&= {chart_number(trace.loss)}\end{{aligned}}" + "\n$$")


def test_one_step_on_the_point_changes_its_loss_and_only_while_paused():
    app = open_section({"hidden": "4tanh,3relu", "lr": "0.1"})
    session = app.session_state["session"]
    before = metric(app, "Loss on this point").value
    train_loss = session.snapshots[0].train_loss
    widget(app, "button", keys.BACKPROP_STEP_BUTTON).click().run()
    assert not app.exception, app.exception
    loss = metric(app, "Loss on this point")
    assert loss.value != before and loss.delta.startswith("-")  # lower on that point
    assert any(m.value.startswith("**The step changed most:**") for m in app.markdown)
    assert session.step_count == 0  # a step on one point is no training step
    assert session.snapshots[0].train_loss != train_loss  # the views show the changed network
    # an exported program cannot repeat that step, and says so
    (departure,) = session.runs[0].departures
    assert departure.startswith("a step was taken on training point #") and "step 0" in departure
    # while training plays the button waits, and says why
    click_run_button(app, "play")
    button = widget(app, "button", keys.BACKPROP_STEP_BUTTON)
    assert button.disabled and button.label == STEP_LABEL
    assert any(text.startswith("Pause training first") for text in captions(app))
    assert not app.get("latex")
    click_run_button(app, "pause")
    assert not widget(app, "button", keys.BACKPROP_STEP_BUTTON).disabled
    assert not app.exception, app.exception


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ({}, "Shown for up to 3 hidden layers of up to 8 units, so that every number fits; "
             "this network has 16 → 16 (change it under Network)."),
        ({"hidden": "2tanh,2tanh,2tanh,2tanh"}, "this network has 2 → 2 → 2 → 2"),
        ({"hidden": "4tanh", "batch_norm": "1"}, "This view is for networks without batch norm"),
    ],
)  # fmt: skip
def test_a_network_the_view_does_not_trace_gets_one_line_why(query, reason):
    app = open_section(query)
    shown = message_text(app, "info")
    assert reason in shown and "\n" not in shown
    assert not app.get("latex") and not any(b.label == STEP_LABEL for b in app.button)


def test_a_point_number_left_from_a_bigger_data_set_falls_back_to_the_first():
    app = open_section({"hidden": "3tanh", "n_points": "100"})
    app.session_state[keys.BACKPROP_POINT.of(keys.PLAYGROUND)] = 10_000
    app.run()
    assert not app.exception, app.exception
    assert widget(app, "number_input", keys.BACKPROP_POINT).value == 1
    assert np.isfinite(float(metric(app, "Loss on this point").value))


def test_a_unit_chosen_in_a_network_since_changed_falls_back_to_one_it_has():
    app = open_section({"hidden": "4tanh,3relu"})
    widget(app, "selectbox", keys.BACKPROP_UNIT).set_value((3, 1)).run()  # output unit 2
    assert r"p_{2} &= \frac" in latex(app)
    next(b for b in app.button if b.key == "remove_layer_0").click().run()  # now 3 relu → 2
    assert not app.exception, app.exception
    assert widget(app, "selectbox", keys.BACKPROP_UNIT).value == (1, 0)
    assert r"a^{(1)}_{1} &= \max(0,\ z^{(1)}_{1})" in latex(app)

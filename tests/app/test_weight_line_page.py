"""A click on a weight line of the Playground's diagram opens a box to type that weight, as in
TensorFlow Playground: Apply sets exactly that weight of the network, the views follow at once,
a value out of reach is refused with a message, and a click the diagram did not send changes
nothing."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import streamlit as st
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from playground.charts.inside import DiagramUnit, DiagramWeight
from playground.ui import keys
from tests.app.messages import captions, message_text
from tests.app.run_buttons import click_run_button
from tests.app.test_app import start as open_playground

LINE_WEIGHT = keys.LINE_WEIGHT.of(keys.PLAYGROUND)
SELECTED_UNIT = keys.SELECTED_UNIT.of(keys.PLAYGROUND)


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


CLICK_IDS = (f"test-{n}" for n in itertools.count())


def click_diagram(app: AppTest, payload, click_id: str | None = None) -> None:
    """A click in the diagram as the browser sends it: the live chart's "click" event with the
    clicked point's customdata and an id of its own (AppTest has no way to click inside a
    component); then a run."""
    (chart,) = [e for e in app.get("bidi_component") if e.proto.id.endswith("-diagram_chart")]
    states = app._tree.get_widget_states()
    states.widgets.append(WidgetState(
        id=_make_trigger_id(chart.proto.id, "events"),
        json_trigger_value=json.dumps([{"event": "click",
                                        "value": {"id": click_id or next(CLICK_IDS),
                                                  "value": payload}}]),
    ))  # fmt: skip
    app._run(states)
    assert not app.exception, app.exception


def value_boxes(app: AppTest) -> list:
    start = keys.LINE_WEIGHT_VALUE.of(keys.PLAYGROUND)
    return [w for w in app.number_input if w.key and w.key.startswith(start)]


def value_box(app: AppTest):
    (box,) = value_boxes(app)
    return box


def press(app: AppTest, label: str) -> None:
    (button,) = [b for b in app.button if b.label == label]
    button.click().run()
    assert not app.exception, app.exception


def test_a_clicked_line_opens_its_box_and_apply_sets_exactly_that_weight():
    app = open_playground({"dataset": "xor", "hidden": "4tanh,3tanh", "lr": "0.1"})
    session = app.session_state["session"]
    network = session.runs[0].network
    before = [layer.params["W"].copy() for layer in network.dense_layers()]
    loss_before = session.snapshots[0].train_loss

    click_diagram(app, ["weight", 2, 3, 1])  # from layer 1, unit 4 to layer 2, unit 2
    assert app.session_state[LINE_WEIGHT] == DiagramWeight(2, 3, 1)
    assert app.session_state[SELECTED_UNIT] == DiagramUnit(2, 1)  # the unit it leads to
    box = value_box(app)
    assert box.value == float(before[1][3, 1])
    assert box.label.startswith("New value (now ")
    names = [element.proto.body for element in app.get("html")]
    assert "<strong>Weight from layer 1, unit 4 to layer 2, unit 2</strong>" in names

    box.set_value(-1.25)
    press(app, "Apply")
    after = [layer.params["W"] for layer in network.dense_layers()]
    expected = [weights.copy() for weights in before]
    expected[1][3, 1] = np.float32(-1.25)
    for got, want in zip(after, expected, strict=True):
        np.testing.assert_array_equal(got, want)  # that weight, and no other
    assert session.snapshots[0].train_loss != loss_before  # the metrics follow at once
    (departure,) = session.runs[0].departures
    assert departure.startswith("the weight from 4 into layer 2, unit 2 was set to -1.25")
    assert value_box(app).label == "New value (now -1.250)"  # the box shows the new value

    press(app, "Close")
    assert LINE_WEIGHT not in app.session_state
    assert value_boxes(app) == []
    click_diagram(app, ["weight", 1, 0, 2])
    click_diagram(app, [0, 1])  # a tile's click closes the box
    assert value_boxes(app) == [] and app.session_state[SELECTED_UNIT] == DiagramUnit(0, 1)


def test_an_output_weight_enlarges_the_class_map_and_a_value_out_of_reach_is_refused():
    app = open_playground({"dataset": "xor", "hidden": "4tanh"})
    network = app.session_state["session"].runs[0].network
    before = network.dense_layers()[1].params["W"].copy()
    click_diagram(app, ["weight", 2, 0, 1])  # from layer 1, unit 1 to the second class
    assert app.session_state[SELECTED_UNIT] == DiagramUnit(2, 0)  # the class map
    box = value_box(app)
    box.set_value(5e6)
    press(app, "Apply")
    assert "between -1e6 and 1e6" in message_text(app, "error")
    np.testing.assert_array_equal(network.dense_layers()[1].params["W"], before)


@pytest.mark.parametrize("payload", [
    ["weight", 9, 0, 0],  # no such layer
    ["weight", 1, 0, 99],  # a unit the diagram does not draw
    ["weight", 1, -1, 0],
    ["weight", "1", "0", "0"],
    ["weight", 1.5, 0, 0],
    ["weight", True, 0, 0],
    ["weight", 1, 0],
    ["weight"],
    "weight",
    {"weight": [1, 0, 0]},
    None,
    ["<b>", 1, 0, 0],
])  # fmt: skip
def test_a_click_the_diagram_did_not_send_changes_nothing(payload):
    app = open_playground({"dataset": "xor", "hidden": "4tanh"})
    app.session_state[SELECTED_UNIT] = DiagramUnit(1, 2)
    app.run()
    click_diagram(app, payload)
    assert LINE_WEIGHT not in app.session_state
    assert app.session_state[SELECTED_UNIT] == DiagramUnit(1, 2)
    click_diagram(app, [1, 3])  # a tile's click, sent the same way, is taken
    assert app.session_state[SELECTED_UNIT] == DiagramUnit(1, 3)


def test_a_click_handed_to_two_runs_is_taken_once():
    """Streamlit was seen to hand one click to two reruns in a row (a fragment's timed rerun
    beside the click's): the chart's id for each click makes the second a no-op."""
    app = open_playground({"dataset": "xor", "hidden": "4tanh"})
    click_diagram(app, [1, 2], click_id="tab-7")
    assert app.session_state[SELECTED_UNIT] == DiagramUnit(1, 2)
    app.session_state[SELECTED_UNIT] = DiagramUnit(1, 0)
    app.run()
    click_diagram(app, [1, 2], click_id="tab-7")  # the same click again: left alone
    assert app.session_state[SELECTED_UNIT] == DiagramUnit(1, 0)
    click_diagram(app, [1, 2], click_id="tab-8")  # a new click on the same tile: taken
    assert app.session_state[SELECTED_UNIT] == DiagramUnit(1, 2)
    click_diagram(app, [1, 3], click_id=None)
    click_diagram(app, {"no id": [1, 0]}, click_id=None)  # not what the chart sends
    assert app.session_state[SELECTED_UNIT] == DiagramUnit(1, 3)


def test_while_playing_a_clicked_line_waits_for_a_pause():
    app = open_playground({"dataset": "xor", "hidden": "4tanh"})
    click_run_button(app, "play")
    click_diagram(app, ["weight", 1, 0, 2])
    assert app.session_state[LINE_WEIGHT] == DiagramWeight(1, 0, 2)
    assert any("weights are typed while paused" in caption for caption in captions(app))
    assert value_boxes(app) == []
    click_run_button(app, "pause")
    assert value_box(app)
    assert not app.exception


def test_while_looking_back_the_box_asks_for_the_present():
    app = open_playground({"dataset": "xor", "hidden": "4tanh"})
    for _ in range(3):
        click_run_button(app, "step")
    (slider,) = [s for s in app.select_slider if s.key.startswith("look_back_")]
    slider.set_value(1).run()
    click_diagram(app, ["weight", 1, 1, 3])
    assert any("The views show step 1: move Look back to now" in caption
               for caption in captions(app))  # fmt: skip
    assert value_boxes(app) == []

"""The Playground's "Inside the network" views through Streamlit's test runner: the diagram of
maps, the enlarged tile, the health histograms, the hints, and the switch that hides them."""

from __future__ import annotations

import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from playground.charts.inside import DiagramUnit
from playground.ui.keys import FIRST_PAINT, PLAYGROUND
from tests.app.messages import lines, message_text
from tests.app.run_buttons import click_run_button
from tests.app.sections import component_keys
from tests.app.test_app import APP, TIMEOUT
from tests.app.test_app import start as open_playground


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def test_neuron_maps_and_layer_health_are_drawn():
    app = open_playground({"hidden": "20relu,6tanh"})
    click_run_button(app, "step")
    assert "Inside the network" in [h.value for h in app.header]
    snapshot = app.session_state["session"].snapshots[0]
    first, second = snapshot.neuron_maps
    assert first.shape == (16, 25, 25) and second.shape == (6, 25, 25)  # 16 of the 20 units
    shown_lines = lines(app)
    assert any(line.startswith("Layer 1 · 20 ReLU:") and "dead" in line for line in shown_lines)
    assert any(line.startswith("Layer 2 · 6 tanh:") and "saturated" in line for line in shown_lines)


def test_a_fresh_page_draws_the_views_below_the_fold_once_the_browser_has_shown_it():
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.run()  # a new browser session's first run: only what the top of the page shows
    assert not app.exception, app.exception
    keys = component_keys(app)
    assert {"run_controls", "boundary_chart", "loss_chart", "first_paint_probe"} <= keys
    assert not {"diagram_chart", "health_chart", "norms_chart"} & keys
    assert "Inside the network" not in [h.value for h in app.header]
    app.session_state[FIRST_PAINT.of(PLAYGROUND)] = True  # what the probe's request sets
    app.run()
    keys = component_keys(app)
    assert {"diagram_chart", "health_chart", "norms_chart"} <= keys
    assert "first_paint_probe" not in keys
    assert "Inside the network" in [h.value for h in app.header]


def test_batch_norm_with_batch_size_one_is_explained_before_play():
    app = open_playground({"batch_norm": "1", "batch_size": "1"})
    warnings = message_text(app, "warning")
    assert "Batch norm with batch size 1" in warnings


def test_a_deep_sigmoid_net_with_small_init_names_its_saturated_layer():
    # Glorot & Bengio (2010): the top sigmoid layer of a deep net saturates early on.
    app = open_playground({"hidden": "64sigmoid,64sigmoid,64sigmoid,64sigmoid",
                           "init": "small"})  # fmt: skip
    app.session_state["session"].step(300)  # as 300 clicks on Step would
    app.run()
    hints = message_text(app, "warning")
    assert "Layer 4: 100% of its sigmoid units are saturated" in hints
    shown_lines = lines(app)
    assert "Layer 1 · 64 sigmoid: 0% saturated" in shown_lines


def live_charts(app) -> dict[str, dict]:
    """What each live chart was last sent, by key: {"traces": [...], "layout": {...}}."""
    charts = {}
    for element in app.get("bidi_component"):
        data = json.loads(element.proto.json)
        if not isinstance(data, dict) or "traces" not in data:
            continue  # another component (the run buttons)
        charts[element.proto.id.rsplit("-", 1)[-1]] = {
            "traces": [json.loads(trace) for trace in data["traces"]],
            "layout": json.loads(data["layout"]),
        }
    return charts


def test_the_diagram_of_maps_the_enlarged_tile_and_the_histograms_are_drawn():
    app = open_playground({"hidden": "20relu,6tanh"})
    click_run_button(app, "step")
    charts = live_charts(app)
    assert {"diagram_chart", "unit_map_chart", "health_chart"} <= set(charts)
    assert "architecture_chart" not in charts  # the diagram carries the network's shape
    texts = [a["text"] for a in charts["diagram_chart"]["layout"]["annotations"]]
    assert "+ 4 more" in texts and "Layer 1<br>20 relu" in texts
    # the last hidden layer's first unit is enlarged until another is chosen
    assert charts["unit_map_chart"]["layout"]["title"]["text"] == "Layer 2, unit 1 (tanh)"
    rows = [a["text"] for a in charts["health_chart"]["layout"]["annotations"]]
    assert any(row.startswith("Layer 1 · 20 ReLU: <b>") and "dead" in row for row in rows)
    assert any(row.startswith("Layer 2 · 6 tanh: <b>") for row in rows)
    assert "Output · 2 softmax" in rows


def test_a_chosen_tile_is_enlarged_and_a_stale_choice_falls_back():
    app = open_playground({"features": "x1,x2,x1sq"})
    app.session_state["inside_unit"] = DiagramUnit(0, 2)  # as a click on the x₁² tile
    app.run()
    assert not app.exception
    title = live_charts(app)["unit_map_chart"]["layout"]["title"]["text"]
    assert title == "Input x₁²"
    app.session_state["inside_unit"] = DiagramUnit(1, 99)  # no such unit (the net changed)
    app.run()
    assert not app.exception
    title = live_charts(app)["unit_map_chart"]["layout"]["title"]["text"]
    assert title == "Layer 2, unit 1 (tanh)"
    app.session_state["inside_unit"] = "nonsense"
    app.run()
    assert not app.exception


def test_circle_with_squared_features_and_no_hidden_layer_shows_inputs_and_class_map():
    app = open_playground({"dataset": "circle", "features": "x1sq,x2sq", "hidden": "none"})
    click_run_button(app, "step")
    charts = live_charts(app)
    texts = [a["text"] for a in charts["diagram_chart"]["layout"]["annotations"]]
    assert texts[:2] == ["Input", "Output"] and "x₁²" in texts
    assert charts["unit_map_chart"]["layout"]["title"]["text"] == "The class map"
    rows = [a["text"] for a in charts["health_chart"]["layout"]["annotations"]]
    assert "Output · 2 softmax" in rows


def test_switching_the_inside_views_off_draws_the_plain_diagram_and_keeps_the_hints():
    app = open_playground({"hidden": "64sigmoid,64sigmoid,64sigmoid,64sigmoid",
                           "init": "small"})  # fmt: skip
    next(t for t in app.toggle if t.key == "show_inside").set_value(False).run()
    session = app.session_state["session"]
    session.step(300)
    app.run()
    assert not app.exception
    charts = live_charts(app)
    assert "architecture_chart" in charts
    assert not {"diagram_chart", "unit_map_chart", "health_chart"} & set(charts)
    assert session.snapshots[0].neuron_maps is None and session.snapshots[0].histograms == ()
    hints = message_text(app, "warning")
    assert "Layer 4: 100% of its sigmoid units are saturated" in hints
    next(t for t in app.toggle if t.key == "show_inside").set_value(True).run()
    assert {"diagram_chart", "health_chart"} <= set(live_charts(app))

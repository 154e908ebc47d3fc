"""Hands on the network, on the Playground: knock a unit out, freeze it, type a weight; the
views change at once, and training leaves a frozen unit's weights exactly as they are."""

from __future__ import annotations

import numpy as np
import pytest
import streamlit as st

from playground.charts.inside import DiagramUnit
from playground.ui import keys
from tests.app.run_buttons import click_run_button
from tests.app.test_app import start as open_playground


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def widget_starting(app, kind: str, start: str):
    (found,) = [w for w in getattr(app, kind) if w.key and w.key.startswith(start)]
    return found


def test_knock_out_freeze_and_type_a_weight_while_paused():
    app = open_playground({"dataset": "xor", "hidden": "4tanh,3tanh", "lr": "0.1"})
    app.session_state[keys.SELECTED_UNIT.of(keys.PLAYGROUND)] = DiagramUnit(1, 2)
    app.run()
    session = app.session_state["session"]
    run = session.runs[0]
    loss_before = session.snapshots[0].train_loss

    widget_starting(app, "toggle", keys.UNIT_KNOCK.of(keys.PLAYGROUND)).set_value(True).run()
    assert not app.exception
    assert run.network.knocked_out() == {1: [2]}
    assert (session.snapshots[0].neuron_maps[0][2] == session.snapshots[0].neuron_maps[0][2][0, 0]
            ).all()  # its map is flat: the unit is held at zero everywhere  # fmt: skip
    assert session.snapshots[0].train_loss != loss_before  # the metrics follow at once

    widget_starting(app, "toggle", keys.UNIT_FREEZE.of(keys.PLAYGROUND)).set_value(True).run()
    frozen = run.network.unit_parameters(1, 2)
    before = run.network.param_vector[frozen].copy()
    for _ in range(5):
        click_run_button(app, "step", run=False)
        app.run()
    assert session.step_count == 5
    np.testing.assert_array_equal(run.network.param_vector[frozen], before)

    source = widget_starting(app, "selectbox", keys.WEIGHT_SOURCE.of(keys.PLAYGROUND))
    source.set_value(1).run()  # the weight from x₂
    value = widget_starting(app, "number_input", keys.WEIGHT_VALUE.of(keys.PLAYGROUND))
    value.set_value(1.5).run()
    assert not app.exception
    assert run.network.dense_layers()[0].params["W"][1, 2] == np.float32(1.5)
    departures = " | ".join(run.departures)
    assert "layer 1, unit 3 was knocked out" in departures
    assert "were frozen" in departures and "set to 1.5" in departures


def test_while_playing_the_controls_wait_for_a_pause():
    app = open_playground({"dataset": "xor", "hidden": "4tanh"})
    app.session_state[keys.SELECTED_UNIT.of(keys.PLAYGROUND)] = DiagramUnit(1, 0)
    app.run()
    click_run_button(app, "play")
    assert any("Pause to knock this unit out" in caption.value for caption in app.caption)
    assert not [w for w in app.toggle if w.key and w.key.startswith("unit_knock")]
    click_run_button(app, "pause")
    assert [w for w in app.toggle if w.key and w.key.startswith("unit_knock")]
    assert not app.exception

"""Looking back on a paused run through Streamlit's test runner: the slider steps through the
moments the run kept, every view then shows exactly what the page showed at that step, and
Play or Step go on from the present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.app.run_buttons import click_run_button, wait_until_trained
from tests.app.sections import on_screen

APP = str(Path(__file__).resolve().parents[2] / "app.py")
# The live charts every moment redraws: decision boundary, curves, weight norms, the diagram
# of maps, the enlarged tile and the health histograms.
CHARTS = (
    "boundary_chart",
    "loss_chart",
    "accuracy_chart",
    "norms_chart",
    "diagram_chart",
    "unit_map_chart",
    "health_chart",
)


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def open_playground() -> AppTest:
    app = on_screen(AppTest.from_file(APP, default_timeout=60))
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def look_back_sliders(app: AppTest):
    return [slider for slider in app.select_slider if slider.key.startswith("look_back_")]


def what_is_shown(app: AppTest) -> dict:
    """The metric tiles, and the data each live chart was last sent (its traces)."""
    shown = {m.label: m.value for m in app.metric}
    for element in app.get("bidi_component"):
        key = element.proto.id.rsplit("-", 1)[-1]
        if key in CHARTS:
            shown[key] = json.loads(element.proto.json)["traces"]
    assert set(CHARTS) <= set(shown), sorted(shown)
    return shown


def test_looking_back_shows_every_view_as_it_was_and_step_goes_on_from_the_present():
    app = open_playground()
    assert look_back_sliders(app) == []  # one moment only: nothing to look back on
    seen = {0: what_is_shown(app)}
    for step in range(1, 7):
        click_run_button(app, "step")
        seen[step] = what_is_shown(app)
        assert seen[step]["Step"] == str(step)
    (slider,) = look_back_sliders(app)
    assert slider.value == 6 and slider.options == [f"step {s}" for s in range(7)]

    slider.set_value(2).run()
    assert not app.exception
    assert what_is_shown(app) == seen[2]  # metrics, boundary, curves, norms, neuron maps
    assert seen[2]["Train loss"] != seen[6]["Train loss"]
    assert seen[2]["boundary_chart"] != seen[6]["boundary_chart"]
    status = " ".join(c.value for c in app.caption)
    assert "Looking back at step 2" in status and "the present, step 6" in status
    assert app.session_state["session"].step_count == 6  # looking changes nothing

    click_run_button(app, "step")  # goes on from the present
    assert app.metric[0].value == "7"
    assert look_back_sliders(app)[0].value == 7


def test_play_leaves_the_past_and_pause_looks_from_the_present():
    app = open_playground()
    for _ in range(3):
        click_run_button(app, "step")
    look_back_sliders(app)[0].set_value(1).run()
    assert app.metric[0].value == "1"
    click_run_button(app, "play")
    assert look_back_sliders(app) == []  # no looking back while training
    assert app.metric[0].value != "1"
    wait_until_trained(app.session_state["session"], beyond=3)
    click_run_button(app, "pause")
    present = app.session_state["session"].step_count
    assert present > 3
    (slider,) = look_back_sliders(app)
    assert slider.value == present and app.metric[0].value == f"{present:,}"

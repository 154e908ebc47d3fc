"""Points drawn by hand, on the Playground: start a drawn set from the points shown or from an
empty plane, and a changed set joins the running session instead of restarting it."""

from __future__ import annotations

import pytest
import streamlit as st

from playground.core import drawn
from playground.ui import keys
from tests.app.run_buttons import click_run_button
from tests.app.test_app import start as open_playground

POINTS = ((-3.0, -3.0, 0), (-2.0, -3.5, 0), (3.0, 3.0, 1), (2.5, 3.5, 1))
POINTS_KEY = "setting_points"


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def texts(app) -> str:
    return " ".join(str(element.value) for kind in ("caption", "markdown", "header", "info",
                                                    "warning", "error")
                    for element in getattr(app, kind))  # fmt: skip


def test_an_empty_drawn_set_shows_the_plane_to_draw_on_and_no_run():
    app = open_playground({"dataset": "drawn"})
    assert "Draw your points" in texts(app)
    assert "session" not in app.session_state  # nothing to train yet
    assert [radio.options for radio in app.radio] == [
        ["Class 0 (blue)", "Class 1 (orange)", "Class 2 (green), new"]
    ]


def test_start_from_the_points_shown_then_edit_them_while_the_run_goes_on():
    app = open_playground({"dataset": "moons", "n_points": "200"})
    (switch,) = [t for t in app.toggle if t.label == "Edit points"]
    switch.set_value(True).run()
    start = [b for b in app.button if b.label == "Start from these points"][0]
    start.click().run()
    assert not app.exception
    session = app.session_state["session"]
    config = session.configs[0]
    assert config.dataset == "drawn" and len(config.points) == 100  # the training half
    assert "100 of 400 points" in texts(app)

    for _ in range(3):
        click_run_button(app, "step", run=False)
        app.run()
    points = config.points
    app.session_state[POINTS_KEY] = drawn.add_point(points, 5.0, 5.0, 1)
    app.run()
    assert app.session_state["session"] is session  # the same run goes on
    assert session.step_count == 3 and len(session.runs[0].trainer.y_train) == 101
    assert session.configs[0].points[-1] == (5.0, 5.0, 1)
    assert app.query_params["points"] == drawn.encode_points(session.configs[0].points)

    # A point of a class the network has no output for starts a new run, with 3 outputs.
    app.session_state[POINTS_KEY] = drawn.add_point(session.configs[0].points, 0.0, 0.0, 2)
    app.run()
    new = app.session_state["session"]
    assert new is not session and new.step_count == 0
    assert new.runs[0].network.dense_layers()[-1].n_out == 3


def test_clear_leaves_the_empty_plane_and_the_link_without_points():
    app = open_playground({"dataset": "drawn", "points": drawn.encode_points(POINTS)})
    assert len(app.session_state["session"].configs[0].points) == 4
    [b for b in app.button if b.label == "Clear"][0].click().run()
    assert not app.exception
    assert "Draw your points" in texts(app)
    assert "points" not in app.query_params


def test_drawn_sets_have_no_test_split_in_the_sidebar():
    app = open_playground({"dataset": "drawn", "points": drawn.encode_points(POINTS)})
    labels = {w.label for kind in ("select_slider", "toggle") for w in getattr(app.sidebar, kind)}
    assert "Training share" not in labels and "Label noise" not in labels
    assert "Show test data" not in labels
    assert keys.EDIT_POINTS.of(keys.PLAYGROUND) in app.session_state


def test_the_compare_page_asks_for_points_drawn_on_the_playground():
    from streamlit.testing.v1 import AppTest

    from tests.app.test_app import APP, TIMEOUT

    for points, asked in (("", True), (drawn.encode_points(POINTS), False)):
        app = AppTest.from_file(APP, default_timeout=TIMEOUT)
        app.switch_page("pages/compare.py")
        app.query_params.update(dataset="drawn", points=points)
        app.run()
        assert not app.exception
        infos = " ".join(info.value for info in app.info)
        assert ("Draw them on the Playground" in infos) == asked

"""Input features on the Playground through Streamlit's test runner: from the link, from the
sidebar's pills, hidden for a lesson, absent on the MNIST page; and a network without hidden
layers that learns the circle from x₁² and x₂²."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.app.messages import messages
from tests.app.sections import on_screen, open_sections
from tests.app.test_app import notes_of

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def open_page(query: dict, page: str | None = None) -> AppTest:
    app = on_screen(open_sections(AppTest.from_file(APP, default_timeout=60)))
    app.query_params.update(query)
    if page:
        app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def feature_pills(app: AppTest, prefix: str = ""):
    return [p for p in app.sidebar.pills if p.key == f"{prefix}setting_features"]


def test_the_circle_without_hidden_layers_learns_from_the_squares_in_the_link():
    app = open_page({"dataset": "circle", "features": "x1sq,x2sq", "hidden": "none",
                     "lr": "0.1"})  # fmt: skip
    assert not messages(app, "warning")
    (pills,) = feature_pills(app)
    assert pills.value == ["x1sq", "x2sq"]
    assert app.query_params["features"] == "x1sq,x2sq"
    session = app.session_state["session"]
    assert repr(session.runs[0].network) == "Network(2 → Dense(2, 2))"  # logistic regression
    assert session.data.grid_inputs.shape == (100 * 100, 2)
    assert any(c.value.startswith("Inputs: x₁², x₂². 6 parameters") for c in app.caption)
    assert any("No hidden layer" in c.value for c in app.sidebar.caption)
    session.step(300)  # as 300 clicks on Step would
    app.run()
    assert not app.exception
    assert metric(app, "Step") == "300"
    assert float(metric(app, "Test accuracy").rstrip("%")) >= 90.0
    assert session.snapshots[0].boundary.shape == (100, 100)


def test_choosing_features_in_the_sidebar_restarts_with_that_many_inputs():
    app = open_page({})
    (pills,) = feature_pills(app)
    assert pills.value == ["x1", "x2"]
    session = app.session_state["session"]
    session.step(5)
    pills.set_value(["x1x2", "x1", "x2"]).run()
    renewed = app.session_state["session"]
    assert renewed is not session and renewed.step_count == 0  # not live: a new run
    assert renewed.configs[0].features == ("x1", "x2", "x1x2")
    assert renewed.data.inputs_train.shape[1] == 3
    assert renewed.runs[0].network.dense_layers()[0].params["W"].shape == (3, 16)
    assert app.query_params["features"] == "x1,x2,x1x2"
    assert any(c.value.startswith("Inputs: x₁, x₂, x₁x₂.") for c in app.caption)
    # The neuron maps are drawn over the plane from the expanded grid as well.
    first, second = renewed.snapshots[0].neuron_maps
    assert first.shape == (16, 25, 25) and second.shape == (16, 25, 25)


def test_deselecting_every_feature_falls_back_with_a_note():
    app = open_page({"features": "x1sq"})
    (pills,) = feature_pills(app)
    pills.set_value([]).run()
    assert not app.exception
    assert "Input features: the network needs at least one input feature" in notes_of(app)
    assert app.session_state["session"].configs[0].features == ("x1", "x2")
    assert feature_pills(app)[0].value == ["x1", "x2"]


def test_a_bad_feature_in_the_link_gives_a_note():
    app = open_page({"features": "x1,x3"})
    assert "Input features: 'x1,x3' is not allowed" in notes_of(app)
    assert app.session_state["session"].configs[0].features == ("x1", "x2")


@pytest.mark.parametrize("hide", ["features", "network"])
def test_a_lesson_can_hide_the_features_and_keep_the_link_s(hide):
    app = open_page({"features": "x1,x2,x1x2", "hide": hide})
    assert feature_pills(app) == []
    assert app.session_state["session"].data.inputs_train.shape[1] == 3


def test_the_mnist_page_has_no_features():
    app = open_page({}, page="pages/mnist.py")
    assert feature_pills(app, prefix="mnist_") == []
    assert app.session_state["mnist_session"].data.inputs_train.shape[1] == 784

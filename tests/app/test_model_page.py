"""Saving and loading a model on the Playground page, through Streamlit's test runner."""

from __future__ import annotations

import time

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.app.messages import message_text
from tests.app.run_buttons import click_run_button
from tests.app.test_app import start as open_playground


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def saved_model(app: AppTest) -> bytes:
    from playground.core.model_io import save_model

    session = app.session_state["session"]
    run = session.runs[0]
    return save_model(run.network, run.config, 2, len(session.data.class_names))


def save_button(app: AppTest):
    (button,) = [b for b in app.get("download_button") if b.proto.label == "Save the trained model"]
    return button


def test_a_saved_model_loads_with_its_setup_and_weights():
    trained = open_playground({"dataset": "xor", "hidden": "6relu", "lr": "0.03"})
    for _ in range(20):
        click_run_button(trained, "step", run=False)
        trained.run()
    content = saved_model(trained)
    weights = trained.session_state["session"].runs[0].network.param_vector.copy()

    app = open_playground({})  # another student, on the default spiral
    app.sidebar.file_uploader(key="model_upload").set_value(("model.npz", content, "x"))
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    session = app.session_state["session"]
    assert (session.configs[0].dataset, session.configs[0].lr) == ("xor", 0.03)
    assert np.array_equal(session.runs[0].network.param_vector, weights)
    assert "Model loaded" in message_text(app, "success")
    assert app.query_params["dataset"] in ("xor", ["xor"])  # the link shows the loaded setup


def test_a_bad_model_file_gets_a_message_and_changes_nothing():
    app = open_playground({})
    before = app.session_state["session"].configs[0]
    app.sidebar.file_uploader(key="model_upload").set_value(("model.npz", b"PK\x03\x04junk", "x"))
    app.run()
    assert not app.exception
    assert "not a model file" in message_text(app, "error")
    assert app.session_state["session"].configs[0] == before


def test_save_waits_for_a_pause_and_then_holds_the_weights_of_that_step():
    # The file is written with the page; while training only the live views redraw, so a
    # button offered then saved the weights from when Play was pressed (a real browser
    # showed it: saved at step 10,000-15,000, the file held the step-0 weights).
    app = open_playground({"dataset": "xor"})
    click_run_button(app, "play")
    button = save_button(app)
    assert button.proto.disabled
    assert any("Pause to save" in c.value for c in app.sidebar.caption)
    session = app.session_state["session"]
    deadline = time.monotonic() + 20
    while session.step_count == 0 and time.monotonic() < deadline:
        time.sleep(0.05)

    click_run_button(app, "pause")
    button = save_button(app)
    assert not button.proto.disabled
    assert session.step_count > 0
    assert any(f"step {session.step_count:,}" in c.value for c in app.sidebar.caption), [
        c.value for c in app.sidebar.caption
    ]

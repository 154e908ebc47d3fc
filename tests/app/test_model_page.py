"""Saving and loading a model on the Playground page, through Streamlit's test runner."""

from __future__ import annotations

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.app.run_buttons import click_run_button
from tests.app.test_app import shown
from tests.app.test_app import start as open_playground


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def saved_model(app: AppTest) -> bytes:
    from playground.model_io import save_model

    session = app.session_state["session"]
    run = session.runs[0]
    return save_model(run.network, run.config, 2, len(session.data.class_names))


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
    assert "Model loaded" in " ".join(shown(s.value) for s in app.success)
    assert app.query_params["dataset"] in ("xor", ["xor"])  # the link shows the loaded setup


def test_a_bad_model_file_gets_a_message_and_changes_nothing():
    app = open_playground({})
    before = app.session_state["session"].configs[0]
    app.sidebar.file_uploader(key="model_upload").set_value(("model.npz", b"PK\x03\x04junk", "x"))
    app.run()
    assert not app.exception
    assert "not a model file" in " ".join(shown(e.value) for e in app.error)
    assert app.session_state["session"].configs[0] == before

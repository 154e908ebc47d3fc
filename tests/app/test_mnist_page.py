"""The MNIST page through Streamlit's test runner: it opens on the offline sample, trains a
step, shows test images with the network's guesses, and keeps the Playground's setup."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from playground.config import MNIST_PAGE
from tests.app.run_buttons import click_run_button

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def open_mnist(query: dict | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params.update(query or {})
    app.switch_page("pages/mnist.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_the_mnist_page_opens_on_the_offline_sample_and_steps():
    app = open_mnist()
    session = app.session_state["mnist_session"]
    assert session.configs[0] == MNIST_PAGE.default
    assert session.data.inputs_train.shape == (4000, 784)
    assert any("4,000 training and 1,000 test images" in c.value for c in app.caption)
    click_run_button(app, "step", prefix="mnist_", run=False)
    app.run()
    assert app.session_state["mnist_session"].step_count == 1
    assert app.metric[0].value == "1"
    predicted, confidence = app.session_state["mnist_session"].snapshots[0].examples
    assert predicted.shape == (16,) and ((confidence > 0) & (confidence <= 1)).all()


def test_the_mnist_page_offers_image_sets_and_wide_layers_only():
    app = open_mnist({"dataset": "spiral", "hidden": "1024relu", "input_dropout": "0.2"})
    config = app.session_state["mnist_session"].configs[0]
    assert config.dataset == "mnist" and config.hidden[0].units == 1024
    assert config.input_dropout == 0.2
    notes = [html.unescape(w.value).replace("\u2060", "") for w in app.warning]
    assert len(notes) == 1 and "not on the MNIST page" in notes[0]
    datasets = next(s for s in app.sidebar.selectbox if s.key == "mnist_setting_dataset")
    assert datasets.options == ["MNIST (handwritten digits)", "Fashion-MNIST (clothes)"]


def test_fashion_mnist_has_no_offline_sample_and_says_so():
    app = open_mnist({"dataset": "fashion-mnist", "source": "sample"})
    messages = " ".join(html.unescape(e.value) for e in app.error)
    assert "Only MNIST has an offline sample" in messages
    assert "mnist_session" not in app.session_state

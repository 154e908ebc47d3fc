"""The MNIST page through Streamlit's test runner: it opens on the offline sample, trains a
step, shows test images with the network's guesses, what it gets wrong and its first layer's
weights, and keeps the Playground's setup."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from playground.core.config import MNIST_PAGE
from tests.app.messages import message_text, messages
from tests.app.run_buttons import click_run_button
from tests.app.sections import component_keys, on_screen, open_sections

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def open_mnist(query: dict | None = None) -> AppTest:
    app = on_screen(open_sections(AppTest.from_file(APP, default_timeout=60)))
    app.query_params.update(query or {})
    app.switch_page("pages/mnist.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def chart_traces(app: AppTest, key: str) -> list[dict]:
    """The traces the page last sent to the live chart under `key`."""
    element = next(e for e in app.get("bidi_component") if e.proto.id.endswith(f"-{key}"))
    return [json.loads(trace) for trace in json.loads(element.proto.json)["traces"]]


def confusion_cells(app: AppTest) -> list[str]:
    """The non-empty cells of the confusion matrix as written, right guesses first."""
    return [
        cell
        for trace in chart_traces(app, "mnist_confusion_chart")
        for row in trace["text"]
        for cell in row
        if cell
    ]


def step(app: AppTest) -> None:
    click_run_button(app, "step", prefix="mnist_", run=False)
    app.run()
    assert not app.exception, [e.value for e in app.exception]


def test_the_mnist_page_opens_on_the_offline_sample_and_steps():
    app = open_mnist()
    session = app.session_state["mnist_session"]
    assert session.configs[0] == MNIST_PAGE.default
    assert session.data.inputs_train.shape == (4000, 784)
    assert any("4,000 training and 1,000 test images" in c.value for c in app.caption)
    step(app)
    assert app.session_state["mnist_session"].step_count == 1
    assert app.metric[0].value == "1"
    probabilities = app.session_state["mnist_session"].snapshots[0].example_probabilities
    assert probabilities.shape == (16, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    bars = next(t for t in chart_traces(app, "mnist_examples_chart") if t["type"] == "bar")
    assert len(bars["marker"]["color"]) == 16 * 10  # a bar per class under every image


def test_the_speed_shows_once_there_are_two_steps_to_time():
    app = open_mnist()
    step(app)
    assert not any("samples/s" in caption.value for caption in app.caption)  # one step: no speed
    time.sleep(0.2)
    step(app)
    snapshot = app.session_state["mnist_session"].snapshots[0]
    status = next(caption.value for caption in app.caption if "samples/s" in caption.value)
    rate, epoch, unit = re.search(
        r"Speed: \*\*([\d,.]+)\*\* samples/s, \*\*([\d.]+) (s|min)\*\* per epoch", status
    ).groups()
    seconds_per_epoch = float(epoch) * (60 if unit == "min" else 1)
    # One minibatch of 64 over the wall time between the two steps (at least the 0.2 s).
    assert float(rate.replace(",", "")) == pytest.approx(snapshot.samples_per_second, rel=0.005)
    assert snapshot.samples_per_second <= 64 / 0.2
    assert seconds_per_epoch == pytest.approx(snapshot.seconds_per_epoch, rel=0.05)
    batches_per_epoch = 4000 // 64
    assert snapshot.seconds_per_epoch == pytest.approx(
        batches_per_epoch * 64 / snapshot.samples_per_second
    )


def test_after_a_step_the_page_shows_what_the_network_gets_wrong():
    app = open_mnist()
    step(app)
    assert [tab.label for tab in app.tabs] == [
        "What it gets wrong",
        "What the first layer looks for",
    ]
    assert {"mnist_confusion_chart", "mnist_mistakes_chart"} <= component_keys(app)
    assert "mnist_first_layer_chart" not in component_keys(app)  # only the open tab is drawn
    # Counts of every test image, the right ones as often as the test accuracy says.
    snapshot = app.session_state["mnist_session"].snapshots[0]
    cells = confusion_cells(app)
    assert sum(int(cell.replace(",", "")) for cell in cells) == 1000
    right_traces = chart_traces(app, "mnist_confusion_chart")[0]
    right = sum(int(cell.replace(",", "")) for row in right_traces["text"] for cell in row if cell)
    assert right == round(snapshot.test_accuracy * 1000)
    mistakes = next(t for t in chart_traces(app, "mnist_mistakes_chart") if t["type"] == "bar")
    assert len(mistakes["marker"]["color"]) == 16 * 10  # 16 mistakes after one step

    app.session_state["mnist_confusion_values"] = "Shares of the true class"
    app.run()
    assert all(cell.endswith("%") for cell in confusion_cells(app))


def test_the_first_layer_tab_shows_64_of_the_first_layers_units():
    app = open_mnist({"hidden": "100relu"})
    step(app)
    app.session_state["mnist_image_views_tab"] = "What the first layer looks for"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert "mnist_first_layer_chart" in component_keys(app)
    assert "mnist_confusion_chart" not in component_keys(app)
    assert any("the first 64 of 100" in caption.value for caption in app.caption)


def test_the_mnist_page_offers_image_sets_and_wide_layers_only():
    app = open_mnist({"dataset": "spiral", "hidden": "1024relu", "input_dropout": "0.2"})
    config = app.session_state["mnist_session"].configs[0]
    assert config.dataset == "mnist" and config.hidden[0].units == 1024
    assert config.input_dropout == 0.2
    notes = messages(app, "warning")
    assert len(notes) == 1 and "not on the MNIST page" in notes[0]
    datasets = next(s for s in app.sidebar.selectbox if s.key == "mnist_setting_dataset")
    assert datasets.options == ["MNIST (handwritten digits)", "Fashion-MNIST (clothes)"]


def test_fashion_mnist_has_no_offline_sample_and_says_so():
    app = open_mnist({"dataset": "fashion-mnist", "source": "sample"})
    assert "Only MNIST has an offline sample" in message_text(app, "error")
    assert "mnist_session" not in app.session_state

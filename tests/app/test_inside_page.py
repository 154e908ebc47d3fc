"""The Playground's "Inside the network" views through Streamlit's test runner."""

from __future__ import annotations

import pytest
import streamlit as st

from tests.app.run_buttons import click_run_button
from tests.app.test_app import shown
from tests.app.test_app import start as open_playground


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def test_neuron_maps_and_layer_health_are_drawn():
    app = open_playground({"hidden": "20relu,6tanh"})
    click_run_button(app, "step")
    assert "Inside the network" in [h.value for h in app.subheader]
    snapshot = app.session_state["session"].snapshots[0]
    first, second = snapshot.neuron_maps
    assert first.shape == (16, 25, 25) and second.shape == (6, 25, 25)  # 16 of the 20 units
    lines = [shown(m.value) for m in app.markdown]
    assert any(line.startswith("Layer 1 · 20 ReLU:") and "dead" in line for line in lines)
    assert any(line.startswith("Layer 2 · 6 tanh:") and "saturated" in line for line in lines)


def test_batch_norm_with_batch_size_one_is_explained_before_play():
    app = open_playground({"batch_norm": "1", "batch_size": "1"})
    warnings = " ".join(shown(w.value) for w in app.warning)
    assert "Batch norm with batch size 1" in warnings


def test_a_deep_sigmoid_net_with_small_init_names_its_saturated_layer():
    # Glorot & Bengio (2010): the top sigmoid layer of a deep net saturates early on.
    app = open_playground({"hidden": "64sigmoid,64sigmoid,64sigmoid,64sigmoid",
                           "init": "small"})  # fmt: skip
    app.session_state["session"].step(300)  # as 300 clicks on Step would
    app.run()
    hints = " ".join(shown(w.value) for w in app.warning)
    assert "Layer 4: 100% of its sigmoid units are saturated" in hints
    lines = [shown(m.value) for m in app.markdown]
    assert "Layer 1 · 64 sigmoid: 0% saturated" in lines

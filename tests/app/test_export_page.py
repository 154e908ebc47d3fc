"""Take the code with you, on the pages: the Model section offers the run as a NumPy notebook,
a NumPy script and a PyTorch twin; the files are made at the click, from the run as it is then,
and say so when the run went where its settings alone cannot follow."""

from __future__ import annotations

import subprocess
import sys

import pytest
import streamlit as st

from playground.ui.model_views import EXPORTS, _export_data, export_state
from tests.app.run_buttons import click_run_button, wait_until_trained
from tests.app.test_app import start as open_playground


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def export_buttons(app) -> dict[str, object]:
    labels = {label: kind for kind, (label, _, _) in EXPORTS.items()}
    return {labels[b.proto.label]: b for b in app.get("download_button") if b.proto.label in labels}


def test_the_model_section_offers_the_three_exports_while_training_too(tmp_path):
    app = open_playground({"dataset": "xor", "hidden": "6tanh"})
    click_run_button(app, "play")
    buttons = export_buttons(app)
    assert set(buttons) == {"notebook", "script", "torch"}
    assert not any(button.proto.disabled for button in buttons.values())
    wait_until_trained(app.session_state["session"])
    click_run_button(app, "pause")
    session = app.session_state["session"]
    steps = session.step_count
    assert steps > 0

    # The file the script button hands over when clicked: the run as it is at the click.
    script = tmp_path / "run.py"
    script.write_bytes(_export_data(session, "script")())
    assert f"STEPS = {steps}  #" in script.read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), "3"], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "step      3" in done.stdout
    notebook = _export_data(session, "notebook")()
    assert notebook.startswith(b"{") and b"An MLP from scratch, in NumPy" in notebook
    twin = _export_data(session, "torch")().decode("utf-8")
    assert "MODEL_FILE = 'mlp-model.npz'" in twin
    assert not app.exception


def test_a_setting_changed_while_training_is_named_in_the_export():
    app = open_playground({"dataset": "xor", "hidden": "6tanh"})
    session = app.session_state["session"]
    assert export_state(session).note is None
    for _ in range(3):
        click_run_button(app, "step", run=False)
        app.run()
    app.sidebar.select_slider(key="setting_lr").set_value(0.1).run()
    assert not app.exception
    note = export_state(session).note
    assert note is not None and "a setting changed at step 3" in note
    assert note in _export_data(session, "script")().decode("utf-8").replace("\n# ", " ")
    assert any("a setting changed at step 3" in element.value for element in app.get("html"))


def test_the_network_as_code_shows_the_layers_not_the_repr():
    app = open_playground({"dataset": "circle", "hidden": "5relu,3sigmoid", "dropout": "0.2"})
    code = [element.value for element in app.get("html") if "class Dense" in element.value]
    assert code, "the code of the network is on the page"
    (shown,) = code
    for expected in ("class ReLU", "class Sigmoid", "class Dropout", "def softmax_cross_entropy",
                     "… 2"):  # fmt: skip
        assert expected in shown, expected
    assert "Network(" not in shown

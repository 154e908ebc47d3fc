"""The Playground through Streamlit's script runner: widgets, URL handling, error messages.

AppTest reruns the whole script on each `run()`; the fragment's `run_every` never fires here,
so these tests check what one run draws. The session-scoped worker is released (its thread
stopped) in teardown by clearing the resource caches.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from playground.core.config import Config, HiddenLayer
from tests.app.messages import captions, message_text, messages
from tests.app.run_buttons import click_run_button, run_buttons_data
from tests.app.sections import on_screen, open_sections

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 30


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def start(query: dict[str, str] | None = None, sections_open: bool = True) -> AppTest:
    """The Playground after its first run; with `sections_open`, every section of the sidebar
    open, as if clicked (they start closed)."""
    app = on_screen(AppTest.from_file(APP, default_timeout=TIMEOUT))
    if sections_open:
        open_sections(app)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, app.exception
    return app


def config_of(app: AppTest) -> Config:
    return app.session_state["session"].configs[0]


def notes_of(app: AppTest) -> str:
    return message_text(app, "warning")


def widget(app: AppTest, kind: str, key: str):
    return next(w for w in getattr(app, kind) if w.key == key)


def test_default_page_draws_without_errors():
    app = start()
    assert [m.label for m in app.metric][:2] == ["Step", "Epoch"]
    assert app.metric[0].value == "0"
    assert config_of(app) == Config()
    assert not messages(app, "warning") and not messages(app, "error")


def test_every_sidebar_control_changes_the_configuration():
    app = start()
    changes = [
        ("selectbox", "setting_dataset", "moons", "dataset", "moons"),
        ("select_slider", "setting_noise", 0.2, "noise", 0.2),
        ("select_slider", "setting_n_points", 300, "n_points", 300),
        ("select_slider", "setting_train_share", 0.7, "train_share", 0.7),
        ("toggle", "setting_batch_norm", True, "batch_norm", True),
        ("selectbox", "setting_init", "he", "init", "he"),
        ("select_slider", "setting_dropout", 0.3, "dropout", 0.3),
        ("select_slider", "setting_weight_decay", 0.001, "weight_decay", 0.001),
        ("selectbox", "setting_optimizer", "momentum", "optimizer", "momentum"),
        ("select_slider", "setting_lr", 0.1, "lr", 0.1),
        ("select_slider", "setting_momentum", 0.5, "momentum", 0.5),
        ("select_slider", "setting_batch_size", 32, "batch_size", 32),
        ("number_input", "setting_seed", 5, "seed", 5),
    ]
    for kind, key, value, name, expected in changes:
        widget(app, kind, key).set_value(value)
        app.run()
        assert not app.exception, (key, app.exception)
        assert getattr(config_of(app), name) == pytest.approx(expected), key
    widget(app, "toggle", "setting_max_norm_on").set_value(True)
    app.run()
    widget(app, "select_slider", "setting_max_norm").set_value(2.0)
    app.run()
    assert config_of(app).max_norm == 2.0
    widget(app, "toggle", "setting_max_norm_on").set_value(False)
    app.run()
    assert config_of(app).max_norm is None


def test_layer_editor_adds_changes_and_removes_layers():
    app = start()
    assert len(config_of(app).hidden) == 2
    widget(app, "button", "add_layer").click()
    app.run()
    assert len(config_of(app).hidden) == 3
    widget(app, "number_input", "layer_units_2").set_value(5)
    app.run()
    widget(app, "selectbox", "layer_activation_2").set_value("relu")
    app.run()
    assert config_of(app).hidden[2] == HiddenLayer(5, "relu")
    widget(app, "button", "remove_layer_0").click()
    app.run()
    hidden = config_of(app).hidden
    assert [(layer.units, layer.activation) for layer in hidden] == [(16, "tanh"), (5, "relu")]


def test_the_layer_editor_shows_the_changed_layers_when_its_section_opens_again():
    app = start()
    widget(app, "number_input", "layer_units_1").set_value(5).run()
    widget(app, "selectbox", "layer_activation_1").set_value("relu").run()
    app.session_state["section_network"] = False
    app.run()
    app.run()
    app.session_state["section_network"] = True
    app.run()
    assert widget(app, "number_input", "layer_units_1").value == 5
    assert widget(app, "selectbox", "layer_activation_1").value == "relu"
    assert config_of(app).hidden[1] == HiddenLayer(5, "relu")


def test_live_settings_keep_the_run_and_others_restart_it():
    app = start()
    click_run_button(app, "step", run=False)
    app.run()
    session = app.session_state["session"]
    assert session.step_count == 1
    widget(
        app,
        "select_slider",
        "setting_lr",
    ).set_value(0.1)
    app.run()
    assert app.session_state["session"] is session
    assert session.runs[0].optimizer.lr == 0.1
    widget(app, "number_input", "setting_seed").set_value(3)
    app.run()
    assert app.session_state["session"] is not session
    assert app.session_state["session"].step_count == 0


def test_step_and_reset_buttons():
    app = start()
    for _ in range(3):
        click_run_button(app, "step", run=False)
        app.run()
    assert app.metric[0].value == "3"
    click_run_button(app, "reset", run=False)
    app.run()
    assert app.metric[0].value == "0"


def test_url_sets_the_configuration():
    config = Config(dataset="xor", hidden=((4, "relu"),), optimizer="sgd", lr=0.3, seed=9)
    app = start(config.to_query())
    assert config_of(app) == config
    assert not messages(app, "warning")


def test_bad_url_values_give_notes_not_exceptions():
    app = start({"lr": "banana", "hidden": "999relu", "speed": "warp", "hide": "colour"})
    notes = notes_of(app)
    assert "Learning rate: 'banana'" in notes and "Hidden layers: the Playground page" in notes
    assert "Speed (steps per second): 'warp'" in notes and "'colour'" in notes
    assert config_of(app).lr == Config().lr


def sections_of(app: AppTest) -> list[str]:
    return [expander.label for expander in app.sidebar.expander]


def setting_keys(app: AppTest) -> set[str]:
    """The keys of the settings' widgets the sidebar shows."""
    kinds = ("select_slider", "selectbox", "toggle", "number_input", "pills", "file_uploader")
    return {w.key for kind in kinds for w in getattr(app.sidebar, kind) if w.key}


def test_lesson_mode_hides_controls_and_opens_the_sections_it_keeps():
    app = start({"hide": "training,noise"}, sections_open=False)
    keys = setting_keys(app)
    assert "setting_noise" not in keys and "setting_optimizer" not in keys
    assert {"setting_dataset", "setting_dropout", "setting_init"} <= keys
    assert config_of(app).optimizer == Config().optimizer
    assert sections_of(app) == ["Data", "Network", "Regularisation"]  # no Model either


def test_lesson_mode_can_hide_whole_sections():
    app = start({"hide": "network,regularisation,training"}, sections_open=False)
    assert sections_of(app) == ["Data"]
    assert "setting_dataset" in setting_keys(app)


def test_the_sidebar_opens_with_closed_sections_that_draw_no_widget():
    app = start({"lr": "0.1", "dataset": "moons"}, sections_open=False)
    assert sections_of(app) == ["Data", "Network", "Regularisation", "Training", "Model",
                                "Make this a challenge"]  # fmt: skip
    assert setting_keys(app) == {"projector"}  # the one control outside a section
    assert not app.sidebar.button  # nor Regenerate, the layer editor's buttons, the model's
    assert config_of(app) == Config(lr=0.1, dataset="moons")  # the link still sets them all


def test_a_closed_section_keeps_its_settings_and_shows_them_when_opened_again():
    app = start({"lr": "0.1"}, sections_open=False)
    app.session_state["section_training"] = True  # a click on "Training"
    app.run()
    assert widget(app, "select_slider", "setting_lr").value == 0.1
    widget(app, "select_slider", "setting_lr").set_value(0.3).run()
    assert config_of(app).lr == 0.3
    app.session_state["section_training"] = False
    app.run()
    assert "setting_lr" not in setting_keys(app)
    app.run()  # a run without the widget: Streamlit has forgotten its value by now
    assert config_of(app).lr == 0.3
    app.session_state["section_training"] = True
    app.run()
    assert widget(app, "select_slider", "setting_lr").value == 0.3
    assert not app.exception, app.exception


def test_an_uploaded_csv_stays_when_the_data_section_closes():
    rows = ["x,y,label"] + [f"{i},{i % 5},{'a' if i % 2 else 'b'}" for i in range(30)]
    app = start({"dataset": "csv"})
    upload(app, "\n".join(rows).encode())
    assert app.session_state["session"].data.class_names == ("a", "b")
    app.session_state["section_data"] = False
    app.run()
    app.run()
    assert not app.info, [info.value for info in app.info]  # no "Upload a CSV" again
    assert app.session_state["session"].data.class_names == ("a", "b")
    app.session_state["section_data"] = True
    app.run()
    shown_captions = captions(app.sidebar)
    assert any("Using points.csv, uploaded earlier" in caption for caption in shown_captions)


def test_csv_choice_asks_for_a_file():
    app = start({"dataset": "csv"})
    assert any("Upload a CSV" in info.value for info in app.info)


def upload(app: AppTest, content: bytes) -> None:
    app.file_uploader(key="csv_upload").set_value(("points.csv", content, "text/csv"))
    app.run()
    assert not app.exception, app.exception


def test_a_good_csv_trains_in_its_own_units():
    rows = ["x,y,label"] + [f"{i},{100 + (i % 7)},{'cat' if i % 2 else 'dog'}" for i in range(40)]
    app = start({"dataset": "csv"})
    upload(app, "\n".join(rows).encode())
    session = app.session_state["session"]
    assert session.data.class_names == ("cat", "dog")
    assert session.data.x_range[0] < 0 < 39 < session.data.x_range[1]  # plot in file units
    assert abs(float(session.data.inputs_train.mean())) < 0.5  # the network sees standardised
    click_run_button(app, "step", run=False)
    app.run()
    assert app.metric[0].value == "1"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"x,y,label\n1,2,a\n3,4,b\n", "10"),
        (b"x,y,label\n" + b"".join(b"1,abc,a\n" for _ in range(12)), "number"),
        (b"", "empty"),
        (b"\xff\xfe\x00garbage" * 10, "UTF-8"),
    ],
)
def test_csv_errors_show_in_words(content, words):
    app = start({"dataset": "csv"})
    upload(app, content)
    messages = message_text(app, "error")
    assert "cannot be used" in messages and words in messages
    assert "session" not in app.session_state  # nothing trains on a bad file


def test_a_european_csv_trains_with_notes_on_how_it_was_read():
    app = start({"dataset": "csv"})
    rows = ["x;y;Klasse"] + [f"{i},5;{(i * 7) % 5},25;{'café' if i % 2 else 'thé'}"
                             for i in range(20)]  # fmt: skip
    upload(app, "\n".join(rows).encode("cp1252"))
    assert not message_text(app, "error")
    notes = message_text(app, "info")
    assert "Windows-1252" in notes and "'0,5' as 0.5" in notes
    assert app.session_state["session"].data.class_names == ("café", "thé")


def test_divergence_is_reported_and_reset_recovers():
    app = start({"optimizer": "sgd", "lr": "10", "hidden": "64relu,64relu", "init": "he"})
    for _ in range(40):
        if app.session_state["session"].all_diverged:
            break
        click_run_button(app, "step", run=False)
        app.run()
    errors = message_text(app, "error")
    assert "Diverged at step" in errors and "Lower the learning rate" in errors
    assert run_buttons_data(app)["stopped"]  # Step and Play are disabled
    click_run_button(app, "reset", run=False)
    app.run()
    assert not messages(app, "error")
    assert app.metric[0].value == "0"
    assert not run_buttons_data(app)["stopped"]


def test_speed_comes_from_the_url_and_the_slider():
    app = start({"speed": "2"})
    assert app.session_state["session"].steps_per_second == 2.0
    widget(app, "select_slider", "speed").set_value("max")
    app.run()
    assert app.session_state["session"].steps_per_second is None
    widget(app, "select_slider", "speed").set_value("100")
    app.run()
    assert app.session_state["session"].steps_per_second == 100.0


def test_play_and_pause_control_the_session():
    app = start()
    click_run_button(app, "play")
    session = app.session_state["session"]
    assert session.playing
    click_run_button(app, "pause")
    assert not session.playing
    stopped_at = session.step_count
    assert app.session_state["session"].snapshots[0].step == stopped_at
    assert run_buttons_data(app)["playing"] is False


def test_a_click_the_browser_sends_again_is_acted_on_once():
    app = start()
    click_run_button(app, "step")
    for _ in range(3):  # later messages carry the same click: no further steps
        app.run()
    assert app.metric[0].value == "1"
    click_run_button(app, "play")
    click_run_button(app, "pause")
    paused_at = app.session_state["session"].step_count
    app.run()
    assert app.session_state["session"].step_count == paused_at
    assert not app.session_state["session"].playing
    assert run_buttons_data(app)["handled"] == app.session_state["click_log"].last_id

"""L1, the learning-rate schedule and random shifts on the pages (AppTest): each widget is on
the pages that offer it and changes the configuration, and the current learning rate shows."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.app.messages import captions, message_text
from tests.app.run_buttons import click_run_button
from tests.app.sections import on_screen, open_sections

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def open_page(page: str | None, query: dict | None = None) -> AppTest:
    app = on_screen(open_sections(AppTest.from_file(APP, default_timeout=120)))
    for key, value in (query or {}).items():
        app.query_params[key] = value
    if page:
        app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def widget_keys(app: AppTest) -> set[str]:
    return {w.key for kind in ("select_slider", "selectbox") for w in getattr(app, kind)}


def config_of(app: AppTest, prefix: str):
    return app.session_state[f"{prefix}session"].configs[0]


def rate_line(app: AppTest) -> str:
    return next(text for text in captions(app) if text.startswith("Learning rate now"))


@pytest.mark.parametrize(
    ("page", "prefix", "shift"),
    [(None, "", False), ("pages/mnist.py", "mnist_", True)],
    ids=["playground", "mnist"],
)
def test_the_new_widgets_change_the_configuration(page, prefix, shift):
    app = open_page(page)
    keys = widget_keys(app)
    assert {f"{prefix}setting_l1", f"{prefix}setting_schedule"} <= keys
    assert f"{prefix}setting_schedule_steps" not in keys  # only with a schedule
    assert (f"{prefix}setting_shift" in keys) == shift
    app.select_slider(key=f"{prefix}setting_l1").set_value(1e-4)
    app.run()
    assert config_of(app, prefix).l1 == 1e-4
    app.selectbox(key=f"{prefix}setting_schedule").set_value("cosine")
    app.run()
    app.select_slider(key=f"{prefix}setting_schedule_steps").set_value(500)
    app.run()
    config = config_of(app, prefix)
    assert (config.schedule, config.schedule_steps) == ("cosine", 500)
    assert app.query_params["schedule"] == "cosine"  # the link carries it
    if shift:
        app.select_slider(key=f"{prefix}setting_shift").set_value(2)
        app.run()
        assert config_of(app, prefix).shift == 2
    assert not app.exception


def test_l1_changes_live_without_a_restart():
    app = open_page(None)
    click_run_button(app, "step", run=False)
    app.run()
    session = app.session_state["session"]
    app.select_slider(key="setting_l1").set_value(0.001)
    app.run()
    assert app.session_state["session"] is session and session.step_count == 1
    assert session.runs[0].optimizer.l1 == 0.001


def test_the_current_learning_rate_is_shown_and_follows_the_schedule():
    app = open_page(None, {"schedule": "step", "schedule_steps": "2", "lr": "0.1"})
    assert rate_line(app) == "Learning rate now: 0.1 (halved every 2 steps from 0.1)."
    for _ in range(2):
        click_run_button(app, "step", run=False)
        app.run()
    assert rate_line(app).startswith("Learning rate now: 0.05 ")
    plain = open_page(None)
    assert rate_line(plain) == "Learning rate now: 0.01 (constant)."


def test_a_shift_in_a_playground_link_falls_back_with_a_note():
    app = open_page(None, {"shift": "2"})
    assert config_of(app, "").shift == 0
    assert "2-D points are not images" in message_text(app, "warning")


def test_compare_variants_can_differ_in_l1():
    app = open_page("pages/compare.py", {"variant": ["base", "l1:0.001"]})
    first, second = app.session_state["compare_session"].configs
    assert (first.l1, second.l1) == (0.0, 0.001)
    generation = app.session_state["compare_variant_generation"]
    app.select_slider(key=f"compare_v{generation}_0_l1").set_value(1e-4)
    app.run()
    assert app.session_state["compare_session"].configs[0].l1 == 1e-4
    assert "compare_setting_schedule" in widget_keys(app)
    assert "compare_setting_shift" not in widget_keys(app)

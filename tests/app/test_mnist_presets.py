"""The MNIST page's paper presets and drawing pad through Streamlit's test runner: loading a
preset sets the page (its widgets, link and training session) to the preset's first variant
and shows what the paper reports; the drawing pad is on the page for MNIST."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from playground.core.presets import BATCH_NORM, DROPOUT, QUICK_SAMPLE, SHIFTS
from tests.app.sections import on_screen, open_sections

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def open_mnist() -> AppTest:
    app = on_screen(open_sections(AppTest.from_file(APP, default_timeout=60)))
    app.switch_page("pages/mnist.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def texts(app: AppTest) -> str:
    return "\n".join(m.value for m in (*app.markdown, *app.caption))


def test_loading_a_preset_sets_the_page_to_its_first_variant():
    app = open_mnist()
    assert "Paper presets" in [e.label for e in app.expander]
    app.selectbox(key="mnist_paper_choice").set_value(BATCH_NORM.key).run()
    assert "Figure 1(a)" in texts(app)
    app.button(key="mnist_paper_load").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state["mnist_config"] == BATCH_NORM.first
    assert app.session_state["mnist_session"].configs == [BATCH_NORM.first]
    assert app.session_state["mnist_setting_batch_size"] == 60  # the widgets show it
    assert app.query_params["hidden"] == "100sigmoid,100sigmoid,100sigmoid"
    assert "← this run" in texts(app)
    assert "Estimated run time" in texts(app)


def test_a_changed_setting_is_named_against_the_closest_variant():
    app = open_mnist()
    app.selectbox(key="mnist_paper_choice").set_value(DROPOUT.key).run()
    app.button(key="mnist_paper_load").click().run()
    assert app.session_state["mnist_config"] == DROPOUT.first
    app.select_slider(key="mnist_setting_lr").set_value(0.1).run()
    assert not app.exception, [e.value for e in app.exception]
    assert "differs from A in learning rate" in texts(app)


def test_the_drawing_pad_is_on_the_mnist_page():
    app = open_mnist()
    ids = [e.proto.id for e in app.get("bidi_component")]
    assert any(i.endswith("-mnist_digit_pad") for i in ids), ids
    assert any("Draw a digit" in s.value for s in app.header)


def test_a_quick_start_loads_its_setup_and_says_what_was_measured():
    app = open_mnist()
    assert "Quick starts" in [e.label for e in app.expander]
    assert (
        "Target: 96.5% accuracy on the sample's 1,000 test images (±0.6 points) within "
        "60 s of training"
    ) in texts(app)
    app.button(key="mnist_paper_target_quick-sample").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state["mnist_config"] == QUICK_SAMPLE.config
    assert app.session_state["mnist_session"].configs == [QUICK_SAMPLE.config]
    assert app.query_params["hidden"] == "512relu,512relu"
    assert "← this setup" in texts(app)


def test_the_shifts_quick_start_names_the_real_test_set_and_loads_its_shifts():
    app = open_mnist()
    assert ("Target: 96.0% accuracy on the real MNIST test set (all 10,000 digits) within "
            "3 min of training") in texts(app)  # fmt: skip
    app.button(key="mnist_paper_target_shifts").click().run()
    assert not app.exception, [e.value for e in app.exception]
    config = app.session_state["mnist_session"].configs[0]
    assert config == SHIFTS.config
    assert (config.shift, config.schedule, config.schedule_steps) == (1, "cosine", 20_000)
    assert app.query_params["shift"] == "1"

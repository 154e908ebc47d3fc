"""The Compare page on regression sets: a curve to fit and numbers over the plane, live and
in a seed sweep, in words of the mean squared error and R²."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.app.messages import captions, lines
from tests.app.sections import component_keys, on_screen

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PREFIX = "compare_"


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def open_compare(dataset: str) -> AppTest:
    app = on_screen(AppTest.from_file(APP, default_timeout=120))
    app.query_params["dataset"] = dataset
    app.switch_page("pages/compare.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_a_curve_is_compared_with_its_fits_and_a_sweep_in_mse_and_r2():
    app = open_compare("sine")
    live = app.dataframe[0].value
    assert {"Test MSE", "Train MSE", "Test R²", "Train R²"} <= set(live.columns)
    assert not any("accuracy" in column for column in live.columns)
    keys = component_keys(app)
    assert "compare_fits_2" in keys  # the fitted curves, not decision boundaries
    assert not any(key.startswith(("compare_boundary", "compare_disagreement")) for key in keys)
    assert any("fitted curves" in caption for caption in captions(app))

    app.slider(key=f"{PREFIX}sweep_seeds").set_value(2)
    app.number_input(key=f"{PREFIX}sweep_steps").set_value(100)
    app.run()
    app.button(key=f"{PREFIX}sweep_start").click()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    comparison = app.session_state[f"{PREFIX}comparison"]
    assert comparison.regression and len(comparison.results) == 4
    text = " ".join(lines(app))
    assert "4 of 4 runs" in text
    assert "B (dropout 0.5) − A (plain):" in text and "test MSE" in text and "test R²" in text
    assert "accuracy" not in text and "points," not in text
    summary = app.dataframe[1].value
    assert {"Test MSE", "Test R²"} <= set(summary.columns)
    assert not any("%" in str(cell) for cell in summary["Test R²"])
    assert {"compare_sweep_test_loss", "compare_sweep_test_accuracy"} <= component_keys(app)


def test_numbers_over_the_plane_show_each_variants_prediction_and_how_far_apart_they_are():
    app = open_compare("plane")
    assert {"Test MSE", "Test R²"} <= set(app.dataframe[0].value.columns)
    keys = component_keys(app)
    assert {"compare_boundary_2_0", "compare_boundary_2_1", "compare_disagreement_2"} <= keys
    assert any("how far apart" in caption for caption in captions(app))

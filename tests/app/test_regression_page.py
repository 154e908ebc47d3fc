"""Regression on the Playground page: the sets open from a link, the metrics say MSE and R²,
Step trains, and what only classification has (label noise, the code export) says so."""

from __future__ import annotations

import pytest
import streamlit as st

from playground.ui.model_views import REGRESSION_EXPORT_NOTE
from tests.app.messages import captions, link_notes
from tests.app.run_buttons import click_run_button
from tests.app.test_app import start as open_playground


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def metric_labels(app) -> list[str]:
    return [metric.label for metric in app.metric]


@pytest.mark.parametrize("dataset", ["plane", "mixture", "sine", "abs", "step", "cubic"])
def test_each_regression_set_opens_steps_and_reports_mse_and_r2(dataset):
    app = open_playground({"dataset": dataset, "hidden": "6tanh", "lr": "0.03"})
    assert metric_labels(app)[2:] == ["Train MSE", "Test MSE", "Train R²", "Test R²"]
    for _ in range(3):
        click_run_button(app, "step", run=False)
        app.run()
    assert not app.exception
    session = app.session_state["session"]
    assert session.step_count == 3 and session.snapshots[0].regression
    assert link_notes(app) == []


def test_label_noise_on_a_regression_set_falls_back_with_a_note():
    app = open_playground({"dataset": "plane", "label_noise": "0.2"})
    (note,) = link_notes(app)
    assert "label noise flips classes" in note.lower()
    assert app.session_state["session"].configs[0].label_noise == 0


def test_the_code_export_says_it_covers_classifiers():
    app = open_playground({"dataset": "sine"})
    assert REGRESSION_EXPORT_NOTE in " ".join(captions(app))


def test_a_csv_whose_label_is_many_numbers_trains_as_a_regression_with_notes():
    from tests.app.messages import message_text
    from tests.app.test_app import upload

    rows = ["area;rooms;price"] + [f"{40 + i},5;{1 + i % 4};{1000 + 37 * i + (i % 3) * 5},5"
                                   for i in range(60)]  # fmt: skip
    app = open_playground({"dataset": "csv"})
    upload(app, "\n".join(rows).encode())
    assert not message_text(app, "error")
    notes = message_text(app, "info")
    assert "60 different numbers" in notes and "regression" in notes
    assert "standardised for training" in notes
    session = app.session_state["session"]
    assert session.snapshots[0].regression and session.data.class_names == ("price",)
    assert metric_labels(app)[2:] == ["Train MSE", "Test MSE", "Train R²", "Test R²"]
    targets = session.data.y_train
    assert abs(float(targets.mean())) < 1e-5 and float(targets.std()) == pytest.approx(1, rel=1e-4)
    click_run_button(app, "step", run=False)
    app.run()
    assert not app.exception and session.step_count == 1

"""The live charts' plotly.js: the small "cartesian" bundle in static/, which draws only some
trace types. Every figure the app builds must be of those types, or it would draw nothing
in place (live_chart then falls back to Streamlit's chart, which blinks at every redraw)."""

from __future__ import annotations

import numpy as np
import pytest

from playground.charts.compare import band_figure, disagreement_figure
from playground.charts.images import confusion_matrix_figure, guesses_figure, weight_images_figure
from playground.ui import live_chart
from playground.ui.drawing_pad import probabilities_figure
from tests.playground.test_figures import _every_figure
from tests.playground.test_image_figures import LABELS, NAMES, PROBABILITIES, _counts, _images
from tests.playground.test_inside_figures import every_figure as every_inside_figure


def every_figure() -> dict:
    points = np.random.default_rng(0).normal(size=(30, 2))
    boundaries = [np.zeros((4, 4), np.uint8), np.ones((4, 4), np.uint8)]
    steps, runs = np.arange(5.0), np.ones((3, 5))
    return {
        **_every_figure(),
        **every_inside_figure(),
        "confusion": confusion_matrix_figure(_counts(), NAMES, shares=True),
        "guesses": guesses_figure(_images(5), PROBABILITIES, LABELS, ["x"] * 5, n_slots=8),
        "weight images": weight_images_figure(np.ones((4, 784))),
        "disagreement": disagreement_figure(np.arange(4.0), np.arange(4.0), boundaries, points),
        "band": band_figure([steps], [runs], ["A"], "Loss"),
        "probabilities": probabilities_figure(np.array([0.2, 0.8]), ("a", "b")),
    }


@pytest.mark.parametrize("name", list(every_figure()))
def test_every_figure_is_of_a_trace_type_the_bundle_draws(name):
    figure = every_figure()[name]
    types = {trace.type or "scatter" for trace in figure.data}
    assert types <= live_chart.TRACE_TYPES, f"{name}: {types - live_chart.TRACE_TYPES}"


def test_the_bundle_is_plotlys_cartesian_one_and_its_licence_is_beside_it():
    bundle = live_chart.STATIC_DIR / live_chart.PLOTLY_JS
    head = bundle.read_text(encoding="utf-8")[:200]
    assert "plotly.js (cartesian - minified)" in head, head
    assert (live_chart.STATIC_DIR / "plotly-LICENSE.txt").read_text().startswith("MIT License")
    assert live_chart.IN_PLACE  # the app's config serves static/, so charts update in place

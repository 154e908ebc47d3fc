"""The MNIST page's own views of a run on images: a few test images with the network's
probabilities beside the curves, the training speed, what the network gets wrong (confusion
matrix, most confident mistakes) and what its first layer looks for. What it shares with
other pages is in `common_views`."""

from __future__ import annotations

import streamlit as st

from playground.charts.images import confusion_matrix_figure, guesses_figure, weight_images_figure
from playground.charts.style import empty_figure
from playground.core.data import ImageSet
from playground.core.links import View
from playground.core.session import MAX_MISTAKES, ImageSnapshot, TrainingSession
from playground.ui.common_views import (
    CURVE_HEIGHT,
    INSIDE_REDRAW_SECONDS,
    NORMS_REDRAW_SECONDS,
    LiveViews,
    below_the_fold,
    draw_architecture,
    draw_curves,
    draw_health,
    draw_regularisation_hint,
    draw_setup_hints,
    draw_weight_norms,
    shown_snapshot,
)
from playground.ui.live_chart import live_chart

__all__ = ["live_views"]

EXAMPLES_HEIGHT = 2 * CURVE_HEIGHT
# What a network gets wrong and its first layer's weights change slowly and cost a figure of a
# few hundred tiles: they are redrawn more calmly than the curves.
IMAGE_VIEWS_REDRAW_SECONDS = 2.0
IMAGE_VIEWS_HEIGHT = 470
MISTAKE_COLUMNS = 4


def draw_examples(prefix: str, data: ImageSet, snapshot: ImageSnapshot) -> None:
    """A few test images, each with the network's probability for every class and its guess."""
    probabilities = snapshot.example_probabilities
    truth = data.y_test[data.example_rows]
    captions = [
        f"{data.class_names[guess]} {sure:.0%}" + ("" if guess == label else " ✗")
        for guess, sure, label in zip(
            probabilities.argmax(axis=1), probabilities.max(axis=1), truth, strict=True
        )
    ]
    st.caption(
        "The network's guess for a few test images (✗: wrong). Bars: how likely it finds "
        "each class, the true one in blue."
    )
    live_chart(
        guesses_figure(data.inputs_test[data.example_rows], probabilities, truth, captions,
                       image_shape=data.image_shape, n_cols=4, height=EXAMPLES_HEIGHT),
        key=f"{prefix}examples_chart",
        height=EXAMPLES_HEIGHT,
        toolbar=False,
    )  # fmt: skip


def draw_mistakes(prefix: str, data: ImageSet, snapshot: ImageSnapshot) -> None:
    """The confusion matrix of the test images beside the most confident mistakes."""
    confusion = snapshot.test_confusion
    mistakes = snapshot.mistakes
    names = data.class_names
    matrix_column, mistakes_column = st.columns(2, gap="medium", vertical_alignment="bottom")
    with matrix_column:
        values = st.segmented_control(
            f"Confusion matrix of {int(confusion.sum()):,} test images: true class against "
            "the network's guess",
            ["Counts", "Shares of the true class"],
            default="Counts",
            required=True,
            key=f"{prefix}confusion_values",
        )
    with mistakes_column:
        st.caption(
            "Its most confident mistakes: true class → guess, how sure it is. Bars as above."
        )
    matrix_column, mistakes_column = st.columns(2, gap="medium")
    with matrix_column:
        live_chart(
            confusion_matrix_figure(confusion, names, shares=values != "Counts",
                                    height=IMAGE_VIEWS_HEIGHT),
            key=f"{prefix}confusion_chart",
            height=IMAGE_VIEWS_HEIGHT,
            toolbar=False,
        )  # fmt: skip
    with mistakes_column:
        labels = data.y_test[mistakes.rows]
        probabilities = mistakes.probabilities
        captions = [
            f"{names[label]} → {names[guess]} {sure:.0%}"
            for label, guess, sure in zip(
                labels, probabilities.argmax(axis=1), probabilities.max(axis=1), strict=True
            )
        ]
        figure = (
            guesses_figure(data.inputs_test[mistakes.rows], probabilities, labels, captions,
                           image_shape=data.image_shape, n_cols=MISTAKE_COLUMNS,
                           n_slots=MAX_MISTAKES, height=IMAGE_VIEWS_HEIGHT)
            if len(labels)
            else empty_figure("No mistakes on these test images.", IMAGE_VIEWS_HEIGHT)
        )  # fmt: skip
        live_chart(figure, key=f"{prefix}mistakes_chart", height=IMAGE_VIEWS_HEIGHT,
                   toolbar=False)  # fmt: skip


def draw_first_layer(prefix: str, session: TrainingSession, snapshot: ImageSnapshot) -> None:
    """The first layer's incoming weights, one image per unit."""
    data = session.data
    weights = snapshot.first_layer_weights
    hidden = session.configs[0].hidden
    if hidden:
        units = hidden[0].units
        shown = f"all {units}" if len(weights) == units else f"the first {len(weights)} of {units}"
        st.caption(
            f"What the units of the first hidden layer look for ({shown}): each unit's "
            "incoming weights as an image. Blue: ink there raises the unit's input; "
            "vermillion: ink there lowers it. Each tile has its own scale."
        )
    else:
        st.caption(
            "Without a hidden layer each class has its own weights: ink on blue pixels "
            "speaks for the class, ink on vermillion ones against it. Each tile has its own "
            "scale."
        )
    live_chart(
        weight_images_figure(weights, data.image_shape,
                             captions=None if hidden else data.class_names,
                             height=IMAGE_VIEWS_HEIGHT),
        key=f"{prefix}first_layer_chart",
        height=IMAGE_VIEWS_HEIGHT,
        toolbar=False,
    )  # fmt: skip


def draw_image_views(prefix: str, session: TrainingSession) -> None:
    """What the network gets wrong and what its first layer looks for, one tab at a time
    (only the open tab is drawn)."""
    snapshot = session.snapshots[0]
    mistakes_tab, weights_tab = st.tabs(
        ["What it gets wrong", "What the first layer looks for"],
        key=f"{prefix}image_views_tab",
        on_change="rerun",
    )
    if mistakes_tab.open:
        with mistakes_tab:
            draw_mistakes(prefix, session.data, snapshot)
    if weights_tab.open:
        with weights_tab:
            draw_first_layer(prefix, session, snapshot)


def draw_image_health(prefix: str, session: TrainingSession) -> None:
    """Each hidden layer's dead or saturated share in words, and the hints they give."""
    draw_health(prefix, shown_snapshot(prefix, session), (), heading=True)


def live_views(prefix: str, session: TrainingSession, view: View, redraw_seconds: float) -> None:
    """Every view of a one-run session on images, redrawn while it plays: the curves beside a
    few test images and guesses; below the fold (from the run after the browser has shown the
    page) what the network gets wrong and its first layer's weights, the weight norms beside
    the network's shape, and each layer's health."""
    data: ImageSet = session.data
    views = LiveViews(prefix, session, redraw_seconds, goal=view.goal)

    def top(snapshot: ImageSnapshot) -> None:
        curves_column, examples_column = st.columns([11, 9], gap="medium")
        with examples_column:
            draw_examples(prefix, data, snapshot)
        with curves_column:
            draw_curves(prefix, snapshot, session.configs[0])

    draw_setup_hints(prefix, session, view)
    if not session.playing:  # said at a pause, so nothing moves while training runs
        draw_regularisation_hint(prefix, session, view)
    views.top(top, speed=True)
    if not below_the_fold(prefix):
        return  # they come in the run after the browser shows this much
    views.calm(draw_image_views, IMAGE_VIEWS_REDRAW_SECONDS)
    norms_column, architecture_column = st.columns([11, 9], gap="medium")
    with norms_column:
        views.calm(draw_weight_norms, NORMS_REDRAW_SECONDS)
    with architecture_column:
        draw_architecture(prefix, session)
    views.calm(draw_image_health, INSIDE_REDRAW_SECONDS)

"""The live views of a training session: metric tiles, status line, decision boundary,
curves, weight norms and the network's shape, each chart keyed under the panel's prefix.

While training plays, `live_views` redraws from the session's snapshots in two fragments: the
fast one (metrics, boundary, curves) every `REDRAW_SECONDS`, the weight norms once a second.
Nothing here changes the session; drawing reads snapshots only.
"""

from __future__ import annotations

import streamlit as st

from playground.data import ImageSet, PointData
from playground.figures import (
    MINIBATCH_COLOR,
    TEST_COLOR,
    TRAIN_COLOR,
    Curve,
    architecture_figure,
    curves_figure,
    decision_boundary_figure,
    image_grid_figure,
    weight_norm_figure,
)
from playground.links import View
from playground.live_chart import STEADY_CSS, live_chart
from playground.session import Snapshot, TrainingSession
from playground.text import format_number, plain

__all__ = ["live_views", "page_style"]

REDRAW_SECONDS = 0.2  # the live view's redraw interval while training plays
NORMS_REDRAW_SECONDS = 1.0  # weight norms change slowly: a redraw a second leaves time to train
BOUNDARY_HEIGHT = 470
CURVE_HEIGHT = 225
NORMS_HEIGHT = 300
ARCHITECTURE_HEIGHT = 220
EXAMPLES_HEIGHT = 2 * CURVE_HEIGHT


def page_style() -> None:
    """Room for the charts on a projector, and no fading of live views while they redraw."""
    st.html("<style>.block-container{padding-top:2.2rem;padding-bottom:1rem}</style>" + STEADY_CSS)


def draw_metrics(snapshot: Snapshot) -> None:
    columns = st.columns(6)
    columns[0].metric("Step", f"{snapshot.step:,}")
    columns[1].metric("Epoch", f"{snapshot.epoch:,.1f}")
    columns[2].metric("Train loss", format_number(snapshot.train_loss))
    columns[3].metric("Test loss", format_number(snapshot.test_loss))
    columns[4].metric("Train accuracy", format_number(snapshot.train_accuracy, percent=True))
    columns[5].metric("Test accuracy", format_number(snapshot.test_accuracy, percent=True))


def draw_status(session: TrainingSession, snapshot: Snapshot) -> None:
    if session.error:
        st.error(plain(f"Training stopped by an unexpected error: {session.error}. Press Reset."))
    elif snapshot.diverged:
        st.error(plain(f"{snapshot.diverged} Then press Reset."), icon="⚠️")
    else:
        state = "Training…" if session.playing else "Paused."
        st.caption(f"{state} Press Step for one minibatch of {session.configs[0].batch_size}.")


def draw_boundary(prefix: str, data: PointData, snapshot: Snapshot, show_test: bool) -> None:
    figure = decision_boundary_figure(
        data.grid_x,
        data.grid_y,
        snapshot.boundary,
        data.n_classes,
        data.class_names,
        data.X_train,
        data.y_train,
        data.X_test if show_test else None,
        data.y_test if show_test else None,
        x_range=data.x_range,
        y_range=data.y_range,
        height=BOUNDARY_HEIGHT,
    )
    live_chart(figure, key=f"{prefix}boundary_chart", height=BOUNDARY_HEIGHT)


def draw_examples(prefix: str, data: ImageSet, snapshot: Snapshot) -> None:
    """A few test images, each captioned with the network's guess and how sure it is."""
    predicted, confidence = snapshot.examples
    truth = data.y_test[data.example_rows]
    captions = [
        f"{data.class_names[guess]} {probability:.0%}" + ("" if guess == label else " ✗")
        for guess, probability, label in zip(predicted, confidence, truth, strict=True)
    ]
    st.caption("The network's guess for a few test images (✗: wrong).")
    live_chart(
        image_grid_figure(data.inputs_test[data.example_rows], captions, n_cols=4,
                          height=EXAMPLES_HEIGHT),
        key=f"{prefix}examples_chart",
        height=EXAMPLES_HEIGHT,
        toolbar=False,
    )  # fmt: skip


def draw_curves(prefix: str, snapshot: Snapshot) -> None:
    """Loss and accuracy over the steps: per minibatch, and on the training and test sets."""
    loss_curves = [
        Curve("Minibatch loss", *snapshot.step_loss, color=MINIBATCH_COLOR),
        Curve("Train loss", *snapshot.train_loss_curve, color=TRAIN_COLOR),
        Curve("Test loss", *snapshot.test_loss_curve, color=TEST_COLOR),
    ]
    live_chart(
        curves_figure(loss_curves, y_title="Loss", height=CURVE_HEIGHT),
        key=f"{prefix}loss_chart",
        height=CURVE_HEIGHT,
    )
    accuracy_curves = [
        Curve("Train accuracy", *snapshot.train_accuracy_curve, color=TRAIN_COLOR),
        Curve("Test accuracy", *snapshot.test_accuracy_curve, color=TEST_COLOR),
    ]
    live_chart(
        curves_figure(accuracy_curves, y_title="Accuracy", height=CURVE_HEIGHT,
                      y_range=(0.0, 1.02)),
        key=f"{prefix}accuracy_chart",
        height=CURVE_HEIGHT,
    )  # fmt: skip


def draw_weight_norms(prefix: str, session: TrainingSession) -> None:
    snapshot = session.snapshots[0]
    config = session.configs[0]
    layer_names = [f"Dense {index + 1}" for index in range(len(snapshot.weight_norms))]
    largest = max((float(norms.max()) for norms in snapshot.weight_norms), default=1.0)
    if config.max_norm:
        largest = max(largest, config.max_norm)
    # The axis only grows, so the bars do not jump at every redraw.
    axis_key = f"{prefix}norm_axis_max"
    axis_max = max(st.session_state.get(axis_key, 0.0), largest * 1.1)
    st.session_state[axis_key] = axis_max
    live_chart(
        weight_norm_figure(snapshot.weight_norms, layer_names, max_norm=config.max_norm,
                           x_max=axis_max, height=NORMS_HEIGHT),
        key=f"{prefix}norms_chart",
        height=NORMS_HEIGHT,
    )  # fmt: skip


def draw_architecture(prefix: str, session: TrainingSession) -> None:
    """The network's shape; drawn once per full run, not at every redraw."""
    config = session.configs[0]
    network = session.runs[0].network
    n_inputs = session.data.inputs_train.shape[1]
    n_classes = len(session.data.class_names)
    sizes = [n_inputs] + [layer.units for layer in config.hidden] + [n_classes]
    norm = "BN + " if config.batch_norm else ""
    labels = (
        [f"{n_inputs} in"]
        + [f"{norm}{layer.units} {layer.activation}" for layer in config.hidden]
        + [f"{n_classes} out"]
    )
    live_chart(
        architecture_figure(sizes, labels, height=ARCHITECTURE_HEIGHT),
        key=f"{prefix}architecture_chart",
        height=ARCHITECTURE_HEIGHT,
        toolbar=False,
    )
    st.caption(f"{network.n_params:,} parameters")
    with st.expander("The network as code"):
        st.code(repr(network), language=None)


def live_views(
    prefix: str, session: TrainingSession, view: View, redraw_seconds: float = REDRAW_SECONDS
) -> None:
    """Every view of a one-run session, redrawn while it plays: on 2-D points the decision
    boundary beside the curves, on images the curves beside a few test images and guesses."""
    was_playing = session.playing
    session_key = f"{prefix}session"

    @st.fragment(run_every=redraw_seconds if was_playing else None)
    def live_view() -> None:
        if session is not st.session_state.get(session_key):
            return  # a newer run replaced this one; the next full run draws it
        snapshot = session.fresh_snapshots()[0]
        draw_metrics(snapshot)
        draw_status(session, snapshot)
        data = session.data
        if isinstance(data, PointData):
            boundary_column, curves_column = st.columns([11, 9], gap="medium")
            with boundary_column:
                draw_boundary(prefix, data, snapshot, view.show_test)
        else:
            curves_column, examples_column = st.columns([11, 9], gap="medium")
            if isinstance(data, ImageSet):
                with examples_column:
                    draw_examples(prefix, data, snapshot)
        with curves_column:
            draw_curves(prefix, snapshot)
        if session.playing != was_playing:
            # Training stopped by itself (show Play again) or started without this page
            # having drawn it: a full run shows the real state and its live redraws.
            st.rerun(scope="app")

    @st.fragment(run_every=NORMS_REDRAW_SECONDS if was_playing else None)
    def live_weight_norms() -> None:
        if session is st.session_state.get(session_key):
            draw_weight_norms(prefix, session)
            if session.playing != was_playing:
                st.rerun(scope="app")  # as in the live view: show the real state

    live_view()
    norms_column, architecture_column = st.columns([11, 9], gap="medium")
    with norms_column:
        live_weight_norms()
    with architecture_column:
        draw_architecture(prefix, session)

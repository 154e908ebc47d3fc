"""The Playground's views of a curve being fitted (a regression set of one input, `CurveData`):
the function, the points and the network's prediction beside the curves; inside the network
each hidden unit's own curve, beside the health histograms and the weight norms."""

from __future__ import annotations

import streamlit as st

from playground.charts.fit import fit_figure, unit_curves_figure, unit_curves_height
from playground.core.data import CurveData
from playground.core.links import View
from playground.core.session import CurveSnapshot, TrainingSession
from playground.ui.common_views import (
    INSIDE_REDRAW_SECONDS,
    NORMS_REDRAW_SECONDS,
    LiveViews,
    below_the_fold,
    draw_architecture,
    draw_curves,
    draw_health,
    draw_setup_hints,
    draw_weight_norms,
    look_back,
    shown_snapshot,
)
from playground.ui.live_chart import live_chart

__all__ = ["fit_live_views"]

FIT_HEIGHT = 470


def draw_fit(prefix: str, data: CurveData, snapshot: CurveSnapshot, show_test: bool) -> None:
    figure = fit_figure(
        data.grid_x, data.truth, snapshot.curve, data.X_train, data.y_train,
        data.X_test if show_test else None, data.y_test if show_test else None,
        x_range=data.x_range, y_range=data.y_range, height=FIT_HEIGHT,
    )  # fmt: skip
    live_chart(figure, key=f"{prefix}fit_chart", height=FIT_HEIGHT)


def draw_unit_curves(prefix: str, session: TrainingSession) -> None:
    """Each hidden unit's output over x, a panel per layer: what the output adds up."""
    snapshot = shown_snapshot(prefix, session)
    config = session.configs[0]
    if not snapshot.unit_curves:
        return
    labels = [f"Layer {index} · {layer.units} {layer.activation}"
              for index, layer in enumerate(config.hidden, start=1)]  # fmt: skip
    live_chart(unit_curves_figure(session.data.grid_x, snapshot.unit_curves, labels),
               key=f"{prefix}unit_curves_chart", height=unit_curves_height(len(labels)),
               toolbar=False)  # fmt: skip
    st.caption("Each line: what one hidden unit outputs as x goes across (the first 16 units of "
               "a layer). The network's curve is a weighted sum of the last layer's lines, plus "
               "a bias.")  # fmt: skip


def draw_fit_health(prefix: str, session: TrainingSession) -> None:
    snapshot = shown_snapshot(prefix, session)
    draw_health(prefix, snapshot, snapshot.histograms, heading=False)


def fit_live_views(prefix: str, session: TrainingSession, view: View) -> None:
    """Every view of a one-run session fitting a curve, redrawn while it plays."""
    data: CurveData = session.data
    views = LiveViews(prefix, session, goal=view.goal)

    def top(snapshot: CurveSnapshot) -> None:
        fit_column, curves_column = st.columns([11, 9], gap="medium")
        with fit_column:
            draw_fit(prefix, data, snapshot, view.show_test)
        with curves_column:
            draw_curves(prefix, snapshot, session.configs[0])

    draw_setup_hints(prefix, session, view)
    look_back(prefix, session)
    views.top(top)
    if not below_the_fold(prefix):
        return
    st.header("Inside the network")
    if session.configs[0].hidden:
        views.calm(draw_unit_curves, INSIDE_REDRAW_SECONDS)
    draw_architecture(prefix, session, data.feature_labels)
    health_column, norms_column = st.columns([11, 9], gap="medium")
    with health_column:
        views.calm(draw_fit_health, INSIDE_REDRAW_SECONDS)
    with norms_column:
        views.calm(draw_weight_norms, NORMS_REDRAW_SECONDS)

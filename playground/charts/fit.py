"""A curve being fitted: the function, the points drawn from it and the network's prediction,
and inside the network each unit's own curve, the pieces the prediction is added up from."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.charts.style import (
    CLASS_COLORS,
    MUTED_TEXT_COLOR,
    POINT_OUTLINE_COLOR,
    TEST_COLOR,
    TRAIN_COLOR,
    as_range,
    figure,
)

__all__ = ["FIT_COLOR", "fit_figure", "unit_curves_figure", "unit_curves_height"]

FIT_COLOR = "#222222"  # the network's curve: darkest, it is what the eye follows
TRUTH_COLOR = MUTED_TEXT_COLOR
UNIT_CURVE_COLORS = CLASS_COLORS  # one colour a unit, as a layer's legend shows them
UNIT_PANEL_HEIGHT = 170


def fit_figure(
    grid_x: np.ndarray,
    truth: np.ndarray,
    prediction: np.ndarray,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    height: int = 460,
) -> go.Figure:
    """The function (dashed grey), the training points (blue circles), the test points
    (vermillion diamonds, if given) and the network's prediction (a dark line) over x.

    grid_x: (G,) the x of `truth` and `prediction` (G,); X_train: (N, 1), y_train: (N,);
    X_test, y_test likewise or None.
    """
    traces = [
        {"type": "scatter", "x": np.asarray(grid_x, np.float32), "y": np.asarray(truth, np.float32),
         "mode": "lines", "name": "the function", "line": {"color": TRUTH_COLOR, "width": 1.5,
                                                             "dash": "dash"},
         "hoverinfo": "skip"},
        {"type": "scatter", "x": np.asarray(X_train[:, 0], np.float32),
         "y": np.asarray(y_train, np.float32), "mode": "markers", "name": "training points",
         "marker": {"color": TRAIN_COLOR, "size": 6,
                    "line": {"color": POINT_OUTLINE_COLOR, "width": 0.6}},
         "hovertemplate": "training point<br>x %{x:.2f}, y %{y:.3f}<extra></extra>"},
    ]  # fmt: skip
    if X_test is not None and y_test is not None and len(y_test):
        traces.append(
            {"type": "scatter", "x": np.asarray(X_test[:, 0], np.float32),
             "y": np.asarray(y_test, np.float32), "mode": "markers", "name": "test points",
             "marker": {"color": TEST_COLOR, "size": 7, "symbol": "diamond",
                        "line": {"color": "black", "width": 1}},
             "hovertemplate": "test point<br>x %{x:.2f}, y %{y:.3f}<extra></extra>"}
        )  # fmt: skip
    finite = np.where(np.isfinite(prediction), prediction, np.nan).astype(np.float32)
    traces.append(
        {"type": "scatter", "x": np.asarray(grid_x, np.float32), "y": finite, "mode": "lines",
         "name": "the network", "line": {"color": FIT_COLOR, "width": 3},
         "hovertemplate": "the network<br>x %{x:.2f}, prediction %{y:.3f}<extra></extra>"}
    )  # fmt: skip
    layout = {
        "xaxis": {"title": {"text": "x"}, "range": as_range(x_range) if x_range else None,
                  "zeroline": False},
        "yaxis": {"title": {"text": "y"}, "range": as_range(y_range) if y_range else None},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        "hovermode": "closest",
    }  # fmt: skip
    return figure(traces, height, {"l": 50, "r": 10, "t": 40, "b": 45}, **layout)


def unit_curves_height(n_layers: int) -> int:
    return max(1, n_layers) * UNIT_PANEL_HEIGHT + 40


def unit_curves_figure(
    grid_x: np.ndarray, unit_curves: Sequence[np.ndarray], layer_labels: Sequence[str]
) -> go.Figure:
    """One panel per hidden layer with each of its (first) units' outputs over x: the bends a
    layer offers the next, and the output adds up the last layer's.

    grid_x: (G,); unit_curves: per hidden layer (units, G); layer_labels: e.g. "Layer 1 · 8
    tanh".
    """
    n_layers = max(1, len(unit_curves))
    gap = 0.08
    size = (1 - gap * (n_layers - 1)) / n_layers
    traces, layout = [], {}
    for index, (curves, label) in enumerate(zip(unit_curves, layer_labels, strict=True)):
        axis = "" if index == 0 else str(index + 1)
        top = 1 - index * (size + gap)
        last = index == n_layers - 1
        layout[f"xaxis{axis}"] = {"anchor": f"y{axis}", "matches": "x" if index else None,
                                  "showticklabels": last,
                                  "title": {"text": "x"} if last else None}  # fmt: skip
        domain = [round(max(0.0, top - size), 6), round(min(1.0, top), 6)]
        layout[f"yaxis{axis}"] = {"anchor": f"x{axis}", "domain": domain,
                                  "title": {"text": label, "font": {"size": 12}}}  # fmt: skip
        for unit, curve in enumerate(curves):
            traces.append(
                {"type": "scatter", "x": np.asarray(grid_x, np.float32),
                 "y": np.asarray(curve, np.float32), "mode": "lines", "showlegend": False,
                 "xaxis": f"x{axis}", "yaxis": f"y{axis}",
                 "line": {"color": UNIT_CURVE_COLORS[unit % len(UNIT_CURVE_COLORS)], "width": 1.6},
                 "name": f"unit {unit + 1}",
                 "hovertemplate": f"{label}, unit {unit + 1}<br>x %{{x:.2f}}: %{{y:.3f}}"
                                  "<extra></extra>"}
            )  # fmt: skip
    return figure(traces, unit_curves_height(len(unit_curves)),
                  {"l": 70, "r": 10, "t": 10, "b": 40}, hovermode="closest", **layout)  # fmt: skip

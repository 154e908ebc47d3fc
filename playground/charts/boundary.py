"""The decision boundary: the class map over the plane with the data points on top."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from mlp.datasets import fixed_subset
from playground.charts.style import (
    CLASS_COLORS,
    MUTED_TEXT_COLOR,
    POINT_OUTLINE_COLOR,
    as_range,
    figure,
    grid_extent,
    plotly_text,
    tint,
)
from playground.core.boundary import BOUNDARY_LEVELS, decode_values

# Points drawn on the decision-boundary plot at most; larger data sets are subsampled.
MAX_DISPLAYED_POINTS: int = 3000

EDIT_HOVER_DISTANCE = 4  # pixels from a marker's edge that still pick it while editing

# The empty plane's colour: a pale grey, so the place to click shows against the page.
PLANE_COLOR = "#F1F3F6"

# How strongly the class colour shows through white at the lowest and highest confidence level.
_PALEST_TINT = 0.08
_STRONGEST_TINT = 0.42


def boundary_colorscale(n_classes: int) -> list[list]:
    """Stepwise Plotly colorscale for the codes of ``encode_boundary``.

    Code ``c`` (0 .. n_classes * BOUNDARY_LEVELS - 1) gets the constant colour band
    [c / n_codes, (c + 1) / n_codes]; with ``zmin=-0.5`` and ``zmax=n_codes - 0.5`` each integer
    code falls in the middle of its band. The colour is the class colour blended with white:
    very pale at the lowest confidence, a soft tint (never fully saturated, so the data points
    drawn on top stay visible) at the highest.

    Parameters
    ----------
    n_classes : int
        K, the number of classes.

    Returns
    -------
    list[list]
        2 * n_codes ``[position, "#rrggbb"]`` pairs, positions rising from 0 to 1.
    """
    n_codes = n_classes * BOUNDARY_LEVELS
    colorscale: list[list] = []
    for class_index in range(n_classes):
        class_color = CLASS_COLORS[class_index % len(CLASS_COLORS)]
        for level in range(BOUNDARY_LEVELS):
            strength = _PALEST_TINT + (_STRONGEST_TINT - _PALEST_TINT) * level / (
                BOUNDARY_LEVELS - 1
            )
            color = tint(class_color, strength)
            code = class_index * BOUNDARY_LEVELS + level
            colorscale.append([code / n_codes, color])
            colorscale.append([(code + 1) / n_codes, color])
    return colorscale


def _display_subset(n_points: int, n_shown: int) -> np.ndarray:
    """Indices of ``n_shown`` of ``n_points`` points, the same ones at every redraw."""
    rows = fixed_subset(n_points, n_shown, seed=0)
    return np.arange(n_points) if rows is None else rows


def _class_point_traces(
    points: np.ndarray,
    labels: np.ndarray,
    class_names: Sequence[str],
    is_test: bool,
    marker_size: int,
    rows: np.ndarray | None = None,
) -> list[dict]:
    """One scatter trace per class; ``points`` (n, 2) and ``labels`` (n,). With ``rows``
    (n,), each point carries its row as customdata (a click on it names it) and says so."""
    if is_test:
        symbol, outline, size = "diamond", {"color": "black", "width": 2}, marker_size + 1
    else:
        symbol, outline, size = "circle", {"color": POINT_OUTLINE_COLOR, "width": 0.8}, marker_size
    traces = []
    for class_index, class_name in enumerate(class_names):
        in_class = labels == class_index
        name = plotly_text(str(class_name))
        # A hovertemplate fills in "%{...}" with values: the name's "%" is written as an entity.
        hover_name = name.replace("%", "&#37;") + (" (test)" if is_test else "")
        extra = {}
        if rows is not None:
            extra = {"customdata": [["point", int(row)] for row in rows[in_class]]}
            hover_name += "<br>click to remove"
        traces.append(
            {
                **extra,
                "type": "scatter",
                "x": points[in_class, 0].astype(np.float32),
                "y": points[in_class, 1].astype(np.float32),
                "mode": "markers",
                "name": name,
                "legendgroup": f"class {class_index}",
                "showlegend": not is_test,
                "marker": {
                    "color": CLASS_COLORS[class_index % len(CLASS_COLORS)],
                    "size": size,
                    "symbol": symbol,
                    "line": outline,
                },
                "hovertemplate": f"{hover_name}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
            }
        )
    return traces


def _boundary_heatmap_trace(
    xs: np.ndarray, ys: np.ndarray, codes: np.ndarray, n_classes: int
) -> dict:
    """The tinted background: one heatmap cell per grid point, coloured by its code.

    Parameters
    ----------
    xs : np.ndarray, shape (G_x,)
        X coordinates of the grid columns.
    ys : np.ndarray, shape (G_y,)
        Y coordinates of the grid rows.
    codes : np.ndarray, shape (G_y, G_x), uint8
        Codes from ``encode_boundary``.
    n_classes : int
        K, the number of classes.
    """
    return {
        "type": "heatmap",
        "x": np.asarray(xs, dtype=np.float32),
        "y": np.asarray(ys, dtype=np.float32),
        "z": np.asarray(codes, dtype=np.uint8),
        "zmin": -0.5,
        "zmax": n_classes * BOUNDARY_LEVELS - 0.5,
        "colorscale": boundary_colorscale(n_classes),
        "showscale": False,
        "hoverinfo": "skip",
    }


def _editable(traces: list[dict], layout: dict) -> None:
    """Make a plane take clicks: its heatmap sends them (with no label on hover) and a drag
    no longer zooms, so a click always lands where it was aimed."""
    for trace in traces:
        if trace["type"] == "heatmap":
            trace["hoverinfo"] = "none"
    layout["dragmode"] = False
    # A click picks a point only on its marker, not anywhere within Plotly's usual 20 pixels:
    # a new point can be put right beside another.
    layout["hoverdistance"] = EDIT_HOVER_DISTANCE


def _shown_point_counts(n_train: int, n_test: int) -> tuple[int, int]:
    """How many training and test points to draw: all, or ``MAX_DISPLAYED_POINTS`` in all.

    Above the limit the training points keep their share of the total, and the test points get
    the rest of the limit.

    Returns
    -------
    n_shown_train : int
        Training points drawn, at most ``n_train``.
    n_shown_test : int
        Test points drawn, at most ``n_test``.
    """
    n_total = n_train + n_test
    n_shown_train = min(n_train, MAX_DISPLAYED_POINTS * n_train // max(n_total, 1))
    n_shown_test = min(n_test, MAX_DISPLAYED_POINTS - n_shown_train)
    return n_shown_train, n_shown_test


def _point_marker_size(n_shown: int) -> int:
    """Marker size of the data points: smaller when many points are drawn, so they overlap less."""
    return 9 if n_shown <= 600 else 6


def _test_symbol_legend_trace(marker_size: int) -> dict:
    """A legend key for the test symbol; the test points themselves sit in their class group."""
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "name": "test points",
        "marker": {
            "color": "white",
            "size": marker_size + 1,
            "symbol": "diamond",
            "line": {"color": "black", "width": 2},
        },
    }


def _boundary_layout(
    xs: np.ndarray,
    ys: np.ndarray,
    x_range: tuple[float, float] | None,
    y_range: tuple[float, float] | None,
    legend_title: str,
) -> dict:
    """Axes (equal scale, grid edges unless a range is given) and legend of the boundary plot."""
    return {
        "xaxis": {
            "range": as_range(x_range if x_range is not None else grid_extent(np.asarray(xs))),
            "constrain": "domain",
        },
        "yaxis": {
            "range": as_range(y_range if y_range is not None else grid_extent(np.asarray(ys))),
            "scaleanchor": "x",
            "scaleratio": 1,
            "constrain": "domain",
        },
        "legend": {
            "title": {"text": legend_title, "font": {"size": 12, "color": MUTED_TEXT_COLOR}},
            "itemsizing": "constant",
        },
        "hovermode": "closest",
    }


def decision_boundary_figure(
    xs: np.ndarray,
    ys: np.ndarray,
    codes: np.ndarray | None,
    n_classes: int,
    class_names: Sequence[str],
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    height: int = 460,
    editable: bool = False,
) -> go.Figure:
    """The network's decision regions as a tinted background, with the data points on top.

    Training points are filled circles in their class colour with a thin dark outline. Test
    points are diamonds in the same colour with a thick black outline: shape and outline both
    differ, so they stand apart on a projector and for colour-blind viewers, and the fill still
    says which class they belong to. The legend has one entry per class (clicking it hides the
    training and test points of that class) and one key entry for the test symbol.

    Above ``MAX_DISPLAYED_POINTS`` points (training and test together) the same subset is drawn
    at every redraw, and the legend title says how many points are shown.

    Parameters
    ----------
    xs : np.ndarray, shape (G_x,)
        X coordinates of the grid columns, evenly spaced and increasing.
    ys : np.ndarray, shape (G_y,)
        Y coordinates of the grid rows, evenly spaced and increasing.
    codes : np.ndarray, shape (G_y, G_x), uint8, or None
        Codes from ``encode_boundary``, or None before there is a network (then only the
        points are drawn).
    n_classes : int
        K, the number of classes.
    class_names : Sequence[str]
        K names for the legend.
    X_train : np.ndarray, shape (N, 2)
        Training inputs.
    y_train : np.ndarray, shape (N,)
        Integer training labels in 0 .. K-1.
    X_test : np.ndarray, shape (M, 2), or None
        Test inputs, or None to draw no test points.
    y_test : np.ndarray, shape (M,), or None
        Integer test labels, given together with ``X_test``.
    x_range : tuple[float, float] or None
        (low, high) of the x axis; default: the outer edges of the grid.
    y_range : tuple[float, float] or None
        (low, high) of the y axis; default: the outer edges of the grid.
    height : int
        Figure height in pixels.
    editable : bool
        Points drawn by hand are being edited: a click on the plane reaches the page (see
        ``live_chart``'s ``click_plane``) and each training point carries ``["point", row]``
        as customdata, so a click on it names it.
    """
    traces: list[dict] = []
    if codes is not None:
        traces.append(_boundary_heatmap_trace(xs, ys, codes, n_classes))

    n_train = len(X_train)
    n_test = 0 if X_test is None else len(X_test)
    n_shown_train, n_shown_test = _shown_point_counts(n_train, n_test)
    n_shown = n_shown_train + n_shown_test
    marker_size = _point_marker_size(n_shown)

    shown = _display_subset(n_train, n_shown_train)
    traces += _class_point_traces(
        X_train[shown], y_train[shown], class_names, is_test=False, marker_size=marker_size,
        rows=shown if editable else None,
    )  # fmt: skip
    if X_test is not None and y_test is not None:
        shown = _display_subset(n_test, n_shown_test)
        traces += _class_point_traces(
            X_test[shown], y_test[shown], class_names, is_test=True, marker_size=marker_size
        )
        traces.append(_test_symbol_legend_trace(marker_size))

    n_total = n_train + n_test
    legend_title = f"{n_shown:,} of {n_total:,} points shown" if n_shown < n_total else ""
    layout = _boundary_layout(xs, ys, x_range, y_range, legend_title)
    if editable:
        _editable(traces, layout)
    # The top margin keeps Plotly's toolbar (shown on hover) clear of the legend.
    return figure(traces, height, {"l": 50, "r": 10, "t": 30, "b": 40}, **layout)


def empty_plane_figure(xs: np.ndarray, ys: np.ndarray, height: int = 460) -> go.Figure:
    """A blank plane to draw the first points on: white, with its axes, taking clicks.

    xs: (G_x,), ys: (G_y,) the grid's coordinates (the plane's extent)."""
    trace = {
        "type": "heatmap",
        "x": np.asarray(xs, dtype=np.float32),
        "y": np.asarray(ys, dtype=np.float32),
        "z": np.zeros((len(ys), len(xs)), dtype=np.uint8),
        "colorscale": [[0, PLANE_COLOR], [1, PLANE_COLOR]],
        "showscale": False,
    }
    traces = [trace]
    layout = _boundary_layout(xs, ys, None, None, "")
    _editable(traces, layout)
    return figure(traces, height, {"l": 50, "r": 10, "t": 30, "b": 40}, **layout)


# A regression's prediction: vermillion below 0, white at 0, blue above (the maps' pair), the
# background paler than the points drawn on it in the same colours.
NEGATIVE_VALUE_COLOR = CLASS_COLORS[3]
POSITIVE_VALUE_COLOR = CLASS_COLORS[0]
_VALUE_BACKGROUND_TINT = 0.55


def value_colorscale(strength: float = 1.0) -> list[list]:
    """Diverging scale for values from -R (vermillion) through 0 (white) to R (blue)."""
    return [[0.0, tint(NEGATIVE_VALUE_COLOR, strength)], [0.5, "#FFFFFF"],
            [1.0, tint(POSITIVE_VALUE_COLOR, strength)]]  # fmt: skip


def _value_point_trace(points: np.ndarray, targets: np.ndarray, value_range: float,
                       is_test: bool, marker_size: int) -> dict:  # fmt: skip
    name = "test points" if is_test else "training points"
    return {
        "type": "scatter",
        "x": points[:, 0].astype(np.float32),
        "y": points[:, 1].astype(np.float32),
        "mode": "markers",
        "name": name,
        "customdata": np.asarray(targets, dtype=np.float32),
        "marker": {
            "color": np.asarray(targets, dtype=np.float32),
            "colorscale": value_colorscale(),
            "cmin": -value_range,
            "cmax": value_range,
            "size": marker_size + (1 if is_test else 0),
            "symbol": "diamond" if is_test else "circle",
            "line": {
                "color": "black" if is_test else POINT_OUTLINE_COLOR,
                "width": 2 if is_test else 0.8,
            },
        },  # fmt: skip
        "hovertemplate": f"{name[:-1]}<br>(%{{x:.2f}}, %{{y:.2f}})<br>target %{{customdata:.3f}}"
        "<extra></extra>",
    }


def prediction_figure(
    xs: np.ndarray,
    ys: np.ndarray,
    codes: np.ndarray,
    value_range: float,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    height: int = 460,
) -> go.Figure:
    """A regression over the plane: the network's prediction as a pale diverging background
    (vermillion negative, white 0, blue positive, from -R to R), the points on top coloured
    by their targets on the same scale: where a point's colour matches the ground under it,
    the network predicts it well.

    xs: (G_x,), ys: (G_y,) the grid; codes: (G_y, G_x) uint8 of `boundary.encode_values`;
    value_range: R; X_train: (N, 2), y_train: (N,) targets; X_test, y_test likewise or None.
    """
    values = decode_values(codes, value_range)
    background = {
        "type": "heatmap", "x": np.asarray(xs, dtype=np.float32),
        "y": np.asarray(ys, dtype=np.float32), "z": values, "zmin": -value_range,
        "zmax": value_range, "colorscale": value_colorscale(_VALUE_BACKGROUND_TINT),
        "colorbar": {"title": {"text": "prediction"}, "thickness": 12, "len": 0.8},
        "hovertemplate": "(%{x:.2f}, %{y:.2f})<br>prediction %{z:.3f}<extra></extra>",
    }  # fmt: skip
    n_test = 0 if X_test is None else len(X_test)
    n_shown_train, n_shown_test = _shown_point_counts(len(X_train), n_test)
    marker_size = _point_marker_size(n_shown_train + n_shown_test)
    shown = _display_subset(len(X_train), n_shown_train)
    traces = [
        background,
        _value_point_trace(X_train[shown], y_train[shown], value_range, False, marker_size),
    ]
    if X_test is not None and y_test is not None and n_test:
        shown = _display_subset(n_test, n_shown_test)
        traces.append(_value_point_trace(X_test[shown], y_test[shown], value_range, True,
                                         marker_size))  # fmt: skip
    layout = _boundary_layout(xs, ys, None, None, "")
    layout["legend"].update(orientation="h", y=-0.12)
    return figure(traces, height, {"l": 50, "r": 10, "t": 30, "b": 40}, **layout)

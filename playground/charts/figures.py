"""Plotly figure builders: arrays in, ``go.Figure`` out.

Every chart here is redrawn several times a second while a network trains, so each builder:

- keeps its arrays as NumPy arrays of small dtypes (uint8 boundary codes, float32 coordinates),
  which Plotly serialises as compact base64 typed arrays;
- fixes its height, its margins and (where the caller gives them) its axis ranges, so the page
  does not jump between redraws;
- sets the same ``uirevision``, so a zoom or a legend click survives the next redraw.

The look is meant for a projector: a large base font, a white background, thin gridlines and a
colour-blind-safe palette (``CLASS_COLORS``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from mlp.datasets import fixed_subset
from playground.core.boundary import BOUNDARY_LEVELS

# Okabe & Ito (2008) "Color Universal Design" without its black, then three colours from
# Paul Tol's "muted" scheme, so up to 10 classes stay distinguishable for colour-blind viewers.
CLASS_COLORS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#332288",  # indigo
    "#999933",  # olive
    "#882255",  # wine
)

# Points drawn on the decision-boundary plot at most; larger data sets are subsampled.
MAX_DISPLAYED_POINTS: int = 3000

# Nodes drawn per column of the architecture diagram at most.
MAX_NODES_PER_COLUMN: int = 10

# Same string on every figure: Plotly keeps the user's zoom and legend clicks across redraws.
UI_REVISION = "mlp-playground"

# How strongly the class colour shows through white at the lowest and highest confidence level.
_PALEST_TINT = 0.08
_STRONGEST_TINT = 0.42

# The page's own font where the browser has it (Streamlit ships Source Sans), else a sans.
_FONT_FAMILY = '"Source Sans", "Source Sans Pro", "Source Sans 3", Arial, sans-serif'
_TEXT_COLOR = "#222222"
_MUTED_TEXT_COLOR = "#666666"
_GRID_COLOR = "#E3E6EC"
_POINT_OUTLINE_COLOR = "#333333"
# The series every page draws, each in one colour everywhere: training data blue, test data
# vermillion (apart for colour-blind viewers too), the noisy per-minibatch loss grey.
TRAIN_COLOR = CLASS_COLORS[0]
TEST_COLOR = CLASS_COLORS[3]
MINIBATCH_COLOR = "#BBBBBB"
MAX_NORM_COLOR = TEST_COLOR

_AXIS_STYLE = {
    "gridcolor": _GRID_COLOR,
    "gridwidth": 1,
    "linecolor": "#B8BEC8",
    "zerolinecolor": "#C8CDD6",
    "zerolinewidth": 1,
    "ticks": "",
    "automargin": False,  # margins stay fixed when tick labels change width
    "title": {"standoff": 8},
}

# The layout part of Plotly's "plotly_white" template, slimmed down: the full template also
# carries defaults for every trace type (about 7 kB), sent again with every redraw.
_TEMPLATE = go.layout.Template(
    layout={
        "font": {"size": 15, "color": _TEXT_COLOR, "family": _FONT_FAMILY},
        "colorway": CLASS_COLORS,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hoverlabel": {"align": "left", "font": {"size": 14}},
        "xaxis": _AXIS_STYLE,
        "yaxis": _AXIS_STYLE,
    }
)


def _figure(traces: list[dict], height: int, margin: dict[str, int], **layout) -> go.Figure:
    """One figure with the shared look, from plain dicts.

    Plotly's property validation is switched off: it cost more than half of every redraw of
    the live views (17 ms of 20 for the boundary). The tests rebuild every figure with
    validation on, so a wrong property name still fails there.
    """
    base_layout = {
        "template": _TEMPLATE,
        "height": height,
        "margin": margin,
        "uirevision": UI_REVISION,
    }
    return go.Figure(
        data=[_without_none(trace) for trace in traces],
        layout=_without_none(base_layout | layout),
        _validate=False,
    )


def _without_none(properties: dict) -> dict:
    """Drop unset (None) properties, as validation would: Plotly.js reads null as a value."""
    return {
        name: _without_none(value) if isinstance(value, dict) else value
        for name, value in properties.items()
        if value is not None
    }


def _hex_to_rgb(hex_color: str) -> tuple[int, int, int]:
    hex_digits = hex_color.lstrip("#")
    return int(hex_digits[0:2], 16), int(hex_digits[2:4], 16), int(hex_digits[4:6], 16)


def _tint(hex_color: str, strength: float) -> str:
    """Blend ``hex_color`` with white: strength 0 is white, 1 is the colour itself."""
    red, green, blue = (round(255 - strength * (255 - c)) for c in _hex_to_rgb(hex_color))
    return f"#{red:02x}{green:02x}{blue:02x}"


def empty_figure(message: str, height: int) -> go.Figure:
    """A blank figure of the given height with ``message`` in the middle.

    Used where a chart will appear (before training starts, or when a view has nothing to show),
    so the page keeps its layout when the real chart arrives.
    """
    return _figure(
        [],
        height,
        {"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"visible": False, "fixedrange": True},
        yaxis={"visible": False, "fixedrange": True},
        annotations=[
            {
                "text": message,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "font": {"size": 16, "color": _MUTED_TEXT_COLOR},
            }
        ],
    )


# --- Decision boundary ------------------------------------------------------------------------


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
            color = _tint(class_color, strength)
            code = class_index * BOUNDARY_LEVELS + level
            colorscale.append([code / n_codes, color])
            colorscale.append([(code + 1) / n_codes, color])
    return colorscale


def _as_range(bounds) -> list[float]:
    """An axis range as Plotly keeps it: a list of two plain floats."""
    low, high = bounds
    return [float(low), float(high)]


def _grid_extent(coordinates: np.ndarray) -> tuple[float, float]:
    """Outer edges of the grid cells centred on ``coordinates`` (sorted, shape (G,))."""
    if len(coordinates) < 2:
        return float(coordinates[0]) - 0.5, float(coordinates[0]) + 0.5
    half_step = 0.5 * float(coordinates[1] - coordinates[0])
    return float(coordinates[0]) - half_step, float(coordinates[-1]) + half_step


def _display_subset(n_points: int, n_shown: int) -> np.ndarray:
    """Indices of ``n_shown`` of ``n_points`` points, the same ones at every redraw."""
    rows = fixed_subset(n_points, n_shown, seed=0)
    return np.arange(n_points) if rows is None else rows


def _plotly_text(text: str) -> str:
    """``text`` (a class name from a person's file) as Plotly shows it: as written.

    Plotly renders a subset of HTML in names and hover text (``<a href>``, ``<b>``, ``<br>``)
    and decodes entities such as ``&lt;``; escaping ``&``, ``<`` and ``>`` leaves only the
    characters, so a label never becomes a live link.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _class_point_traces(
    points: np.ndarray,
    labels: np.ndarray,
    class_names: Sequence[str],
    is_test: bool,
    marker_size: int,
) -> list[dict]:
    """One scatter trace per class; ``points`` (n, 2) and ``labels`` (n,)."""
    if is_test:
        symbol, outline, size = "diamond", {"color": "black", "width": 2}, marker_size + 1
    else:
        symbol, outline, size = "circle", {"color": _POINT_OUTLINE_COLOR, "width": 0.8}, marker_size
    traces = []
    for class_index, class_name in enumerate(class_names):
        in_class = labels == class_index
        name = _plotly_text(str(class_name))
        # A hovertemplate fills in "%{...}" with values: the name's "%" is written as an entity.
        hover_name = name.replace("%", "&#37;") + (" (test)" if is_test else "")
        traces.append(
            {
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
            "range": _as_range(x_range if x_range is not None else _grid_extent(np.asarray(xs))),
            "constrain": "domain",
        },
        "yaxis": {
            "range": _as_range(y_range if y_range is not None else _grid_extent(np.asarray(ys))),
            "scaleanchor": "x",
            "scaleratio": 1,
            "constrain": "domain",
        },
        "legend": {
            "title": {"text": legend_title, "font": {"size": 12, "color": _MUTED_TEXT_COLOR}},
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
        X_train[shown], y_train[shown], class_names, is_test=False, marker_size=marker_size
    )
    if X_test is not None and y_test is not None:
        shown = _display_subset(n_test, n_shown_test)
        traces += _class_point_traces(
            X_test[shown], y_test[shown], class_names, is_test=True, marker_size=marker_size
        )
        traces.append(_test_symbol_legend_trace(marker_size))

    n_total = n_train + n_test
    legend_title = f"{n_shown:,} of {n_total:,} points shown" if n_shown < n_total else ""
    return _figure(
        traces,
        height,
        # The top margin keeps Plotly's toolbar (shown on hover) clear of the legend.
        {"l": 50, "r": 10, "t": 30, "b": 40},
        **_boundary_layout(xs, ys, x_range, y_range, legend_title),
    )


# --- Training curves --------------------------------------------------------------------------


@dataclass(frozen=True)
class Curve:
    """One line of a curves figure.

    Attributes
    ----------
    name : str
        Legend entry, e.g. "train loss".
    x : np.ndarray, shape (T,)
        Steps.
    y : np.ndarray, shape (T,)
        Values, e.g. the loss at each step.
    color : str or None
        Line colour as "#rrggbb"; None takes the next colour of ``CLASS_COLORS``.
    dash : str or None
        Plotly dash style ("dash", "dot", ...); None for a solid line.
    group : str or None
        Legend group, e.g. the run on a compare page: clicking one entry of the group hides or
        shows the whole group.
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    color: str | None = None
    dash: str | None = None
    group: str | None = None


def decimate(x: np.ndarray, y: np.ndarray, max_points: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Shorten a long per-step series for display.

    The first and last points are kept as they are; the points in between are split into
    ``max_points - 2`` buckets of consecutive points (sizes differ by at most one) and each
    bucket is drawn as its mean (x, y). A bucket containing NaN or inf stays NaN or inf, so a
    diverged run still shows.

    Parameters
    ----------
    x : np.ndarray, shape (T,)
        Steps.
    y : np.ndarray, shape (T,)
        Values.
    max_points : int
        The largest length returned; at least 3.

    Returns
    -------
    x : np.ndarray, shape (min(T, max_points),), float32
        The decimated steps.
    y : np.ndarray, shape (min(T, max_points),), float32
        The decimated values.
    """
    if max_points < 3:
        raise ValueError(f"max_points must be at least 3, got {max_points}.")
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D of the same length, got {x.shape} and {y.shape}.")
    if len(x) <= max_points:
        return x.astype(np.float32), y.astype(np.float32)
    n_inner = len(x) - 2
    n_buckets = max_points - 2
    bucket_starts = np.linspace(0, n_inner, n_buckets + 1).astype(np.intp)[:-1]
    bucket_sizes = np.diff(np.append(bucket_starts, n_inner))
    inner_x_means = np.add.reduceat(x[1:-1], bucket_starts) / bucket_sizes
    inner_y_means = np.add.reduceat(y[1:-1], bucket_starts) / bucket_sizes
    decimated_x = np.concatenate(([x[0]], inner_x_means, [x[-1]]))
    decimated_y = np.concatenate(([y[0]], inner_y_means, [y[-1]]))
    return decimated_x.astype(np.float32), decimated_y.astype(np.float32)


def curves_figure(
    curves: Sequence[Curve],
    y_title: str,
    x_title: str = "Step",
    height: int = 300,
    log_y: bool = False,
    y_range: tuple[float, float] | None = None,
) -> go.Figure:
    """Lines over training steps: loss or accuracy, of one run or of several (compare page).

    Each curve is passed through ``decimate`` (at most 400 points), so the caller may hand over
    the full history.

    Parameters
    ----------
    curves : Sequence[Curve]
        The lines to draw.
    y_title : str
        Y-axis title, e.g. "Loss".
    x_title : str
        X-axis title.
    height : int
        Figure height in pixels.
    log_y : bool
        Logarithmic y axis.
    y_range : tuple[float, float] or None
        (low, high) of the y axis in data units (also with ``log_y``); default: fit the data.
    """
    traces = []
    for curve in curves:
        x, y = decimate(curve.x, curve.y)
        traces.append(
            {
                "type": "scatter",
                "x": x,
                "y": y,
                "mode": "lines",
                "name": curve.name,
                "legendgroup": curve.group,
                "line": {"color": curve.color, "dash": curve.dash, "width": 2.5},
                "hovertemplate": "%{y:.4g}",
            }
        )
    if y_range is not None and log_y:
        y_range = (float(np.log10(y_range[0])), float(np.log10(y_range[1])))
    return _figure(
        traces,
        height,
        {"l": 60, "r": 15, "t": 40, "b": 50},
        xaxis={"title": {"text": x_title}},
        yaxis={
            "title": {"text": y_title},
            "type": "log" if log_y else "linear",
            "range": None if y_range is None else _as_range(y_range),
        },
        legend={"orientation": "h", "x": 0, "y": 1.02, "xanchor": "left", "yanchor": "bottom"},
        hovermode="x unified",
    )


# --- Weight norms -----------------------------------------------------------------------------


def _default_norm_axis_end(norms_per_layer: Sequence[np.ndarray], max_norm: float | None) -> float:
    """1.05 × the largest norm (or ``max_norm``, if larger); 1 when there is nothing to show."""
    largest = max([float(np.max(norms)) for norms in norms_per_layer if len(norms)] + [0.0])
    largest = max(largest, max_norm or 0.0)
    return 1.05 * largest if largest > 0 else 1.0


def _norm_histogram_trace(
    norms: np.ndarray, layer_name: str, axis_suffix: str, bin_edges: np.ndarray
) -> dict:
    """The bars of one layer's row; norms above the last edge are counted in the last bin.

    Parameters
    ----------
    norms : np.ndarray, shape (units,)
        The L2 norm of each unit's incoming weights.
    layer_name : str
        Name shown when hovering a bar.
    axis_suffix : str
        Suffix of the row's y axis: "" for the first row, "2", "3", ... for the next ones.
    bin_edges : np.ndarray, shape (bins + 1,)
        Equal-width bin edges from 0 to the right end of the x axis.
    """
    clipped_norms = np.clip(np.asarray(norms, dtype=np.float64), 0.0, bin_edges[-1])
    counts, _ = np.histogram(clipped_norms, bins=bin_edges)
    bin_centres = (0.5 * (bin_edges[:-1] + bin_edges[1:])).astype(np.float32)
    bin_bounds = np.stack([bin_edges[:-1], bin_edges[1:]], axis=1).astype(np.float32)
    bin_width = float(bin_edges[1] - bin_edges[0])
    return {
        "type": "bar",
        "x": bin_centres,
        "y": counts.astype(np.uint16),
        "width": bin_width * 0.92,
        "marker": {"color": TRAIN_COLOR},
        "name": layer_name,
        "yaxis": f"y{axis_suffix}",
        "showlegend": False,
        "customdata": bin_bounds,
        "hovertemplate": (
            f"{layer_name}<br>%{{y}} units with norm %{{customdata[0]:.2f}}"
            "–%{customdata[1]:.2f}<extra></extra>"
        ),
    }


def _norm_row_axis(bottom: float, row_height: float) -> dict:
    """The y axis of one row: its own count scale from zero, no tick labels."""
    return {
        "domain": [bottom, bottom + row_height],
        "showticklabels": False,
        "showgrid": False,
        "rangemode": "tozero",
        "fixedrange": True,
        "zeroline": True,
        "zerolinecolor": "#9AA1AD",
    }


def _norm_row_label(layer_name: str, n_units: int, axis_suffix: str, separator: str) -> dict:
    """The "name, units" label at the left of a row; ``separator`` is "<br>" or " · "."""
    return {
        "text": f"{layer_name}{separator}<span style='font-size:12px'>{n_units} units</span>",
        "xref": "paper",
        "yref": f"y{axis_suffix} domain",
        "x": 0,
        "y": 0.5,
        "xanchor": "right",
        "xshift": -10,
        "align": "right",
        "showarrow": False,
    }


def _max_norm_line(max_norm: float) -> dict:
    """A dashed vertical line at the max-norm constraint c, through all rows."""
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": max_norm,
        "x1": max_norm,
        "y0": 0,
        "y1": 1,
        "line": {"color": MAX_NORM_COLOR, "width": 2, "dash": "dash"},
    }


def _max_norm_label(max_norm: float) -> dict:
    """The "max-norm c = ..." label at the top of the max-norm line."""
    return {
        "text": f"max-norm c = {max_norm:g}",
        "xref": "x",
        "yref": "paper",
        "x": max_norm,
        "y": 1,
        "xanchor": "right",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 14, "color": MAX_NORM_COLOR},
    }


def weight_norm_figure(
    norms_per_layer: Sequence[np.ndarray],
    layer_names: Sequence[str],
    max_norm: float | None = None,
    x_max: float | None = None,
    bins: int = 24,
    height: int = 300,
) -> go.Figure:
    """Histograms of the units' incoming-weight L2 norms, one small row per Dense layer.

    All rows share the x axis [0, x_max], so layers compare at a glance; each row scales its
    own counts (a 256-unit layer next to an 8-unit one), and hovering a bar gives its count.
    Norms above ``x_max`` are counted in the last bin, so every unit is counted.

    Parameters
    ----------
    norms_per_layer : Sequence[np.ndarray]
        Per layer, a (units,) array: the L2 norm of each unit's incoming weights (one column
        of the layer's (in, out) weight matrix).
    layer_names : Sequence[str]
        One label per layer, shown at the left of its row.
    max_norm : float or None
        The max-norm constraint c; when given, a dashed vertical line marks it.
    x_max : float or None
        Right end of the x axis. The caller passes a value that only grows, so the axis does
        not jump at every redraw; default: 1.05 × the largest norm (or ``max_norm``).
    bins : int
        Number of equal-width bins on [0, x_max].
    height : int
        Figure height in pixels.
    """
    n_layers = len(norms_per_layer)
    if x_max is None:
        x_max = _default_norm_axis_end(norms_per_layer, max_norm)
    bin_edges = np.linspace(0.0, x_max, bins + 1)

    margin = {"l": 150, "r": 15, "t": 34, "b": 50}
    row_gap = 0.06 if n_layers > 1 else 0.0
    row_height = (1.0 - row_gap * (n_layers - 1)) / max(n_layers, 1)
    # A two-line row label needs about 45 px; shorter rows get "name · units" on one line.
    row_pixels = row_height * (height - margin["t"] - margin["b"])
    label_separator = "<br>" if row_pixels >= 45 else " · "

    traces = []
    row_axes: dict[str, dict] = {}
    annotations = []
    # Row 0 (the first layer) is drawn at the top, next to the input, as in the network diagram.
    for row, (norms, layer_name) in enumerate(zip(norms_per_layer, layer_names, strict=True)):
        axis_suffix = "" if row == 0 else str(row + 1)
        bottom = max(0.0, 1.0 - (row + 1) * row_height - row * row_gap)
        traces.append(_norm_histogram_trace(norms, layer_name, axis_suffix, bin_edges))
        row_axes[f"yaxis{axis_suffix}"] = _norm_row_axis(bottom, row_height)
        annotations.append(_norm_row_label(layer_name, len(norms), axis_suffix, label_separator))
    shapes = []
    if max_norm is not None:
        shapes.append(_max_norm_line(max_norm))
        annotations.append(_max_norm_label(max_norm))
    return _figure(
        traces,
        height,
        margin,
        xaxis={
            "range": [0, x_max],
            "title": {"text": "L2 norm of a unit's incoming weights"},
            "anchor": f"y{n_layers if n_layers > 1 else ''}",
        },
        shapes=shapes,
        annotations=annotations,
        bargap=0,
        hovermode="closest",
        **row_axes,
    )


# --- Architecture diagram ---------------------------------------------------------------------


def _column_node_positions(size: int) -> np.ndarray:
    """Vertical positions of the nodes drawn for a column of ``size`` units.

    Centred on 0, one unit apart. Above ``MAX_NODES_PER_COLUMN`` units the first and last few
    are drawn, with an empty slot at 0 for the "⋮ size" annotation.

    Returns
    -------
    np.ndarray, shape (nodes drawn,), float32
    """
    if size <= MAX_NODES_PER_COLUMN:
        positions = np.arange(size) - (size - 1) / 2
    else:
        half = (MAX_NODES_PER_COLUMN - 2) // 2
        slots = np.arange(2 * half + 1) - half
        positions = np.concatenate((slots[:half], slots[half + 1 :]))
    return positions.astype(np.float32)


def _edge_trace(node_positions: Sequence[np.ndarray]) -> dict:
    """Every node linked to every node of the next column, as one line trace broken by None."""
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for column in range(len(node_positions) - 1):
        for source_y in node_positions[column]:
            for target_y in node_positions[column + 1]:
                edge_x += [column, column + 1, None]
                edge_y += [float(source_y), float(target_y), None]
    return {
        "type": "scatter",
        "x": edge_x,
        "y": edge_y,
        "mode": "lines",
        "line": {"color": "#B0B7C3", "width": 0.6},
        "hoverinfo": "skip",
        "showlegend": False,
    }


def _node_trace(node_positions: Sequence[np.ndarray]) -> dict:
    """The nodes as circles: input and output columns shaded, hidden columns white."""
    n_columns = len(node_positions)
    node_x = np.concatenate(
        [np.full(len(p), column, dtype=np.float32) for column, p in enumerate(node_positions)]
    )
    node_y = np.concatenate(node_positions)
    node_colors = [
        "#DDE3EA" if column in (0, n_columns - 1) else "white"
        for column, positions in enumerate(node_positions)
        for _ in positions
    ]
    return {
        "type": "scatter",
        "x": node_x,
        "y": node_y,
        "mode": "markers",
        "marker": {
            "size": 11,
            "color": node_colors,
            "line": {"color": "#444444", "width": 1.2},
        },
        "hoverinfo": "skip",
        "showlegend": False,
    }


def _hidden_nodes_annotations(column: int, size: int) -> list[dict]:
    """The "⋮" in the gap of a column drawn in part, and its full size next to it."""
    return [
        {"x": column, "y": 0, "text": "⋮", "showarrow": False},
        {
            "x": column,
            "y": 0,
            "xanchor": "left",
            "xshift": 6,
            "text": f"{size}",
            "showarrow": False,
            "bgcolor": "white",
            "font": {"size": 13, "color": _MUTED_TEXT_COLOR},
        },
    ]


def architecture_figure(
    layer_sizes: Sequence[int], layer_labels: Sequence[str], height: int = 220
) -> go.Figure:
    """A left-to-right diagram of the network: one column of nodes per layer.

    A column with more than ``MAX_NODES_PER_COLUMN`` units shows the first and last few nodes
    with "⋮ <size>" between them.

    Parameters
    ----------
    layer_sizes : Sequence[int]
        Number of units per column, input first, output last, e.g. [2, 8, 8, 2].
    layer_labels : Sequence[str]
        One label per column, drawn under it, e.g. ["2 in", "8 tanh", "2 out"].
    height : int
        Figure height in pixels.
    """
    n_columns = len(layer_sizes)
    node_positions = [_column_node_positions(size) for size in layer_sizes]
    tallest = max(MAX_NODES_PER_COLUMN - 1, *(len(p) for p in node_positions), 1)
    y_top = tallest / 2 + 0.6

    annotations = []
    for column, size in enumerate(layer_sizes):
        if size > MAX_NODES_PER_COLUMN:
            annotations += _hidden_nodes_annotations(column, size)
    annotations += [
        {"x": column, "y": -y_top, "text": label, "showarrow": False, "yanchor": "top"}
        for column, label in enumerate(layer_labels)
    ]
    return _figure(
        [_edge_trace(node_positions), _node_trace(node_positions)],
        height,
        {"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"visible": False, "range": [-0.6, n_columns - 0.4], "fixedrange": True},
        yaxis={"visible": False, "range": [-y_top - 1.4, y_top], "fixedrange": True},
        annotations=annotations,
    )


# --- Image grid -------------------------------------------------------------------------------

_IMAGE_SIDE = 28
_TILE_GAP = 4  # blank pixels between tiles, left and right
_CAPTION_HEIGHT = 12  # blank pixels under each tile for its caption


def _as_uint8_tiles(images: np.ndarray) -> np.ndarray:
    """(N, 784) intensities, float in [0, 1] or uint8, as (N, 28, 28) uint8 in [0, 255]."""
    n_images = len(images)
    if images.dtype == np.uint8:
        return images.reshape(n_images, _IMAGE_SIDE, _IMAGE_SIDE)
    scaled = np.clip(np.asarray(images, dtype=np.float32), 0.0, 1.0) * 255.0
    return np.rint(scaled).astype(np.uint8).reshape(n_images, _IMAGE_SIDE, _IMAGE_SIDE)


def _tile_caption(top: int, left: int, label: str) -> dict:
    """The caption under the tile whose top-left pixel is (``top``, ``left``)."""
    return {
        "x": left + (_IMAGE_SIDE - 1) / 2,
        "y": top + _IMAGE_SIDE + 0.5,
        "text": label,
        "showarrow": False,
        "yanchor": "top",
        "font": {"size": 14},
    }


def _tile_frame(top: int, left: int) -> dict:
    """A thin rectangle around the tile whose top-left pixel is (``top``, ``left``)."""
    return {
        "type": "rect",
        "x0": left - 0.5,
        "x1": left + _IMAGE_SIDE - 0.5,
        "y0": top - 0.5,
        "y1": top + _IMAGE_SIDE - 0.5,
        "line": {"color": "#C8CDD6", "width": 1},
    }


def image_grid_figure(
    images: np.ndarray, labels: Sequence[str], n_cols: int = 8, height: int = 260
) -> go.Figure:
    """Small 28×28 greyscale images in a grid, each with a caption under it.

    The tiles are packed into one uint8 mosaic drawn as a single heatmap, dark ink on white
    (easier to read on a projector than MNIST's white on black).

    Parameters
    ----------
    images : np.ndarray, shape (N, 784)
        Pixel intensities, float in [0, 1] or uint8 in [0, 255].
    labels : Sequence[str]
        N captions, e.g. "7" or "3 → 8".
    n_cols : int
        Tiles per row.
    height : int
        Figure height in pixels.
    """
    n_images = len(images)
    if n_images == 0:
        return empty_figure("No images to show.", height)
    pixels = _as_uint8_tiles(images)
    n_cols = min(n_cols, n_images)
    n_rows = -(-n_images // n_cols)
    cell_width = _IMAGE_SIDE + _TILE_GAP
    cell_height = _IMAGE_SIDE + _CAPTION_HEIGHT
    mosaic = np.zeros((n_rows * cell_height, n_cols * cell_width), dtype=np.uint8)
    annotations = []
    # Frames show where each tile ends, since the tiles' background is as white as the page.
    frames = []
    for index, (image, label) in enumerate(zip(pixels, labels, strict=True)):
        row, column = divmod(index, n_cols)
        top = row * cell_height
        left = column * cell_width + _TILE_GAP // 2
        mosaic[top : top + _IMAGE_SIDE, left : left + _IMAGE_SIDE] = image
        annotations.append(_tile_caption(top, left, label))
        frames.append(_tile_frame(top, left))
    heatmap = {
        "type": "heatmap",
        "z": mosaic,
        "zmin": 0,
        "zmax": 255,
        "colorscale": [[0.0, "white"], [1.0, "black"]],
        "showscale": False,
        "hoverinfo": "skip",
    }
    return _figure(
        [heatmap],
        height,
        {"l": 5, "r": 5, "t": 5, "b": 5},
        xaxis={"visible": False, "fixedrange": True, "constrain": "domain"},
        yaxis={
            "visible": False,
            "fixedrange": True,
            "autorange": "reversed",
            "scaleanchor": "x",
            "constrain": "domain",
        },
        annotations=annotations,
        shapes=frames,
    )

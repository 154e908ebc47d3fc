"""Figures of the Compare page: where variants' decision boundaries disagree (on a regression
over the plane: how far apart their predictions are; for a curve, the variants' fitted curves
together), and curves over several seeds as a mean with a band of one standard deviation.

Each variant keeps one colour everywhere on the page (`VARIANT_COLORS`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.charts.curves import curves_figure, decimate
from playground.charts.style import (
    FONT_FAMILY,
    MUTED_TEXT_COLOR,
    TEXT_COLOR,
    UI_REVISION,
    as_range,
    figure,
)
from playground.core.boundary import BOUNDARY_LEVELS, decode_values

__all__ = [
    "VARIANT_COLORS",
    "band_figure",
    "disagreement",
    "disagreement_figure",
    "fits_figure",
    "prediction_spread",
    "spread_figure",
]

# Okabe & Ito: blue, vermillion, bluish green, reddish purple.
VARIANT_COLORS: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
_AGREE_COLOR = "#FFFFFF"
_DISAGREE_COLOR = "#4D4D4D"


def disagreement(boundaries: Sequence[np.ndarray]) -> np.ndarray:
    """Per grid point, whether the variants predict different classes there.

    Parameters
    ----------
    boundaries : Sequence[np.ndarray]
        Per variant, the (G_y, G_x) uint8 codes of `boundary.encode_boundary`.

    Returns
    -------
    np.ndarray, shape (G_y, G_x), bool
        True where at least two variants predict different classes.
    """
    classes = np.stack([np.asarray(codes) // BOUNDARY_LEVELS for codes in boundaries])
    return (classes != classes[0]).any(axis=0)


def disagreement_figure(
    xs: np.ndarray,
    ys: np.ndarray,
    boundaries: Sequence[np.ndarray],
    points: np.ndarray | None = None,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    height: int = 300,
) -> go.Figure:
    """Grey where the variants' boundaries disagree, white where they all agree.

    Parameters
    ----------
    xs, ys : np.ndarray
        The grid's x (G_x,) and y (G_y,) coordinates.
    boundaries : Sequence[np.ndarray]
        Per variant, the (G_y, G_x) boundary codes.
    points : np.ndarray or None
        (N, 2) training points drawn faintly for orientation.
    x_range, y_range : tuple[float, float] or None
        Fixed axis ranges, so the map lines up with the boundaries beside it.
    height : int
        Figure height in pixels.
    """
    differ = disagreement(boundaries)
    heatmap = {
        "type": "heatmap",
        "x": np.asarray(xs, dtype=np.float32),
        "y": np.asarray(ys, dtype=np.float32),
        "z": differ.astype(np.uint8),
        "zmin": 0,
        "zmax": 1,
        "colorscale": [[0.0, _AGREE_COLOR], [1.0, _DISAGREE_COLOR]],
        "showscale": False,
        "hoverinfo": "skip",
    }
    title = f"Disagree on {float(differ.mean()):.0%} of the plane"
    return _plane_map(heatmap, points, title, x_range, y_range, height)


def _plane_map(
    heatmap: dict,
    points: np.ndarray | None,
    title: str,
    x_range: tuple[float, float] | None,
    y_range: tuple[float, float] | None,
    height: int,
) -> go.Figure:
    """A map over the plane without axes, the training points faint on it, and a title."""
    traces: list[dict] = [heatmap]
    if points is not None and len(points):
        traces.append(
            {
                "type": "scatter",
                "x": np.asarray(points[:, 0], dtype=np.float32),
                "y": np.asarray(points[:, 1], dtype=np.float32),
                "mode": "markers",
                "marker": {"size": 4, "color": "#9AA3B0"},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    result = go.Figure(traces)
    result.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 36, "b": 10},
        title={"text": title, "x": 0.02, "font": {"size": 15}},
        xaxis={"range": list(x_range) if x_range else None, "visible": False},
        yaxis={
            "range": list(y_range) if y_range else None,
            "visible": False,
            "scaleanchor": "x",
        },  # fmt: skip
        paper_bgcolor="white",
        plot_bgcolor="white",
        uirevision=UI_REVISION,
        font={"size": 15, "family": FONT_FAMILY, "color": TEXT_COLOR},
    )
    return result


def prediction_spread(codes: Sequence[np.ndarray], value_range: float) -> np.ndarray:
    """Per grid point, how far apart the variants' predictions of a regression are.

    Parameters
    ----------
    codes : Sequence[np.ndarray]
        Per variant, the (G_y, G_x) uint8 codes of `boundary.encode_values`.
    value_range : float
        R, the range the codes cover (-R to R).

    Returns
    -------
    np.ndarray, shape (G_y, G_x), float32
        The largest prediction minus the smallest, from 0 to 2R.
    """
    values = np.stack([decode_values(c, value_range) for c in codes])
    return values.max(axis=0) - values.min(axis=0)


def spread_figure(
    xs: np.ndarray,
    ys: np.ndarray,
    codes: Sequence[np.ndarray],
    value_range: float,
    points: np.ndarray | None = None,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    height: int = 300,
) -> go.Figure:
    """A regression's `disagreement_figure`: white where the variants predict alike, darker
    where their predictions lie further apart (darkest at R, half the targets' span, or more).

    Parameters are those of `disagreement_figure`, with `codes` and `value_range` those of
    `prediction_spread`.
    """
    spread = prediction_spread(codes, value_range)
    heatmap = {
        "type": "heatmap",
        "x": np.asarray(xs, dtype=np.float32),
        "y": np.asarray(ys, dtype=np.float32),
        "z": spread,
        "zmin": 0.0,
        "zmax": value_range,
        "colorscale": [[0.0, _AGREE_COLOR], [1.0, _DISAGREE_COLOR]],
        "showscale": False,
        "hovertemplate": "(%{x:.2f}, %{y:.2f})<br>apart by %{z:.3f}<extra></extra>",
    }
    title = f"Apart by {float(spread.mean()):.2g} on average"
    return _plane_map(heatmap, points, title, x_range, y_range, height)


def fits_figure(
    grid_x: np.ndarray,
    truth: np.ndarray,
    curves: Sequence[np.ndarray],
    names: Sequence[str],
    X_train: np.ndarray,
    y_train: np.ndarray,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    height: int = 300,
) -> go.Figure:
    """A curve fitted by each variant, in its colour, over the function (dashed grey) and the
    training points (small, grey).

    Parameters
    ----------
    grid_x : np.ndarray
        (G,) the x at which the function and the fits are drawn.
    truth : np.ndarray
        (G,) the noiseless function there.
    curves : Sequence[np.ndarray]
        Per variant, its (G,) prediction.
    names : Sequence[str]
        Per variant, its legend entry ("A", "B", …).
    X_train, y_train : np.ndarray
        (N, 1) and (N,): the training points.
    x_range, y_range : tuple[float, float] or None
        Fixed axis ranges, so the chart does not jump as the fits move.
    height : int
        Figure height in pixels.
    """
    grid = np.asarray(grid_x, np.float32)
    traces: list[dict] = [
        {"type": "scatter", "x": np.asarray(X_train[:, 0], np.float32),
         "y": np.asarray(y_train, np.float32), "mode": "markers", "name": "training points",
         "marker": {"color": "#9AA3B0", "size": 5}, "hoverinfo": "skip"},
        {"type": "scatter", "x": grid, "y": np.asarray(truth, np.float32), "mode": "lines",
         "name": "the function", "hoverinfo": "skip",
         "line": {"color": MUTED_TEXT_COLOR, "width": 1.5, "dash": "dash"}},
    ]  # fmt: skip
    for index, (curve, name) in enumerate(zip(curves, names, strict=True)):
        finite = np.where(np.isfinite(curve), curve, np.nan).astype(np.float32)
        traces.append(
            {"type": "scatter", "x": grid, "y": finite, "mode": "lines", "name": name,
             "line": {"color": VARIANT_COLORS[index % len(VARIANT_COLORS)], "width": 2.5},
             "hovertemplate": f"{name}<br>x %{{x:.2f}}, prediction %{{y:.3f}}<extra></extra>"}
        )  # fmt: skip
    layout = {
        "xaxis": {"title": {"text": "x"}, "range": as_range(x_range) if x_range else None,
                  "zeroline": False},
        "yaxis": {"title": {"text": "y"}, "range": as_range(y_range) if y_range else None},
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        "hovermode": "closest",
    }  # fmt: skip
    return figure(traces, height, {"l": 50, "r": 10, "t": 40, "b": 45}, **layout)


def _rgba(hex_color: str, alpha: float) -> str:
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def band_figure(
    x: Sequence[np.ndarray],
    runs: Sequence[np.ndarray],
    names: Sequence[str],
    y_title: str,
    height: int = 300,
    y_range: tuple[float, float] | None = None,
) -> go.Figure:
    """Per variant, the mean over seeds as a line and mean ± one standard deviation as a band.

    Parameters
    ----------
    x : Sequence[np.ndarray]
        Per variant, the (T,) steps its curves were evaluated at.
    runs : Sequence[np.ndarray]
        Per variant, an (S, T) array: one row per seed.
    names : Sequence[str]
        Per variant, its legend entry.
    y_title : str
        Y-axis title.
    height : int
        Figure height in pixels.
    y_range : tuple[float, float] or None
        Fixed y-axis range.
    """
    figure = curves_figure([], y_title, height=height, y_range=y_range)
    for index, (steps, values, name) in enumerate(zip(x, runs, names, strict=True)):
        color = VARIANT_COLORS[index % len(VARIANT_COLORS)]
        values = np.asarray(values, dtype=np.float64)
        mean = values.mean(axis=0)
        spread = values.std(axis=0, ddof=1) if len(values) > 1 else np.zeros_like(mean)
        steps_shown, mean_shown = decimate(steps, mean)
        _, low = decimate(steps, mean - spread)
        _, high = decimate(steps, mean + spread)
        figure.add_trace(
            go.Scatter(
                x=np.concatenate([steps_shown, steps_shown[::-1]]),
                y=np.concatenate([high, low[::-1]]),
                fill="toself",
                fillcolor=_rgba(color, 0.18),
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
                legendgroup=name,
            )
        )
        figure.add_trace(
            go.Scatter(
                x=steps_shown, y=mean_shown, mode="lines", name=name, legendgroup=name,
                line={"color": color, "width": 2.5}, hovertemplate="%{y:.4g}",
            )
        )  # fmt: skip
    return figure

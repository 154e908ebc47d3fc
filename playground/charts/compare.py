"""Figures of the Compare page: where variants' decision boundaries disagree, and curves over
several seeds as a mean with a band of one standard deviation.

Each variant keeps one colour everywhere on the page (`VARIANT_COLORS`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.charts.curves import curves_figure, decimate
from playground.charts.style import FONT_FAMILY, TEXT_COLOR, UI_REVISION
from playground.core.boundary import BOUNDARY_LEVELS

__all__ = ["VARIANT_COLORS", "band_figure", "disagreement", "disagreement_figure"]

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
    share = float(differ.mean())
    traces: list[dict] = [
        {
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
    ]
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
    figure = go.Figure(traces)
    figure.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 36, "b": 10},
        title={"text": f"Disagree on {share:.0%} of the plane", "x": 0.02, "font": {"size": 15}},
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
    return figure


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

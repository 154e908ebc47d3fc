"""Training curves: loss or accuracy over steps, of one run or of several."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from playground.charts.style import as_range, figure


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
    rate: Curve | None = None,
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
    rate : Curve or None
        The learning rate over the steps, drawn thin and dotted against its own axis on the
        right (a learning-rate schedule next to the loss it shapes).
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
    extra_axes = {}
    if rate is not None:
        x, y = decimate(rate.x, rate.y)
        traces.append(
            {
                "type": "scatter",
                "x": x,
                "y": y,
                "mode": "lines",
                "name": rate.name,
                "yaxis": "y2",
                "line": {"color": rate.color, "dash": "dot", "width": 1.5},
                "hovertemplate": "%{y:.3g}",
            }
        )
        # From 0 to a tenth above the highest rate: a schedule's shape reads at its true
        # scale, and a rate that barely moves stays a flat line rather than a zoomed-in one.
        highest = float(np.max(y)) if len(y) else 1.0
        extra_axes["yaxis2"] = {
            "title": {"text": rate.name},
            "overlaying": "y",
            "side": "right",
            "range": [0.0, 1.1 * highest if highest > 0 else 1.0],
            "tickformat": ".2~g",
            "tickmode": "auto",  # plotly.js would put an overlaying axis's ticks on the loss's
            "nticks": 4,
            "showgrid": False,
        }
    if y_range is not None and log_y:
        y_range = (float(np.log10(y_range[0])), float(np.log10(y_range[1])))
    return figure(
        traces,
        height,
        {"l": 60, "r": 85 if rate is not None else 15, "t": 40, "b": 50},
        xaxis={"title": {"text": x_title}},
        yaxis={
            "title": {"text": y_title},
            "type": "log" if log_y else "linear",
            "range": None if y_range is None else as_range(y_range),
        },
        legend={"orientation": "h", "x": 0, "y": 1.02, "xanchor": "left", "yanchor": "bottom"},
        hovermode="x unified",
        **extra_axes,
    )

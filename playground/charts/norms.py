"""Weight norms: a histogram per layer of each unit's incoming weight norm, with max-norm's c."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.charts.style import MAX_NORM_COLOR, TRAIN_COLOR, figure


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
    return figure(
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

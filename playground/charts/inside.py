"""Figures of what happens inside a network on 2-D points: the network diagram with every
unit's map, one unit's map enlarged, and each layer's histograms of activations and gradients.

Arrays in, ``go.Figure`` out, as in `figures`. The diagram is redrawn about once a second while
a network trains, so it stays a handful of traces whatever the network: one heatmap per column
of tiles (int8 codes, blank rows between the tiles), eight line traces for the weights (sign ×
four widths), one marker on each weight line and one invisible marker trace on the tiles, both
answering hovers and clicks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from playground.charts.boundary import boundary_colorscale, value_colorscale
from playground.charts.style import (
    CLASS_COLORS,
    MUTED_TEXT_COLOR,
    TEXT_COLOR,
    TRAIN_COLOR,
    figure,
    grid_extent,
    plotly_text,
)
from playground.core.boundary import BOUNDARY_LEVELS, VALUE_LEVELS
from playground.core.inside import GRADIENT_EDGES, LayerHistograms
from playground.core.text import format_number

__all__ = [
    "NEGATIVE_COLOR",
    "POSITIVE_COLOR",
    "DiagramUnit",
    "DiagramWeight",
    "diagram_height",
    "full_width_weight",
    "health_figure_height",
    "network_diagram_figure",
    "training_health_figure",
    "unit_map_figure",
    "weight_line_style",
    "weight_name",
]

# Colour-blind-safe pair (Okabe & Ito), as everywhere on the page: blue positive, vermillion
# negative. A map tile is white where the unit's output is 0.
POSITIVE_COLOR = CLASS_COLORS[0]
NEGATIVE_COLOR = CLASS_COLORS[3]
MAP_COLORSCALE = [[0.0, NEGATIVE_COLOR], [0.5, "#FFFFFF"], [1.0, POSITIVE_COLOR]]
GRADIENT_COLOR = CLASS_COLORS[1]  # orange: apart from the activations' blue

# Diagram geometry, in tile sides: a tile is 1 × 1, tiles of a column are SLOT apart.
SLOT = 1.3
MIN_SLOTS = 6  # a small network's tiles are drawn no larger than those of a 6-unit column
PIXELS_PER_TILE = 27  # the figure's height follows its tallest column at this scale
WIDTH_IN_TILES = 23  # about 620 px wide at that scale: columns are spread to fill it
LABEL_ROOM = 1.9  # above the tiles, for the column labels
MORE_ROOM = 1.1  # below the tiles, for "+ 48 more"
INPUT_LABEL_ROOM = 2.1  # left of the input tiles, for "sin x₁"
CLASS_MAP_SIZE = 3.2  # the output's class map, in tile sides
CLASS_MAP_OFFSET = 0.9  # from the class nodes to the class map
# Weight lines: |w| against `full_width_weight` of its layer falls in one of four levels,
# each level a line trace.
WEIGHT_WIDTHS = (0.5, 1.2, 2.2, 3.6)
WEIGHT_OPACITIES = (0.25, 0.4, 0.6, 0.85)
# The marker a line is clicked by sits between these shares of the way along it, clear of
# the tiles at both ends.
WEIGHT_MARKER_SPAN = (0.25, 0.75)
WEIGHT_MARKER_SIZE = 5
FRAME_COLOR = "#C8CDD6"
HEALTH_ROW_PIXELS = 62  # the bars of one layer's row
ROW_GAP_PIXELS = 40  # between rows: the tick labels of one, the label of the next
SELECTED_COLOR = "#222222"


@dataclass(frozen=True)
class DiagramUnit:
    """A tile of the diagram: `column` 0 is the input, 1 .. L the hidden layers, L + 1 the
    output (whose only tile, unit 0, is the class map)."""

    column: int
    unit: int


@dataclass(frozen=True)
class DiagramWeight:
    """A weight line of the diagram: W[source, unit] of Dense layer `layer` (1 for the one
    after the inputs, as `core.surgery` counts), from tile `source` of column layer - 1 to
    tile `unit` of column `layer` (for the output layer, to class `unit`)."""

    layer: int
    source: int
    unit: int


def weight_name(weight: DiagramWeight, input_labels: Sequence[str],
                class_names: Sequence[str], n_dense: int) -> str:  # fmt: skip
    """How the page names a weight, e.g. "weight from x₁ to layer 1, unit 3" or "weight from
    layer 2, unit 1 to class b"; `n_dense` is the network's number of Dense layers."""
    source = (input_labels[weight.source] if weight.layer == 1
              else f"layer {weight.layer - 1}, unit {weight.source + 1}")  # fmt: skip
    target = (f"class {class_names[weight.unit]}" if weight.layer == n_dense
              else f"layer {weight.layer}, unit {weight.unit + 1}")  # fmt: skip
    return f"weight from {source} to {target}"


def weight_line_style(weight: float, full: float) -> tuple[str, float, float]:
    """(colour, width in px, opacity) of a weight's line: blue when positive, vermillion
    when negative; wider and stronger the larger |weight| is against `full`, the size drawn
    at full width (`full_width_weight`)."""
    color = POSITIVE_COLOR if weight >= 0 else NEGATIVE_COLOR
    level = _weight_level(np.array([abs(weight)]), full)[0]
    return color, WEIGHT_WIDTHS[level], WEIGHT_OPACITIES[level]


def full_width_weight(weights: np.ndarray) -> float:
    """The size of weight drawn at full width between two columns: the 90th percentile of
    their |w|, so one weight that grew far beyond the others does not make them all thin."""
    magnitudes = np.abs(np.asarray(weights, dtype=np.float64)).ravel()
    magnitudes = magnitudes[np.isfinite(magnitudes)]
    return float(np.percentile(magnitudes, 90)) if magnitudes.size else 0.0


def _weight_level(magnitudes: np.ndarray, full: float) -> np.ndarray:
    """Each |w|'s level 0..3: the quarter of [0, full] it falls in (beyond full: 3)."""
    if not full > 0:
        return np.zeros(len(magnitudes), dtype=np.intp)
    levels = np.ceil(np.nan_to_num(magnitudes / full * 4, nan=0.0, posinf=4.0))
    return np.clip(levels.astype(np.intp) - 1, 0, 3)


def _tile_centres(count: int) -> np.ndarray:
    """Vertical centres of `count` tiles, top first, centred on 0."""
    return ((count - 1) / 2 - np.arange(count)) * SLOT


def _layout_columns(input_count: int, shown_units: Sequence[int], n_classes: int):
    """x of each column (input, hidden..., class nodes) and the y range's half-height."""
    tallest = max(MIN_SLOTS, input_count, n_classes, *shown_units, 1)
    n_gaps = len(shown_units) + 1
    usable = WIDTH_IN_TILES - INPUT_LABEL_ROOM - CLASS_MAP_OFFSET - CLASS_MAP_SIZE - 0.6
    spacing = float(np.clip(usable / n_gaps, 2.6, 7.0))
    return np.arange(n_gaps + 1) * spacing, tallest * SLOT / 2


def diagram_height(input_count: int, shown_units: Sequence[int], n_classes: int) -> int:
    """The diagram's height in pixels: its tallest column at `PIXELS_PER_TILE`."""
    _, half = _layout_columns(input_count, shown_units, n_classes)
    return int(round((2 * half + LABEL_ROOM + MORE_ROOM) * PIXELS_PER_TILE)) + 10


def _tiles_heatmap(x_centre: float, maps: np.ndarray) -> dict:
    """One column's tiles as one heatmap: (n, g, g) int8 maps stacked with a blank row
    between tiles. x and y are cell edges, so the blank rows span the gaps."""
    count, size = maps.shape[0], maps.shape[1]
    centres = _tile_centres(count)[::-1]  # bottom tile first, as the heatmap's rows go up
    rows, edges = [], [centres[0] - 0.5]
    for index, (tile, centre) in enumerate(zip(maps[::-1], centres, strict=True)):
        if index:
            rows.append(np.zeros((1, size), dtype=np.int8))  # the gap, white
            edges.append(centre - 0.5)
        rows.append(tile)  # tile row 0 is the lowest y of the plane
        edges.extend(centre - 0.5 + (np.arange(1, size + 1) / size))
    return {
        "type": "heatmap",
        "x": np.linspace(x_centre - 0.5, x_centre + 0.5, size + 1, dtype=np.float32),
        "y": np.asarray(edges, dtype=np.float32),
        "z": np.concatenate(rows).astype(np.int8),
        "zmin": -127,
        "zmax": 127,
        "colorscale": MAP_COLORSCALE,
        "showscale": False,
        "hoverinfo": "skip",
    }


def _output_colors(n_classes: int) -> dict:
    """How an output map's codes are coloured: classes and confidence (`encode_boundary`), or
    for one output (a regression) its value from -R to R (`encode_values`)."""
    if n_classes == 1:
        return {"zmin": 0, "zmax": VALUE_LEVELS - 1, "colorscale": value_colorscale()}
    return {"zmin": -0.5, "zmax": n_classes * BOUNDARY_LEVELS - 0.5,
            "colorscale": boundary_colorscale(n_classes)}  # fmt: skip


def _class_map_heatmap(x_left: float, class_map: np.ndarray, n_classes: int) -> dict:
    rows, columns = class_map.shape
    half = CLASS_MAP_SIZE / 2
    return {
        "type": "heatmap",
        "x": np.linspace(x_left, x_left + CLASS_MAP_SIZE, columns + 1, dtype=np.float32),
        "y": np.linspace(-half, half, rows + 1, dtype=np.float32),
        "z": np.asarray(class_map, dtype=np.uint8),
        **_output_colors(n_classes),
        "showscale": False,
        "hoverinfo": "skip",
    }


def _weight_traces(
    weights: Sequence[np.ndarray], starts: Sequence[np.ndarray], ends: Sequence[np.ndarray]
) -> list[dict]:
    """Eight line traces (positive and negative × four levels), every weight in one of them.

    weights[i]: (n_from, n_to) between column i and i + 1; starts[i]: (n_from, 2) where the
    lines leave column i; ends[i]: (n_to, 2) where they reach column i + 1. Each line is
    (start, end, NaN): the NaN breaks the trace between lines.
    """
    lines, signs, levels = [], [], []
    for matrix, start, end in zip(weights, starts, ends, strict=True):
        n_from, n_to = matrix.shape
        line = np.full((n_from, n_to, 3, 2), np.nan, dtype=np.float32)
        line[:, :, 0] = start[:n_from, None, :]
        line[:, :, 1] = end[None, :n_to, :]
        lines.append(line.reshape(-1, 3, 2))
        signs.append((matrix >= 0).ravel())
        levels.append(_weight_level(np.abs(matrix).ravel(), full_width_weight(matrix)))
    lines_all = np.concatenate(lines) if lines else np.empty((0, 3, 2), np.float32)
    positive = np.concatenate(signs) if signs else np.empty(0, bool)
    level_all = np.concatenate(levels) if levels else np.empty(0, np.intp)
    traces = []
    for sign in (True, False):
        for level in range(4):
            chosen = lines_all[(positive == sign) & (level_all == level)].reshape(-1, 2)
            traces.append({
                "type": "scatter", "x": chosen[:, 0], "y": chosen[:, 1], "mode": "lines",
                "line": {"color": POSITIVE_COLOR if sign else NEGATIVE_COLOR,
                         "width": WEIGHT_WIDTHS[level]},
                "opacity": WEIGHT_OPACITIES[level], "hoverinfo": "skip", "showlegend": False,
            })  # fmt: skip
    return traces


def _marker_shares(n_from: int, n_to: int) -> np.ndarray:
    """(n_from, n_to): how far along each line (as a share of it) its marker sits. At the
    midpoints, lines i → j and i' → j' with i + j = i' + j' would share one point, so the
    markers spread along the lines by the units of the side that has fewer, one share each."""
    low, high = WEIGHT_MARKER_SPAN
    if n_from <= n_to:
        shares = low + (high - low) * (np.arange(n_from) + 0.5) / n_from
        return np.repeat(shares[:, None], n_to, axis=1)
    shares = low + (high - low) * (np.arange(n_to) + 0.5) / n_to
    return np.repeat(shares[None, :], n_from, axis=0)


def _weight_marker_trace(
    weights: Sequence[np.ndarray],
    starts: Sequence[np.ndarray],
    ends: Sequence[np.ndarray],
    input_labels: Sequence[str],
    class_names: Sequence[str],
) -> dict:
    """One marker on every weight line (shapes as in `_weight_traces`), in the line's colour
    and as faint as the line: hovering it names the weight and its value, clicking it sends
    ["weight", layer, source, unit] (see `DiagramWeight`)."""
    xs, ys, colors, opacities, custom, text = [], [], [], [], [], []
    for layer, (matrix, start, end) in enumerate(zip(weights, starts, ends, strict=True), 1):
        n_from, n_to = matrix.shape
        share = _marker_shares(n_from, n_to)[..., None]
        place = start[:n_from, None, :] * (1 - share) + end[None, :n_to, :] * share
        xs.append(place[..., 0].ravel())
        ys.append(place[..., 1].ravel())
        levels = _weight_level(np.abs(matrix).ravel(), full_width_weight(matrix))
        opacities.extend(WEIGHT_OPACITIES[level] for level in levels)
        for source, unit in np.ndindex(n_from, n_to):
            value = float(matrix[source, unit])
            colors.append(POSITIVE_COLOR if value >= 0 else NEGATIVE_COLOR)
            custom.append(["weight", layer, source, unit])
            name = weight_name(DiagramWeight(layer, source, unit), input_labels, class_names,
                               len(weights))  # fmt: skip
            text.append(f"{plotly_text(name)}: {format_number(value)}")
    return {
        "type": "scatter", "mode": "markers",
        "x": np.concatenate(xs).astype(np.float32) if xs else np.empty(0, np.float32),
        "y": np.concatenate(ys).astype(np.float32) if ys else np.empty(0, np.float32),
        "marker": {"size": WEIGHT_MARKER_SIZE, "color": colors, "opacity": opacities},
        "customdata": custom, "hovertext": text,
        "hovertemplate": "%{hovertext}<br>click to type it<extra></extra>", "showlegend": False,
    }  # fmt: skip


def _selected_weight_trace(
    weight: DiagramWeight | None, starts: Sequence[np.ndarray], ends: Sequence[np.ndarray]
) -> dict:
    """The line of the weight being typed, dark over the others (empty when none is)."""
    x, y = np.empty(0, np.float32), np.empty(0, np.float32)
    if weight is not None and 1 <= weight.layer <= len(ends):
        start, end = starts[weight.layer - 1], ends[weight.layer - 1]
        if 0 <= weight.source < len(start) and 0 <= weight.unit < len(end):
            line = np.stack([start[weight.source], end[weight.unit]]).astype(np.float32)
            x, y = line[:, 0], line[:, 1]
    return {"type": "scatter", "x": x, "y": y, "mode": "lines",
            "line": {"color": SELECTED_COLOR, "width": 3}, "hoverinfo": "skip",
            "showlegend": False}  # fmt: skip


def _frames_trace(boxes: Sequence[tuple[float, float, float]], color: str, width: float) -> dict:
    """Squares around tiles, (x centre, y centre, side) each, as one line trace."""
    corners_x = np.array([-1, 1, 1, -1, -1, np.nan]) / 2
    corners_y = np.array([-1, -1, 1, 1, -1, np.nan]) / 2
    box = np.asarray(boxes, dtype=np.float64).reshape(-1, 3)
    xs = (box[:, :1] + box[:, 2:] * corners_x).ravel().astype(np.float32)
    ys = (box[:, 1:2] + box[:, 2:] * corners_y).ravel().astype(np.float32)
    return {"type": "scatter", "x": xs, "y": ys, "mode": "lines",
            "line": {"color": color, "width": width}, "hoverinfo": "skip",
            "showlegend": False}  # fmt: skip


def network_diagram_figure(
    input_maps: np.ndarray,
    input_labels: Sequence[str],
    hidden_maps: Sequence[np.ndarray],
    hidden_labels: Sequence[str],
    hidden_sizes: Sequence[int],
    weights: Sequence[np.ndarray],
    class_map: np.ndarray,
    class_names: Sequence[str],
    selected: DiagramUnit | None = None,
    selected_weight: DiagramWeight | None = None,
) -> go.Figure:
    """The network as a diagram of maps: every input feature and hidden unit as a small
    heatmap of its value over the plane, at its place in the network; lines between them
    show each weight's sign (colour) and size (width); the output is the class map.

    Parameters
    ----------
    input_maps : np.ndarray, shape (F, g, g), int8
        Each input feature over the grid (`inside.input_maps`).
    input_labels : Sequence[str]
        F feature labels, e.g. "x₁".
    hidden_maps : Sequence[np.ndarray]
        Per hidden layer, (shown units, g, g) int8 (`inside.neuron_maps`).
    hidden_labels : Sequence[str]
        Per hidden layer, its label, e.g. "16 tanh".
    hidden_sizes : Sequence[int]
        Per hidden layer, its number of units (the units beyond the shown ones are counted
        under the column: "+ 48 more").
    weights : Sequence[np.ndarray]
        Per Dense layer, the (shown in, shown out) weights between drawn units
        (`inside.diagram_weights`).
    class_map : np.ndarray, shape (G, G), uint8
        Codes of `boundary.encode_boundary` (any resolution).
    class_names : Sequence[str]
        K class names.
    selected : DiagramUnit or None
        The tile drawn with a dark frame (the one enlarged beside the diagram).
    selected_weight : DiagramWeight or None
        The weight line drawn dark (the one being typed beside the diagram).
    """
    n_classes = len(class_names)
    shown_units = [len(maps) for maps in hidden_maps]
    column_x, half = _layout_columns(len(input_maps), shown_units, n_classes)
    output_x = float(column_x[-1])
    map_left = output_x + CLASS_MAP_OFFSET

    column_maps = [input_maps, *hidden_maps]
    traces = []
    starts, ends = [], []
    for column, maps in enumerate(column_maps):
        centres = _tile_centres(len(maps))
        starts.append(np.column_stack([np.full(len(maps), column_x[column] + 0.5), centres]))
        if column:
            ends.append(np.column_stack([np.full(len(maps), column_x[column] - 0.5), centres]))
    class_y = _tile_centres(n_classes) * 0.55
    ends.append(np.column_stack([np.full(n_classes, output_x - 0.2), class_y]))
    traces += _weight_traces(weights, starts, ends)
    traces.append(_selected_weight_trace(selected_weight, starts, ends))
    traces += [_tiles_heatmap(float(column_x[column]), maps)
               for column, maps in enumerate(column_maps) if len(maps)]  # fmt: skip
    traces.append(_class_map_heatmap(map_left, class_map, n_classes))
    traces.append({
        "type": "scatter", "x": np.full(n_classes, output_x, dtype=np.float32),
        "y": class_y.astype(np.float32), "mode": "markers",
        "marker": {"size": 13, "color": [CLASS_COLORS[k % len(CLASS_COLORS)]
                                          for k in range(n_classes)],
                   "line": {"color": "#444444", "width": 1}},
        "hovertext": [plotly_text(str(name)) for name in class_names],
        "hovertemplate": "class %{hovertext}<extra></extra>", "showlegend": False,
    })  # fmt: skip

    boxes, hover_x, hover_y, hover_text, custom = [], [], [], [], []
    for column, maps in enumerate(column_maps):
        for unit, y in enumerate(_tile_centres(len(maps))):
            x = float(column_x[column])
            boxes.append((x, float(y), 1.0))
            hover_x.append(x)
            hover_y.append(float(y))
            name = (f"input {plotly_text(input_labels[unit])}" if column == 0
                    else f"layer {column}, unit {unit + 1}")  # fmt: skip
            hover_text.append(name)
            custom.append([column, unit])
    map_centre = map_left + CLASS_MAP_SIZE / 2
    boxes.append((map_centre, 0.0, CLASS_MAP_SIZE))
    hover_x.append(map_centre)
    hover_y.append(0.0)
    hover_text.append("the class map")
    custom.append([len(column_maps), 0])
    traces.append(_weight_marker_trace(weights, starts, ends, input_labels, class_names))
    traces.append(_frames_trace(boxes, FRAME_COLOR, 1.0))
    chosen = [box for box, (column, unit) in zip(boxes, custom, strict=True)
              if selected == DiagramUnit(column, unit)]  # fmt: skip
    traces.append(_frames_trace(chosen, SELECTED_COLOR, 2.5))
    traces.append({
        "type": "scatter", "x": hover_x, "y": hover_y, "mode": "markers",
        "marker": {"size": [PIXELS_PER_TILE] * (len(hover_x) - 1)
                   + [int(PIXELS_PER_TILE * CLASS_MAP_SIZE)],
                   "symbol": "square", "color": "rgba(0,0,0,0)"},
        "customdata": custom, "hovertext": hover_text,
        "hovertemplate": "%{hovertext}: click to enlarge<extra></extra>", "showlegend": False,
    })  # fmt: skip

    top = half + LABEL_ROOM
    labels = ["Input", *[f"Layer {index}<br>{label}" for index, label in
                         enumerate(hidden_labels, start=1)], "Output"]  # fmt: skip
    annotations = [
        {"x": float(x), "y": top, "text": label, "showarrow": False, "yanchor": "top",
         "font": {"size": 14, "color": TEXT_COLOR}}
        for x, label in zip(column_x, labels, strict=True)
    ]  # fmt: skip
    annotations += [
        {"x": float(column_x[0]) - 0.6, "y": float(y), "text": plotly_text(label),
         "showarrow": False, "xanchor": "right", "font": {"size": 14, "color": TEXT_COLOR}}
        for y, label in zip(_tile_centres(len(input_maps)), input_labels, strict=True)
    ]  # fmt: skip
    output_name = "prediction" if n_classes == 1 else "class map"  # one output: a regression
    annotations += [
        {"x": map_centre, "y": -CLASS_MAP_SIZE / 2 - 0.2, "text": output_name,
         "showarrow": False, "yanchor": "top", "font": {"size": 13, "color": MUTED_TEXT_COLOR}}
    ]  # fmt: skip
    for column, (shown, size) in enumerate(zip(shown_units, hidden_sizes, strict=True), 1):
        if size > shown:
            annotations.append(
                {"x": float(column_x[column]), "y": float(_tile_centres(shown)[-1]) - 0.6,
                 "text": f"+ {size - shown} more", "showarrow": False, "yanchor": "top",
                 "font": {"size": 13, "color": MUTED_TEXT_COLOR}}
            )  # fmt: skip
    height = diagram_height(len(input_maps), shown_units, n_classes)
    return figure(
        traces,
        height,
        {"l": 5, "r": 5, "t": 5, "b": 5},
        xaxis={"visible": False, "fixedrange": True, "constrain": "domain",
               "range": [float(column_x[0]) - INPUT_LABEL_ROOM, map_left + CLASS_MAP_SIZE + 0.3]},
        yaxis={"visible": False, "fixedrange": True, "constrain": "domain", "scaleanchor": "x",
               "range": [-half - MORE_ROOM, top]},
        annotations=annotations,
        hovermode="closest",
        dragmode=False,
    )  # fmt: skip


def unit_map_figure(
    codes: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    points: np.ndarray,
    labels: np.ndarray,
    n_classes: int,
    title: str,
    class_map: bool = False,
    height: int = 340,
) -> go.Figure:
    """One tile of the diagram enlarged, over the plane, with the training points on it.

    Parameters
    ----------
    codes : np.ndarray, shape (g_y, g_x)
        A unit's int8 map (smoothed when drawn), or with `class_map` the uint8 codes of
        `boundary.encode_boundary`.
    xs, ys : np.ndarray
        The plane's coordinates of the map's columns (g_x,) and rows (g_y,).
    points : np.ndarray, shape (N, 2)
        Training points to draw on it (a few hundred at most).
    labels : np.ndarray, shape (N,)
        Their classes.
    title : str
        What the tile shows, drawn above it.
    """
    if class_map:
        heatmap = {"z": np.asarray(codes, dtype=np.uint8), **_output_colors(n_classes)}
    else:
        heatmap = {"z": np.asarray(codes, dtype=np.int8), "zmin": -127, "zmax": 127,
                   "colorscale": MAP_COLORSCALE, "zsmooth": "best"}  # fmt: skip
    traces = [
        {"type": "heatmap", "x": np.asarray(xs, dtype=np.float32),
         "y": np.asarray(ys, dtype=np.float32), "showscale": False, "hoverinfo": "skip",
         **heatmap},
        {"type": "scatter", "x": points[:, 0].astype(np.float32),
         "y": points[:, 1].astype(np.float32), "mode": "markers", "hoverinfo": "skip",
         "marker": {"size": 6, "opacity": 0.8,
                    "color": [CLASS_COLORS[k % len(CLASS_COLORS)] for k in labels],
                    "line": {"color": "#333333", "width": 0.6}},
         "showlegend": False},
    ]  # fmt: skip
    return figure(
        traces,
        height,
        {"l": 5, "r": 5, "t": 32, "b": 5},
        xaxis={"visible": False, "fixedrange": True, "constrain": "domain",
               "range": list(grid_extent(np.asarray(xs)))},
        yaxis={"visible": False, "fixedrange": True, "constrain": "domain", "scaleanchor": "x",
               "range": list(grid_extent(np.asarray(ys)))},
        title={"text": title, "x": 0.5, "xanchor": "center", "y": 0.99, "yanchor": "top",
               "font": {"size": 15}},
    )  # fmt: skip


def _power_of_ten(exponent: int) -> str:
    superscripts = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    return "1" if exponent == 0 else f"10{str(exponent).translate(superscripts)}"


def training_health_figure(histograms: Sequence[LayerHistograms], height: int) -> go.Figure:
    """Per layer (input side at the top, the output last), the histogram of its outputs on
    the evaluation sample (left) and of log10 |dL/dw| of its incoming weights (right).

    Every gradient row shares one axis, so a layer whose gradients vanish sits to the left of
    the others; each row's bars are shares of the layer's values, each row on its own scale.
    The rows' labels say the share of dead or saturated units, and of gradients exactly 0.
    """
    n_rows = max(len(histograms), 1)
    margin = {"l": 10, "r": 10, "t": 52, "b": 30}
    plot_height = max(height - margin["t"] - margin["b"], 1)
    row_gap = ROW_GAP_PIXELS / plot_height if n_rows > 1 else 0.0
    row_height = (1.0 - row_gap * (n_rows - 1)) / n_rows
    gradient_centres = (0.5 * (GRADIENT_EDGES[:-1] + GRADIENT_EDGES[1:])).astype(np.float32)
    ticks = list(range(int(GRADIENT_EDGES[0]) + 1, int(GRADIENT_EDGES[-1]) + 1, 2))
    traces, axes, annotations = [], {}, []
    for row, layer in enumerate(histograms):
        bottom = max(0.0, 1.0 - (row + 1) * row_height - row * row_gap)
        domain = [bottom, bottom + row_height]
        left, right = 2 * row + 1, 2 * row + 2
        edges = layer.activation_edges.astype(np.float64)
        traces.append({
            "type": "bar", "x": (0.5 * (edges[:-1] + edges[1:])).astype(np.float32),
            "y": layer.activation_shares, "width": float(edges[1] - edges[0]),
            "marker": {"color": TRAIN_COLOR, "line": {"width": 0}},
            "xaxis": f"x{left}", "yaxis": f"y{left}", "showlegend": False,
            "hovertemplate": f"{plotly_text(layer.label)}<br>%{{y:.0%}} of outputs near "
                             "%{x:.2g}<extra></extra>",
        })  # fmt: skip
        traces.append({
            "type": "bar", "x": gradient_centres, "y": layer.gradient_shares,
            "width": float(GRADIENT_EDGES[1] - GRADIENT_EDGES[0]),
            "marker": {"color": GRADIENT_COLOR, "line": {"width": 0}},
            "xaxis": f"x{right}", "yaxis": f"y{right}", "showlegend": False,
            "hovertemplate": f"{plotly_text(layer.label)}<br>%{{y:.0%}} of weight "
                             "gradients near 10^%{x:.1f}<extra></extra>",
        })  # fmt: skip
        last = row == len(histograms) - 1
        axes[f"xaxis{left}"] = {
            "domain": [0.0, 0.46], "anchor": f"y{left}", "fixedrange": True,
            "range": [float(edges[0]), float(edges[-1])], "tickfont": {"size": 12},
            "showgrid": False, "nticks": 6,
        }  # fmt: skip
        axes[f"xaxis{right}"] = {
            "domain": [0.54, 1.0], "anchor": f"y{right}", "fixedrange": True,
            "range": [float(GRADIENT_EDGES[0]), float(GRADIENT_EDGES[-1])],
            "tickvals": ticks, "ticktext": [_power_of_ten(t) for t in ticks],
            "showticklabels": last, "tickfont": {"size": 12}, "showgrid": False,
        }  # fmt: skip
        for index in (left, right):
            axes[f"yaxis{index}"] = {
                "domain": domain, "anchor": f"x{index}", "fixedrange": True,
                "showticklabels": False, "showgrid": False, "rangemode": "tozero",
                "zeroline": True, "zerolinecolor": "#9AA1AD",
            }  # fmt: skip
        state = f": <b>{layer.state}</b>" if layer.state else ""
        zero = (f"{layer.zero_gradients:.0%} exactly 0" if layer.zero_gradients >= 0.005
                else "")  # fmt: skip
        annotations.append(_row_label(f"{plotly_text(layer.label)}{state}", 0.0, domain))
        annotations.append(_row_label(zero, 0.54, domain, MUTED_TEXT_COLOR))
    annotations += [
        {"text": "Outputs of each layer", "x": 0.0, "xanchor": "left"},
        {"text": "Gradients |∂L/∂w| of its incoming weights", "x": 0.54, "xanchor": "left"},
    ]
    for title in annotations[-2:]:
        title.update(xref="paper", yref="paper", y=1.0, yanchor="bottom", yshift=24,
                     showarrow=False, font={"size": 14, "color": MUTED_TEXT_COLOR})  # fmt: skip
    return figure(traces, height, margin, annotations=annotations, bargap=0,
                   hovermode="closest", **axes)  # fmt: skip


def health_figure_height(n_layers: int) -> int:
    """The histograms' height for `n_layers` rows (hidden layers and the output)."""
    return 82 + n_layers * HEALTH_ROW_PIXELS + (n_layers - 1) * ROW_GAP_PIXELS


def _row_label(text: str, x: float, domain: list[float], color: str = TEXT_COLOR) -> dict:
    """A row's label just above its plot, at the left."""
    return {"text": text, "xref": "paper", "yref": "paper", "x": x, "y": domain[1],
            "xanchor": "left", "yanchor": "bottom", "showarrow": False, "align": "left",
            "font": {"size": 13, "color": color}}  # fmt: skip

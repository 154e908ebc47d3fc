"""Figures of "Backprop, one example at a time": the network traced on one point, and the
training points to pick that point from.

`backprop_diagram_figure` draws every unit as a box with its numbers (forward: z and a;
backward: dL/dz) and every weight as a line (forward: the weight; backward: dL/dw, both blue
positive, vermillion negative, wider when larger), then the loss. The networks it draws are
small (see `playground.core.backprop.MAX_UNITS`), so every number fits. Arrays in, figure out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import plotly.graph_objects as go

from playground.charts.boundary import boundary_colorscale
from playground.charts.inside import (
    NEGATIVE_COLOR,
    POSITIVE_COLOR,
    full_width_weight,
    weight_line_style,
)
from playground.charts.style import (
    CLASS_COLORS,
    MUTED_TEXT_COLOR,
    TEXT_COLOR,
    as_range,
    figure,
    plotly_text,
    tint,
)
from playground.core.backprop import PointTrace, short_number
from playground.core.boundary import BOUNDARY_LEVELS

__all__ = ["Stage", "backprop_diagram_figure", "chart_number", "point_picker_figure"]

Stage = Literal["forward", "backward"]

# Geometry in data units: boxes ROW apart in a column, the columns spread over about
# WIDTH (at most MAX_GAP apart), so deeper networks keep the same scale and shallower ones
# get roomier gaps; the figure's height follows its tallest column at PIXELS_PER_ROW.
ROW = 1.0
BOX_WIDTH = 2.0
BOX_HEIGHT = 0.8
WIDTH = 18.0
MIN_GAP, MAX_GAP = 3.2, 5.0
HEADER_ROOM = 1.2  # above the tallest column, for the column headings
INPUT_LABEL_ROOM = 1.2  # left of the inputs, for "sin x₁"
CLASS_LABEL_ROOM = 2.0  # right of the output boxes, for the class names
LOSS_GAP = 1.25  # from the last output box down to the loss box, in rows
LOSS_LABEL_ROOM = 0.6  # under the loss box, for what it is
PIXELS_PER_ROW = 54
FONT_SIZE = 13
MIN_ROWS = 4
STRONGEST_FILL = 0.55  # a box's fill at its scale's largest value: dark text stays readable
INPUT_FILL = "#EEF0F4"
BOX_LINE = "#9AA1AD"
SELECTED_LINE = "#222222"
LOSS_FILL = "#FFF4DC"


def chart_number(value: float) -> str:
    """A number as a chart shows it: three significant figures, "−1.2e−5" for small ones."""
    mantissa, exponent = short_number(value)
    text = mantissa if exponent is None else f"{mantissa}e{exponent}"
    return text.replace("-", "−")


def _fill(value: float, scale: float) -> str:
    """A box's fill: blue for positive, vermillion for negative, stronger the larger |value|
    is against `scale`; white at 0."""
    value = float(value)
    if not (np.isfinite(value) and np.isfinite(scale) and scale > 0):
        return tint(POSITIVE_COLOR, 0.0)  # white: no number to show (a diverged network)
    strength = min(abs(value) / scale, 1.0) * STRONGEST_FILL
    return tint(POSITIVE_COLOR if value >= 0 else NEGATIVE_COLOR, strength)


def _centres(count: int) -> np.ndarray:
    """Vertical centres of `count` boxes, top first, centred on 0."""
    return ((count - 1) / 2 - np.arange(count)) * ROW


@dataclass(frozen=True)
class _Layout:
    """Where everything goes: column_x (L + 2,), centres per column (top first), the loss
    box's centre (loss_x, loss_y), and the y range (bottom, top)."""

    column_x: np.ndarray
    centres: list[np.ndarray]
    loss_x: float
    loss_y: float
    bottom: float
    top: float


def _layout(trace: PointTrace) -> _Layout:
    sizes = [len(trace.features), *(len(layer.z) for layer in trace.layers)]
    n_gaps = len(sizes) - 1
    gap = float(np.clip((WIDTH - INPUT_LABEL_ROOM - BOX_WIDTH - CLASS_LABEL_ROOM) / n_gaps,
                        MIN_GAP, MAX_GAP))  # fmt: skip
    column_x = np.arange(len(sizes)) * gap
    centres = [_centres(size) for size in sizes]
    half = max(MIN_ROWS, *sizes) * ROW / 2
    loss_y = float(centres[-1][-1]) - LOSS_GAP * ROW
    bottom = min(-half, loss_y - BOX_HEIGHT / 2 - LOSS_LABEL_ROOM)
    return _Layout(column_x, centres, float(column_x[-1]), loss_y, bottom, half + HEADER_ROOM)


def diagram_height(trace: PointTrace) -> int:
    """The diagram's height in pixels: its rows at PIXELS_PER_ROW."""
    layout = _layout(trace)
    return int(round((layout.top - layout.bottom) * PIXELS_PER_ROW)) + 10


def _line_traces(lines: list[tuple[tuple[float, float], tuple[float, float], str, float, float]]):
    """Lines ((x0, y0), (x1, y1), colour, width, opacity) as one trace per style."""
    styles: dict[tuple[str, float, float], list[float | None]] = {}
    for (x0, y0), (x1, y1), *style in lines:
        xs_ys = styles.setdefault(tuple(style), [])
        xs_ys += [x0, y0, x1, y1, None, None]
    traces = []
    for (color, width, opacity), flat in styles.items():
        traces.append({
            "type": "scatter", "x": flat[0::2], "y": flat[1::2], "mode": "lines",
            "line": {"color": color, "width": width}, "opacity": opacity,
            "hoverinfo": "skip", "showlegend": False,
        })  # fmt: skip
    return traces


def backprop_diagram_figure(
    trace: PointTrace,
    input_labels: Sequence[str],
    class_names: Sequence[str],
    stage: Stage,
    selected: tuple[int, int] | None = None,
) -> go.Figure:
    """The network on one point: inputs, hidden units and outputs as boxes with their numbers,
    the weights as lines, and the loss.

    Parameters
    ----------
    trace : PointTrace
        The point traced through the network (`playground.core.backprop.trace_point`).
    input_labels : Sequence[str]
        D labels of the input features, e.g. "x₁".
    class_names : Sequence[str]
        C class names.
    stage : "forward" or "backward"
        Forward: boxes show z and a (outputs: z and p), lines the weights. Backward: boxes
        show dL/dz, lines dL/dw; every box and line on one scale, so a layer whose gradients
        are small looks pale.
    selected : (column, unit) or None
        The box drawn with a dark frame (column 1 .. L hidden layers, L + 1 the output).

    Clicking a hidden or output box sends its [column, unit] (the markers' customdata).
    """
    n_layers = len(trace.layers)
    layout = _layout(trace)
    column_x, centres = layout.column_x, layout.centres
    columns = [trace.features, *(layer.z for layer in trace.layers)]
    forward = stage == "forward"

    # weight lines
    if forward:
        fulls = [full_width_weight(layer.weights) for layer in trace.layers]
    else:
        every = np.concatenate([layer.grad_weights.ravel() for layer in trace.layers])
        fulls = [full_width_weight(every)] * n_layers
    lines, hover_x, hover_y, hover_text = [], [], [], []
    for number, layer in enumerate(trace.layers):
        values = layer.weights if forward else layer.grad_weights
        x0, x1 = column_x[number] + BOX_WIDTH / 2, column_x[number + 1] - BOX_WIDTH / 2
        for source, target in np.ndindex(values.shape):
            y0, y1 = float(centres[number][source]), float(centres[number + 1][target])
            style = weight_line_style(float(values[source, target]), fulls[number])
            lines.append(((float(x0), y0), (float(x1), y1), *style))
            hover_x.append(float(x0 + 0.25 * (x1 - x0)))
            hover_y.append(y0 + 0.25 * (y1 - y0))
            into = "output" if number == n_layers - 1 else f"layer {number + 2}"
            hover_text.append(
                f"{_unit_name(number, source, input_labels)} → {into}, unit {target + 1}<br>"
                f"w = {chart_number(layer.weights[source, target])}<br>"
                f"∂L/∂w = {chart_number(layer.grad_weights[source, target])}"
            )
    traces = _line_traces(lines)
    traces.append({
        "type": "scatter", "x": hover_x, "y": hover_y, "mode": "markers",
        "marker": {"size": 8, "color": "rgba(0,0,0,0)"}, "hovertext": hover_text,
        "hovertemplate": "%{hovertext}<extra></extra>", "showlegend": False,
    })  # fmt: skip

    # boxes
    gradient_scale = max(float(np.abs(layer.grad_z).max()) for layer in trace.layers)
    shapes, text_x, text_y, texts = [], [], [], []
    click_x, click_y, click_data, click_text = [], [], [], []
    for column, values in enumerate(columns):
        x = float(column_x[column])
        layer = trace.layers[column - 1] if column else None
        for unit, y in enumerate(centres[column]):
            y = float(y)
            if layer is None:
                fill, text = INPUT_FILL, chart_number(values[unit])
            elif forward:
                a_scale = max(1.0, float(np.abs(layer.a).max()))
                letter = "p" if column == n_layers else "a"
                fill = _fill(layer.a[unit], a_scale)
                text = f"z {chart_number(layer.z[unit])}<br>{letter} {chart_number(layer.a[unit])}"
            else:
                fill, text = (
                    _fill(layer.grad_z[unit], gradient_scale),
                    chart_number(layer.grad_z[unit]),
                )
            chosen = selected == (column, unit)
            shapes.append({
                "type": "rect", "x0": x - BOX_WIDTH / 2, "x1": x + BOX_WIDTH / 2,
                "y0": y - BOX_HEIGHT / 2, "y1": y + BOX_HEIGHT / 2, "fillcolor": fill,
                "line": {"color": SELECTED_LINE if chosen else BOX_LINE,
                         "width": 3 if chosen else 1}, "layer": "below",
            })  # fmt: skip
            text_x.append(x)
            text_y.append(y)
            texts.append(text)
            if layer is not None:
                click_x.append(x)
                click_y.append(y)
                click_data.append([column, unit])
                click_text.append(_box_hover(trace, column, unit, class_names))

    # the loss, under the output column
    loss_x, loss_y = layout.loss_x, layout.loss_y
    shapes.append({"type": "rect", "x0": loss_x - BOX_WIDTH / 2, "x1": loss_x + BOX_WIDTH / 2,
                   "y0": loss_y - BOX_HEIGHT / 2, "y1": loss_y + BOX_HEIGHT / 2,
                   "fillcolor": LOSS_FILL, "line": {"color": BOX_LINE, "width": 1},
                   "layer": "below"})  # fmt: skip
    text_x.append(loss_x)
    text_y.append(loss_y)
    texts.append(f"<b>L = {chart_number(trace.loss)}</b>")

    traces.append({"type": "scatter", "x": text_x, "y": text_y, "mode": "text", "text": texts,
                   "textfont": {"size": FONT_SIZE, "color": TEXT_COLOR}, "hoverinfo": "skip",
                   "showlegend": False})  # fmt: skip
    traces.append({
        "type": "scatter", "x": click_x, "y": click_y, "mode": "markers",
        "marker": {"size": 40, "symbol": "square", "color": "rgba(0,0,0,0)"},
        "customdata": click_data, "hovertext": click_text,
        "hovertemplate": "%{hovertext}<extra></extra>", "showlegend": False,
    })  # fmt: skip

    top = layout.top
    headings = ["Input", *[f"Layer {n}<br>{layer.activation}" for n, layer in
                           enumerate(trace.layers[:-1], start=1)], "Output<br>softmax"]  # fmt: skip
    annotations = [
        {"x": float(x), "y": top, "text": text, "showarrow": False, "yanchor": "top",
         "font": {"size": 14, "color": TEXT_COLOR}}
        for x, text in zip(column_x, headings, strict=True)
    ]  # fmt: skip
    annotations.append({"x": loss_x, "y": loss_y - BOX_HEIGHT / 2, "yanchor": "top",
                        "text": "loss: −log p", "showarrow": False,
                        "font": {"size": 12, "color": MUTED_TEXT_COLOR}})  # fmt: skip
    annotations += [
        {"x": float(column_x[0]) - BOX_WIDTH / 2 - 0.15, "y": float(y), "text": plotly_text(label),
         "showarrow": False, "xanchor": "right",
         "font": {"size": FONT_SIZE + 1, "color": TEXT_COLOR}}
        for y, label in zip(centres[0], input_labels, strict=True)
    ]  # fmt: skip
    for k, (y, name) in enumerate(zip(centres[-1], class_names, strict=True)):
        mine = k == trace.label
        annotations.append({
            "x": loss_x + BOX_WIDTH / 2 + 0.15, "y": float(y), "xanchor": "left",
            "showarrow": False,
            "text": f"<b>{plotly_text(str(name))}</b>" if mine else plotly_text(str(name)),
            "font": {"size": FONT_SIZE + 1, "color": CLASS_COLORS[k % len(CLASS_COLORS)]},
        })  # fmt: skip
    return figure(
        traces,
        diagram_height(trace),
        {"l": 5, "r": 5, "t": 5, "b": 5},
        shapes=shapes,
        annotations=annotations,
        xaxis={"visible": False, "fixedrange": True,
               "range": [float(column_x[0]) - BOX_WIDTH / 2 - INPUT_LABEL_ROOM,
                         float(column_x[-1]) + BOX_WIDTH / 2 + CLASS_LABEL_ROOM]},
        yaxis={"visible": False, "fixedrange": True, "range": [layout.bottom, top]},
        hovermode="closest",
        dragmode=False,
    )  # fmt: skip


def _unit_name(column: int, unit: int, input_labels: Sequence[str]) -> str:
    """An input ("input x₁") or a hidden unit ("layer 2, unit 3") by its column."""
    if column == 0:
        return f"input {plotly_text(input_labels[unit])}"
    return f"layer {column}, unit {unit + 1}"


def _box_hover(trace: PointTrace, column: int, unit: int, class_names: Sequence[str]) -> str:
    layer = trace.layers[column - 1]
    if column == len(trace.layers):
        head = f"output, class {plotly_text(str(class_names[unit]))}"
        a = f"p = {chart_number(layer.a[unit])}"
    else:
        head = f"layer {column}, unit {unit + 1} ({layer.activation})"
        a = f"a = {chart_number(layer.a[unit])}"
    return (f"{head}<br>z = {chart_number(layer.z[unit])}<br>{a}<br>"
            f"∂L/∂z = {chart_number(layer.grad_z[unit])}<br>click for its formulas")  # fmt: skip


def point_picker_figure(
    xs: np.ndarray,
    ys: np.ndarray,
    codes: np.ndarray,
    n_classes: int,
    points: np.ndarray,
    labels: np.ndarray,
    numbers: np.ndarray,
    chosen: int,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    height: int,
) -> go.Figure:
    """The training points over the class map, to click one; the chosen one ringed.

    xs (G_x,), ys (G_y,), codes (G_y, G_x): the boundary grid and its `encode_boundary`
    codes; points (n, 2), labels (n,), numbers (n,): the training points drawn, their classes
    and their numbers (row in the training set + 1, what a click sends back); chosen: the
    number of the point ringed, which is among `numbers`.
    """
    at = int(np.flatnonzero(numbers == chosen)[0])
    traces = [
        {"type": "heatmap", "x": np.asarray(xs, dtype=np.float32),
         "y": np.asarray(ys, dtype=np.float32), "z": np.asarray(codes, dtype=np.uint8),
         "zmin": -0.5, "zmax": n_classes * BOUNDARY_LEVELS - 0.5,
         "colorscale": boundary_colorscale(n_classes), "showscale": False, "hoverinfo": "skip"},
        {"type": "scatter", "x": points[:, 0].astype(np.float32),
         "y": points[:, 1].astype(np.float32), "mode": "markers",
         "marker": {"size": 8, "color": [CLASS_COLORS[k % len(CLASS_COLORS)] for k in labels],
                    "line": {"color": "#333333", "width": 0.7}},
         "customdata": np.asarray(numbers, dtype=np.int32),
         "hovertemplate": "training point #%{customdata}: click to trace it<extra></extra>",
         "showlegend": False},
        {"type": "scatter", "x": [float(points[at, 0])], "y": [float(points[at, 1])],
         "mode": "markers", "hoverinfo": "skip", "showlegend": False,
         "marker": {"size": 22, "color": "rgba(0,0,0,0)",
                    "line": {"color": SELECTED_LINE, "width": 3}}},
    ]  # fmt: skip
    return figure(
        traces,
        height,
        {"l": 5, "r": 5, "t": 5, "b": 5},
        xaxis={"visible": False, "fixedrange": True, "range": as_range(x_range),
               "constrain": "domain"},
        yaxis={"visible": False, "fixedrange": True, "range": as_range(y_range),
               "scaleanchor": "x", "constrain": "domain"},
        hovermode="closest",
        dragmode=False,
        annotations=[{"text": "Click a training point", "xref": "paper", "yref": "paper",
                      "x": 0.01, "y": 0.99, "xanchor": "left", "yanchor": "top",
                      "showarrow": False, "bgcolor": "rgba(255,255,255,0.8)",
                      "font": {"size": 13, "color": MUTED_TEXT_COLOR}}],
    )  # fmt: skip

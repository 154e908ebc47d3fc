"""The inside figures: weight lines follow each weight's sign and size, wide layers are
summarised, the enlarged tile and the health histograms pass Plotly's validation."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from mlp.layers import Dense, ReLU
from mlp.network import Network
from playground.charts.inside import (
    NEGATIVE_COLOR,
    POSITIVE_COLOR,
    DiagramUnit,
    DiagramWeight,
    full_width_weight,
    health_figure_height,
    network_diagram_figure,
    training_health_figure,
    unit_map_figure,
    weight_line_style,
)
from playground.core.inside import layer_histograms


def maps(count: int, size: int = 5) -> np.ndarray:
    return np.arange(count * size * size).reshape(count, size, size).astype(np.int8)


def diagram(weights, hidden_sizes=(2,), shown=None, selected=None,
            selected_weight=None) -> go.Figure:  # fmt: skip
    shown = shown or list(hidden_sizes)
    return network_diagram_figure(
        maps(2), ["x₁", "x₂"], [maps(n) for n in shown],
        [f"{n} tanh" for n in hidden_sizes], list(hidden_sizes),
        [np.asarray(w, dtype=np.float32) for w in weights],
        np.zeros((10, 10), dtype=np.uint8), ["a", "b"], selected, selected_weight,
    )  # fmt: skip


def line_traces(figure: go.Figure) -> list:
    return [t for t in figure.data if t.type == "scatter" and t.mode == "lines"
            and t.line.color in (POSITIVE_COLOR, NEGATIVE_COLOR)]  # fmt: skip


def lines_in(trace) -> int:
    return int(np.isnan(np.asarray(trace.x, dtype=np.float64)).sum())


def test_weight_line_colour_and_width_follow_sign_and_size():
    blue, wide, strong = weight_line_style(2.0, full=2.0)
    red, narrow, faint = weight_line_style(-0.3, full=2.0)
    assert (blue, red) == (POSITIVE_COLOR, NEGATIVE_COLOR)
    assert wide > narrow and strong > faint
    assert weight_line_style(-2.0, 2.0)[1:] == (wide, strong)  # size, not sign, sets the width
    assert weight_line_style(0.0, 0.0)[0] == POSITIVE_COLOR  # no weights yet: no error
    assert weight_line_style(50.0, 2.0)[1] == wide  # beyond full size: full width


def test_one_runaway_weight_does_not_make_every_other_line_thin():
    weights = np.array([[1.0, -1.0, 0.9, -0.8] * 5 + [40.0]])  # 21 weights, one runaway
    assert full_width_weight(weights) < 2
    assert weight_line_style(1.0, full_width_weight(weights))[1] == weight_line_style(
        40.0, full_width_weight(weights))[1]  # fmt: skip


def test_each_weight_is_drawn_once_in_the_trace_of_its_sign_and_size():
    # inputs → 2 hidden units → 2 classes; each layer's full width is near its largest |w|
    figure = diagram([[[4.0, -0.5], [1.5, -3.9]], [[0.2, -4.0], [1.5, 0.0]]])
    traces = line_traces(figure)
    assert len(traces) == 8  # the same traces at every redraw, some of them empty
    assert sum(lines_in(trace) for trace in traces) == 8  # 2 × 2 + 2 × 2 weights
    by_style = {(t.line.color, t.line.width): lines_in(t) for t in traces}
    widest = max(t.line.width for t in traces)
    narrowest = min(t.line.width for t in traces)
    assert by_style[(POSITIVE_COLOR, widest)] == 1  # 4.0
    assert by_style[(NEGATIVE_COLOR, widest)] == 2  # -3.9 and -4.0
    assert by_style[(NEGATIVE_COLOR, narrowest)] == 1  # -0.5: an eighth of the largest
    assert by_style[(POSITIVE_COLOR, narrowest)] == 2  # 0.2 and 0.0
    assert sum(lines_in(t) for t in traces if t.line.width not in (widest, narrowest)) == 2


def test_a_line_runs_from_its_source_tile_to_its_target_tile():
    figure = diagram([[[4.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]])
    (strongest,) = [t for t in line_traces(figure) if t.line.width == max(
        u.line.width for u in line_traces(figure)) and lines_in(t)]  # fmt: skip
    x = np.asarray(strongest.x, dtype=np.float64)
    y = np.asarray(strongest.y, dtype=np.float64)
    hover = figure.data[-1]
    centres = {tuple(c): (px, py) for c, px, py in zip(hover.customdata, hover.x, hover.y,
                                                       strict=True)}  # fmt: skip
    # from input x₁ (column 0, unit 0) to unit 1 of layer 1: right edge to left edge
    assert (x[0], y[0]) == pytest.approx((centres[(0, 0)][0] + 0.5, centres[(0, 0)][1]))
    assert (x[1], y[1]) == pytest.approx((centres[(1, 0)][0] - 0.5, centres[(1, 0)][1]))


def test_a_wide_layer_shows_its_first_units_and_counts_the_rest():
    weights = [np.ones((2, 16)), np.ones((16, 2))]
    figure = diagram(weights, hidden_sizes=(64,), shown=[16])
    texts = [a.text for a in figure.layout.annotations]
    assert "+ 48 more" in texts and "Layer 1<br>64 tanh" in texts
    hover = figure.data[-1]
    assert len(hover.customdata) == 2 + 16 + 1  # inputs, shown units, the class map
    assert list(hover.customdata[-1]) == [2, 0]


def test_the_selected_tile_is_framed():
    figure = diagram([np.ones((2, 2)), np.ones((2, 2))], selected=DiagramUnit(1, 1))
    frame = figure.data[-2]
    assert frame.line.width > figure.data[-3].line.width
    assert lines_in(frame) == 1  # one square
    assert diagram([np.ones((2, 2)), np.ones((2, 2))]).data[-2].x.size == 0


def test_no_hidden_layer_draws_the_inputs_and_the_class_map():
    figure = network_diagram_figure(
        maps(2), ["x₁²", "x₂²"], [], [], [], [np.array([[1.0, -1.0], [1.0, -1.0]])],
        np.zeros((10, 10), dtype=np.uint8), ["inside", "outside"],
    )  # fmt: skip
    assert sum(lines_in(t) for t in line_traces(figure)) == 4
    assert [a.text for a in figure.layout.annotations][:2] == ["Input", "Output"]


def weight_markers(figure: go.Figure):
    (markers,) = [t for t in figure.data if t.customdata is not None
                  and len(t.customdata) and t.customdata[0][0] == "weight"]  # fmt: skip
    return markers


def test_every_weight_line_carries_one_marker_that_names_it():
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=(2, 3)), rng.normal(size=(3, 2))]  # x₁, x₂ → 3 units → a, b
    figure = diagram(weights, hidden_sizes=(3,))
    markers = weight_markers(figure)
    drawn = [(layer, i, j) for layer, w in enumerate(weights, 1) for i, j in np.ndindex(w.shape)]
    assert [tuple(c[1:]) for c in markers.customdata] == drawn
    hover = figure.data[-1]
    centres = {tuple(c): (x, y) for c, x, y in zip(hover.customdata, hover.x, hover.y,
                                                   strict=True)}  # fmt: skip
    (classes,) = [t for t in figure.data if t.type == "scatter" and t.hovertemplate
                  and t.hovertemplate.startswith("class")]  # fmt: skip
    for (_, layer, i, j), x, y, text in zip(markers.customdata, markers.x, markers.y,
                                            markers.hovertext, strict=True):  # fmt: skip
        # on the line from the right edge of tile (layer - 1, i) to the left edge of tile
        # (layer, j), or to just left of class node j, clear of the tiles at both ends
        start = np.add(centres[(layer - 1, i)], (0.5, 0.0))
        end = (np.add(centres[(1, j)], (-0.5, 0.0)) if layer == 1
               else np.array([classes.x[j] - 0.2, classes.y[j]]))  # fmt: skip
        share = (x - start[0]) / (end[0] - start[0])
        assert 0.2 < share < 0.8
        assert y == pytest.approx(start[1] + share * (end[1] - start[1]), abs=1e-4)
        value = weights[layer - 1][i, j]
        target = f"layer 1, unit {j + 1}" if layer == 1 else f"class {'ab'[j]}"
        source = f"x{'₁₂'[i]}" if layer == 1 else f"layer 1, unit {i + 1}"
        assert text == f"weight from {source} to {target}: {value:.3f}"
    assert (np.asarray(markers.marker.color) == np.where(
        np.concatenate([w.ravel() for w in weights]) >= 0, POSITIVE_COLOR, NEGATIVE_COLOR
    )).all()  # fmt: skip


def test_only_the_drawn_weights_of_a_wide_layer_carry_markers_and_no_two_coincide():
    weights = [np.ones((2, 16)), np.ones((16, 16)), np.ones((16, 2))]
    figure = diagram(weights, hidden_sizes=(64, 16), shown=[16, 16])
    markers = weight_markers(figure)
    assert len(markers.customdata) == 2 * 16 + 16 * 16 + 16 * 2
    assert max(c[2] for c in markers.customdata) == 15  # units 17..64 are not drawn
    places = np.column_stack([markers.x, markers.y]).astype(np.float64)
    gaps = np.linalg.norm(places[:, None] - places[None], axis=-1) + np.eye(len(places))
    assert gaps.min() > 0.1  # tile sides; at the lines' midpoints many would share a place


def test_the_weight_being_typed_is_drawn_dark():
    weights = [np.ones((2, 2)), np.ones((2, 2))]
    figure = diagram(weights, selected_weight=DiagramWeight(2, 1, 0))
    (dark,) = [t for t in figure.data if t.type == "scatter" and t.mode == "lines"
               and t.line.color == "#222222" and len(t.x) == 2]  # fmt: skip
    marker = weight_markers(figure)
    index = [tuple(c) for c in marker.customdata].index(("weight", 2, 1, 0))
    share = (marker.x[index] - dark.x[0]) / (dark.x[1] - dark.x[0])
    assert marker.y[index] == pytest.approx(dark.y[0] + share * (dark.y[1] - dark.y[0]), abs=1e-4)
    for stale in (None, DiagramWeight(3, 0, 0), DiagramWeight(1, 0, 5)):
        assert not [t for t in diagram(weights, selected_weight=stale).data
                    if t.type == "scatter" and t.mode == "lines" and t.line.width == 3
                    and len(t.x)]  # fmt: skip


def every_figure() -> dict[str, go.Figure]:
    net = Network([Dense(2, 6, dtype=np.float64), ReLU(), Dense(6, 3, dtype=np.float64)])
    rng = np.random.default_rng(0)
    histograms = layer_histograms(net, rng.normal(size=(50, 2)), rng.integers(0, 3, 50))
    return {
        "diagram": diagram([np.ones((2, 2)), -np.ones((2, 2))], selected=DiagramUnit(0, 1),
                           selected_weight=DiagramWeight(1, 0, 1)),
        "unit map": unit_map_figure(maps(1)[0], np.arange(5.0), np.arange(5.0),
                                    rng.normal(size=(20, 2)), rng.integers(0, 2, 20), 2,
                                    "Layer 1, unit 1"),
        "class map": unit_map_figure(np.zeros((5, 5), np.uint8), np.arange(5.0),
                                     np.arange(5.0), np.zeros((0, 2)), np.zeros(0, int), 2,
                                     "The class map", class_map=True),
        "health": training_health_figure(histograms, health_figure_height(len(histograms))),
    }  # fmt: skip


@pytest.mark.parametrize("name", list(every_figure()))
def test_every_inside_figure_passes_plotly_validation(name):
    go.Figure(every_figure()[name].to_dict())


def test_health_rows_say_the_dead_share_and_the_exact_zero_gradients():
    net = Network([Dense(1, 4, dtype=np.float64), ReLU(), Dense(4, 2, dtype=np.float64)])
    layer = net.dense_layers()[0]
    layer.params["W"][...] = [[-1, -2, 1, 3]]
    histograms = layer_histograms(net, np.array([[0.5], [1.0]]), np.array([0, 1]))
    figure = training_health_figure(histograms, health_figure_height(2))
    texts = [a.text for a in figure.layout.annotations]
    assert "Layer 1 · 4 ReLU: <b>50% dead</b>" in texts
    assert "50% exactly 0" in texts
    assert figure.layout.height == health_figure_height(2)

"""Figure builders: the numbers behind the pictures, and payloads small enough to redraw live."""

import numpy as np
import plotly.graph_objects as go
import pytest

from playground.charts.boundary import (
    MAX_DISPLAYED_POINTS,
    boundary_colorscale,
    decision_boundary_figure,
)
from playground.charts.curves import Curve, curves_figure, decimate
from playground.charts.network import MAX_NODES_PER_COLUMN, architecture_figure
from playground.charts.norms import weight_norm_figure
from playground.charts.style import CLASS_COLORS, empty_figure
from playground.core.boundary import BOUNDARY_LEVELS, encode_boundary

TOP_LEVEL = BOUNDARY_LEVELS - 1


def _grid(n: int = 100) -> tuple[np.ndarray, np.ndarray]:
    return np.linspace(-3, 3, n), np.linspace(-2, 2, n)


def _blobs(n_points: int, n_classes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.arange(n_points) % n_classes
    points = rng.normal(size=(n_points, 2)) + labels[:, None]
    return points, labels


def _point_traces(figure: go.Figure) -> list[go.Scatter]:
    """Scatter traces that hold data points (not the legend-only key of the test symbol)."""
    return [t for t in figure.data if isinstance(t, go.Scatter) and t.x[0] is not None]


# --- encode_boundary ---------------------------------------------------------------------------


def test_encode_boundary_shape_dtype_and_predicted_class():
    n_classes, grid_shape = 3, (4, 5)
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(n_classes), size=20)
    codes = encode_boundary(proba, grid_shape)
    assert codes.dtype == np.uint8
    assert codes.shape == grid_shape
    expected_class = proba.argmax(axis=1).reshape(grid_shape)
    np.testing.assert_array_equal(codes // BOUNDARY_LEVELS, expected_class)


def test_encode_boundary_is_row_major_in_y_then_x():
    proba = np.zeros((2 * 3, 2))
    proba[:, 0] = 1.0
    proba[4] = [0.0, 1.0]  # second y row, second x column
    codes = encode_boundary(proba, (2, 3))
    assert codes[1, 1] == 1 * BOUNDARY_LEVELS + TOP_LEVEL
    assert (codes // BOUNDARY_LEVELS).sum() == 1


@pytest.mark.parametrize("n_classes", [2, 3, 10])
def test_encode_boundary_confidence_extremes(n_classes):
    uniform = np.full((6, n_classes), 1.0 / n_classes)
    assert np.all(encode_boundary(uniform, (2, 3)) % BOUNDARY_LEVELS == 0)

    one_hot = np.eye(n_classes)[np.arange(6) % n_classes]
    codes = encode_boundary(one_hot, (2, 3)).ravel()
    np.testing.assert_array_equal(codes % BOUNDARY_LEVELS, TOP_LEVEL)
    np.testing.assert_array_equal(codes // BOUNDARY_LEVELS, np.arange(6) % n_classes)


def test_encode_boundary_confidence_levels_rise_linearly():
    # Two classes: confidence runs from 1/2 to 1; the midpoint 3/4 is halfway up the levels.
    confidence = np.array([0.5, 0.74, 0.76, 0.99, 1.0])
    proba = np.stack([confidence, 1 - confidence], axis=1)
    levels = encode_boundary(proba, (1, 5)).ravel() % BOUNDARY_LEVELS
    assert list(levels) == sorted(levels)
    assert levels[0] == 0 and levels[-1] == TOP_LEVEL
    assert levels[1] == int(0.48 * BOUNDARY_LEVELS) and levels[2] == int(0.52 * BOUNDARY_LEVELS)


def test_encode_boundary_survives_nan_and_rejects_wrong_grid():
    proba = np.array([[np.nan, np.nan], [0.2, 0.8]])
    codes = encode_boundary(proba, (1, 2))
    assert codes[0, 1] == 1 * BOUNDARY_LEVELS + int(0.6 * BOUNDARY_LEVELS)
    assert codes[0, 0] % BOUNDARY_LEVELS == 0
    with pytest.raises(ValueError, match="grid"):
        encode_boundary(np.full((6, 2), 0.5), (2, 2))


# --- boundary_colorscale -----------------------------------------------------------------------


@pytest.mark.parametrize("n_classes", [2, 3, 10])
def test_boundary_colorscale_steps_cover_every_code(n_classes):
    colorscale = boundary_colorscale(n_classes)
    n_codes = n_classes * BOUNDARY_LEVELS
    assert len(colorscale) == 2 * n_codes
    positions = [position for position, _ in colorscale]
    assert positions[0] == 0 and positions[-1] == 1
    assert all(a <= b for a, b in zip(positions, positions[1:], strict=False))
    # Stepwise: each code's band has one colour at both ends.
    for code in range(n_codes):
        assert colorscale[2 * code][1] == colorscale[2 * code + 1][1]


def test_boundary_colorscale_gets_darker_with_confidence_but_stays_a_tint():
    def brightness(hex_color: str) -> int:
        return sum(int(hex_color[i : i + 2], 16) for i in (1, 3, 5))

    colorscale = boundary_colorscale(2)
    for class_index in range(2):
        colors = [colorscale[2 * (class_index * BOUNDARY_LEVELS + lv)][1] for lv in range(6)]
        values = [brightness(c) for c in colors]
        assert values == sorted(values, reverse=True) and len(set(values)) == BOUNDARY_LEVELS
        assert values[-1] > brightness(CLASS_COLORS[class_index])  # lighter than the points


# --- decision_boundary_figure ------------------------------------------------------------------


@pytest.mark.parametrize("n_classes", [2, 3])
def test_decision_boundary_figure_traces(n_classes):
    xs, ys = _grid(20)
    codes = np.zeros((20, 20), dtype=np.uint8)
    points, labels = _blobs(90, n_classes)
    names = [f"class {k}" for k in range(n_classes)]
    figure = decision_boundary_figure(xs, ys, codes, n_classes, names, points, labels)

    heatmaps = [t for t in figure.data if isinstance(t, go.Heatmap)]
    assert len(heatmaps) == 1
    heatmap = heatmaps[0]
    assert heatmap.z.dtype == np.uint8 and heatmap.z.shape == (20, 20)
    assert heatmap.showscale is False and heatmap.hoverinfo == "skip"
    assert (heatmap.zmin, heatmap.zmax) == (-0.5, n_classes * BOUNDARY_LEVELS - 0.5)

    point_traces = _point_traces(figure)
    assert len(point_traces) == n_classes
    for class_index, trace in enumerate(point_traces):
        assert trace.name == names[class_index]
        assert trace.marker.color == CLASS_COLORS[class_index]
        assert len(trace.x) == np.sum(labels == class_index)
        np.testing.assert_allclose(trace.x, points[labels == class_index, 0], rtol=1e-6)
    assert figure.layout.yaxis.scaleanchor == "x"
    assert figure.layout.uirevision is not None


def test_decision_boundary_figure_test_points_only_when_given():
    xs, ys = _grid(10)
    points, labels = _blobs(60, 2)
    test_points, test_labels = _blobs(20, 2, seed=1)
    without_test = decision_boundary_figure(xs, ys, None, 2, ["a", "b"], points, labels)
    with_test = decision_boundary_figure(
        xs, ys, None, 2, ["a", "b"], points, labels, test_points, test_labels
    )
    assert not any(isinstance(t, go.Heatmap) for t in without_test.data)
    assert len(_point_traces(without_test)) == 2
    assert len(_point_traces(with_test)) == 4
    test_traces = _point_traces(with_test)[2:]
    assert sum(len(t.x) for t in test_traces) == 20
    assert all(t.marker.symbol != "circle" for t in test_traces)
    assert [t.marker.color for t in test_traces] == list(CLASS_COLORS[:2])


def test_decision_boundary_figure_ranges_default_to_grid_and_follow_caller():
    xs, ys = np.linspace(0, 1, 11), np.linspace(0, 2, 11)
    points, labels = _blobs(10, 2)
    default = decision_boundary_figure(xs, ys, None, 2, ["a", "b"], points, labels)
    np.testing.assert_allclose(default.layout.xaxis.range, (-0.05, 1.05))
    np.testing.assert_allclose(default.layout.yaxis.range, (-0.1, 2.1))
    given = decision_boundary_figure(
        xs, ys, None, 2, ["a", "b"], points, labels, x_range=(-4, 4), y_range=(-3, 3)
    )
    assert tuple(given.layout.xaxis.range) == (-4, 4)
    assert tuple(given.layout.yaxis.range) == (-3, 3)


def test_decision_boundary_figure_subsamples_large_data_sets_the_same_way_each_time():
    xs, ys = _grid(10)
    points, labels = _blobs(50_000, 3)

    def build() -> go.Figure:
        train, test = slice(0, 40_000), slice(40_000, None)
        names = ["a", "b", "c"]
        return decision_boundary_figure(
            xs, ys, None, 3, names, points[train], labels[train], points[test], labels[test]
        )

    figure = build()
    shown = sum(len(t.x) for t in _point_traces(figure))
    assert shown <= MAX_DISPLAYED_POINTS and shown > 0.9 * MAX_DISPLAYED_POINTS
    assert "of 50,000" in figure.layout.legend.title.text
    np.testing.assert_array_equal(_point_traces(build())[0].x, _point_traces(figure)[0].x)


def test_decision_boundary_payload_is_small():
    xs, ys = _grid(100)
    rng = np.random.default_rng(0)
    codes = encode_boundary(rng.dirichlet(np.ones(3), size=100 * 100), (100, 100))
    points, labels = _blobs(500, 3)
    figure = decision_boundary_figure(xs, ys, codes, 3, ["a", "b", "c"], points, labels)
    assert len(figure.to_json()) < 40_000


def test_decision_boundary_figure_shows_class_names_as_plain_text():
    # Class names come from a person's CSV; Plotly renders a subset of HTML in text and
    # fills in "%{...}" in a hovertemplate.
    link = '<a href="https://example.com">click</a>'
    names = [link, "a & b", "&lt;b&gt;", "50%{x}"]
    xs, ys = _grid(10)
    points, labels = _blobs(40, 4)
    figure = decision_boundary_figure(xs, ys, None, 4, names, points, labels, points, labels)
    train_traces, test_traces = _point_traces(figure)[:4], _point_traces(figure)[4:]
    assert [trace.name for trace in train_traces] == [
        '&lt;a href="https://example.com"&gt;click&lt;/a&gt;',
        "a &amp; b",
        "&amp;lt;b&amp;gt;",
        "50%{x}",
    ]
    for trace in train_traces + test_traces:
        label_part = trace.hovertemplate.split("<br>")[0]
        assert "<" not in label_part and ">" not in label_part
        assert "%{" not in label_part
    assert train_traces[3].hovertemplate.startswith("50&#37;{x}<br>")
    assert test_traces[0].hovertemplate.startswith("&lt;a href")
    assert "(test)<br>" in test_traces[0].hovertemplate


# --- decimate and curves -----------------------------------------------------------------------


def test_decimate_bucket_means_on_a_known_series():
    x = np.arange(10)
    y = x**2
    decimated_x, decimated_y = decimate(x, y, max_points=5)
    # Inner points 1..8 fall into buckets [1, 2], [3, 4, 5], [6, 7, 8].
    np.testing.assert_allclose(decimated_x, [0, 1.5, 4, 7, 9])
    np.testing.assert_allclose(decimated_y, [0, 2.5, 50 / 3, 149 / 3, 81])
    assert decimated_x.dtype == np.float32 and decimated_y.dtype == np.float32


def test_decimate_long_series_keeps_first_and_last():
    steps = np.arange(1_000_000)
    loss = np.exp(-steps / 2e5)
    x, y = decimate(steps, loss, max_points=400)
    assert len(x) == len(y) == 400
    assert x[0] == 0 and x[-1] == 999_999
    assert y[0] == 1.0 and y[-1] == np.float32(loss[-1])
    assert np.all(np.diff(x) > 0)


def test_decimate_returns_short_series_unchanged():
    x, y = decimate(np.arange(5), np.array([3.0, 1, 4, 1, 5]))
    np.testing.assert_array_equal(y, [3, 1, 4, 1, 5])
    assert x.dtype == np.float32


def test_curves_figure_decimates_and_styles_each_curve():
    steps = np.arange(10_000)
    curves = [
        Curve("train", steps, np.ones(10_000), color="#000000", group="run A"),
        Curve("test", steps, np.ones(10_000), dash="dash", group="run A"),
    ]
    figure = curves_figure(curves, "Loss", log_y=True, y_range=(0.01, 10))
    assert [t.name for t in figure.data] == ["train", "test"]
    assert all(len(t.x) <= 400 and t.x.dtype == np.float32 for t in figure.data)
    assert figure.data[0].line.color == "#000000" and figure.data[1].line.dash == "dash"
    assert {t.legendgroup for t in figure.data} == {"run A"}
    assert figure.layout.yaxis.type == "log"
    np.testing.assert_allclose(figure.layout.yaxis.range, (-2, 1))
    assert figure.layout.hovermode == "x unified"
    assert figure.layout.legend.orientation == "h"


# --- weight_norm_figure ------------------------------------------------------------------------


def test_weight_norm_figure_counts_every_unit_of_every_layer():
    rng = np.random.default_rng(0)
    norms = [rng.gamma(4, 0.3, 256), rng.gamma(4, 0.3, 256), rng.gamma(4, 0.3, 10)]
    figure = weight_norm_figure(norms, ["Dense 1", "Dense 2", "Dense 3"], x_max=1.0)
    bars = [t for t in figure.data if isinstance(t, go.Bar)]
    assert [int(np.sum(b.y)) for b in bars] == [256, 256, 10]  # norms above x_max included
    assert all(len(b.x) == 24 for b in bars)
    assert tuple(figure.layout.xaxis.range) == (0, 1.0)
    assert len(figure.layout.shapes) == 0


def test_weight_norm_figure_marks_max_norm_only_when_given():
    norms = [np.array([0.5, 1.0, 2.0])]
    figure = weight_norm_figure(norms, ["Dense 1"], max_norm=3.0)
    lines = [s for s in figure.layout.shapes if s.type == "line"]
    assert len(lines) == 1 and lines[0].x0 == lines[0].x1 == 3.0
    assert any("max-norm c = 3" in a.text for a in figure.layout.annotations)
    assert figure.layout.xaxis.range[1] == pytest.approx(3.15)  # 1.05 × max(norms, max_norm)


# --- architecture, images, empty ---------------------------------------------------------------


def test_architecture_figure_caps_nodes_per_column():
    sizes = [784, 256, 8, 10]
    figure = architecture_figure(sizes, ["784 in", "256 relu", "8 tanh", "10 out"])
    nodes = next(t for t in figure.data if t.mode == "markers")
    columns, counts = np.unique(np.asarray(nodes.x), return_counts=True)
    assert list(columns) == [0, 1, 2, 3]
    assert all(counts <= MAX_NODES_PER_COLUMN)
    assert counts[2] == 8 and counts[3] == 10  # small layers are drawn in full
    texts = [a.text for a in figure.layout.annotations]
    assert "784" in texts and "256" in texts and "10" not in texts
    assert {"784 in", "256 relu", "8 tanh", "10 out"} <= set(texts)


def test_empty_figure_keeps_height_and_shows_message():
    figure = empty_figure("Press Play to start training.", 460)
    assert figure.layout.height == 460
    assert figure.layout.annotations[0].text == "Press Play to start training."


def test_weight_norm_rows_fit_for_every_layer_count():
    # Rounding once pushed the lowest row's domain just below 0, which Plotly refuses.
    # The builder skips Plotly's validation for speed, so the figure is rebuilt with it here:
    # a domain outside [0, 1] raises, and every row's domain is checked to lie in order.
    for n_layers in range(1, 8):
        norms = [np.linspace(0.1, 2.0, 8) for _ in range(n_layers)]
        figure = weight_norm_figure(norms, [f"Dense {i + 1}" for i in range(n_layers)])
        validated = go.Figure(figure.to_dict())
        domains = [
            validated.layout[name].domain
            for name in validated.layout
            if name.startswith("yaxis") and validated.layout[name].domain is not None
        ]
        assert len(domains) == n_layers
        for low, high in domains:
            assert 0 <= low < high <= 1


def _every_figure() -> dict[str, go.Figure]:
    points, labels = _blobs(60, 3)
    xs, ys = _grid(20)
    proba = np.full((400, 3), 1 / 3)
    series = np.linspace(1.0, 0.1, 50)
    return {
        "boundary": decision_boundary_figure(
            xs, ys, encode_boundary(proba, (20, 20)), 3, ["a", "b", "c"],
            points, labels, points, labels,
        ),
        "curves": curves_figure([Curve("loss", np.arange(50), series)], y_title="Loss"),
        "log curves": curves_figure(
            [Curve("loss", np.arange(50), series)], y_title="Loss", log_y=True, y_range=(0.1, 1)
        ),
        "norms": weight_norm_figure([np.linspace(0, 2, 8)] * 2, ["a", "b"], max_norm=1.5),
        "architecture": architecture_figure([2, 8, 2], ["2 in", "8 tanh", "2 out"]),
        "empty": empty_figure("nothing yet", 200),
    }  # fmt: skip


@pytest.mark.parametrize("name", list(_every_figure()))
def test_every_figure_passes_plotly_validation(name):
    # The builders skip validation for speed; rebuilding with it on catches a wrong property.
    figure = _every_figure()[name]
    go.Figure(figure.to_dict())

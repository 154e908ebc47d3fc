"""Projector mode: every chart's type at least 1.25 times larger, lines thicker, points
larger, tints stronger; the link carries the mode."""

from __future__ import annotations

import copy

import numpy as np
import plotly.graph_objects as go
import pytest

from playground.charts.boundary import decision_boundary_figure
from playground.charts.curves import Curve, curves_figure
from playground.charts.style import TEMPLATE, for_projector
from playground.core.config import Config
from playground.core.links import View, link_query, read_link


def font_sizes(node, path=(), found=None) -> dict[tuple, float]:
    """Every font size set in a figure's dict, by its path; the template left out (its base
    font is what `layout.font` overrides)."""
    found = {} if found is None else found
    if isinstance(node, dict):
        for name, value in node.items():
            if name == "template":
                continue
            if name == "size" and path and path[-1] in ("font", "tickfont", "textfont"):
                found[path] = value
            else:
                font_sizes(value, (*path, name), found)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            font_sizes(item, (*path, index), found)
    return found


def figures() -> list[go.Figure]:
    rng = np.random.default_rng(0)
    xs = ys = np.linspace(-1, 1, 20, dtype=np.float32)
    points = rng.standard_normal((60, 2)).astype(np.float32)
    labels = (points[:, 0] > 0).astype(np.int64)
    boundary = decision_boundary_figure(xs, ys, np.zeros((20, 20), np.uint8), 2, ["a", "b"],
                                        points, labels)  # fmt: skip
    steps = np.arange(50, dtype=np.float64)
    curves = curves_figure([Curve("Train loss", steps, np.exp(-steps / 10), "#0072B2")],
                           "Loss", height=300)  # fmt: skip
    return [boundary, curves]


@pytest.mark.parametrize("index", [0, 1], ids=["boundary", "curves"])
def test_every_font_grows_at_least_a_quarter_and_lines_and_points_grow(index):
    figure = figures()[index].to_dict()
    before = copy.deepcopy(figure)
    for_projector(figure)
    base_before = before["layout"].get("font", {}).get("size", TEMPLATE.layout.font.size)
    assert figure["layout"]["font"]["size"] >= 1.25 * base_before
    sizes_before, sizes_after = font_sizes(before), font_sizes(figure)
    for path, old in sizes_before.items():
        assert sizes_after[path] >= 1.25 * old, path
    assert figure["layout"]["height"] == before["layout"]["height"]
    for old, new in zip(before["data"], figure["data"], strict=True):
        if isinstance(old.get("line", {}).get("width"), (int, float)):
            assert new["line"]["width"] > old["line"]["width"]
        marker_size = old.get("marker", {}).get("size")
        if isinstance(marker_size, (int, float)):
            assert new["marker"]["size"] > marker_size
    go.Figure(figure)  # still a valid figure, checked by Plotly's own validation


def test_the_decision_regions_are_tinted_more_strongly():
    figure = figures()[0].to_dict()
    before = [color for _, color in next(t for t in figure["data"] if t["type"] == "heatmap")
              ["colorscale"]]  # fmt: skip
    for_projector(figure)
    after = [color for _, color in next(t for t in figure["data"] if t["type"] == "heatmap")
             ["colorscale"]]  # fmt: skip

    def whiteness(color: str) -> int:
        color = color.lstrip("#")
        return sum(int(color[i : i + 2], 16) for i in (0, 2, 4))

    assert all(whiteness(new) <= whiteness(old) for old, new in zip(before, after, strict=True))
    assert sum(whiteness(new) < whiteness(old) for old, new in zip(before, after, strict=True))


def test_a_link_carries_projector_mode_and_a_bad_value_gets_a_note():
    link = read_link({"projector": "1"})
    assert link.view.projector and not link.notes
    assert link_query(Config(), link.view)["projector"] == "1"
    assert "projector" not in link_query(Config(), View())
    bad = read_link({"projector": "loud"})
    assert not bad.view.projector
    (note,) = bad.notes
    assert "loud" in note and "Projector mode" in note

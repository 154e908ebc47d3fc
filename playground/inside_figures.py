"""The neuron maps: what every hidden unit computes over the plane, as small tiles.

All tiles go into one heatmap (a canvas with blank gaps between them), so a network of six
16-unit layers is one trace of about 70,000 small numbers, not 96 subplots.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.figures import _FONT_FAMILY, _TEXT_COLOR, UI_REVISION

__all__ = ["neuron_map_canvas", "neuron_map_figure"]

TILES_PER_ROW = 8
GAP = 3  # blank cells between tiles
LABEL_ROWS = 9  # blank cells above each layer's tiles, for its label
# Blue where a unit's output is high, vermillion where it is low (negative), white at zero.
MAP_COLORSCALE = [[0.0, "#D55E00"], [0.5, "#FFFFFF"], [1.0, "#0072B2"]]


def neuron_map_canvas(
    maps: Sequence[np.ndarray], tiles_per_row: int = TILES_PER_ROW
) -> tuple[np.ndarray, list[tuple[float, int]]]:
    """Lay out every layer's unit maps on one canvas, first layer at the top.

    Parameters
    ----------
    maps : Sequence[np.ndarray]
        Per layer, an (units, G_y, G_x) int8 array (`inside.neuron_maps`).
    tiles_per_row : int
        Tiles per row; a wider layer wraps onto more rows.

    Returns
    -------
    canvas : np.ndarray, shape (H, W), float32
        Values in [-1, 1], NaN in the gaps (drawn blank). Row 0 is the bottom.
    label_rows : list of (y, layer index)
        Where each layer's label goes (canvas row, from the bottom).
    """
    if not maps:
        return np.full((1, 1), np.nan, dtype=np.float32), []
    tile_h, tile_w = maps[0].shape[1:]
    width = tiles_per_row * (tile_w + GAP) - GAP
    blocks, labels_from_top, top = [], [], 0
    for index, layer in enumerate(maps):
        rows = -(-len(layer) // tiles_per_row)
        block = np.full((LABEL_ROWS + rows * (tile_h + GAP), width), np.nan, dtype=np.float32)
        for unit, tile in enumerate(layer):
            row, column = divmod(unit, tiles_per_row)
            y0 = LABEL_ROWS + row * (tile_h + GAP)
            x0 = column * (tile_w + GAP)
            # Tile row 0 is the lowest y of the plane: flip it, as the block is built top down.
            block[y0 : y0 + tile_h, x0 : x0 + tile_w] = tile[::-1] / 127.0
        labels_from_top.append((top + LABEL_ROWS / 2, index))
        blocks.append(block)
        top += len(block)
    canvas = np.concatenate(blocks)[::-1]  # bottom row first, as the heatmap draws it
    height = len(canvas)
    return canvas, [(height - 1 - y, index) for y, index in labels_from_top]


def neuron_map_figure(
    maps: Sequence[np.ndarray],
    layer_labels: Sequence[str],
    height: int = 300,
) -> go.Figure:
    """Every hidden unit's output over the plane (each tile on its own scale), layer by layer.

    Parameters
    ----------
    maps : Sequence[np.ndarray]
        Per layer, an (units, G_y, G_x) int8 array.
    layer_labels : Sequence[str]
        Per layer, its label, e.g. "Layer 1 · 16 tanh".
    height : int
        Figure height in pixels.
    """
    canvas, label_rows = neuron_map_canvas(maps)
    annotations = [
        {"x": 0, "y": y, "xref": "x", "yref": "y", "text": layer_labels[index],
         "showarrow": False, "xanchor": "left", "font": {"size": 14, "color": _TEXT_COLOR}}
        for y, index in label_rows
    ]  # fmt: skip
    figure = go.Figure(
        go.Heatmap(
            z=canvas, zmin=-1, zmax=1, colorscale=MAP_COLORSCALE, showscale=False, hoverinfo="skip"
        )  # fmt: skip
    )
    figure.update_layout(
        height=height,
        margin={"l": 5, "r": 5, "t": 5, "b": 5},
        xaxis={"visible": False, "constrain": "domain"},
        yaxis={"visible": False, "scaleanchor": "x", "constrain": "domain"},
        paper_bgcolor="white",
        plot_bgcolor="white",
        annotations=annotations,
        font={"family": _FONT_FAMILY},
        uirevision=UI_REVISION,
    )
    return figure

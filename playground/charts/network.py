"""The architecture: a node-and-edge drawing of the network's layers."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.charts.style import MUTED_TEXT_COLOR, figure

# Nodes drawn per column of the architecture diagram at most.
MAX_NODES_PER_COLUMN: int = 10


def _column_node_positions(size: int) -> np.ndarray:
    """Vertical positions of the nodes drawn for a column of ``size`` units.

    Centred on 0, one unit apart. Above ``MAX_NODES_PER_COLUMN`` units the first and last few
    are drawn, with an empty slot at 0 for the "⋮ size" annotation.

    Returns
    -------
    np.ndarray, shape (nodes drawn,), float32
    """
    if size <= MAX_NODES_PER_COLUMN:
        positions = np.arange(size) - (size - 1) / 2
    else:
        half = (MAX_NODES_PER_COLUMN - 2) // 2
        slots = np.arange(2 * half + 1) - half
        positions = np.concatenate((slots[:half], slots[half + 1 :]))
    return positions.astype(np.float32)


def _edge_trace(node_positions: Sequence[np.ndarray]) -> dict:
    """Every node linked to every node of the next column, as one line trace broken by None."""
    edge_x: list[float | None] = []
    edge_y: list[float | None] = []
    for column in range(len(node_positions) - 1):
        for source_y in node_positions[column]:
            for target_y in node_positions[column + 1]:
                edge_x += [column, column + 1, None]
                edge_y += [float(source_y), float(target_y), None]
    return {
        "type": "scatter",
        "x": edge_x,
        "y": edge_y,
        "mode": "lines",
        "line": {"color": "#B0B7C3", "width": 0.6},
        "hoverinfo": "skip",
        "showlegend": False,
    }


def _node_trace(node_positions: Sequence[np.ndarray]) -> dict:
    """The nodes as circles: input and output columns shaded, hidden columns white."""
    n_columns = len(node_positions)
    node_x = np.concatenate(
        [np.full(len(p), column, dtype=np.float32) for column, p in enumerate(node_positions)]
    )
    node_y = np.concatenate(node_positions)
    node_colors = [
        "#DDE3EA" if column in (0, n_columns - 1) else "white"
        for column, positions in enumerate(node_positions)
        for _ in positions
    ]
    return {
        "type": "scatter",
        "x": node_x,
        "y": node_y,
        "mode": "markers",
        "marker": {
            "size": 11,
            "color": node_colors,
            "line": {"color": "#444444", "width": 1.2},
        },
        "hoverinfo": "skip",
        "showlegend": False,
    }


def _hidden_nodes_annotations(column: int, size: int) -> list[dict]:
    """The "⋮" in the gap of a column drawn in part, and its full size next to it."""
    return [
        {"x": column, "y": 0, "text": "⋮", "showarrow": False},
        {
            "x": column,
            "y": 0,
            "xanchor": "left",
            "xshift": 6,
            "text": f"{size}",
            "showarrow": False,
            "bgcolor": "white",
            "font": {"size": 13, "color": MUTED_TEXT_COLOR},
        },
    ]


def architecture_figure(
    layer_sizes: Sequence[int], layer_labels: Sequence[str], height: int = 220
) -> go.Figure:
    """A left-to-right diagram of the network: one column of nodes per layer.

    A column with more than ``MAX_NODES_PER_COLUMN`` units shows the first and last few nodes
    with "⋮ <size>" between them.

    Parameters
    ----------
    layer_sizes : Sequence[int]
        Number of units per column, input first, output last, e.g. [2, 8, 8, 2].
    layer_labels : Sequence[str]
        One label per column, drawn under it, e.g. ["2 in", "8 tanh", "2 out"].
    height : int
        Figure height in pixels.
    """
    n_columns = len(layer_sizes)
    node_positions = [_column_node_positions(size) for size in layer_sizes]
    tallest = max(MAX_NODES_PER_COLUMN - 1, *(len(p) for p in node_positions), 1)
    y_top = tallest / 2 + 0.6

    annotations = []
    for column, size in enumerate(layer_sizes):
        if size > MAX_NODES_PER_COLUMN:
            annotations += _hidden_nodes_annotations(column, size)
    annotations += [
        {"x": column, "y": -y_top, "text": label, "showarrow": False, "yanchor": "top"}
        for column, label in enumerate(layer_labels)
    ]
    return figure(
        [_edge_trace(node_positions), _node_trace(node_positions)],
        height,
        {"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"visible": False, "range": [-0.6, n_columns - 0.4], "fixedrange": True},
        yaxis={"visible": False, "range": [-y_top - 1.4, y_top], "fixedrange": True},
        annotations=annotations,
    )

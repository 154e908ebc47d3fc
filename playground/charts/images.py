"""Plotly figure builders for image sets (the MNIST page): arrays in, ``go.Figure`` out.

- ``guesses_figure``: test images, each with a small bar per class of the network's
  probabilities and a caption (the page's example images and its most confident mistakes).
- ``confusion_matrix_figure``: each true class against the network's guess, as counts or as
  shares of the true class.
- ``weight_images_figure``: incoming weights of units as images, one tile per unit.

As in ``figures``, each builder fixes its height, margins and axis ranges, so a chart redrawn
while training keeps its place and size, and images travel as one small-integer mosaic drawn
as a single heatmap. Colours keep one meaning on the page: blue is right (the true class,
positive weights), vermillion is wrong (a wrong guess, negative weights).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from playground.charts.style import CLASS_COLORS, empty_figure, figure

__all__ = [
    "RIGHT_COLOR",
    "WRONG_COLOR",
    "confusion_matrix_figure",
    "guesses_figure",
    "weight_images_figure",
]

RIGHT_COLOR = CLASS_COLORS[0]  # blue
WRONG_COLOR = CLASS_COLORS[3]  # vermillion
_OTHER_BAR_COLOR = "#A9AFB8"
_FRAME_COLOR = "#C8CDD6"
_INK_SCALE = [[0.0, "white"], [1.0, "black"]]  # dark ink on white reads best on a projector

# The layout of one tile, in image pixels: the gap beside it, the probability bars under it and
# the caption under those.
_TILE_GAP = 4
_BAR_GAP = 1
_BAR_HEIGHT = 9
_BAR_FILL = 0.72  # share of its slot a bar covers
_CAPTION_HEIGHT = 12

# A wrong cell of the confusion matrix takes its strongest colour at this share of its true
# class: mistakes are rarer than right guesses, and a tenth of a class is already a lot.
_WRONG_SHARE_AT_FULL_COLOUR = 0.15
_WEIGHT_LEVELS = 127  # weights travel as int8 in [-127, 127]


def _as_uint8_images(images: np.ndarray, image_shape: tuple[int, int]) -> np.ndarray:
    """(N, h*w) intensities, float in [0, 1] or uint8, as (N, h, w) uint8 in [0, 255]."""
    if images.dtype == np.uint8:
        return images.reshape(len(images), *image_shape)
    scaled = np.clip(np.asarray(images, dtype=np.float32), 0.0, 1.0) * 255.0
    return np.rint(scaled).astype(np.uint8).reshape(len(images), *image_shape)


def _tile_origins(
    n_slots: int, n_cols: int, cell: tuple[int, int], gap: int
) -> list[tuple[int, int]]:
    """The (top, left) pixel of each slot's image in a mosaic of cells (height, width), with
    `gap` blank pixels between neighbouring images."""
    cell_height, cell_width = cell
    return [
        (row * cell_height, column * cell_width + gap // 2)
        for row, column in (divmod(index, n_cols) for index in range(n_slots))
    ]


def _frame(top: int, left: int, image_shape: tuple[int, int]) -> dict:
    """A thin rectangle around the image whose top-left pixel is (``top``, ``left``)."""
    height, width = image_shape
    return {
        "type": "rect",
        "x0": left - 0.5,
        "x1": left + width - 0.5,
        "y0": top - 0.5,
        "y1": top + height - 0.5,
        "line": {"color": _FRAME_COLOR, "width": 1},
    }


def _caption(top: int, left: int, width: int, text: str) -> dict:
    """``text`` centred under a tile, its top at pixel row ``top``."""
    return {
        "x": left + (width - 1) / 2,
        "y": top - 0.5,
        "text": text,
        "showarrow": False,
        "yanchor": "top",
        "font": {"size": 14},
    }


def _mosaic_figure(
    traces: list[dict], mosaic_shape: tuple[int, int], height: int, **layout
) -> go.Figure:
    """A figure whose axes are a mosaic's pixels, square, row 0 at the top, fixed."""
    n_rows, n_cols = mosaic_shape
    return figure(
        traces,
        height,
        {"l": 5, "r": 5, "t": 5, "b": 5},
        xaxis={
            "visible": False,
            "fixedrange": True,
            "range": [-0.5, n_cols - 0.5],
            "constrain": "domain",
        },
        yaxis={
            "visible": False,
            "fixedrange": True,
            "range": [n_rows - 0.5, -0.5],
            "scaleanchor": "x",
            "constrain": "domain",
        },
        showlegend=False,
        **layout,
    )


def _bar_colors(probabilities: np.ndarray, label: int) -> list[str]:
    """The true class's bar blue, a wrong guess's vermillion, every other bar grey."""
    colors = [_OTHER_BAR_COLOR] * len(probabilities)
    guess = int(np.argmax(probabilities))
    if guess != label:
        colors[guess] = WRONG_COLOR
    colors[label] = RIGHT_COLOR
    return colors


def guesses_figure(
    images: np.ndarray,
    probabilities: np.ndarray,
    labels: np.ndarray,
    captions: Sequence[str],
    image_shape: tuple[int, int] = (28, 28),
    n_cols: int = 4,
    n_slots: int | None = None,
    height: int = 450,
) -> go.Figure:
    """Images in a grid, each with a bar per class of the network's probabilities under it.

    Under each image: one bar per class, as high as the probability the network gives it (the
    true class's bar blue; the guessed class's vermillion when the guess is wrong; the others
    grey), on a thin baseline, and then the caption. A grid with more slots than images keeps
    its size: the spare slots stay blank, so tiles do not grow when fewer images are left.

    Parameters
    ----------
    images : np.ndarray, shape (N, h * w)
        Pixel intensities, float in [0, 1] or uint8 in [0, 255].
    probabilities : np.ndarray, shape (N, K)
        The network's class probabilities for each image.
    labels : np.ndarray, shape (N,)
        True classes, in [0, K).
    captions : Sequence[str]
        N captions, e.g. "7 98%" or "4 → 9 97%".
    image_shape : tuple[int, int]
        (h, w) of one image.
    n_cols : int
        Tiles per row.
    n_slots : int or None
        Tiles the grid has room for (default N); at least N.
    height : int
        Figure height in pixels.
    """
    n_images = len(images)
    n_slots = n_images if n_slots is None else n_slots
    if n_slots == 0:
        return empty_figure("No images to show.", height)
    if n_slots < n_images:
        raise ValueError(f"{n_images} images do not fit in {n_slots} slots.")
    if not len(probabilities) == len(labels) == len(captions) == n_images:
        raise ValueError("Give one probability row, label and caption per image.")
    image_height, image_width = image_shape
    n_classes = probabilities.shape[1]
    n_cols = min(n_cols, n_slots)
    cell = (image_height + _BAR_GAP + _BAR_HEIGHT + _CAPTION_HEIGHT, image_width + _TILE_GAP)
    mosaic = np.zeros((-(-n_slots // n_cols) * cell[0], n_cols * cell[1]), dtype=np.uint8)
    slot_width = image_width / n_classes
    bar_x, bar_height, bar_base, bar_colors = [], [], [], []
    baselines_x, baselines_y = [], []
    annotations, frames = [], []
    origins = _tile_origins(n_images, n_cols, cell, _TILE_GAP)
    pixels = _as_uint8_images(images, image_shape)
    for (top, left), image, image_probabilities, label, caption in zip(
        origins, pixels, probabilities, labels, captions, strict=True
    ):
        mosaic[top : top + image_height, left : left + image_width] = image
        frames.append(_frame(top, left, image_shape))
        base = top + image_height + _BAR_GAP + _BAR_HEIGHT - 0.5
        bar_x += [left - 0.5 + (k + 0.5) * slot_width for k in range(n_classes)]
        bar_height += [-_BAR_HEIGHT * float(p) for p in image_probabilities]  # up the screen
        bar_base += [base] * n_classes
        bar_colors += _bar_colors(image_probabilities, int(label))
        baselines_x += [left - 0.5, left + image_width - 0.5, None]
        baselines_y += [base, base, None]
        annotations.append(_caption(base + 1, left, image_width, caption))
    traces = [
        {
            "type": "heatmap",
            "z": mosaic,
            "zmin": 0,
            "zmax": 255,
            "colorscale": _INK_SCALE,
            "showscale": False,
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": baselines_x,
            "y": baselines_y,
            "mode": "lines",
            "line": {"color": _FRAME_COLOR, "width": 1},
            "hoverinfo": "skip",
        },
        {
            "type": "bar",
            "x": np.asarray(bar_x, dtype=np.float32),
            "y": np.asarray(bar_height, dtype=np.float32),
            "base": np.asarray(bar_base, dtype=np.float32),
            "width": slot_width * _BAR_FILL,
            "marker": {"color": bar_colors, "line": {"width": 0}},
            "hoverinfo": "skip",
        },
    ]
    return _mosaic_figure(traces, mosaic.shape, height, annotations=annotations, shapes=frames)


def _share_text(count: int, share: float) -> str:
    if count == 0:
        return ""
    return "<1%" if share < 0.005 else f"{share:.0%}"


def confusion_matrix_figure(
    counts: np.ndarray, class_names: Sequence[str], shares: bool = False, height: int = 440
) -> go.Figure:
    """Each true class (rows) against the network's guess (columns).

    Cells show the number of images (``shares=False``) or their share of the true class's
    images. Colour shows the share in both cases, so switching between them changes only the
    numbers: right guesses (the diagonal) in blue up to the whole class, wrong ones in
    vermillion, at full strength from 15% of the class. Empty cells stay blank.

    Parameters
    ----------
    counts : np.ndarray, shape (K, K)
        Entry [i, j]: the images of true class i the network took for class j.
    class_names : Sequence[str]
        K names, shown on both axes.
    shares : bool
        Write each row's shares (percentages) instead of counts.
    height : int
        Figure height in pixels.
    """
    counts = np.asarray(counts)
    n_classes = len(class_names)
    if counts.shape != (n_classes, n_classes):
        raise ValueError(f"Expected ({n_classes}, {n_classes}) counts, got {counts.shape}.")
    row_shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    diagonal = np.eye(n_classes, dtype=bool)
    text = np.array(
        [
            [
                _share_text(count, share) if shares else (f"{count:,}" if count else "")
                for count, share in zip(count_row, share_row, strict=True)
            ]
            for count_row, share_row in zip(counts.tolist(), row_shares.tolist(), strict=True)
        ],
        dtype=object,
    )
    cells = {"x": np.arange(n_classes), "y": np.arange(n_classes), "xgap": 1, "ygap": 1}

    def heatmap(own: np.ndarray, color: str, zmax: float) -> dict:
        """The cells in `own` (a (K, K) mask); the others are left to the other heatmap."""
        return cells | {
            "type": "heatmap",
            "z": np.where(own, row_shares, np.nan).astype(np.float32),
            "zmin": 0.0,
            "zmax": zmax,
            "colorscale": [[0.0, "white"], [1.0, color]],
            "showscale": False,
            "text": np.where(own, text, "").tolist(),
            "texttemplate": "%{text}",
            "textfont": {"size": 14},
            "hoverinfo": "skip",
        }

    longest_name = max((len(name) for name in class_names), default=1)
    slanted = longest_name > 3  # long names (Fashion-MNIST) slant under the matrix
    axis = {
        "tickmode": "array",
        "tickvals": list(range(n_classes)),
        "ticktext": list(class_names),
        "showgrid": False,
        "zeroline": False,
        "showline": False,
        "fixedrange": True,
        "constrain": "domain",
    }
    margin = {
        "l": 45 + 8 * longest_name,
        "r": 10,
        "t": 10,
        "b": 50 + (6 * longest_name if slanted else 0),
    }
    return figure(
        [
            heatmap(diagonal, RIGHT_COLOR, 1.0),
            heatmap(~diagonal, WRONG_COLOR, _WRONG_SHARE_AT_FULL_COLOUR),
        ],
        height,
        margin,
        xaxis=axis
        | {
            "title": {"text": "Network's guess"},
            "range": [-0.5, n_classes - 0.5],
            "tickangle": -40 if slanted else 0,
        },
        yaxis=axis
        | {
            "title": {"text": "True class"},
            "range": [n_classes - 0.5, -0.5],
            "scaleanchor": "x",
        },
    )


def weight_images_figure(
    weights: np.ndarray,
    image_shape: tuple[int, int] = (28, 28),
    captions: Sequence[str] | None = None,
    n_cols: int | None = None,
    height: int = 440,
) -> go.Figure:
    """Each unit's incoming weights as an image: what in the picture makes the unit fire.

    Diverging colours centred at 0: positive weights blue, negative vermillion, zero white.
    Each tile is scaled to its own largest absolute weight, so every unit's pattern shows
    whatever the size of its weights (the weight norms chart compares the sizes). The tiles
    travel as one int8 mosaic.

    Parameters
    ----------
    weights : np.ndarray, shape (U, h * w)
        Row u: the incoming weights of unit u, one per pixel.
    image_shape : tuple[int, int]
        (h, w) of one image.
    captions : Sequence[str] or None
        U captions under the tiles (e.g. class names for an output layer), or none.
    n_cols : int or None
        Tiles per row; default about twice as many columns as rows.
    height : int
        Figure height in pixels.
    """
    n_units = len(weights)
    if n_units == 0:
        return empty_figure("No weights to show.", height)
    if captions is not None and len(captions) != n_units:
        raise ValueError(f"Give {n_units} captions, got {len(captions)}.")
    image_height, image_width = image_shape
    n_cols = min(n_cols or math.ceil(math.sqrt(2 * n_units)), n_units)
    caption_height = _CAPTION_HEIGHT if captions is not None else 0
    gap = 2  # weight tiles sit closer together than the digits
    cell = (image_height + max(caption_height, gap), image_width + gap)
    largest = np.abs(weights).max(axis=1, keepdims=True)
    scaled = weights / np.where(largest > 0, largest, 1.0)
    tiles = np.rint(scaled * _WEIGHT_LEVELS).astype(np.int8).reshape(n_units, *image_shape)
    mosaic = np.zeros((-(-n_units // n_cols) * cell[0], n_cols * cell[1]), dtype=np.int8)
    frames, annotations = [], []
    for index, (top, left) in enumerate(_tile_origins(n_units, n_cols, cell, gap)):
        mosaic[top : top + image_height, left : left + image_width] = tiles[index]
        frames.append(_frame(top, left, image_shape))
        if captions is not None:
            annotations.append(_caption(top + image_height, left, image_width, captions[index]))
    heatmap = {
        "type": "heatmap",
        "z": mosaic,
        "zmin": -_WEIGHT_LEVELS,
        "zmax": _WEIGHT_LEVELS,
        "colorscale": [[0.0, WRONG_COLOR], [0.5, "white"], [1.0, RIGHT_COLOR]],
        "showscale": False,
        "hoverinfo": "skip",
    }
    return _mosaic_figure([heatmap], mosaic.shape, height, annotations=annotations, shapes=frames)

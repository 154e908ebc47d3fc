"""A drawn digit made into an MNIST image, the way the MNIST digits were made.

LeCun, Cortes and Burges describe it: each NIST digit was size-normalised to fit a 20 × 20
pixel box keeping its aspect ratio (anti-aliasing gives grey levels), then placed in a
28 × 28 image so that its centre of mass lies at the centre of the field. `mnist_like` does
the same with a drawing of any size: crop to the ink's bounding box, scale the longer side to
20 pixels by averaging over areas, and shift the result (by whole pixels) so that the centre
of mass lands at the centre. Values come back from 0 (paper) to 1 (ink), flattened row by
row like the training inputs (`ImageSet.inputs_train`).

NumPy only: arrays in, arrays out.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BOX", "CENTRE", "SIZE", "area_resize", "centre_of_mass", "mnist_like"]

SIZE = 28  # pixels per side of an MNIST image
BOX = 20  # pixels of the longer side of a digit inside it
CENTRE = SIZE / 2  # where the centre of mass goes, in (row, column) pixel indices
INK_THRESHOLD = 0.05  # darker than this counts as ink for the bounding box


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in): how much of each input pixel falls into each output pixel, each row
    summing to 1 (an output pixel is the mean of the input it covers)."""
    edges_out = np.linspace(0.0, n_in, n_out + 1)
    starts, ends = edges_out[:-1, None], edges_out[1:, None]
    pixel = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(ends, pixel + 1) - np.maximum(starts, pixel), 0.0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def area_resize(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """image: (H, W) -> (h, w), each output pixel the mean of the area it covers (shrinking
    anti-aliases as a scanner does; growing repeats pixels with blended edges)."""
    rows = _area_weights(image.shape[0], shape[0])
    columns = _area_weights(image.shape[1], shape[1])
    return rows @ image @ columns.T


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of the intensity-weighted mean pixel index of `image`: (H, W), sum > 0."""
    total = image.sum()
    rows = np.arange(image.shape[0]) @ image.sum(axis=1) / total
    columns = np.arange(image.shape[1]) @ image.sum(axis=0) / total
    return float(rows), float(columns)


def mnist_like(drawing: np.ndarray) -> np.ndarray | None:
    """A drawing as an MNIST input: (784,) float32 in [0, 1]; None when nothing is drawn.

    drawing: (H, W) ink intensities, 0 for paper and 1 (or any larger maximum: the result is
    scaled so its darkest pixel is 1) for ink, as a canvas gives them.
    """
    drawing = np.asarray(drawing, dtype=np.float64)
    if drawing.ndim != 2 or not np.isfinite(drawing).all() or drawing.max(initial=0.0) <= 0:
        return None
    drawing = drawing / drawing.max()
    ink_rows = np.flatnonzero((drawing > INK_THRESHOLD).any(axis=1))
    ink_columns = np.flatnonzero((drawing > INK_THRESHOLD).any(axis=0))
    if len(ink_rows) == 0:
        return None
    crop = drawing[ink_rows[0] : ink_rows[-1] + 1, ink_columns[0] : ink_columns[-1] + 1]
    height, width = crop.shape
    scale = BOX / max(height, width)
    box = area_resize(crop, (max(1, round(height * scale)), max(1, round(width * scale))))
    box /= box.max()
    # Whole-pixel shifts keep strokes sharp; the box stays inside the image, so no ink is lost.
    mass_row, mass_column = centre_of_mass(box)
    top = int(np.clip(np.floor(CENTRE - mass_row + 0.5), 0, SIZE - box.shape[0]))
    left = int(np.clip(np.floor(CENTRE - mass_column + 0.5), 0, SIZE - box.shape[1]))
    image = np.zeros((SIZE, SIZE), dtype=np.float32)
    image[top : top + box.shape[0], left : left + box.shape[1]] = box
    return np.clip(image, 0.0, 1.0).reshape(-1)

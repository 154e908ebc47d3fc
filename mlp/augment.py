"""Data augmentation for images: random shifts, so a network sees each digit in many places.

``random_shifts(images_flat, max_shift=2, rng=rng)`` moves every image of a batch by its own
random whole number of pixels, (dx, dy) in [-max_shift, max_shift]², filling what comes in
from outside with zeros. It works on the flattened images the engine trains on and is
vectorised over the batch: one gather for all images, no loop over them.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

# Images shifted per gather: keeps the temporaries (about 300 KiB for 28×28 float32) in the
# cache and below glibc's mmap threshold however large the batch.
IMAGES_PER_CHUNK = 64


def random_shifts(
    images_flat: np.ndarray,
    shape: tuple[int, int] = (28, 28),
    *,
    max_shift: int,
    rng: np.random.Generator,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Shift each image by its own random (dx, dy), zero-filled.

    Output pixel (row, column) of image n is input pixel (row − dyₙ, column − dxₙ), or 0 where
    that lies outside the image: dx > 0 moves the image right, dy > 0 down. The shifts are
    ``rng.integers(-max_shift, max_shift + 1, size=(N, 2))``, columns (dx, dy): the same
    seed gives the same shifts, and ``max_shift=0`` returns the images unchanged.

    Parameters
    ----------
    images_flat : (N, H·W) array
        Row-major images, one per row; never modified (unless it is also ``out``).
    shape : (H, W), default (28, 28)
    max_shift : int >= 0
        Largest shift in pixels along each axis.
    rng : numpy.random.Generator
    out : (N, H·W) array, optional
        Where to write the result (``images_flat`` itself to shift in place); a fresh array
        of the images' dtype if None.

    Returns
    -------
    (N, H·W) array: ``out`` if given.
    """
    images_flat = np.asarray(images_flat)
    height, width = shape
    if images_flat.ndim != 2 or images_flat.shape[1] != height * width:
        raise ValueError(
            f"Expected flattened {height}×{width} images (N, {height * width}), "
            f"got shape {images_flat.shape}."
        )
    if int(max_shift) != max_shift or max_shift < 0:
        raise ValueError(f"max_shift must be a whole number >= 0, got {max_shift}.")
    if out is None:
        out = np.empty_like(images_flat)
    elif out.shape != images_flat.shape:
        raise ValueError(f"out has shape {out.shape}, the images {images_flat.shape}.")
    elif out is not images_flat and np.may_share_memory(out, images_flat):
        raise ValueError("out must be the images themselves or not overlap them.")
    max_shift = int(max_shift)
    shifts = rng.integers(-max_shift, max_shift + 1, size=(images_flat.shape[0], 2))
    # Every image is written, with max_shift zero columns after each of its rows, into a
    # zeroed row of length H·(W + m) + 2S, m = max_shift, S = m·(W + m) + m. In that layout a
    # shift by (dx, dy) is a shift of the whole row by dy·(W + m) + dx: a pixel pushed past
    # the left or right edge lands in the zero columns (never in the next image row), one
    # pushed past the top or bottom in the S zeros before or after the image.
    padded_width = width + max_shift
    margin = max_shift * padded_width + max_shift
    row_length = height * padded_width + 2 * margin
    for start in range(0, images_flat.shape[0], IMAGES_PER_CHUNK):
        images = images_flat[start : start + IMAGES_PER_CHUNK]
        n_images = images.shape[0]
        padded = np.zeros((n_images, row_length), images.dtype)
        interior = padded[:, margin : margin + height * padded_width]
        interior.reshape(n_images, height, padded_width)[:, :, :width] = images.reshape(
            n_images, height, width
        )
        # windows[n, k] is the image read from position k of padded row n: (H, W) with rows
        # W + m apart, so k = S − (dy·(W + m) + dx) is image n shifted by (dx, dy).
        item = padded.itemsize
        windows = as_strided(
            padded,
            shape=(n_images, 2 * margin + 1, height, width),
            strides=(padded.strides[0], item, padded_width * item, item),
            writeable=False,
        )
        dx, dy = shifts[start : start + n_images].T
        # out[n, r, c] = x[n, r − dyₙ, c − dxₙ]   (0 outside the image)
        offsets = margin - (dy * padded_width + dx)
        out[start : start + n_images] = windows[np.arange(n_images), offsets].reshape(
            n_images, height * width
        )
    return out

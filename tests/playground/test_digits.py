"""A drawn digit becomes an MNIST image the way MNIST's were made: cropped to its ink, scaled
into a 20-pixel box keeping its aspect ratio, placed in 28 × 28 with its centre of mass at the
centre, values 0 to 1 like the training inputs. And the pad's value is read defensively."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from mlp import datasets
from playground.core.digits import (
    BOX,
    INK_THRESHOLD,
    SIZE,
    area_resize,
    centre_of_mass,
    mnist_like,
)
from playground.ui.drawing_pad import decode_drawing


def ink_box(image: np.ndarray) -> tuple[int, int]:
    """Height and width of the ink's bounding box."""
    rows = np.flatnonzero(image.any(axis=1))
    columns = np.flatnonzero(image.any(axis=0))
    return rows[-1] - rows[0] + 1, columns[-1] - columns[0] + 1


def test_an_off_centre_stroke_is_centred_and_scaled_to_20_pixels():
    canvas = np.zeros((112, 112))
    canvas[6:66, 80:92] = 1.0  # a tall stroke in the top right corner
    canvas[60:66, 70:100] = 1.0  # with a foot
    image = mnist_like(canvas).reshape(SIZE, SIZE)
    row, column = centre_of_mass(image)
    assert abs(row - 14) <= 1 and abs(column - 14) <= 1
    height, width = ink_box(image > 0.05)
    assert height == BOX  # the longer side fills the box
    assert width == round(30 * BOX / 60)  # the aspect ratio is kept


def test_a_wide_stroke_fills_the_box_across():
    canvas = np.zeros((100, 300))
    canvas[80:90, 10:210] = 1.0
    image = mnist_like(canvas).reshape(SIZE, SIZE)
    assert ink_box(image > 0.05) == (1, BOX)
    row, column = centre_of_mass(image)
    assert abs(row - 14) <= 1 and abs(column - 14) <= 1


def test_values_are_like_the_training_inputs():
    canvas = np.zeros((56, 56))
    canvas[10:40, 20:24] = 200.0  # any ink scale
    image = mnist_like(canvas)
    assert image.shape == (784,) and image.dtype == np.float32
    assert image.min() >= 0 and image.max() == pytest.approx(1.0)


@pytest.mark.parametrize("drawing", [np.zeros((112, 112)), np.full((10, 10), np.nan),
                                     np.zeros(784), np.zeros((0, 0))],
                         ids=["blank", "not a number", "not 2-D", "empty"])  # fmt: skip
def test_nothing_drawn_gives_none(drawing):
    assert mnist_like(drawing) is None


def test_faint_ink_is_a_drawing_like_any_other():
    # The result is scaled so its darkest pixel is 1: a stroke drawn at 1% ink gives the same
    # image as the same stroke at full ink (to float32 rounding), not None.
    stroke = np.zeros((112, 112))
    stroke[20:90, 50:62] = 1.0
    stroke[20:32, 30:62] = 1.0
    faint = mnist_like(stroke * 0.01)
    assert faint is not None
    np.testing.assert_allclose(faint, mnist_like(stroke), atol=1e-6)
    assert faint.max() == pytest.approx(1.0)


def test_ink_fainter_than_the_threshold_does_not_widen_the_box():
    # Specks below INK_THRESHOLD of the darkest pixel (a smudge on the pad) lie outside the
    # stroke's box, so the image is the stroke's alone.
    stroke = np.zeros((112, 112))
    stroke[20:90, 50:62] = 1.0
    smudged = stroke.copy()
    smudged[0, 0] = smudged[111, 111] = 0.9 * INK_THRESHOLD
    np.testing.assert_array_equal(mnist_like(smudged), mnist_like(stroke))
    smudged[0, 0] = 1.1 * INK_THRESHOLD  # darker than the threshold: ink, the box grows
    assert ink_box(mnist_like(smudged).reshape(SIZE, SIZE) > 0) != ink_box(
        mnist_like(stroke).reshape(SIZE, SIZE) > 0
    )


def test_a_real_mnist_digit_drawn_big_and_off_centre_comes_back():
    images = datasets.load_images("mnist", "sample")
    for digit in images.X_train[:20]:
        original = digit.reshape(SIZE, SIZE)
        canvas = np.zeros((150, 150), dtype=np.float32)
        canvas[3 : 3 + 112, 30 : 30 + 112] = np.kron(original, np.ones((4, 4)))
        again = mnist_like(canvas).reshape(SIZE, SIZE)
        assert np.corrcoef(again.ravel(), original.ravel())[0, 1] > 0.85


def test_area_resize_keeps_the_mean_and_shape():
    image = np.random.default_rng(0).random((60, 45))
    small = area_resize(image, (20, 15))
    assert small.shape == (20, 15)
    assert small.mean() == pytest.approx(image.mean())
    assert np.allclose(area_resize(np.ones((7, 3)), (20, 9)), 1.0)


def pad_value(pixels: bytes, size: int, drawing_id=1) -> dict:
    return {"size": size, "pixels": base64.b64encode(pixels).decode("ascii"), "id": drawing_id}


def test_the_pads_value_is_decoded_and_checked():
    drawing = decode_drawing(pad_value(bytes([0, 255, 128, 0]), 2, 17))
    assert drawing.id == 17
    assert np.allclose(drawing.ink, [[0, 1], [128 / 255, 0]])
    for bad in (None, "x", {"size": 2}, pad_value(b"\x00" * 3, 2), pad_value(b"\x00" * 4, True),
                pad_value(b"\x00" * 4, 2, float("nan")), pad_value(b"\x00" * 4, 2, "1"),
                {"size": 2, "pixels": "!!", "id": 1}, pad_value(b"", 0)):  # fmt: skip
        assert decode_drawing(bad) is None

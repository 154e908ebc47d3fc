"""What the MNIST page shows of the test images: the confusion matrix and the most confident
mistakes on hand-made cases, and the figures drawn from them."""

import numpy as np
import plotly.graph_objects as go
import pytest

from playground.charts.images import (
    RIGHT_COLOR,
    WRONG_COLOR,
    confusion_matrix_figure,
    guesses_figure,
    weight_images_figure,
)
from playground.core.session import confusion_matrix, most_confident_mistakes

# Five images of three classes: rows 1, 3 and 4 are wrong, row 3 the surest of those, and
# rows 1 and 4 equally sure.
PROBABILITIES = np.array(
    [
        [0.8, 0.1, 0.1],  # class 0, right
        [0.2, 0.7, 0.1],  # class 0 taken for 1 (70%)
        [0.1, 0.1, 0.8],  # class 2, right
        [0.05, 0.05, 0.9],  # class 1 taken for 2 (90%)
        [0.7, 0.2, 0.1],  # class 2 taken for 0 (70%)
    ]
)
LABELS = np.array([0, 0, 2, 1, 2])
NAMES = ("zero", "one", "two")


def test_confusion_matrix_counts_true_classes_against_guesses():
    confusion = confusion_matrix(LABELS, PROBABILITIES.argmax(axis=1), 3)
    expected = [
        [1, 1, 0],
        [0, 0, 1],
        [1, 0, 1],
    ]
    np.testing.assert_array_equal(confusion, expected)
    assert confusion.dtype == np.int64


def test_confusion_matrix_keeps_classes_nobody_guessed():
    confusion = confusion_matrix(np.array([0, 0]), np.array([0, 0]), 4)
    assert confusion.shape == (4, 4) and confusion.sum() == 2 and confusion[0, 0] == 2


def test_most_confident_mistakes_come_surest_first_ties_in_row_order():
    np.testing.assert_array_equal(most_confident_mistakes(PROBABILITIES, LABELS, 10), [3, 1, 4])
    np.testing.assert_array_equal(most_confident_mistakes(PROBABILITIES, LABELS, 2), [3, 1])


def test_most_confident_mistakes_of_a_perfect_network_are_none():
    rows = most_confident_mistakes(PROBABILITIES[[0, 2]], LABELS[[0, 2]], 16)
    assert rows.shape == (0,)


# --- confusion_matrix_figure ------------------------------------------------------------------


def _counts() -> np.ndarray:
    return np.array([[8, 2, 0], [0, 5, 0], [1, 0, 3]])


def test_confusion_figure_writes_counts_right_in_blue_wrong_in_vermillion():
    figure = confusion_matrix_figure(_counts(), NAMES)
    right, wrong = figure.data
    assert right.colorscale[-1][1] == RIGHT_COLOR and wrong.colorscale[-1][1] == WRONG_COLOR
    assert [row[i] for i, row in enumerate(right.text)] == ["8", "5", "3"]
    assert wrong.text[0][1] == "2" and wrong.text[2][0] == "1"
    assert wrong.text[0][2] == "" and wrong.text[0][0] == ""  # empty cells and the diagonal
    # Each cell is coloured by exactly one of the two heatmaps.
    assert np.all(np.isnan(right.z) != np.isnan(wrong.z))
    assert list(figure.layout.xaxis.ticktext) == list(NAMES)
    assert list(figure.layout.yaxis.ticktext) == list(NAMES)


def test_confusion_figure_shares_are_of_the_true_class_and_colours_do_not_change():
    counts_figure = confusion_matrix_figure(_counts(), NAMES)
    shares_figure = confusion_matrix_figure(_counts(), NAMES, shares=True)
    right, wrong = shares_figure.data
    assert right.text[0][0] == "80%" and wrong.text[0][1] == "20%"
    assert right.text[1][1] == "100%" and wrong.text[2][0] == "25%"
    for shown, counted in zip(shares_figure.data, counts_figure.data, strict=True):
        np.testing.assert_array_equal(shown.z, counted.z)


def test_confusion_figure_rejects_counts_of_another_shape():
    with pytest.raises(ValueError, match=r"\(3, 3\)"):
        confusion_matrix_figure(np.zeros((2, 2), dtype=int), NAMES)


# --- guesses_figure ---------------------------------------------------------------------------


def _images(n_images: int) -> np.ndarray:
    return np.random.default_rng(0).random((n_images, 784))


def test_guesses_figure_puts_every_pixel_in_one_mosaic_with_a_bar_per_class():
    figure = guesses_figure(_images(5), PROBABILITIES, LABELS, [f"c{i}" for i in range(5)])
    mosaic, _, bars = figure.data
    assert mosaic.z.dtype == np.uint8
    assert mosaic.z.sum() == np.rint(_images(5) * 255).astype(np.int64).sum()
    # Bars go up the screen (the y axis runs downwards), as tall as the probability.
    heights_per_probability = bars.y / PROBABILITIES.ravel()
    assert heights_per_probability[0] < 0
    np.testing.assert_allclose(heights_per_probability, heights_per_probability[0], rtol=1e-5)
    assert [a.text for a in figure.layout.annotations] == [f"c{i}" for i in range(5)]


def test_guesses_figure_marks_the_true_class_and_a_wrong_guess():
    figure = guesses_figure(_images(5), PROBABILITIES, LABELS, ["x"] * 5)
    colors = np.array(figure.data[2].marker.color).reshape(5, 3)
    assert colors[0, 0] == RIGHT_COLOR and WRONG_COLOR not in colors[0]  # right guess
    assert colors[3, 1] == RIGHT_COLOR and colors[3, 2] == WRONG_COLOR  # 1 taken for 2
    assert colors[3, 0] not in (RIGHT_COLOR, WRONG_COLOR)


def test_guesses_figure_keeps_its_grid_when_fewer_images_are_left():
    full = guesses_figure(_images(5), PROBABILITIES, LABELS, ["x"] * 5, n_cols=2, n_slots=5)
    fewer = guesses_figure(
        _images(2), PROBABILITIES[:2], LABELS[:2], ["x"] * 2, n_cols=2, n_slots=5
    )
    assert fewer.data[0].z.shape == full.data[0].z.shape
    assert fewer.layout.yaxis.range == full.layout.yaxis.range
    with pytest.raises(ValueError, match="do not fit"):
        guesses_figure(_images(5), PROBABILITIES, LABELS, ["x"] * 5, n_slots=4)


def test_guesses_figure_needs_one_caption_per_image():
    with pytest.raises(ValueError, match="one probability row, label and caption"):
        guesses_figure(_images(5), PROBABILITIES, LABELS, ["x"] * 4)


# --- weight_images_figure ---------------------------------------------------------------------


def test_weight_images_scale_each_tile_to_its_largest_weight_keeping_signs():
    weights = np.zeros((3, 784))
    weights[0, 0], weights[0, 1] = 0.5, -0.25  # top-left pixels of unit 0
    weights[1, 783] = -4.0  # unit 1: one strong negative weight, bottom-right
    figure = weight_images_figure(weights, n_cols=3)
    mosaic = figure.data[0].z
    assert mosaic.dtype == np.int8
    assert figure.data[0].zmin == -figure.data[0].zmax  # white is exactly zero
    assert sorted(mosaic[mosaic != 0].tolist()) == [-127, -64, 127]
    assert mosaic[0, 1] == 127 and mosaic[0, 2] == -64  # unit 0, after a 1-pixel gap
    assert np.count_nonzero(mosaic[:, 60:]) == 0  # unit 2 has no weights: blank, not NaN


def test_weight_images_caption_tiles_only_when_asked():
    weights = np.random.default_rng(1).normal(size=(10, 784))
    assert not weight_images_figure(weights).layout.annotations
    labelled = weight_images_figure(weights, captions=[str(k) for k in range(10)])
    assert [a.text for a in labelled.layout.annotations] == [str(k) for k in range(10)]


def test_weight_images_fit_64_units_in_wide_rows():
    figure = weight_images_figure(np.ones((64, 784)))
    rows, columns = figure.data[0].z.shape
    assert columns > rows  # a wide block, as the page is wide
    assert len(figure.layout.shapes) == 64


def test_every_image_figure_passes_plotly_validation():
    # The builders skip validation for speed; rebuilding with it on catches a wrong property.
    figures = [
        confusion_matrix_figure(_counts(), NAMES, shares=True),
        guesses_figure(_images(5), PROBABILITIES, LABELS, ["x"] * 5, n_slots=8),
        weight_images_figure(np.ones((4, 784)), captions=list("abcd")),
    ]
    for figure in figures:
        go.Figure(figure.to_dict())

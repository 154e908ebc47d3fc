"""The regression sets: pure functions of (name, n_points, noise, seed) with the targets the
module promises, and a split that ignores the targets."""

from __future__ import annotations

import numpy as np
import pytest

from mlp.datasets import DataError
from mlp.datasets.regression import (
    CURVE_DATASETS,
    REGRESSION_DATASETS,
    regression,
    regression_dimensions,
    regression_target,
    split_rows,
)


@pytest.mark.parametrize("name", REGRESSION_DATASETS)
def test_each_set_is_a_pure_function_of_its_arguments(name):
    X, y = regression(name, 300, 0.2, 7)
    again_X, again_y = regression(name, 300, 0.2, 7)
    np.testing.assert_array_equal(X, again_X)
    np.testing.assert_array_equal(y, again_y)
    assert X.shape == (300, regression_dimensions(name)) and y.shape == (300,)
    assert X.dtype == y.dtype == np.float32
    assert np.abs(X).max() <= 6.0
    other_X, _ = regression(name, 300, 0.2, 8)
    assert not np.array_equal(X, other_X)
    clean_X, clean_y = regression(name, 300, 0.0, 7)
    np.testing.assert_array_equal(clean_X, X)  # noise moves targets, never the points
    np.testing.assert_allclose(clean_y, regression_target(name, clean_X), atol=1e-6)
    assert np.abs(clean_y).max() <= 1.2 + 1e-6


def test_the_plane_and_the_bumps_are_tensorflow_playgrounds():
    corners = np.array([[6.0, 6.0], [-6.0, -6.0], [3.0, -1.0]])
    np.testing.assert_allclose(regression_target("plane", corners), [1.2, -1.2, 0.2])
    centres = np.array([[-4.0, 2.5], [0.0, 2.5], [4.0, -2.5], [0.0, 0.0], [-5.0, 2.5]])
    # +1 and -1 on the bumps' centres, 0 between them, halfway down one unit from a centre
    np.testing.assert_allclose(regression_target("mixture", centres), [1, -1, -1, 0, 0.5])


def test_the_curves_are_their_formulas():
    x = np.array([[-6.0], [-np.pi / 2], [0.0], [3.0], [6.0]])
    np.testing.assert_allclose(regression_target("sine", x)[1:3], [-1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(regression_target("abs", x), [1, np.pi / 6 - 1, -1, 0, 1])
    np.testing.assert_array_equal(regression_target("step", x), [-1, -1, 1, 1, 1])
    np.testing.assert_allclose(
        regression_target("cubic", x), [-1, *((x[1:4, 0] ** 3 - 16 * x[1:4, 0]) / 120), 1]
    )
    assert CURVE_DATASETS == {"sine", "abs", "step", "cubic"}


def test_noise_on_a_curve_is_gaussian_jitter_of_that_size_on_the_targets():
    X, y = regression("sine", 20_000, 0.3, 1)
    residual = y - regression_target("sine", X)
    assert abs(residual.mean()) < 0.01 and residual.std() == pytest.approx(0.3, rel=0.03)


def test_the_split_ignores_the_targets_and_keeps_its_share():
    train, test = split_rows(101, 0.5, 3)
    assert len(train) == 50 and len(test) == 51
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(101))
    np.testing.assert_array_equal(split_rows(101, 0.5, 3)[0], train)
    assert len(split_rows(10, 0.99, 0)[1]) == 1  # at least one on each side


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("circle", 100, 0.0, 0), "no regression set"),
        (("sine", 5, 0.0, 0), "between 10"),
        (("sine", 100.5, 0.0, 0), "whole number"),
        (("sine", 100, 0.9, 0), "Noise must be"),
    ],
)
def test_what_cannot_be_drawn_says_why(args, words):
    with pytest.raises(DataError, match=words):
        regression(*args)

"""Label noise: a share of the training labels flipped, seeded with the data; the test labels
stay true, so test accuracy measures what a network learned of the real pattern."""

import numpy as np
import pytest

from mlp.datasets import DataError, flip_labels
from playground.core.config import Config
from playground.core.data import make_toy_data
from playground.core.links import link_query, read_link


@pytest.mark.parametrize("n_classes", [2, 3, 4])
@pytest.mark.parametrize("share", [0.0, 0.1, 0.25, 0.5, 1.0])
def test_exactly_the_share_is_flipped_each_to_another_class(share, n_classes):
    y = np.arange(200) % n_classes
    flipped = flip_labels(y, share, n_classes, seed=3)
    changed = flipped != y
    assert changed.sum() == round(share * 200)  # exactly the share, never a flip to itself
    assert flipped.min() >= 0 and flipped.max() < n_classes
    assert np.array_equal(y, np.arange(200) % n_classes)  # the input is left alone


def test_the_flips_are_seeded_and_spread_over_the_other_classes():
    y = np.zeros(3000, dtype=np.int64)
    first = flip_labels(y, 0.5, 3, seed=1)
    assert np.array_equal(first, flip_labels(y, 0.5, 3, seed=1))
    assert not np.array_equal(first, flip_labels(y, 0.5, 3, seed=2))
    # Flipped from class 0 to 1 or 2, about equally (1,500 flips: each near 750).
    counts = np.bincount(first, minlength=3)
    assert counts[0] == 1500 and abs(counts[1] - counts[2]) < 150


def test_a_share_outside_0_to_1_is_refused():
    with pytest.raises(DataError):
        flip_labels(np.zeros(10, dtype=int), 1.5, 2)


def test_label_noise_changes_training_labels_only():
    clean = make_toy_data("circle", 200, 0.1, 0.5, data_seed=4)
    noisy = make_toy_data("circle", 200, 0.1, 0.5, data_seed=4, label_noise=0.3)
    assert np.array_equal(clean.X_train, noisy.X_train)  # the same points, the same split
    assert np.array_equal(clean.y_test, noisy.y_test)  # the test labels stay true
    assert (clean.y_train != noisy.y_train).sum() == round(0.3 * len(clean.y_train))
    again = make_toy_data("circle", 200, 0.1, 0.5, data_seed=4, label_noise=0.3)
    assert np.array_equal(noisy.y_train, again.y_train)  # seeded with the data


def test_label_noise_travels_in_the_link():
    config = Config(label_noise=0.2, n_points=20)
    link = read_link(link_query(config, read_link({}).view))
    assert link.config.label_noise == 0.2 and link.config.n_points == 20 and link.notes == ()
    assert "label_noise" in link_query(config, link.view)
    bad = read_link({"label_noise": "0.9"})
    assert bad.config.label_noise == 0.0 and "Label noise" in bad.notes[0]

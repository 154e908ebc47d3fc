"""Toy generators and the stratified split."""

import numpy as np
import pytest

from mlp.datasets import TOY_BOUNDARY_DISTANCE, TOY_DATASETS, DataError, split, toy

EXPECTED_CLASS_COUNTS = {
    "circle": 2,
    "xor": 2,
    "gauss": 2,
    "spiral": 2,
    "moons": 2,
    "spiral3": 3,
    "blobs": 4,
}


def test_menu_lists_every_generator_in_order():
    assert list(TOY_DATASETS) == list(EXPECTED_CLASS_COUNTS)
    assert all(isinstance(label, str) and label for label in TOY_DATASETS.values())


@pytest.mark.parametrize("name", list(EXPECTED_CLASS_COUNTS))
@pytest.mark.parametrize("n_points", [10, 501])
def test_shapes_dtypes_and_balanced_classes(name, n_points):
    X, y = toy(name, n_points=n_points, noise=0.2, seed=3)
    assert X.shape == (n_points, 2) and X.dtype == np.float32
    assert y.shape == (n_points,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == EXPECTED_CLASS_COUNTS[name]
    assert counts.max() - counts.min() <= 1
    assert np.isfinite(X).all()


@pytest.mark.parametrize("name", list(EXPECTED_CLASS_COUNTS))
def test_same_seed_same_data_other_seed_other_data(name):
    X1, y1 = toy(name, 200, 0.1, seed=7)
    X2, y2 = toy(name, 200, 0.1, seed=7)
    X3, _ = toy(name, 200, 0.1, seed=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("name", list(EXPECTED_CLASS_COUNTS))
def test_clean_sets_live_in_the_plot_square(name):
    X, _ = toy(name, 2000, noise=0.0, seed=0)
    # Gaussian clusters have tails; all but a handful of points must be in view.
    assert (np.abs(X) <= 6.0).all(axis=1).mean() >= 0.995


@pytest.mark.parametrize("name", list(EXPECTED_CLASS_COUNTS))
def test_noise_is_gaussian_jitter_of_std_noise_times_boundary_distance(name):
    clean, clean_labels = toy(name, 20_000, noise=0.0, seed=5)
    noisy, noisy_labels = toy(name, 20_000, noise=0.3, seed=5)
    np.testing.assert_array_equal(clean_labels, noisy_labels)
    jitter = noisy.astype(np.float64) - clean
    expected_std = 0.3 * TOY_BOUNDARY_DISTANCE[name]
    assert jitter.std(axis=0) == pytest.approx([expected_std, expected_std], rel=0.03)
    assert np.abs(jitter.mean(axis=0)).max() < 0.05 * expected_std + 0.01


def test_half_noise_makes_every_set_harder_than_clean():
    # Fraction of points whose nearest other point has another label: near 0 when clean.
    def mixed_fraction(X, y):
        distances = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
        np.fill_diagonal(distances, np.inf)
        return float((y[distances.argmin(axis=1)] != y).mean())

    for name in TOY_DATASETS:
        clean = mixed_fraction(*toy(name, 400, 0.0, seed=1))
        noisy = mixed_fraction(*toy(name, 400, 0.5, seed=1))
        assert clean < 0.02, name
        assert noisy > 0.05, name


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"name": "donut"}, ["no toy data set", '"circle"']),
        ({"name": "circle", "noise": 0.6}, ["Noise", "between 0 and 50%"]),
        ({"name": "circle", "noise": -0.1}, ["Noise"]),
        ({"name": "circle", "n_points": 5}, ["between 10 and 50,000"]),
        ({"name": "circle", "n_points": 50_001}, ["between 10 and 50,000"]),
        ({"name": "circle", "n_points": 100.5}, ["whole number"]),
    ],
)
def test_bad_arguments_raise_data_error_with_words(kwargs, words):
    with pytest.raises(DataError) as error:
        toy(**kwargs)
    for word in words:
        assert word in str(error.value)


def test_data_error_is_a_value_error():
    assert issubclass(DataError, ValueError)


def test_split_is_stratified_complete_and_seeded():
    X = np.arange(300, dtype=np.float32).reshape(150, 2)
    y = np.repeat(np.array([0, 1, 2], dtype=np.int64), [100, 30, 20])
    X_train, y_train, X_test, y_test = split(X, y, train_share=0.8, seed=4)
    assert np.bincount(y_train).tolist() == [80, 24, 16]
    assert np.bincount(y_test).tolist() == [20, 6, 4]
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    # Every row lands exactly once, with its own label.
    rows = np.concatenate([X_train[:, 0], X_test[:, 0]]) // 2
    assert sorted(rows.astype(int).tolist()) == list(range(150))
    np.testing.assert_array_equal(y[(X_train[:, 0] // 2).astype(int)], y_train)
    again = split(X, y, train_share=0.8, seed=4)
    other = split(X, y, train_share=0.8, seed=5)
    np.testing.assert_array_equal(again[0], X_train)
    assert not np.array_equal(other[0], X_train)
    # Classes are interleaved, not in blocks.
    assert len(set(y_train[:20].tolist())) > 1


def test_split_keeps_a_point_of_each_class_on_each_side():
    X = np.zeros((13, 2))
    y = np.array([0] * 10 + [1, 1] + [2])
    _, y_train, _, y_test = split(X, y, train_share=0.9, seed=0)
    assert 1 in y_train and 1 in y_test
    assert 2 in y_train and 2 not in y_test
    _, y_train, _, y_test = split(X, y, train_share=0.05, seed=0)
    assert set(y_test.tolist()) == {0, 1} and {0, 1, 2} <= set(y_train.tolist())


@pytest.mark.parametrize("train_share", [0.0, 1.0, -0.2, 1.5])
def test_split_rejects_shares_outside_zero_one(train_share):
    with pytest.raises(DataError, match="training share"):
        split(np.zeros((10, 2)), np.zeros(10, dtype=np.int64), train_share=train_share)


def test_split_rejects_mismatched_lengths():
    with pytest.raises(DataError, match="do not match"):
        split(np.zeros((10, 2)), np.zeros(9, dtype=np.int64))

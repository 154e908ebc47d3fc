"""Input features: what a 2-D point is turned into before the network sees it, the setting
that chooses them, and a network without hidden layers that learns the circle with them."""

from __future__ import annotations

import numpy as np
import pytest

from playground.core.config import (
    MNIST_PAGE,
    PLAYGROUND_PAGE,
    SETTINGS_BY_NAME,
    Config,
    ConfigError,
)
from playground.core.data import INPUT_FEATURES, expand_features, make_point_data, make_toy_data
from playground.core.links import link_query, read_link
from playground.core.session import TrainingSession

FEATURES = SETTINGS_BY_NAME["features"]


def standardised(columns: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """z-scores of `columns` with the mean and standard deviation of `reference`."""
    return (columns - reference.mean(axis=0)) / reference.std(axis=0)


@pytest.fixture(scope="module")
def points():
    """Points in odd units (shifted, stretched differently per axis) and their labels."""
    rng = np.random.default_rng(0)
    X = rng.normal(loc=[50.0, -3.0], scale=[20.0, 0.5], size=(400, 2))
    y = (X[:, 0] > 50).astype(np.int64)
    return X, y


def test_expand_features_follows_the_formulas_in_the_order_asked():
    inputs = np.array([[0.5, -2.0], [1.5, 3.0]], dtype=np.float32)
    x1, x2 = inputs[:, 0].astype(np.float64), inputs[:, 1].astype(np.float64)
    columns = expand_features(inputs, ["sinx2", "x1x2", "x1sq", "x2"])
    assert columns.dtype == np.float64 and columns.shape == (2, 4)
    np.testing.assert_allclose(columns, np.column_stack([np.sin(x2), x1 * x2, x1**2, x2]))
    assert list(INPUT_FEATURES) == ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]


def test_every_feature_is_standardised_on_the_training_split(points):
    X, y = points
    features = ("x1", "x1sq", "x2sq", "x1x2", "sinx2")
    data = make_point_data(X, y, ["a", "b"], train_share=0.6, seed=1, features=features)
    assert data.features == features
    assert data.inputs_train.shape == (len(data.y_train), 5)
    assert data.inputs_train.dtype == np.float32 and not data.inputs_train.flags.writeable
    # By hand: standardise the coordinates on the training points, apply each formula, then
    # standardise each feature with its own training mean and standard deviation.
    z_train = standardised(data.X_train.astype(np.float64), data.X_train.astype(np.float64))
    z_test = standardised(data.X_test.astype(np.float64), data.X_train.astype(np.float64))

    def by_hand(z):
        x1, x2 = z[:, 0], z[:, 1]
        return np.column_stack([x1, x1**2, x2**2, x1 * x2, np.sin(x2)])

    expected_train = standardised(by_hand(z_train), by_hand(z_train))
    expected_test = standardised(by_hand(z_test), by_hand(z_train))  # the training statistics
    np.testing.assert_allclose(data.inputs_train, expected_train, atol=1e-5)
    np.testing.assert_allclose(data.inputs_test, expected_test, atol=1e-5)
    np.testing.assert_allclose(data.inputs_train.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(data.inputs_train.std(axis=0), 1, atol=1e-5)
    assert abs(data.inputs_test.mean(axis=0)).max() > 1e-3  # the test split is not refitted


def test_the_boundary_grid_is_fed_like_the_points(points):
    # Each training point's inputs match those of the grid point nearest to it: the boundary
    # picture shows what the network does at the points (up to the grid's spacing).
    X, y = points
    features = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
    data = make_point_data(X, y, ["a", "b"], train_share=0.5, seed=0, features=features)
    assert data.grid_inputs.shape == (len(data.grid_x) * len(data.grid_y), 7)
    column = np.abs(data.grid_x[None, :] - data.X_train[:, :1]).argmin(axis=1)
    row = np.abs(data.grid_y[None, :] - data.X_train[:, 1:]).argmin(axis=1)
    nearest = data.grid_inputs[row * len(data.grid_x) + column]
    assert np.abs(nearest - data.inputs_train).max() < 0.2


def test_the_default_features_are_the_standardised_coordinates(points):
    X, y = points
    data = make_point_data(X, y, ["a", "b"], train_share=0.5, seed=0)
    assert data.features == ("x1", "x2") and data.feature_labels == ("x₁", "x₂")
    z = standardised(data.X_train.astype(np.float64), data.X_train.astype(np.float64))
    np.testing.assert_allclose(data.inputs_train, z, atol=1e-6)


def test_no_hidden_layer_learns_the_circle_from_the_squares_alone():
    # x₁² + x₂² < r² is linear in the squares: logistic regression on them separates the
    # circle, which it cannot do on x₁ and x₂.
    def test_accuracy(features):
        config = Config(dataset="circle", features=features, hidden=(), lr=0.1)
        data = make_toy_data("circle", config.n_points, config.noise, config.train_share,
                             config.data_seed, config.features)  # fmt: skip
        session = TrainingSession([config], data)
        n = len(features)
        assert repr(session.runs[0].network) == f"Network({n} → Dense({n}, 2))"
        session.step(300)
        return session.snapshots[0].test_accuracy

    assert test_accuracy(("x1sq", "x2sq")) >= 0.9
    assert test_accuracy(("x1", "x2")) < 0.75


# -- the setting ---------------------------------------------------------------------------


def test_features_travel_in_the_url_and_json_as_short_names():
    config = Config(features=["x2sq", "x1", "x1sq", "x1sq"])  # any order, repeats collapse
    assert config.features == ("x1", "x1sq", "x2sq")  # the order of INPUT_FEATURES
    assert config.to_query()["features"] == "x1,x1sq,x2sq"
    assert Config.from_query({"features": "x1,x2,x1sq,x2sq"}) == (
        Config(features=("x1", "x2", "x1sq", "x2sq")),
        [],
    )
    assert config.to_dict()["features"] == ["x1", "x1sq", "x2sq"]
    assert Config.from_json(config.to_json()) == config
    link = read_link({"features": "sinx1, x1x2"})
    assert link.config.features == ("x1x2", "sinx1") and link.notes == ()
    assert read_link(link_query(link.config, link.view)) == link
    assert Config(features=("x1sq",)).needs_reset(Config())  # not live: a new run


@pytest.mark.parametrize("raw", ["x1,x3", "X1", "x1;x2", "١٢"])
def test_an_unknown_feature_in_a_link_falls_back_with_a_note(raw):
    link = read_link({"features": raw, "seed": "4"})
    assert link.config.features == ("x1", "x2") and link.config.seed == 4
    (note,) = link.notes
    assert note.startswith("Input features: ") and repr(raw) in note
    assert "one or more of x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2" in note


def test_at_least_one_feature():
    link = read_link({"features": ""})
    assert link.config.features == ("x1", "x2")
    assert link.notes == ("Input features: the network needs at least one input feature; "
                          "using x1,x2.",)  # fmt: skip
    with pytest.raises(ConfigError, match="The network needs at least one input feature"):
        Config.from_dict({"features": []})
    with pytest.raises(ConfigError, match="Input features"):
        Config.from_dict({"features": ["x1", "banana"]})


def test_features_are_hidable_and_only_on_the_pages_of_points():
    assert FEATURES.group == "network" and not FEATURES.live
    assert "features" in read_link({"hide": "network"}).view.hidden
    assert read_link({"hide": "features"}).view.hidden == {"features"}
    assert "features" in MNIST_PAGE.omit and "features" not in PLAYGROUND_PAGE.omit

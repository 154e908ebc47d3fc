"""Regression on the Playground's engine side: the sets as a run trains on them, runs whose
snapshots hold the mean squared error and R², the fitted curve and each unit's curve."""

from __future__ import annotations

import numpy as np
import pytest

from playground.core.boundary import decode_values, encode_values
from playground.core.config import Config, HiddenLayer
from playground.core.data import CurveData, PointData, make_regression_data
from playground.core.model_io import data_shape
from playground.core.session import CurveSnapshot, PointSnapshot, TrainingSession


def test_a_curve_takes_only_the_features_of_its_one_input():
    data = make_regression_data("sine", 200, 0.1, 0.5, 0, ("x1", "x2", "x1sq", "x1x2"))
    assert isinstance(data, CurveData) and data.features == ("x1", "x1sq")
    assert data.inputs_train.shape == (100, 2) and data.grid_inputs.shape == (300, 2)
    assert make_regression_data("sine", 200, 0.1, 0.5, 0, ("x2",)).features == ("x1",)
    np.testing.assert_allclose(data.inputs_train.mean(axis=0), 0, atol=1e-5)
    assert data_shape(Config(dataset="sine", features=("x1", "x2", "x1sq"))) == (2, 1)


def test_a_plane_set_keeps_its_real_valued_targets_and_one_output():
    data = make_regression_data("plane", 400, 0.0, 0.25, 2, ("x1", "x2"))
    assert isinstance(data, PointData) and data.task == "regression"
    assert data.y_train.dtype == np.float32 and len(data.y_train) == 100
    assert data.class_names == ("y",) and data.value_range == pytest.approx(
        float(np.abs(np.concatenate([data.y_train, data.y_test])).max())
    )
    assert data_shape(Config(dataset="plane")) == (2, 1)


def test_predictions_are_coded_to_within_a_step_of_their_range():
    values = np.array([-2.0, -1.0, -0.3, 0.0, 0.42, 1.0, 3.0, np.nan])
    codes = encode_values(values, 1.0, (2, 4))
    assert codes.dtype == np.uint8 and codes.shape == (2, 4)
    back = decode_values(codes, 1.0).ravel()
    np.testing.assert_allclose(back, [-1, -1, -0.3, 0, 0.42, 1, 1, 0], atol=1 / 254)


@pytest.mark.parametrize("dataset", ["plane", "mixture"])
def test_a_run_on_the_plane_reports_mse_and_r2_and_codes_its_prediction(dataset):
    config = Config(dataset=dataset, hidden=(HiddenLayer(8, "tanh"),), lr=0.03)
    data = make_regression_data(dataset, 300, 0.0, 0.5, 0, config.features)
    session = TrainingSession([config], data)
    session.step(200)
    snapshot = session.snapshots[0]
    assert isinstance(snapshot, PointSnapshot) and snapshot.regression
    run = session.runs[0]
    predictions = run.network.forward(data.inputs_test)[:, 0]
    assert snapshot.test_loss == pytest.approx(np.mean((predictions - data.y_test) ** 2), rel=1e-4)
    sst = np.sum((data.y_test - data.y_test.mean()) ** 2)
    assert snapshot.test_accuracy == pytest.approx(
        1 - np.sum((predictions - data.y_test) ** 2) / sst, rel=1e-4
    )
    grid = run.network.forward(data.grid_inputs)[:, 0].reshape(snapshot.boundary.shape)
    np.testing.assert_allclose(decode_values(snapshot.boundary, data.value_range),
                               np.clip(grid, -data.value_range, data.value_range),
                               atol=data.value_range / 254 + 1e-6)  # fmt: skip
    assert snapshot.histograms[-1].label.startswith("Output · 1 linear")


def test_eight_tanh_units_fit_the_sine_and_each_unit_has_its_curve():
    """The claim the README's sine screenshot makes: one hidden layer of 8 units fits it."""
    config = Config(dataset="sine", hidden=(HiddenLayer(8, "tanh"),), lr=0.03, noise=0.1)
    data = make_regression_data("sine", config.n_points, config.noise, config.train_share,
                                config.data_seed, config.features)  # fmt: skip
    session = TrainingSession([config], data)
    session.step(20_000)
    snapshot = session.snapshots[0]
    assert isinstance(snapshot, CurveSnapshot)
    assert snapshot.test_accuracy > 0.95, snapshot.test_accuracy  # R² on the test points
    assert snapshot.curve.shape == data.grid_x.shape
    inside = np.abs(data.grid_x) <= 6
    assert np.abs(snapshot.curve[inside] - data.truth[inside]).mean() < 0.1
    (units,) = snapshot.unit_curves
    assert units.shape == (8, len(data.grid_x)) and np.abs(units).max() <= 1


def test_a_csv_label_of_many_numbers_is_a_regression_and_of_few_numbers_classes():
    from mlp.datasets import read_points_csv
    from playground.core.data import make_csv_data

    many = "x,y,height\n" + "".join(f"{i},{i % 5},{150 + i * 0.7:.1f}\n" for i in range(30))
    points = read_points_csv(many.encode())
    assert points.task == "regression" and points.class_names == ["height"]
    np.testing.assert_allclose(points.y[:3], [150.0, 150.7, 151.4], rtol=1e-6)
    data, notes = make_csv_data(many.encode(), 0.5, 0, label_noise=0.1)
    assert data.task == "regression" and len(data.y_train) == 15
    assert any("Label noise" in note for note in notes)
    few = "x,y,label\n" + "".join(f"{i},{i % 5},{i % 3}\n" for i in range(30))
    assert read_points_csv(few.encode()).task == "classification"
    words = "x,y,label\n" + "".join(f"{i},{i % 5},w{i}\n" for i in range(30))
    with pytest.raises(ValueError, match="at most 10 classes"):
        read_points_csv(words.encode())  # many words are still too many classes
    for bad in ("nan", "inf", "1e300"):
        rows = "x,y,height\n" + "".join(f"{i},{i % 5},{bad if i == 7 else i * 0.5}\n"
                                        for i in range(30))  # fmt: skip
        with pytest.raises(ValueError, match=f"'{bad}' is not a finite number"):
            read_points_csv(rows.encode())

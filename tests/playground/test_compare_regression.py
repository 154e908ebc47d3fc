"""Comparisons on a regression set: the sweep's table, verdict and files speak of the mean
squared error and R², the paired interval is on the test MSE (lower is better), and a
classification comparison reads and writes exactly as before."""

from __future__ import annotations

import io
import json

import numpy as np
import plotly.graph_objects as go
import pytest

from mlp.datasets.regression import REGRESSION_DATASETS
from playground.charts.compare import fits_figure, prediction_spread, spread_figure
from playground.core.boundary import encode_values
from playground.core.compare import (
    Comparison,
    PairedDifference,
    TaskResult,
    Variant,
    describe_mse_difference,
    paired_difference,
    run_sweep,
    run_task,
    sweep_tasks,
)
from playground.core.compare_cli import main
from playground.core.config import Config, ConfigError, HiddenLayer
from playground.ui.live_chart import TRACE_TYPES

SINE = Config(dataset="sine", n_points=100, hidden=(HiddenLayer(8, "tanh"),), batch_size=10,
              optimizer="adam", lr=0.01)  # fmt: skip
SPIRAL = Config(dataset="spiral", n_points=100, hidden=(HiddenLayer(8, "tanh"),), batch_size=10)


def result(variant: int, seed: int, loss: float, accuracy: float, regression: bool) -> TaskResult:
    """A finished run with figures given by hand, and a curve of two points."""
    curves = {"train_loss": np.array([1.0, loss]), "test_loss": np.array([1.0, loss]),
              "train_accuracy": np.array([0.5, accuracy]),
              "test_accuracy": np.array([0.5, accuracy])}  # fmt: skip
    return TaskResult(variant=variant, seed=seed, steps=20, train_loss=loss,
                      train_accuracy=accuracy, test_loss=loss, test_accuracy=accuracy,
                      curve_steps=np.array([0.0, 20.0]), curves=curves, seconds=1.0,
                      diverged=None, regression=regression)  # fmt: skip


def regression_comparison() -> Comparison:
    # B's test MSE is below A's on every seed: 0.05, 0.06, 0.05 lower; its R² higher.
    results = [result(0, 0, 0.10, 0.80, True), result(0, 1, 0.12, 0.76, True),
               result(0, 2, 0.11, 0.78, True), result(1, 0, 0.05, 0.90, True),
               result(1, 1, 0.06, 0.88, True), result(1, 2, 0.06, 0.88, True)]  # fmt: skip
    return Comparison([SINE, SINE.replace(lr=0.03)], ["plain", "learning rate 0.03"],
                      [0, 1, 2], 20, results)  # fmt: skip


def test_a_regression_sweep_gives_rows_of_mse_and_r2():
    configs = [SINE, Variant({"lr": 0.001}).config(SINE)]
    results = list(run_sweep(sweep_tasks(configs, seeds=[0, 1], steps=40)))
    assert all(r.regression for r in results)
    comparison = Comparison(configs, ["fast", "slow"], [0, 1], 40, results)
    assert comparison.regression
    summary = comparison.summary()
    assert list(summary.columns) == ["Variant", "Seeds", "Test MSE", "Test R²", "Train R²",
                                     "R² gap (train − test)", "Steps", "Seconds per run",
                                     "Diverged"]  # fmt: skip
    for index, row in summary.iterrows():
        runs = comparison.for_variant(index)
        mse = np.mean([r.test_loss for r in runs])
        r2 = np.mean([r.test_accuracy for r in runs])
        assert float(row["Test MSE"].split(" ± ")[0]) == pytest.approx(mse, rel=0.01)
        # R² is a number to three decimals, never a percentage
        assert row["Test R²"].split(" ± ")[0] == f"{r2:.3f}" and "%" not in row["Test R²"]
    (line,) = comparison.differences()
    assert line.startswith("B (slow) − A (fast): ") and "test MSE" in line and "test R²" in line
    assert "accuracy" not in line and "points" not in line


def test_the_paired_interval_is_on_the_test_mse_and_lower_is_better():
    comparison = regression_comparison()
    # b − a of the test MSE: -0.05, -0.06, -0.05: mean -0.05333, sd 0.005774, se 0.003333,
    # t(0.975, 2) = 4.3027, half-width 0.014342: -0.0677 to -0.0390, below zero.
    mse = paired_difference([0.10, 0.12, 0.11], [0.05, 0.06, 0.06])
    assert mse.mean == pytest.approx(-0.05333, abs=1e-5)
    assert mse.low == pytest.approx(-0.06768, abs=1e-5)
    assert mse.high == pytest.approx(-0.03899, abs=1e-5)
    assert comparison.differences() == [
        "B (learning rate 0.03) − A (plain): test MSE -0.0533, 95% CI -0.0677 to -0.0390 "
        "(lower: better); test R² +0.107"
    ]
    # The other way round, a higher error is worse, whatever way R² points.
    worse = describe_mse_difference("B", "A", PairedDifference(0.05, 0.02, 0.08, 5),
                                    PairedDifference(-0.1, -0.2, 0.0, 5))  # fmt: skip
    assert worse == ("B − A: test MSE +0.0500, 95% CI +0.0200 to +0.0800 (higher: worse); "
                     "test R² -0.100")  # fmt: skip
    unclear = describe_mse_difference("B", "A", PairedDifference(0.001, -0.3, 0.3, 5),
                                      PairedDifference(-0.002, -0.5, 0.5, 5))  # fmt: skip
    assert unclear == ("B − A: no clear difference (test MSE +0.001, 95% CI -0.300 to +0.300); "
                       "test R² -0.002")  # fmt: skip
    one_seed = describe_mse_difference("B", "A", PairedDifference(0.00123, None, None, 1),
                                       PairedDifference(-0.01, None, None, 1))  # fmt: skip
    assert one_seed == ("B − A: test MSE +0.00123 (one seed cannot tell: run two or more); "
                        "test R² -0.010")  # fmt: skip
    diverged = describe_mse_difference("B", "A", PairedDifference(float("inf"), None, None, 2),
                                       PairedDifference(float("-inf"), None, None, 2))  # fmt: skip
    assert "cannot be measured: a run has no test MSE" in diverged and "inf" not in diverged


def test_a_regression_file_names_its_figures_and_reads_back():
    comparison = regression_comparison()
    document = json.loads(comparison.to_json())
    assert document["task"] == "regression"
    first = document["results"][0]
    assert {"train_mse", "test_mse", "train_r2", "test_r2"} <= set(first)
    assert not {"train_loss", "test_loss", "train_accuracy", "test_accuracy"} & set(first)
    assert set(first["curves"]) == {"train_mse", "test_mse", "train_r2", "test_r2"}
    assert list(comparison.curves_table().columns) == ["variant", "name", "seed", "step",
                                                       "train_mse", "test_mse", "train_r2",
                                                       "test_r2"]  # fmt: skip
    again = Comparison.from_json(comparison.to_json())
    assert again.regression and all(r.regression for r in again.results)
    assert again.summary().equals(comparison.summary())
    assert again.differences() == comparison.differences()
    assert again.curves_table().equals(comparison.curves_table())
    document["task"] = "clustering"
    with pytest.raises(ConfigError, match="task is 'clustering', not classification or"):
        Comparison.from_json(json.dumps(document))


def test_a_classification_comparison_reads_and_writes_as_before():
    results = [result(0, 0, 0.40, 0.80, False), result(0, 1, 0.42, 0.82, False),
               result(1, 0, 0.30, 0.90, False), result(1, 1, 0.35, 0.86, False)]  # fmt: skip
    comparison = Comparison([SPIRAL, SPIRAL.replace(dropout=0.5)], ["plain", "dropout 0.5"],
                            [0, 1], 20, results)  # fmt: skip
    assert not comparison.regression
    assert comparison.summary().to_csv(index=False) == (
        "Variant,Seeds,Test accuracy,Train accuracy,Gap (train − test),Test loss,Steps,"
        "Seconds per run,Diverged\n"
        "A · plain,2,81.00% ± 1.41,81.00% ± 1.41,0.00% ± 0.00,0.4100 ± 0.0141,20,1.0,0\n"
        "B · dropout 0.5,2,88.00% ± 2.83,88.00% ± 2.83,0.00% ± 0.00,0.3250 ± 0.0354,20,1.0,0\n"
    )
    assert comparison.differences() == [
        "B (dropout 0.5) − A (plain): no clear difference (+7.0 points, 95% CI -31.1 to +45.1)"
    ]
    assert list(comparison.curves_table().columns) == [
        "variant", "name", "seed", "step", "train_loss", "test_loss", "train_accuracy",
        "test_accuracy",
    ]  # fmt: skip
    text = comparison.to_json()
    document = json.loads(text)
    assert list(document) == ["kind", "version", "configs", "names", "seeds", "steps", "results"]
    assert list(document["results"][0]) == [
        "variant", "seed", "steps", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
        "curve_steps", "curves", "seconds", "diverged",
    ]  # fmt: skip
    again = Comparison.from_json(text)  # a file without "task" is a classification
    assert not again.regression
    assert again.to_json() == text
    assert again.curves_table().equals(comparison.curves_table())


@pytest.mark.parametrize("dataset", list(REGRESSION_DATASETS))
def test_every_regression_set_runs_as_a_sweep_task(dataset):
    (task,) = sweep_tasks([SINE.replace(dataset=dataset)], seeds=[1], steps=20)
    done = run_task(task)
    assert done.regression and done.steps == 20 and done.diverged is None
    assert done.test_loss >= 0 and done.test_accuracy <= 1
    assert set(done.curves) == {"train_loss", "test_loss", "train_accuracy", "test_accuracy"}


def test_the_command_prints_mse_and_r2_for_a_regression_setup(tmp_path):
    setup = tmp_path / "sine.json"
    setup.write_text(json.dumps({"base": SINE.to_dict(), "variants": ["base", "lr:0.001"],
                                 "steps": 30}))  # fmt: skip
    out, err = io.StringIO(), io.StringIO()
    code = main([str(setup), "--seeds", "2", "--workers", "1"], out=out, err=err)
    assert code == 0, err.getvalue()
    first, second = out.getvalue().strip().splitlines()
    assert first.startswith("A · learning rate 0.01: test MSE ") and "test R² " in first
    assert first.endswith(" over 2 seeds")
    assert "B (learning rate 0.001) − A (learning rate 0.01): " in second
    assert "accuracy" not in out.getvalue() and "% ±" not in out.getvalue()
    assert "sine (regression), 100 points" in err.getvalue()


def test_the_spread_of_predictions_is_the_largest_minus_the_smallest():
    shape = (1, 3)
    codes = [encode_values(np.array(v), 1.0, shape) for v in ([0.0, 0.5, -1.0],
                                                               [0.0, -0.5, 1.0])]  # fmt: skip
    np.testing.assert_allclose(prediction_spread(codes, 1.0), [[0.0, 1.0, 2.0]], atol=0.01)
    xs, ys = np.linspace(-1, 1, 3), np.array([0.0])
    figure = spread_figure(xs, ys, codes, 1.0)
    assert figure.layout.title.text == "Apart by 1 on average"
    go.Figure(figure.to_dict())  # every property is one Plotly knows
    assert {trace.type for trace in figure.data} <= TRACE_TYPES  # the live charts draw it


def test_the_fits_figure_draws_every_variant_over_the_function():
    grid = np.linspace(-1, 1, 5)
    figure = fits_figure(grid, np.sin(grid), [grid, grid**2], ["A", "B"],
                         np.zeros((3, 1)), np.zeros(3))  # fmt: skip
    assert [trace.name for trace in figure.data] == ["training points", "the function", "A",
                                                     "B"]  # fmt: skip
    assert figure.data[2].line.color != figure.data[3].line.color
    go.Figure(figure.to_dict())  # built without validation: every property is one Plotly knows
    assert {trace.type for trace in figure.data} <= TRACE_TYPES

"""Comparisons: variants in lockstep, the words for what differs, paired statistics, sweeps."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from playground.charts.compare import band_figure, disagreement, disagreement_figure
from playground.core import compare
from playground.core.boundary import BOUNDARY_LEVELS
from playground.core.compare import (
    PRESETS,
    PairedDifference,
    Variant,
    describe_difference,
    make_executor,
    paired_difference,
    preset_variants,
    run_sweep,
    run_task,
    sweep_tasks,
    variant_label,
    what_differs,
)
from playground.core.config import Config, HiddenLayer
from playground.core.data import make_toy_data
from playground.core.session import Run

BASE = Config(dataset="spiral", n_points=200, hidden=(HiddenLayer(8, "tanh"),), batch_size=10)


def test_variants_differing_in_dropout_start_alike_and_see_the_same_minibatches():
    data = make_toy_data("spiral", 200, 0.0, 0.5, 0)
    plain, dropout = (variant.config(BASE) for variant in preset_variants("Dropout?"))
    assert plain.dropout == 0.0 and dropout.dropout == 0.5
    run_a, run_b = Run(plain, data), Run(dropout, data)
    assert np.array_equal(run_a.network.param_vector, run_b.network.param_vector)
    for _ in range(37):  # past the end of an epoch (10 minibatches), into a new shuffle
        run_a.step()
        run_b.step()
        assert np.array_equal(run_a.trainer._y_batch, run_b.trainer._y_batch)
        assert np.array_equal(run_a.trainer._X_batch, run_b.trainer._X_batch)
    # and dropout did change the training
    assert not np.array_equal(run_a.network.param_vector, run_b.network.param_vector)


def test_every_preset_gives_two_to_four_valid_variants():
    for name in PRESETS:
        configs = [variant.config(BASE) for variant in preset_variants(name)]
        assert 2 <= len(configs) <= 4, name
        assert len(set(configs)) == len(configs), f"{name}: two variants are the same"


def test_the_line_says_what_differs_and_what_is_shared():
    configs = [v.config(BASE) for v in preset_variants("Dropout + max-norm")]
    line = what_differs(configs)
    assert line.startswith("The variants differ only in dropout (0 / 0.5 / 0.5) and max-norm "
                           "(off / off / 3)")  # fmt: skip
    assert "the same initial weights and the same minibatches" in line
    wider = [BASE, BASE.replace(hidden=(HiddenLayer(32, "tanh"),), batch_size=20)]
    line = what_differs(wider)
    assert "hidden layers (8tanh / 32tanh)" in line and "batch size (10 / 20)" in line
    assert "same seed for the initial weights" in line and "same shuffling seed" in line
    assert "identical" in what_differs([BASE, BASE])


def test_variant_labels_name_the_regularisation_and_other_differences():
    configs = [v.config(BASE) for v in preset_variants("All three")]
    labels = [variant_label(c, ["dropout", "max_norm", "batch_norm"]) for c in configs]
    assert labels == ["plain", "dropout 0.5", "dropout 0.5, max-norm 3",
                      "dropout 0.5, max-norm 3, batch norm"]  # fmt: skip
    fast = BASE.replace(lr=0.1)
    assert variant_label(fast, ["lr"]) == "learning rate 0.1"


def test_variants_round_trip_through_link_text_and_bad_parts_give_notes():
    variant = Variant({"dropout": 0.5, "max_norm": None, "hidden": (HiddenLayer(4, "relu"),)})
    again, notes = Variant.from_text(variant.to_text())
    assert again == variant and notes == []
    assert Variant.from_text("base") == (Variant(), [])
    variant, notes = Variant.from_text("dropout:2;seed:4;lr:0.1;<b>x</b>:1")
    assert variant == Variant({"lr": 0.1})
    assert len(notes) == 3 and any("Dropout" in note for note in notes)


def test_paired_difference_against_a_hand_computed_example():
    # differences 1, 2, 3, 4: mean 2.5, sd 1.2910, se 0.6455, t(3) = 3.1824, half 2.0542
    difference = paired_difference([0.5, 0.5, 0.5, 0.5], [1.5, 2.5, 3.5, 4.5])
    assert difference.n == 4
    assert difference.mean == pytest.approx(2.5)
    assert difference.low == pytest.approx(0.4458, abs=1e-4)
    assert difference.high == pytest.approx(4.5542, abs=1e-4)
    assert difference.clear
    one = paired_difference([0.9], [0.95])
    assert one.low is None and not one.clear
    with pytest.raises(ValueError):
        paired_difference([1.0, 2.0], [1.0])


def test_differences_are_worded_plainly():
    real = PairedDifference(0.018, 0.009, 0.027, 10)
    assert describe_difference("dropout", "plain", real) == (
        "dropout − plain: +1.8 points, 95% CI +0.9 to +2.7"
    )
    noise = PairedDifference(0.003, -0.005, 0.011, 10)
    assert describe_difference("dropout", "plain", noise).startswith(
        "dropout − plain: no clear difference (+0.3 points, 95% CI -0.5 to +1.1)"
    )
    assert "one seed cannot tell" in describe_difference(
        "b", "a", PairedDifference(0.1, None, None, 1)
    )


def test_a_task_trains_its_steps_and_is_reproducible():
    (task,) = sweep_tasks([BASE], seeds=[3], steps=60)
    first, again = run_task(task), run_task(task)
    assert first.steps == 60 and first.seed == 3 and first.diverged is None
    assert first.test_accuracy == again.test_accuracy and first.test_loss == again.test_loss
    assert np.array_equal(first.curves["test_accuracy"], again.curves["test_accuracy"])
    assert first.curve_steps[0] == 0 and first.curve_steps[-1] == 60  # every 10th step
    other_seed = run_task(sweep_tasks([BASE], seeds=[4], steps=60)[0])
    assert other_seed.test_loss != first.test_loss


def _key(result):
    return (result.variant, result.seed)


def test_a_pool_gives_the_same_numbers_as_one_by_one():
    configs = [v.config(BASE) for v in preset_variants("Dropout?")]
    tasks = sweep_tasks(configs, seeds=[0, 1], steps=40)
    alone = {_key(r): r for r in run_sweep(tasks)}
    executor, description = make_executor(workers=2)
    with executor:
        pooled = {_key(r): r for r in run_sweep(tasks, executor)}
    assert "2 processes" in description
    assert alone.keys() == pooled.keys() == {(v, s) for v in (0, 1) for s in (0, 1)}
    for key, result in alone.items():
        assert pooled[key].test_accuracy == result.test_accuracy
        assert np.array_equal(pooled[key].curves["train_loss"], result.curves["train_loss"])


def test_a_dask_cluster_gives_the_same_numbers(monkeypatch):
    distributed = pytest.importorskip("dask.distributed", reason="dask.distributed not installed")
    configs = [v.config(BASE) for v in preset_variants("Max-norm?")]
    tasks = sweep_tasks(configs, seeds=[5], steps=30)
    alone = {_key(r): r.test_loss for r in run_sweep(tasks)}
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:  # fmt: skip
        monkeypatch.setenv("MLP_DASK_SCHEDULER", cluster.scheduler_address)
        executor, description = make_executor()
        with executor:
            on_dask = {_key(r): r.test_loss for r in run_sweep(tasks, executor)}
    assert "Dask" in description
    assert on_dask == alone


def test_closing_a_sweep_early_cancels_the_tasks_not_started(monkeypatch):
    started = []

    def counted(task):
        started.append(task.seed)
        return run_task(task)

    monkeypatch.setattr(compare, "run_task", counted)
    tasks = sweep_tasks([BASE], seeds=range(8), steps=20)
    with ThreadPoolExecutor(max_workers=1) as executor:
        results = run_sweep(tasks, executor)
        first = next(results)
        results.close()  # what a Cancel click does to the page's loop
    assert first.steps == 20
    assert len(started) <= 2, f"{len(started)} of 8 tasks ran after the sweep was closed"


def test_disagreement_marks_the_grid_points_where_predicted_classes_differ():
    levels = BOUNDARY_LEVELS
    # class 0 everywhere, at different confidence levels: they agree
    a = np.array([[0, 1], [2, 3]], dtype=np.uint8)
    b = np.array([[5, 0], [1 * levels + 2, 0]], dtype=np.uint8)  # class 1 at the bottom left
    c = np.array([[0, 0], [0, 2 * levels]], dtype=np.uint8)  # class 2 at the bottom right
    assert disagreement([a, a]).tolist() == [[False, False], [False, False]]
    assert disagreement([a, b, c]).tolist() == [[False, False], [True, True]]
    figure = disagreement_figure(np.arange(2.0), np.arange(2.0), [a, b, c])
    assert figure.layout.title.text == "Disagree on 50% of the plane"


def test_bands_are_the_mean_plus_and_minus_one_standard_deviation():
    steps = np.array([0.0, 10.0, 20.0])
    seeds = np.array([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0]])
    figure = band_figure([steps], [seeds], ["A"], "Loss")
    band, line = figure.data
    assert np.allclose(line.y, [2.0, 3.0, 4.0])
    spread = np.std([1.0, 3.0], ddof=1)
    assert np.allclose(band.y, np.concatenate([[2, 3, 4] + spread, ([2, 3, 4] - spread)[::-1]]))

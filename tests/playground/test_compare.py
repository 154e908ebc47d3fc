"""Comparisons: variants in lockstep, the words for what differs, paired statistics, sweeps."""

from __future__ import annotations

import math
import multiprocessing
import socket
import sys
import threading
import time
import uuid
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import EXTRA_QUEUED_CALLS

import numpy as np
import pytest

from playground.charts.compare import band_figure, disagreement, disagreement_figure
from playground.core import compare
from playground.core.boundary import BOUNDARY_LEVELS
from playground.core.compare import (
    PRESETS,
    Comparison,
    PairedDifference,
    SweepError,
    TaskResult,
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


def test_a_diverged_run_never_makes_a_difference_look_clear():
    # A run with no test accuracy (NaN: its data have no test points) among the pairs: NaN -
    # 0.8 is NaN, so the mean and both ends of the interval are NaN, and the difference is not
    # called clear either way, nor printed as "+nan points".
    difference = paired_difference([0.8, math.nan, 0.9], [0.85, 0.9, 0.95])
    assert difference.n == 3
    assert math.isnan(difference.mean)
    assert math.isnan(difference.low) and math.isnan(difference.high)
    assert not difference.clear
    words = describe_difference("b", "a", difference)
    assert words.startswith("b − a: cannot be measured: a run has no test accuracy"), words
    assert "nan" not in words


def result(variant: int, seed: int, test_accuracy: float) -> TaskResult:
    """A finished run with only the figures the paired statistics read."""
    no_curve = np.empty(0)
    return TaskResult(variant=variant, seed=seed, steps=10, train_loss=0.5, train_accuracy=0.9,
                      test_loss=0.5, test_accuracy=test_accuracy, curve_steps=no_curve,
                      curves={}, seconds=1.0, diverged=None)  # fmt: skip


def test_differences_pair_only_the_seeds_both_variants_ran():
    # A ran seeds 0, 1, 2; B only 1 and 2 (say the sweep was cancelled); C only seed 5.
    # B - A over seeds 1 and 2: differences 0.83 - 0.82 = 0.01 and 0.88 - 0.85 = 0.03, mean
    # 0.02, sd 0.01414, t(0.975, 1) = 12.706: half-width 12.706 · 0.01414 / √2 = 0.1271,
    # so the interval is -0.1071 to +0.1471. C shares no seed with A: no line for it.
    results = [result(0, 0, 0.80), result(0, 1, 0.82), result(0, 2, 0.85),
               result(1, 2, 0.88), result(1, 1, 0.83), result(2, 5, 0.99)]  # fmt: skip
    comparison = Comparison(configs=[BASE] * 3, names=["plain", "dropout", "L2"],
                            seeds=[0, 1, 2, 5], steps=10, results=results)  # fmt: skip
    assert comparison.differences() == [
        "B (dropout) − A (plain): no clear difference (+2.0 points, 95% CI -10.7 to +14.7)"
    ]
    difference = paired_difference([0.82, 0.85], [0.83, 0.88])
    assert difference.n == 2 and difference.mean == pytest.approx(0.02)
    assert difference.low == pytest.approx(-0.1071, abs=1e-4)
    assert difference.high == pytest.approx(0.1471, abs=1e-4)


def test_a_difference_without_spread_has_an_interval_of_one_point():
    # Every seed differs by exactly 0.125 (exact in binary): sd 0, so the half-width is 0
    # and the interval is 0.125 to 0.125, which leaves out zero: clear.
    difference = paired_difference([0.5, 0.25, 0.75], [0.625, 0.375, 0.875])
    assert difference == PairedDifference(0.125, 0.125, 0.125, 3)
    assert difference.clear
    assert describe_difference("b", "a", difference) == "b − a: +12.5 points, 95% CI +12.5 to +12.5"
    # Identical runs: an interval of zero to zero, which does not leave out zero.
    same = paired_difference([0.5, 0.25], [0.5, 0.25])
    assert same == PairedDifference(0.0, 0.0, 0.0, 2)
    assert not same.clear
    assert describe_difference("b", "a", same) == (
        "b − a: no clear difference (+0.0 points, 95% CI +0.0 to +0.0)"
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


class RecordingExecutor(Executor):
    """Hands tasks on to `executor`, keeping their futures to count afterwards."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self.futures = []

    def submit(self, fn, /, *args, **kwargs):
        future = self.executor.submit(fn, *args, **kwargs)
        self.futures.append(future)
        return future


def test_closing_a_sweep_early_cancels_the_tasks_not_started(monkeypatch):
    started = []
    gate = threading.Event()

    def counted(task):
        started.append(task.seed)
        if task.seed > 0:
            gate.wait(30)  # the later tasks wait until the sweep is closed
        return run_task(task)

    monkeypatch.setattr(compare, "run_task", counted)
    tasks = sweep_tasks([BASE], seeds=range(8), steps=20)
    with ThreadPoolExecutor(max_workers=1) as pool:
        executor = RecordingExecutor(pool)
        try:
            results = run_sweep(tasks, executor)
            first = next(results)
            results.close()  # what a Cancel click does to the page's loop
        finally:
            gate.set()
    assert first.steps == 20 and first.seed == 0
    # One worker thread, held at the gate by whichever task began after seed 0 (seed 1, or
    # none): at most two began, and every other task was cancelled before it started.
    assert started[0] == 0 and len(started) <= 2, started
    assert sum(future.cancelled() for future in executor.futures) == 8 - len(started)


def _gate_tasks_in_this_process(gate, started) -> None:
    """A pool process's initializer: `compare.run_task` there counts each task it begins in
    `started` and holds every task but seed 0 until `gate` is set. (The pool sends the
    function by name, so the process runs this one.)"""
    run = compare.run_task

    def gated(task):
        with started.get_lock():
            started.value += 1
        if task.seed > 0:
            gate.wait(60)
        return run(task)

    compare.run_task = gated


def test_closing_a_sweep_early_on_the_process_pool_cancels_the_tasks_not_started():
    context = multiprocessing.get_context("spawn")  # as `make_executor` makes its pool
    gate, started = context.Event(), context.Value("i", 0)
    pool = ProcessPoolExecutor(max_workers=1, mp_context=context,
                               initializer=_gate_tasks_in_this_process,
                               initargs=(gate, started))  # fmt: skip
    executor = RecordingExecutor(pool)
    tasks = sweep_tasks([BASE], seeds=range(8), steps=20)
    try:
        results = run_sweep(tasks, executor)
        first = next(results)
        results.close()  # Cancel
        cancelled = sum(future.cancelled() for future in executor.futures)
    finally:
        gate.set()
        pool.shutdown(wait=True)
    assert first.seed == 0
    # Every task either ran or was cancelled before it began, never both.
    assert started.value + cancelled == 8
    # What a pool cannot take back any more: seed 0 (finished), the task its one process
    # holds at the gate, and the workers + EXTRA_QUEUED_CALLS = 2 already handed to the
    # process's queue: 8 - 1 - 1 - 2 = 4 at least are cancelled.
    assert cancelled >= 8 - 1 - 1 - (1 + EXTRA_QUEUED_CALLS), (cancelled, started.value)


def wait_for(predicate, timeout=30.0):
    """Whether `predicate()` came true within `timeout` seconds (asked every 50 ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture(scope="module")
def process_cluster():
    """A Dask cluster of one worker process with one thread, started and closed here."""
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    made = {}

    def start() -> None:
        made["cluster"] = distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
        )

    starter = threading.Thread(target=start, daemon=True)
    starter.start()
    starter.join(120)
    if "cluster" not in made:
        pytest.fail("the Dask LocalCluster did not start within 120 s")
    cluster = made["cluster"]
    try:
        yield cluster
    finally:
        cluster.close(timeout=60)


def _gate_tasks_on_a_dask_worker(gate_name: str) -> None:
    """Run in the worker process (by `Client.run`): from now on `compare.run_task` there
    notes each task it begins and holds every task but seed 0 at the Dask Event `gate_name`.
    (Dask sends the function of a task by name, so a task resolves to this one.)"""
    from distributed import Event

    from playground.core import compare as worker_compare

    run = worker_compare.run_task
    worker_compare.seeds_begun = []

    def gated(task):
        worker_compare.seeds_begun.append(task.seed)
        if task.seed > 0:
            Event(gate_name).wait(60)
        return run(task)

    gated.ungated = run
    worker_compare.run_task = gated


def _ungate_tasks_on_a_dask_worker() -> list[int]:
    """Undo `_gate_tasks_on_a_dask_worker`; the seeds of the tasks begun meanwhile."""
    from playground.core import compare as worker_compare

    worker_compare.run_task = worker_compare.run_task.ungated
    return worker_compare.seeds_begun


def _tasks_held(dask_worker) -> int:
    return len(dask_worker.state.tasks)


def test_cancel_on_a_dask_cluster_drops_the_tasks_not_started(process_cluster, monkeypatch):
    import distributed

    gate_name = f"sweep-gate-{uuid.uuid4().hex}"
    monkeypatch.setenv("MLP_DASK_SCHEDULER", process_cluster.scheduler_address)
    tasks = sweep_tasks([BASE], seeds=range(8), steps=20)
    with distributed.Client(process_cluster, timeout=30) as control:

        def held() -> int:
            return max(control.run(_tasks_held).values())

        control.run(_gate_tasks_on_a_dask_worker, gate_name)
        try:
            executor, description = make_executor()
            assert "Dask" in description
            recording = RecordingExecutor(executor)
            try:
                results = run_sweep(tasks, recording)
                first = next(results)
                results.close()  # Cancel, as the page does: close the loop, then shut down
                cancelled = sum(future.cancelled() for future in recording.futures)
                executor.shutdown(wait=False, cancel_futures=True)
                # The worker drops every cancelled task (but one at the gate, if one began)
                # before the gate opens: none of them can begin after it.
                assert wait_for(lambda: held() <= 1), held()
            finally:
                distributed.Event(gate_name, client=control).set()
            assert wait_for(lambda: held() == 0), held()
        finally:
            (begun,) = control.run(_ungate_tasks_on_a_dask_worker).values()
    assert first.seed == 0
    assert cancelled == 7  # by closing the loop: all but the finished one, even one at the gate
    # One thread, held at the gate by whichever task began after seed 0: at most two began,
    # the other six (or more) never did.
    assert begun[0] == 0 and len(begun) <= 2, begun


def test_dask_shutdown_with_cancel_futures_cancels_the_tasks_not_finished(
    process_cluster, monkeypatch
):
    import distributed

    gate_name = f"shutdown-gate-{uuid.uuid4().hex}"

    def at_the_gate(index: int) -> int:  # sent by value (a local function)
        from distributed import Event

        Event(gate_name).wait(60)
        return index

    monkeypatch.setenv("MLP_DASK_SCHEDULER", process_cluster.scheduler_address)
    executor, _ = make_executor()
    futures = [executor.submit(at_the_gate, index) for index in range(3)]
    returned = threading.Event()

    def shut_down() -> None:
        executor.shutdown(wait=True, cancel_futures=True)
        returned.set()

    closer = threading.Thread(target=shut_down, daemon=True)
    closer.start()
    try:
        # It returns while the gate is still shut: it waited for none of the three.
        assert returned.wait(30), "shutdown waited for tasks cancel_futures should cancel"
    finally:
        with distributed.Client(process_cluster, timeout=30) as control:
            distributed.Event(gate_name, client=control).set()
        closer.join(60)
    assert [future.cancelled() for future in futures] == [True, True, True]


def test_make_executor_without_dask_says_how_to_install_it(monkeypatch):
    monkeypatch.setenv("MLP_DASK_SCHEDULER", "tcp://127.0.0.1:8786")
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # its import fails
    with pytest.raises(SweepError) as error:
        make_executor()
    assert str(error.value) == (
        "MLP_DASK_SCHEDULER is set, but dask.distributed is not installed: "
        "pip install -r requirements-distributed.txt"
    )


def test_make_executor_with_no_scheduler_there_says_so(monkeypatch):
    pytest.importorskip("distributed", reason="dask.distributed is not installed")
    with socket.socket() as probe:  # a port just freed: nothing listens there
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("MLP_DASK_SCHEDULER", address)
    monkeypatch.setattr(compare, "DASK_CONNECT_SECONDS", 0.5)
    with pytest.raises(SweepError) as error:
        make_executor()
    said = f"The Dask scheduler at '{address}' did not answer: "
    assert str(error.value).startswith(said)
    reason = str(error.value).removeprefix(said)  # distributed's own words, with the wait
    assert "connect" in reason and address in reason and "0.5 s" in reason


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

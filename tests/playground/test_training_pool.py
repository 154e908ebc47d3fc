"""Training in worker processes (`MLP_TRAINING_PROCESSES`): the same numbers as training in the
page's process, live changes that reach the process, a killed process that costs its sessions
a message and a working Reset (never the server), and a closed tab that frees its runs."""

from __future__ import annotations

import os
import pickle
import signal
import time

import numpy as np
import pytest

from playground.core.compare import data_key, task_data
from playground.core.config import Config, HiddenLayer
from playground.core.data import make_drawn_data
from playground.core.scheduler import TrainingPlaces
from playground.core.session import TrainingSession, make_run
from playground.core.training_pool import TrainingPool, available_cores, configured_processes


@pytest.fixture(scope="module")
def pool():
    pool = TrainingPool(2)
    try:
        yield pool
    finally:
        pool.close()
        for pid in pool.pids():  # every process it started has ended
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)


def session_of(config: Config, pool: TrainingPool | None) -> TrainingSession:
    session = TrainingSession([config], task_data(data_key(config), None))
    session.pool = pool
    return session


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.05)
    return None


def same_weights(a: TrainingSession, b: TrainingSession) -> bool:
    return all(np.array_equal(x, y)
               for x, y in zip(a.runs[0].network.params(), b.runs[0].network.params(),
                               strict=True))  # fmt: skip


@pytest.mark.parametrize(
    "config",
    [
        Config(hidden=(HiddenLayer(8, "tanh"), HiddenLayer(6, "relu")), dropout=0.2),
        Config(dataset="mnist", source="sample", hidden=(HiddenLayer(32, "relu"),), shift=1,
               batch_size=64, lr=0.001),
        Config(dataset="sine", hidden=(HiddenLayer(8, "tanh"),), schedule="cosine",
               batch_norm=True, max_norm=2.0),
    ],
    ids=["points", "images-shifts", "curve"],
)  # fmt: skip
def test_a_run_trained_in_a_process_is_bitwise_the_run_trained_here(config, pool):
    remote = session_of(config, pool)
    remote.play()
    assert wait_for(lambda: remote.fresh_snapshots(0.5)[0].step > 150), "it never trained"
    remote.pause()
    assert remote.remote is None and not remote.playing and remote.error is None
    steps = remote.step_count
    here = session_of(config, None)
    here.step(steps)
    assert same_weights(remote, here)
    assert remote.snapshots[0].train_loss == here.snapshots[0].train_loss
    remote.step(3)  # paused, the runs are the page's again: Step trains here
    here.step(3)
    assert same_weights(remote, here)


def test_every_playing_session_trains_at_once_and_shares_the_pool(pool):
    sessions = [session_of(Config(hidden=(HiddenLayer(6, "tanh"),), seed=k), pool)
                for k in range(5)]  # fmt: skip
    for session in sessions:
        session.play()
    assert wait_for(lambda: all(s.fresh_snapshots(0.5)[0].step > 50 for s in sessions))
    assert pool.playing == 5
    before = [s.fresh_snapshots(0.5)[0].step for s in sessions]
    time.sleep(1.5)
    gained = [s.fresh_snapshots(0.5)[0].step - b for s, b in zip(sessions, before, strict=True)]
    for session in sessions:
        session.pause()
    assert pool.playing == 0
    # Fair slices, not one at a time: 5 sessions on 2 processes get 1/3 or 1/2 of one each.
    assert min(gained) > 0.3 * max(gained), gained


def test_live_settings_and_drawn_points_reach_the_process(pool):
    points = ((-3.0, -3.0, 0), (-2.0, -3.5, 0), (3.0, 3.0, 1), (2.5, 3.5, 1))
    config = Config(dataset="drawn", points=points, hidden=(HiddenLayer(4, "tanh"),))
    session = TrainingSession([config], make_drawn_data(points))
    session.pool = pool
    session.play()
    assert wait_for(lambda: session.fresh_snapshots(0.5)[0].step > 20)
    more = points + ((3.0, -3.0, 0), (-3.0, 3.0, 1))
    session.replace_data(make_drawn_data(more))
    session.apply_live([config.replace(points=more, lr=0.05)])
    time.sleep(0.3)
    session.pause()
    run = session.runs[0]
    assert len(run.trainer.y_train) == 6 and run.optimizer.lr == 0.05
    assert any("drawn points changed (4 → 6)" in d for d in run.departures)
    assert any("a setting changed" in d for d in run.departures)


def test_a_killed_process_costs_its_sessions_a_message_and_reset_works(pool):
    config = Config(hidden=(HiddenLayer(6, "tanh"),))
    session = session_of(config, pool)
    session.play()
    assert wait_for(lambda: session.fresh_snapshots(0.5)[0].step > 10)
    os.kill(session.remote._process.process.pid, signal.SIGKILL)
    assert wait_for(lambda: session.error is not None, timeout=10), "no message"
    assert "training process stopped" in session.error and "Reset" in session.error
    assert not session.playing and session.remote is None
    fresh = session_of(config, pool)  # what Reset builds: it trains, in a new process
    fresh.play()
    assert wait_for(lambda: fresh.fresh_snapshots(0.5)[0].step > 10), "the pool did not recover"
    fresh.pause()
    assert fresh.error is None


def test_a_closed_tab_frees_its_runs_in_the_process(pool):
    session = session_of(Config(hidden=(HiddenLayer(6, "tanh"),)), pool)
    session.play()
    assert wait_for(lambda: session.fresh_snapshots(0.5)[0].step > 10)
    assert pool.playing == 1
    session.drop_remote()  # what the worker's release does when the tab closes
    assert pool.playing == 0 and session.remote is None and not session.playing


def test_a_run_copies_without_its_data_and_goes_on_after_attach():
    config = Config(dataset="mnist", source="sample", hidden=(HiddenLayer(16, "relu"),))
    data = task_data(data_key(config), None)
    run = make_run(config, data)
    for _ in range(5):
        run.step()
    copied = pickle.dumps(run)
    assert len(copied) < 2_000_000  # no images in it: 4,000 of them would be 12.5 MB
    again = pickle.loads(copied)
    assert again.data is None and again.trainer.X_train is None
    again.attach(data)
    for _ in range(5):
        run.step()
        again.step()
    pairs = zip(run.network.params(), again.network.params(), strict=True)
    assert all(np.array_equal(a, b) for a, b in pairs)


def test_one_process_per_core_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv("MLP_TRAINING_PROCESSES", raising=False)
    cores = available_cores()
    assert configured_processes() == cores >= 1
    for text, processes in (("2", 2), (" 4 ", 4), ("0", 0), ("many", cores), ("-3", cores),
                            ("1000", 64)):  # fmt: skip
        monkeypatch.setenv("MLP_TRAINING_PROCESSES", text)
        assert configured_processes() == processes


def test_the_first_snapshot_after_play_shows_steps(pool):
    """The page that pressed Play asks at once; the answer waits for the first slice, so the
    student sees the network move in the very run that Play started."""
    session = session_of(Config(hidden=(HiddenLayer(6, "tanh"),)), pool)
    session.play()
    assert session.fresh_snapshots()[0].step > 0
    session.pause()


def test_beyond_the_cap_sessions_queue_and_take_turns(pool):
    """The queue is a guard: with room for 2, a third session waits (its runs stay here)
    and trains once a place frees; a holder whose turn is over while others wait comes
    back from its process, still playing, and queues."""
    clock = [0.0]
    places = TrainingPlaces(2, place_seconds=30, clock=lambda: clock[0])
    sessions = [session_of(Config(hidden=(HiddenLayer(4, "tanh"),), data_seed=seed), pool)
                for seed in range(3)]  # fmt: skip
    for session in sessions:
        session.places = places
        session.play()
    first, second, third = sessions
    assert first.remote is not None and second.remote is not None
    assert third.remote is None and third.queue_position == 1 and not third.training_now
    assert wait_for(lambda: first.fresh_snapshots(0.5)[0].step > 0)
    third.admit()  # as the page's Worker does every tenth of a second
    assert third.remote is None and third.runs[0].trainer.step_count == 0

    second.pause()  # a place frees: the next admit hands the queued session to the pool
    assert places.waiting == 0 and third.remote is None  # its place, not yet its process
    third.admit()
    assert third.remote is not None and third.queue_position == 0
    assert wait_for(lambda: third.fresh_snapshots(0.5)[0].step > 0)

    clock[0] = 31.0  # the first has held its place for longer than its turn, others wait
    second.play()
    assert second.queue_position == 1
    first.admit()
    assert first.remote is None and first.playing and first.queue_position == 1
    assert first.runs[0].trainer.step_count > 0  # its training came back with it
    assert first.snapshots[0].step == first.runs[0].trainer.step_count
    second.admit()
    assert second.remote is not None
    for session in sessions:
        session.pause()
    assert places.training == 0 and places.waiting == 0


def test_an_export_while_training_takes_the_present_from_the_process(pool):
    session = session_of(Config(hidden=(HiddenLayer(6, "tanh"),)), pool)
    session.play()
    assert wait_for(lambda: session.fresh_snapshots(0.5)[0].step > 100)
    present = session.current_runs()[0]
    assert present.trainer.step_count > 100 and session.runs[0].trainer.step_count == 0
    assert session.remote is not None and session.playing  # it goes on training
    session.pause()
    assert session.step_count >= present.trainer.step_count


def test_the_status_line_says_how_many_share_the_pool(pool):
    from tests.app.messages import captions
    from tests.app.test_app import start as open_playground

    others = [session_of(Config(hidden=(HiddenLayer(6, "tanh"),), seed=k), pool) for k in range(2)]
    for other in others:
        other.play()
    try:
        app = open_playground()
        app.session_state["session"].pool = pool  # the page's session in the same pool
        app.session_state["session"].play()
        assert wait_for(lambda: app.session_state["session"].fresh_snapshots(0.5)[0].step > 50)
        app.run()
        status = " ".join(captions(app))
        assert "3 sessions share this server's 2 training processes" in status, status
    finally:
        app.session_state["session"].pause()
        for other in others:
            other.pause()
        import streamlit as st

        st.cache_resource.clear()  # the page's worker thread ends with it


def test_a_spawned_process_beside_a_page_starts_nothing_of_its_own(monkeypatch):
    """Streamlit leaves the page's entry (`app.py`) as `__main__`, and a "spawn" child reads
    its parent's `__main__` file first: the entry must then draw nothing and start no
    process (a sweep's pool would otherwise start a training pool in every worker, which
    multiprocessing refuses while a process starts)."""
    import runpy
    import sys
    import types
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context
    from pathlib import Path

    app = Path(__file__).resolve().parents[2] / "app.py"
    page = types.ModuleType("__main__")
    page.__file__ = str(app)
    monkeypatch.setitem(sys.modules, "__main__", page)
    assert runpy.run_path(str(app), run_name="__mp_main__")["main"]  # defines, runs nothing
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as executor:
        assert executor.submit(available_cores).result(timeout=120) >= 1


def test_a_failure_inside_a_process_reaches_the_page_in_words(pool):
    """Whatever raises in a training process (here a live change it cannot apply) costs
    that session its training with a message, and the process goes on with the others."""
    other = session_of(Config(hidden=(HiddenLayer(4, "tanh"),)), pool)
    session = session_of(Config(hidden=(HiddenLayer(6, "tanh"),)), pool)
    other.play()
    session.play()
    assert session.remote is not None
    session.remote.send("live", None)  # no configurations: apply_live cannot zip it
    assert wait_for(lambda: session.error)
    assert session.error.startswith("The training process failed: TypeError")
    assert not session.playing and session.remote is None
    shown = other.fresh_snapshots(0.5)[0].step
    assert wait_for(lambda: other.fresh_snapshots(0.5)[0].step > shown)  # the rest train on
    other.pause()

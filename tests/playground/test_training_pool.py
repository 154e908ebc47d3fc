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
from playground.core.session import TrainingSession, make_run
from playground.core.training_pool import TrainingPool, configured_processes


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


def test_the_pool_is_off_unless_asked_for(monkeypatch):
    monkeypatch.delenv("MLP_TRAINING_PROCESSES", raising=False)
    assert configured_processes() == 0
    for text, processes in (("2", 2), (" 4 ", 4), ("0", 0), ("many", 0), ("-3", 0)):
        monkeypatch.setenv("MLP_TRAINING_PROCESSES", text)
        assert configured_processes() == processes


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

"""The timeline of a run: bounded however long the run, covering all of it, and what a run
on 2-D points records into it."""

from __future__ import annotations

import numpy as np
import pytest

from playground.core.config import Config
from playground.core.data import make_toy_data
from playground.core.session import CURVE_FIELDS, TIMELINE_CAPACITY, TrainingSession
from playground.core.timeline import Timeline


def assert_doubling(steps: tuple[int, ...]) -> None:
    """Going back from any kept step, the next kept one is at most twice as far from the
    start: the gaps grow no faster than the steps themselves."""
    for earlier, later in zip(steps, steps[1:], strict=False):
        assert later + 1 <= 2 * (earlier + 1), (earlier, later)


def test_a_million_steps_keep_the_bound_and_cover_the_run_in_doublings():
    timeline = Timeline(capacity=60, recent=20)
    largest = 0
    for step in range(1_000_001):
        timeline.record(step, f"state at {step}")
        if step % 10_000 == 0:
            largest = max(largest, len(timeline))
            assert_doubling(timeline.steps())
    steps = timeline.steps()
    assert largest <= 60 and len(steps) <= 60
    assert steps[0] == 0 and steps[-20:] == tuple(range(999_981, 1_000_001))  # the newest
    assert_doubling(steps)
    for k in range(20):  # every doubling of the run holds a kept moment: 1, 2-3, 4-7, ...
        assert any(2**k <= step < 2 ** (k + 1) for step in steps), k
    assert timeline.at(524_287) == "state at 524287" and timeline.at(524_288) is None


def test_every_moment_is_kept_while_there_is_room_then_the_oldest_others_leave():
    timeline = Timeline(capacity=60, recent=20)
    for step in range(60):
        timeline.record(step, step)
    assert timeline.steps() == tuple(range(60))  # 60 clicks on Step: every one
    for step in range(60, 100):
        timeline.record(step, step)
    steps = timeline.steps()
    assert len(steps) == 60 and steps[-20:] == tuple(range(80, 100))
    assert steps[:8] == (0, 1, 2, 3, 4, 5, 6, 7)  # the start stays, step by step
    assert_doubling(steps)


def test_irregular_records_stay_bounded_and_keep_the_start_and_the_present():
    # As while playing: a snapshot whenever the page redraws, thousands of steps apart.
    rng = np.random.default_rng(0)
    timeline = Timeline(capacity=30, recent=10)
    recorded = np.cumsum(rng.integers(1, 5000, size=5000)) - 1
    recorded[0] = 0
    for step in recorded:
        assert timeline.record(int(step), f"state at {step}")
        assert len(timeline) <= 30
    steps = timeline.steps()
    assert steps[0] == 0 and steps == tuple(sorted(set(steps)))
    assert steps[-10:] == tuple(recorded[-10:])  # the newest, whatever their spacing
    assert timeline.moments()[-1] == (recorded[-1], f"state at {recorded[-1]}")


def test_only_a_new_step_is_recorded():
    timeline = Timeline()
    assert timeline.record(5, "first")
    assert not timeline.record(5, "again at 5") and not timeline.record(3, "earlier")
    assert timeline.moments() == ((5, "first"),)
    with pytest.raises(ValueError):
        Timeline(capacity=10, recent=10)


def test_a_run_on_points_records_small_snapshots_at_new_steps():
    config = Config(hidden=((8, "tanh"), (4, "relu")))
    data = make_toy_data("spiral", 200, 0.0, 0.5, 0)
    session = TrainingSession([config], data)
    timeline = session.runs[0].timeline
    for _ in range(5):
        session.step()
    session.publish()  # no new step: nothing new to keep
    assert timeline.steps() == (0, 1, 2, 3, 4, 5)
    moment = timeline.at(2)
    assert moment.boundary.shape == (100, 100) and moment.boundary.dtype == np.uint8
    assert [maps.dtype for maps in moment.neuron_maps] == [np.int8, np.int8]
    assert all(len(getattr(moment, name)[0]) == 0 for name in CURVE_FIELDS)  # kept once
    session.step(300)
    assert len(timeline) <= TIMELINE_CAPACITY


def test_a_moment_is_drawn_with_the_present_curves_cut_at_its_step():
    data = make_toy_data("moons", 200, 0.1, 0.5, 0)
    session = TrainingSession([Config()], data)
    for _ in range(30):
        session.step()
    present = session.snapshots[0]
    moment = session.runs[0].timeline.at(12)
    shown = present.as_of(moment)
    assert shown.step == 12 and shown.train_loss == moment.train_loss
    assert shown.train_loss != present.train_loss
    steps, losses = shown.step_loss
    assert list(steps) == list(range(1, 13))  # the minibatch losses of steps 1 to 12
    np.testing.assert_array_equal(losses, present.step_loss[1][:12])
    assert max(shown.train_loss_curve[0]) <= 12 < max(present.train_loss_curve[0])

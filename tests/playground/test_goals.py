"""Goals: parsed leniently from a link, written back exactly, checked against a run."""

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playground.core.config import Config, HiddenLayer
from playground.core.goals import Goal, read_goal


@dataclass
class FakeSnapshot:
    step: int
    train_accuracy: float
    test_accuracy: float | None
    train_loss: float = 0.5
    test_loss: float | None = 0.5


def test_a_goal_reads_back_what_it_wrote():
    goal = Goal("test_accuracy", 0.9, max_units=8, max_layers=1, max_steps=2000, min_steps=10,
                title="Beat the spiral; then sleep", lesson="xor")  # fmt: skip
    again, notes = read_goal(goal.to_text())
    assert again == goal and notes == []


def test_the_words_of_a_goal():
    goal = Goal("test_accuracy", 0.9, max_units=8, max_steps=2000)
    assert goal.describe() == "Test accuracy ≥ 90.0% with at most 8 hidden units within 2,000 steps"
    assert Goal("test_loss", 0.3, max_layers=0).describe() == (
        "Test loss ≤ 0.3 with no hidden layer"
    )


def test_an_accuracy_in_percent_means_the_same_share():
    assert read_goal("test_accuracy>=90")[0].threshold == pytest.approx(0.9)
    assert read_goal("test_accuracy>=90%")[0].threshold == pytest.approx(0.9)


@pytest.mark.parametrize(
    "text",
    ["accuracy>=0.9", "test_accuracy>=nan", "test_accuracy>=250", "test_accuracy", "<b>x</b>",
     "test_loss<=-1", "test_accuracy>=inf"],
)  # fmt: skip
def test_a_goal_without_a_usable_metric_is_no_goal_and_says_why(text):
    goal, notes = read_goal(text)
    assert goal is None and len(notes) == 1 and notes[0].startswith("Goal: ")


def test_a_bad_part_is_left_out_with_a_note():
    goal, notes = read_goal(
        "test_accuracy>=0.8;max_units=lots;max_steps=-3;colour=red;max_layers=2"
    )
    assert goal == Goal("test_accuracy", 0.8, max_layers=2)
    assert len(notes) == 3 and all(note.startswith("Goal: ") for note in notes)


def test_a_title_is_kept_as_text_cut_to_its_limit():
    goal, notes = read_goal("gap>=0.2;title=" + "<script>" + "x" * 200)
    assert goal.title.startswith("<script>") and len(goal.title) == 120 and len(notes) == 1
    goal, _ = read_goal("gap>=0.2;title=two\nlines\x00")
    assert goal.title == "two lines"


@given(st.text(max_size=300))
def test_any_text_gives_a_goal_or_a_note_never_an_error(text):
    goal, notes = read_goal(text)
    assert goal is not None or notes or not text.strip()
    if goal is not None:
        assert read_goal(goal.to_text())[0] == goal


def test_a_goal_is_met_only_within_its_limits():
    small = Config(hidden=(HiddenLayer(4, "tanh"),))
    wide = Config(hidden=(HiddenLayer(16, "tanh"),))
    goal = Goal("test_accuracy", 0.9, max_units=8, max_steps=1000)
    assert goal.check(small, FakeSnapshot(500, 0.95, 0.92)).met
    assert not goal.check(small, FakeSnapshot(500, 0.95, 0.85)).met  # below the threshold
    assert not goal.check(wide, FakeSnapshot(500, 0.95, 0.95)).met  # 16 units > 8
    assert not goal.check(small, FakeSnapshot(1001, 0.95, 0.95)).met  # too late
    assert not goal.check(small, FakeSnapshot(10, 0.95, None)).met  # nothing measured yet
    loss = Goal("test_loss", 0.2)
    assert loss.check(small, FakeSnapshot(5, 0.9, 0.9, test_loss=0.1)).met  # lower is better
    assert not loss.check(small, FakeSnapshot(5, 0.9, 0.9, test_loss=0.3)).met
    late = Goal("test_accuracy", 0.8, min_steps=3000)  # where training ends up
    assert not late.check(small, FakeSnapshot(200, 0.9, 0.9)).met
    assert late.check(small, FakeSnapshot(3000, 0.9, 0.9)).met
    assert late.describe() == "Test accuracy ≥ 80.0% after 3,000 steps"
    gap = Goal("gap", 0.15)
    assert gap.check(wide, FakeSnapshot(5, 1.0, 0.8)).met  # train − test = 0.2
    assert not gap.check(wide, FakeSnapshot(5, 0.9, 0.8)).met


def test_the_first_run_of_several_that_meets_it():
    configs = [Config(), Config()]
    goal = Goal("test_accuracy", 0.9, max_steps=300)
    index, words = goal.check_any(configs, [FakeSnapshot(300, 1, 0.8), FakeSnapshot(300, 1, 0.95)])
    assert index == 1 and "95.0%" in words
    assert goal.check_any(configs, [FakeSnapshot(300, 1, 0.8)] * 2)[0] is None


def test_a_goal_travels_in_the_link_with_the_setup():
    from playground.core.links import View, link_query, read_link

    goal = Goal("test_accuracy", 0.95, max_layers=0, title="Circle with *no* hidden layer")
    query = link_query(Config(dataset="circle"), View(goal=goal, hidden=frozenset({"lr"})))
    link = read_link(query)
    assert link.view.goal == goal and link.notes == ()
    bad = read_link({"goal": "test_accuracy>=abc"})
    assert bad.view.goal is None and bad.notes[0].startswith("Goal: ")


def test_a_goal_passed_between_two_redraws_counts_from_the_runs_curves():
    """At full speed hundreds of steps pass between redraws: the evaluation curve says where
    the run was, and only its points within the goal's steps count."""
    import numpy as np

    goal = Goal("test_accuracy", 0.9, max_steps=1000)
    snapshot = FakeSnapshot(1500, 1.0, 0.97)
    snapshot.test_accuracy_curve = (np.array([0, 500, 800, 1200]), np.array([0.5, 0.8, 0.93, 0.97]))
    check = goal.check(Config(), snapshot)
    assert check.met and "at step 800" in check.words
    snapshot.test_accuracy_curve = (np.array([0, 500, 1200]), np.array([0.5, 0.8, 0.97]))
    assert not goal.check(Config(), snapshot).met  # 97% only after step 1,000
    gap = Goal("gap", 0.2, min_steps=1000)
    snapshot.train_accuracy_curve = (np.array([0, 900, 1200]), np.array([0.5, 1.0, 1.0]))
    snapshot.test_accuracy_curve = (np.array([0, 900, 1200]), np.array([0.5, 0.7, 0.75]))
    snapshot.train_accuracy, snapshot.test_accuracy = 1.0, 0.9  # the present: gap 0.1
    assert gap.check(Config(), snapshot).words == "train − test accuracy gap 25.0% at step 1,200"

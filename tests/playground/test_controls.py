"""The run buttons' click log: every click is acted on at most once and in order, whatever
repeats and reorderings the browser's messages bring."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from playground.ui.run_controls import ACTIONS, ClickLog


def test_a_new_click_is_taken_once():
    log = ClickLog()
    assert log.take({"action": "play", "id": 5}) == "play"
    assert log.take({"action": "play", "id": 5}) is None
    assert log.take({"action": "step", "id": 6}) == "step"
    assert log.last_id == 6


def test_an_older_click_arriving_late_is_ignored():
    log = ClickLog()
    assert log.take({"action": "pause", "id": 10}) == "pause"
    assert log.take({"action": "play", "id": 9}) is None


def test_malformed_clicks_are_ignored():
    log = ClickLog()
    for click in (None, "play", 3, [], {}, {"action": "play"}, {"id": 1},
                  {"action": "fly", "id": 1}, {"action": "play", "id": "1"},
                  {"action": "play", "id": True}, {"action": "play", "id": math.nan},
                  {"action": "play", "id": math.inf}):  # fmt: skip
        assert log.take(click) is None, click
    assert log.last_id == -math.inf


clicks = st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=20).map(
    lambda actions: [{"action": action, "id": 1000 + i} for i, action in enumerate(actions)]
)


@given(clicks, st.data())
def test_messages_that_repeat_or_reorder_clicks_act_on_each_at_most_once(made, data):
    """Each message carries one of the clicks made so far: the newest, or (a late message)
    an earlier one. What is acted on is a subsequence of the clicks, in order, without
    repeats, and the newest click is acted on as soon as a message carries it."""
    log = ClickLog()
    taken = []
    for newest in range(len(made)):
        n_messages = data.draw(st.integers(1, 4))
        for _ in range(n_messages):
            index = data.draw(st.integers(0, newest))
            action = log.take(made[index])
            if action is not None:
                taken.append(made[index]["id"])
        # the last message of a round carries the newest click, as a browser's does
        action = log.take(made[newest])
        if action is not None:
            taken.append(made[newest]["id"])
        assert log.last_id == made[newest]["id"]
    assert taken == sorted(set(taken))
    assert taken[-1] == made[-1]["id"]

"""Play, Pause, Step and Reset under stress, in a real Chromium against `streamlit run`.

The training control must do exactly what was clicked, every time: after Pause nothing moves,
Step from a pause is one minibatch, Reset is step 0, and however fast the clicks come the
control ends up showing what the session really does and Play works at once. A Play/Pause
control whose state the page overwrote from the server failed these one run in twenty
(a stale "Play" echoed back by the browser restarted training; a "Play" already shown while
paused made the Play segment a no-op).

The suite runs a short version (two loops, one round of each kind of quick clicking with
bursts of 10 Steps, in the Playground tab the browser tests share: see `conftest.playground`);
MLP_STRESS_LOOPS=50 runs the full one (50 loops, ten rounds of each with bursts of 30, about
ten minutes), which is the bar for a change to the controls. Both make every check; the full
one makes each many more times. Nothing here asserts how fast anything happens.
"""

from __future__ import annotations

import os
import random
import time

import pytest

from appdriver.page import offered, press, run_button, settle
from tests.app.test_browser import (
    assert_no_exception,
    click,
    server_says_paused,
    step_counter,
    wait_for,
)

pytestmark = pytest.mark.browser

LOOPS = int(os.environ.get("MLP_STRESS_LOOPS", "2"))  # 50 for the full ten minutes
ROUNDS = max(1, LOOPS // 5)  # of quick clicks, in the two tests after the loops
QUICK_CLICKS = min(30, 5 * LOOPS)  # Steps in a burst: 10 in the short run, 30 in the full one
STILL_SECONDS = 1.0  # five redraws of the live views while training (one every 0.2 s)


def quick_click(page, action: str, label: str | None = None) -> None:
    """A click as a hurried person makes it: at the place the button is, with no waiting for
    Streamlit between clicks (while runs follow each other the button's element may be
    replaced by an identical one at the same place, which a click on the element would wait
    out; the controls do not move, so the place stays right)."""
    locator = run_button(page, action)
    if label is not None:
        locator = locator.filter(has_text=label)
    box = wait_for(lambda: locator.first.bounding_box(timeout=10_000), timeout=10, interval=0.05)
    assert box is not None, f"no {label or action} button to click within 10 s"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def counter_is_still(page, seconds: float = STILL_SECONDS) -> tuple[bool, int, int]:
    """Whether the page went `seconds` without a change (waiting at most ten seconds more
    for that), the counter where it was; with the counter before and after."""
    before = step_counter(page)
    try:
        settle(page, quiet=seconds, timeout=seconds + 10)
    except TimeoutError:  # it kept changing: it trains
        return False, before, step_counter(page)
    after = step_counter(page)
    return before == after, before, after


def counter_moves(page, timeout: float = 5.0) -> bool:
    start = step_counter(page)
    return bool(wait_for(lambda: step_counter(page) > start, timeout=timeout, interval=0.1))


def settle_fully(page) -> None:
    """Let the reruns the clicks queued finish: the page goes a second without a change (on a
    busy machine a burst of clicks takes seconds to answer, and the last click's Step can come
    half a second after the one before). A page that trains never does (its live views redraw
    five times a second): when its button offers Pause the test goes on after three seconds,
    when it offers Play after fifteen, and the checks after this say whether it should train."""
    timeout = 3 if "Pause" in offered(page) else 15
    try:
        settle(page, quiet=1.0, timeout=timeout)
    except TimeoutError:
        pass


def assert_shows_real_state(page, when: str) -> None:
    """The button offers Play exactly when nothing trains, Pause exactly when it does."""
    shown = offered(page)
    if "Play" in shown:
        still, before, after = counter_is_still(page, 1.5)
        assert still, f"{when}: the button offers Play but the counter went {before} -> {after}"
    else:
        assert "Pause" in shown, (when, shown)
        assert counter_moves(page), f"{when}: the button offers Pause but the counter is still"


def test_play_pause_step_reset_many_times(playground):
    page = playground
    assert step_counter(page) == 0
    started = time.monotonic()
    for loop in range(LOOPS):
        press(page, "Play")
        assert counter_moves(page, timeout=10), f"loop {loop}: Play did not train"

        press(page, "Pause")
        assert wait_for(lambda: "Play" in offered(page), timeout=10), f"loop {loop}"
        assert wait_for(lambda: server_says_paused(page), timeout=10), f"loop {loop}: no Paused."
        still, paused_at, after = counter_is_still(page)
        assert still, f"loop {loop}: the counter moved after Pause ({paused_at} -> {after})"

        click(page, "step")
        assert wait_for(lambda target=paused_at + 1: step_counter(page) == target, timeout=10), (
            f"loop {loop}: Step from {paused_at} gave {step_counter(page)}"
        )
        still, at, after = counter_is_still(page, 0.5)
        assert still and at == paused_at + 1, f"loop {loop}: Step {paused_at} -> {at} -> {after}"
        assert "Play" in offered(page), f"loop {loop}: after Step the button offers Pause"

        click(page, "reset")
        assert wait_for(lambda: step_counter(page) == 0, timeout=10), f"loop {loop}: Reset"
        settle(page)
        assert "Play" in offered(page), f"loop {loop}: after Reset the button offers Pause"
    assert_no_exception(page)
    print(f"{LOOPS} loops in {time.monotonic() - started:.0f} s")


@pytest.mark.parametrize("playing_first", [False, True], ids=["from_pause", "from_play"])
def test_quick_step_clicks_never_start_training(playground, playing_first):
    page = playground
    for round_ in range(ROUNDS):
        click(page, "reset")
        assert wait_for(lambda: step_counter(page) == 0, timeout=10)
        settle(page)
        if playing_first:
            press(page, "Play")
            assert counter_moves(page, timeout=10)
        for _ in range(QUICK_CLICKS):
            quick_click(page, "step")
        settle_fully(page)
        still, at, after = counter_is_still(page, 1.5)
        assert still, f"round {round_}: training after {QUICK_CLICKS} Steps ({at} -> {after})"
        assert "Play" in offered(page), f"round {round_}: the button offers {offered(page)!r}"
        if not playing_first:  # from a pause each Step is one minibatch, and some coalesce
            assert 1 <= at <= QUICK_CLICKS, f"round {round_}: {QUICK_CLICKS} Steps gave {at}"
        # and the page still answers normally
        click(page, "step")
        assert wait_for(lambda target=at + 1: step_counter(page) == target, timeout=10), round_
    assert_no_exception(page)


def test_rapid_play_pause_reset_clicks_leave_a_working_control(playground):
    page = playground
    rng = random.Random(7)
    actions = ["toggle", "toggle", "step", "reset"]
    for round_ in range(ROUNDS):
        sequence = [rng.choice(actions) for _ in range(rng.randint(4, 12))]
        for action in sequence:
            quick_click(page, action)
            time.sleep(rng.choice([0.0, 0.05, 0.1, 0.25]))  # a person's pace, not a wait
        settle_fully(page)
        when = f"round {round_} after {sequence}"
        assert_shows_real_state(page, when)

        # From whatever state the clicks left, Pause and then Play do what they say, in that
        # order: Pause stops training, Play starts it (the counter moves after the click and
        # the button offers Pause), Pause stops it again. (How soon Play answers is a figure
        # `benchmarks/app.py` prints, not a test.)
        if "Pause" in offered(page):
            press(page, "Pause")
            assert wait_for(lambda: server_says_paused(page), timeout=10), when
            assert counter_is_still(page)[0], f"{when}: Pause did not stop training"
        press(page, "Play")
        assert counter_moves(page, timeout=30), f"{when}: Play did not train"
        assert "Pause" in offered(page), when
        assert not server_says_paused(page), f"{when}: training, and the status says Paused."
        press(page, "Pause")
        assert wait_for(lambda: server_says_paused(page), timeout=10), when
        assert counter_is_still(page)[0], f"{when}: Pause did not stop training"
    assert_no_exception(page)

"""A class bigger than the server's places to train, in a real Chromium: a second tab that
presses Play waits in the queue, says so, and takes its turn when the first one's time is up."""

from __future__ import annotations

import pytest

from appdriver.page import offered, press
from appdriver.server import serving
from tests.app.conftest import ARTIFACTS
from tests.app.test_browser import assert_no_exception, open_app, step_counter, wait_for

pytestmark = pytest.mark.browser

# Long enough that a slow machine sees the second tab queue first (it presses Play a second or
# two after the first, and shows "Queued" a second or two later), and the first queue after
# the swap (a second or two after); the test waits about one of these and a half.
PLACE_SECONDS = 10


@pytest.fixture
def one_place_server():
    """A server that trains one session at a time, each for `PLACE_SECONDS` while another
    waits."""
    env = {"MLP_MAX_TRAINING": "1", "MLP_PLACE_SECONDS": str(PLACE_SECONDS)}
    with serving(ARTIFACTS / "streamlit-one-place.log", env) as url:
        yield url


def status(page) -> str:
    return " ".join(page.locator('[data-testid="stCaptionContainer"]').all_inner_texts())


def test_a_second_student_waits_in_the_queue_then_takes_a_turn(browser, one_place_server):
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(2)]
    try:
        first, second = (context.new_page() for context in contexts)
        for page in (first, second):
            open_app(page, one_place_server)
        press(first, "Play")
        assert wait_for(lambda: step_counter(first) > 100)
        press(second, "Play")
        assert wait_for(lambda: "Queued (you are next)" in status(second), timeout=30), status(
            second
        )
        assert offered(second) == "Pause"  # it plays, it waits
        # (That a queued session does not train is tested without a browser, in
        # tests/playground/test_scheduler.py: a queued tab does not redraw its counter.)
        # The first one's time is up while the second waits: they swap.
        assert wait_for(lambda: step_counter(second) > 100, timeout=3 * PLACE_SECONDS + 20), (
            step_counter(second), status(second))  # fmt: skip
        assert wait_for(lambda: "Queued (you are next)" in status(first), timeout=30), status(first)
        # Pause in the queue leaves it: the other trains on, past its own time.
        press(first, "Pause")
        assert wait_for(lambda: "Paused." in status(first), timeout=30), status(first)
        shown = step_counter(second)
        assert wait_for(lambda: step_counter(second) > shown + 100, timeout=2 * PLACE_SECONDS), (
            shown, step_counter(second), status(second))  # fmt: skip
        assert "Queued" not in status(second), status(second)
        press(second, "Pause")
        for page in (first, second):
            assert_no_exception(page)
    finally:
        for context in contexts:
            context.close()

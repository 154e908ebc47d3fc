"""A lesson in a real Chromium: Set up opens its page on the lesson's setup with the goal's
live check, the goal is met once the network can meet it, and the Lessons page ticks it."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from appdriver.page import settle
from playground.core.lessons import LESSONS_BY_KEY, lesson_query
from tests.app.conftest import ARTIFACTS
from tests.app.test_browser import LOAD_TIMEOUT_MS, assert_no_exception

pytestmark = pytest.mark.browser


def test_set_up_then_meet_the_goal_and_see_the_tick(page, app_server):
    lesson = LESSONS_BY_KEY["line"]
    page.goto(app_server + f"/lessons?lesson={lesson.key}")
    page.get_by_role("button", name="Set up on the Playground page").click()
    banner = page.locator(".plain-info", has_text="Not yet")
    banner.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert lesson.goal.describe() in banner.inner_text()
    assert "dataset=xor" in page.url and "goal=" in page.url
    assert_no_exception(page)
    # The lesson's answer, as a student would make it: one hidden layer of four tanh units.
    query = {**lesson_query(lesson), "hidden": "4tanh"}
    page.goto(app_server + "/?" + urlencode(query, doseq=True))
    page.wait_for_selector(".st-key-run_controls button", timeout=LOAD_TIMEOUT_MS)
    settle(page)
    page.locator(".st-key-run_controls button", has_text="Play").click()
    page.locator(".plain-success", has_text="Goal met").wait_for(timeout=60_000)
    page.locator(".st-key-run_controls button", has_text="Pause").click()
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "lesson-goal-met.png"))
    page.locator('[data-testid="stSidebarNav"] a', has_text="Lessons").click()
    page.get_by_text("Goals met in this browser session: 1 of").wait_for(timeout=LOAD_TIMEOUT_MS)
    ticked = page.locator('[data-testid="stRadio"] label', has_text=lesson.title).inner_text()
    assert ticked.rstrip().endswith("✓"), ticked
    assert_no_exception(page)

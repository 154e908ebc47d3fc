"""Draw your own points in a real Chromium: clicks on the empty plane add points, training
starts on them, more clicks while it trains join the run, a click on a point removes it."""

from __future__ import annotations

import re

import pytest

from appdriver.page import press, settle
from tests.app.conftest import ARTIFACTS
from tests.app.test_browser import assert_no_exception, step_counter, wait_for

pytestmark = pytest.mark.browser

PLANE = ".st-key-boundary_chart .js-plotly-plot"
# Where a plane coordinate (x, y) is on the screen.
SCREEN_JS = """([x, y]) => {
  const plot = document.querySelector('.st-key-boundary_chart .js-plotly-plot');
  const layout = plot._fullLayout;
  const box = plot.getBoundingClientRect();
  return [box.left + layout.xaxis._offset + layout.xaxis.d2p(x),
          box.top + layout.yaxis._offset + layout.yaxis.d2p(y)];
}"""
COUNT = re.compile(r"([\d,]+) of 400 points")


def click_at(page, x: float, y: float) -> None:
    """Move to the plane's (x, y), as a hand would, then click there."""
    left, top = page.evaluate(SCREEN_JS, [x, y])
    page.mouse.move(left - 30, top - 20)
    page.mouse.move(left, top, steps=5)
    page.mouse.click(left, top)


def drawn_count(page) -> int:
    captions = page.locator('[data-testid="stCaptionContainer"]', has_text=COUNT)
    if captions.count() == 0:
        return 0
    return int(COUNT.search(captions.first.inner_text()).group(1).replace(",", ""))


def add_point(page, x: float, y: float, count: int) -> None:
    """Click (x, y) and wait until the set holds `count` points."""
    click_at(page, x, y)
    assert wait_for(lambda: drawn_count(page) == count, timeout=40), f"point {count} not added"
    settle(page)


def choose_class(page, label: str) -> None:
    page.get_by_text(label, exact=False).first.click()
    settle(page)


def test_points_clicked_onto_the_plane_are_learned_and_edited_while_training(page, app_server):
    page.goto(app_server + "/?dataset=drawn&hidden=6tanh&lr=0.03")
    page.wait_for_selector(PLANE, timeout=60_000)
    settle(page)
    for count, (x, y) in enumerate([(-4, -4), (-3, -2), (-2, -4.5)], start=1):
        add_point(page, x, y, count)
    choose_class(page, "Class 1 (orange)")
    for count, (x, y) in enumerate([(4, 4), (3, 2), (2, 4.5)], start=4):
        add_point(page, x, y, count)
    assert_no_exception(page)

    press(page, "Play")
    assert wait_for(lambda: step_counter(page) > 200, timeout=30), "training did not start"
    click_at(page, 4.5, -4.5)  # while it trains
    assert wait_for(lambda: drawn_count(page) == 7, timeout=40), "a point added while training"
    assert step_counter(page) > 200  # the same run went on
    click_at(page, 3, 2)  # on a point: removes it
    assert wait_for(lambda: drawn_count(page) == 6, timeout=40), "the point was not removed"
    press(page, "Pause")
    settle(page)
    assert "points=" in page.url
    assert_no_exception(page)
    page.locator(PLANE).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "drawn-points.png"))

"""A weight line of the diagram in a real Chromium: a click on its marker opens the box beside
the diagram, a typed value and Enter set the weight, the line's hover says the new value and
the metrics at the top of the page follow at once."""

from __future__ import annotations

import pytest

from appdriver.page import settle
from tests.app.test_browser import assert_no_exception, wait_for

pytestmark = pytest.mark.browser

TRAIN_LOSS = '[data-testid="stMetric"]:has-text("Train loss") [data-testid="stMetricValue"]'
WEIGHT = [2, 0, 0]  # Dense layer 2: from layer 1, unit 1 to layer 2, unit 1
# Where a weight's marker is on the screen, and what its hover says.
MARKER_JS = """([layer, source, unit]) => {
  const plot = document.querySelector('.st-key-diagram_chart .js-plotly-plot');
  if (!plot || !plot._fullData) return null;
  const trace = plot._fullData.find(
    t => t.customdata && t.customdata.length && t.customdata[0][0] === 'weight');
  if (!trace) return null;
  const index = trace.customdata.findIndex(
    c => c[1] === layer && c[2] === source && c[3] === unit);
  const layout = plot._fullLayout;
  const box = plot.getBoundingClientRect();
  return {x: box.left + layout.xaxis._offset + layout.xaxis.d2p(trace.x[index]),
          y: box.top + layout.yaxis._offset + layout.yaxis.d2p(trace.y[index]),
          text: trace.hovertext[index]};
}"""


def test_a_click_on_a_weight_line_types_its_weight(playground):
    page = playground
    loss = page.locator(TRAIN_LOSS).inner_text()
    diagram = page.locator(".st-key-diagram_chart")
    diagram.scroll_into_view_if_needed()
    marker = wait_for(lambda: page.evaluate(MARKER_JS, WEIGHT))
    assert marker["text"].startswith("weight from layer 1, unit 1 to layer 2, unit 1: ")
    page.mouse.click(marker["x"], marker["y"])
    box = page.locator('[data-testid="stForm"]')
    box.wait_for(timeout=10_000)
    assert "Weight from layer 1, unit 1 to layer 2, unit 1" in box.inner_text()
    typed = box.locator("input")
    typed.fill("1.5")
    typed.press("Enter")  # the form's first button: Apply
    assert wait_for(lambda: "now 1.500" in box.inner_text(), timeout=10), box.inner_text()
    settle(page)
    assert wait_for(lambda: page.evaluate(MARKER_JS, WEIGHT)["text"].endswith(": 1.500")), (
        "the diagram still draws the old weight"
    )
    assert wait_for(lambda: page.locator(TRAIN_LOSS).inner_text() != loss), (
        "the metrics were not drawn anew"
    )
    assert_no_exception(page)
    box.get_by_role("button", name="Close").click()
    box.wait_for(state="detached", timeout=10_000)

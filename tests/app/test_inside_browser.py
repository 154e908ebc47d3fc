"""The inside views in a real Chromium: the diagram's maps change while the network trains,
a click on a tile enlarges it beside the diagram, and a screenshot for the README."""

from __future__ import annotations

import pytest

from appdriver.page import press, settle
from tests.app.conftest import ARTIFACTS
from tests.app.test_browser import (
    assert_no_exception,
    open_app,
    server_says_paused,
    step_counter,
    wait_for,
)

pytestmark = pytest.mark.browser

DIAGRAM = ".st-key-diagram_chart .js-plotly-plot"
# The hidden layers' tiles as the browser holds them (the heatmaps after the input column's).
HIDDEN_MAPS_JS = """() => {
  const plot = document.querySelector('.st-key-diagram_chart .js-plotly-plot');
  if (!plot || !plot.data) return null;
  const heatmaps = plot.data.filter(trace => trace.type === 'heatmap');
  return JSON.stringify(heatmaps.slice(1, -1).map(trace => trace.z));
}"""
# Where a tile is on the screen: the centre of the hover marker whose customdata it is.
TILE_JS = """([column, unit]) => {
  const plot = document.querySelector('.st-key-diagram_chart .js-plotly-plot');
  const layout = plot._fullLayout;
  const hover = plot._fullData[plot._fullData.length - 1];
  const index = hover.customdata.findIndex(c => c[0] === column && c[1] === unit);
  const box = plot.getBoundingClientRect();
  return [box.left + layout.xaxis._offset + layout.xaxis.d2p(hover.x[index]),
          box.top + layout.yaxis._offset + layout.yaxis.d2p(hover.y[index])];
}"""
UNIT_TITLE_JS = """() => {
  const plot = document.querySelector('.st-key-unit_map_chart .js-plotly-plot');
  return plot && plot._fullLayout ? plot._fullLayout.title.text : null;
}"""


def test_neuron_maps_change_while_training_and_a_click_enlarges_a_tile(page, app_server):
    open_app(page, app_server + "/?dataset=spiral")
    # No click: the page asks for the views below the fold once it is on the screen.
    page.wait_for_selector(DIAGRAM, state="attached")
    page.locator(".st-key-diagram_chart").scroll_into_view_if_needed()
    before = wait_for(lambda: page.evaluate(HIDDEN_MAPS_JS))
    press(page, "Play")
    assert wait_for(lambda: step_counter(page) > 300, timeout=30), "training did not start"
    # Charts out of view wait while training runs (see live_chart): look at the diagram.
    page.locator(".st-key-diagram_chart").scroll_into_view_if_needed()
    assert wait_for(lambda: page.evaluate(HIDDEN_MAPS_JS) not in (None, before), timeout=20), (
        "the neuron maps did not change while training"
    )
    press(page, "Pause")
    assert wait_for(lambda: server_says_paused(page)), "the server never said Paused."
    settle(page)
    page.locator(".st-key-diagram_chart").scroll_into_view_if_needed()
    x, y = page.evaluate(TILE_JS, [1, 2])
    page.mouse.click(x, y)
    assert wait_for(lambda: page.evaluate(UNIT_TITLE_JS) == "Layer 1, unit 3 (tanh)"), (
        page.evaluate(UNIT_TITLE_JS)
    )
    settle(page)
    page.mouse.move(x, y)  # the hover label names the tile
    page.wait_for_selector(f"{DIAGRAM} .hoverlayer .hovertext", timeout=10_000)
    page.screenshot(path=str(ARTIFACTS / "playground-inside.png"))
    assert_no_exception(page)

"""The live chart's script in a real Chromium, on a page of its own (no Streamlit): plotly.js
waits while the page still shows Streamlit's placeholders for elements whose code is loading,
then loads and draws; and a placeholder that never goes away holds the charts back only for
a limited time."""

from __future__ import annotations

import time

import plotly.graph_objects as go
import pytest
from plotly.io.json import to_json_plotly

from playground.ui import live_chart

pytestmark = pytest.mark.browser

ORIGIN = "http://charts.test"
PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<div data-testid="stSkeleton" id="placeholder">loading</div><div id="host"></div>
</body></html>"""
# The component as Streamlit calls it: its default export, with the data, the element to draw
# in, and a function to send values back.
MOUNT_JS = """async (data) => {
  const component = await import("/component.js");
  const host = document.getElementById("host");
  component.default({ data, parentElement: host, setTriggerValue: () => {} });
}"""
DRAWN_JS = """() => {
  const plot = document.querySelector('.js-plotly-plot');
  return !!(plot && plot._fullLayout);
}"""


def chart_data() -> dict:
    figure = go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 3, 2]), layout={"height": 300})
    figure_dict = figure.to_dict()
    return {
        "traces": [to_json_plotly(trace) for trace in figure_dict["data"]],
        "layout": to_json_plotly(figure_dict["layout"]),
        "config": {"displaylogo": False},
        "clickable": False,
    }


@pytest.fixture
def chart_page(browser):
    """A page at ORIGIN that serves the page, the component's script and the plotly.js bundle
    from this checkout; yields (page, the times plotly.js was asked for)."""
    context = browser.new_context(viewport={"width": 900, "height": 700})
    page = context.new_page()
    asked: list[float] = []
    bundle = (live_chart.STATIC_DIR / live_chart.PLOTLY_JS).read_bytes()

    def serve(route) -> None:
        path = route.request.url.removeprefix(ORIGIN)
        if path == "/":
            route.fulfill(body=PAGE, content_type="text/html")
        elif path == "/component.js":
            route.fulfill(body=live_chart._JS, content_type="text/javascript")
        elif path == f"/app/static/{live_chart.PLOTLY_JS}":
            asked.append(time.monotonic())
            route.fulfill(body=bundle, content_type="text/javascript")
        else:
            route.fulfill(status=404, body="")

    page.route(f"{ORIGIN}/**", serve)
    page.goto(f"{ORIGIN}/")
    try:
        yield page, asked
    finally:
        context.close()


def test_plotly_waits_for_the_pages_placeholders_then_draws(chart_page):
    page, asked = chart_page
    page.evaluate(MOUNT_JS, chart_data())
    time.sleep(1.5)
    assert asked == [], "plotly.js was asked for while the page still showed a placeholder"
    assert not page.evaluate(DRAWN_JS)
    removed = time.monotonic()
    page.evaluate("() => document.getElementById('placeholder').remove()")
    page.wait_for_function(DRAWN_JS, timeout=20_000)
    assert len(asked) == 1 and asked[0] >= removed


def test_a_placeholder_that_stays_holds_the_charts_back_only_for_a_while(chart_page):
    page, asked = chart_page
    mounted = time.monotonic()
    page.evaluate(MOUNT_JS, chart_data())
    page.wait_for_function(DRAWN_JS, timeout=30_000)
    assert len(asked) == 1
    assert 9.0 <= asked[0] - mounted < 25.0  # the script's limit is 10 s

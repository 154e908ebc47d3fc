"""The live chart's script in a real Chromium, on a page of its own (no Streamlit): plotly.js
waits while the page still shows Streamlit's placeholders for elements whose code is loading,
then loads and draws; and a placeholder that never goes away holds the charts back only for
a limited time."""

from __future__ import annotations

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
    from this checkout, with the page's clock under the test's control (Playwright's fake
    clock: its timers and `performance.now()` move only when the test moves them); yields
    (page, what happened in order: "asked" each time plotly.js was asked for, and whatever
    the test notes)."""
    context = browser.new_context(viewport={"width": 900, "height": 700})
    page = context.new_page()
    events: list[str] = []
    bundle = (live_chart.STATIC_DIR / live_chart.PLOTLY_JS).read_bytes()

    def serve(route) -> None:
        path = route.request.url.removeprefix(ORIGIN)
        if path == "/":
            route.fulfill(body=PAGE, content_type="text/html")
        elif path == "/component.js":
            route.fulfill(body=live_chart._JS, content_type="text/javascript")
        elif path == f"/app/static/{live_chart.PLOTLY_JS}":
            events.append("asked")
            route.fulfill(body=bundle, content_type="text/javascript")
        else:
            route.fulfill(status=404, body="")

    page.route(f"{ORIGIN}/**", serve)
    page.clock.install()
    page.goto(f"{ORIGIN}/")
    try:
        yield page, events
    finally:
        context.close()


# Whether the page has asked for plotly.js (the script element that loads it is in the page).
ASKING_JS = f"""() => document.querySelector('script[src$="{live_chart.PLOTLY_JS}"]') !== null"""
# The script's limit on waiting for placeholders (`first_paint.PAGE_SETTLED_JS`).
LIMIT_MS = 10_000


def draw_in_real_time(page) -> None:
    """Let the page's clock run on its own again, and wait for the chart to be drawn."""
    page.clock.resume()
    page.wait_for_function(DRAWN_JS, timeout=20_000, polling=100)


def test_plotly_waits_for_the_pages_placeholders_then_draws(chart_page):
    page, events = chart_page
    page.evaluate(MOUNT_JS, chart_data())
    page.clock.run_for(LIMIT_MS // 2)  # well past the quiet moment the script waits for
    assert not page.evaluate(ASKING_JS), "plotly.js was asked for while a placeholder showed"
    assert not page.evaluate(DRAWN_JS)
    events.append("placeholder removed")
    page.evaluate("() => document.getElementById('placeholder').remove()")
    page.clock.run_for(1_000)
    assert page.evaluate(ASKING_JS), "plotly.js was not asked for once the placeholder went"
    draw_in_real_time(page)
    assert events == ["placeholder removed", "asked"]


def test_a_placeholder_that_stays_holds_the_charts_back_only_for_a_while(chart_page):
    """Order, by the page's own clock: not asked for before the script's limit, asked for
    (and drawn) once the limit has passed, the placeholder still there."""
    page, events = chart_page
    page.evaluate(MOUNT_JS, chart_data())
    page.clock.run_for(LIMIT_MS - 500)
    assert not page.evaluate(ASKING_JS), "plotly.js was asked for before the limit"
    events.append("limit nearly reached")
    page.clock.run_for(1_000)
    assert page.evaluate(ASKING_JS), "plotly.js was not asked for once the limit had passed"
    draw_in_real_time(page)
    assert page.locator("#placeholder").count() == 1  # it stayed all along
    assert events == ["limit nearly reached", "asked"]

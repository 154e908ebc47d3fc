"""A curve fitted live in a real Chromium: one hidden layer of 8 tanh units learns the sine,
the fit is drawn and the test R² climbs; a screenshot for the README."""

from __future__ import annotations

import pytest

from appdriver.page import press, settle
from tests.app.conftest import ARTIFACTS
from tests.app.test_browser import assert_no_exception, open_app, server_says_paused, wait_for

pytestmark = pytest.mark.browser

FIT = ".st-key-fit_chart .js-plotly-plot"
# The network's curve as the browser draws it: the last trace of the fit chart.
FIT_CURVE_JS = """() => {
  const plot = document.querySelector('.st-key-fit_chart .js-plotly-plot');
  if (!plot || !plot._fullData) return null;
  const curve = plot._fullData[plot._fullData.length - 1];
  return curve.name === 'the network' ? JSON.stringify(Array.from(curve.y)) : null;
}"""


def test_eight_units_fit_the_sine_while_you_watch(page, app_server):
    open_app(page, app_server + "/?dataset=sine&hidden=8tanh&lr=0.03&noise=0.1")
    page.wait_for_selector(FIT, timeout=60_000)
    before = wait_for(lambda: page.evaluate(FIT_CURVE_JS))
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert [label.strip() for label in labels[2:]] == [
        "Train MSE",
        "Test MSE",
        "Train R²",
        "Test R²",
    ]

    def test_r2() -> float:
        text = page.locator('[data-testid="stMetricValue"]').nth(5).inner_text()
        try:
            return float(text.replace("−", "-"))
        except ValueError:
            return float("nan")

    press(page, "Play")
    assert wait_for(lambda: test_r2() > 0.9, timeout=60), f"the test R² stayed at {test_r2()}"
    assert page.evaluate(FIT_CURVE_JS) not in (None, before), "the fitted curve did not move"
    press(page, "Pause")
    assert wait_for(lambda: server_says_paused(page)), "the server never said Paused."
    settle(page)
    assert_no_exception(page)
    page.locator(FIT).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "sine-fit.png"))

"""Accessibility, measured the standard way: axe-core (npm `axe-core`, which `.ci/run`
installs with `npm ci`) runs in Chromium on every page once it has settled, with every
section and expander open, and finds no violation of any impact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appdriver.page import settle
from tests.app.conftest import Tab
from tests.app.test_browser import click, open_app, step_counter, wait_for

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
LOAD_TIMEOUT_MS = 60_000

# Open every closed section and expander on the page, one click each.
OPEN_ALL_JS = """() => {
  const closed = [...document.querySelectorAll('details:not([open]) > summary')];
  closed.forEach((summary) => summary.click());
  return closed.length;
}"""
RUN_AXE_JS = """async () => {
  const result = await axe.run(document);
  return result.violations.map((v) => ({
    rule: v.id, impact: v.impact,
    where: v.nodes.slice(0, 3).map((n) => n.html.slice(0, 160)),
  }));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.skip("axe-core is not installed: run `npm ci` in the project folder")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tab(browser):
    """One tab for every page here: each test opens its page's address afresh."""
    shared = Tab(browser)
    try:
        yield shared.page
    finally:
        shared.close()


def open_everything(page) -> None:
    """Every section and expander open (sections open in a run of their own), settled."""
    for _ in range(4):  # an opened section can hold expanders of its own
        if page.evaluate(OPEN_ALL_JS) == 0:
            break
        settle(page, quiet=0.5, timeout=60)
    settle(page, quiet=0.5, timeout=60)


def violations(page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    return page.evaluate(RUN_AXE_JS)


def test_the_playground_has_no_violations_trained_and_with_everything_open(
    tab, app_server, axe_source
):
    page = tab
    open_app(page, app_server + "/?dataset=xor&hidden=5tanh,4relu")
    for step in (1, 2):  # a run with a past: the look-back slider is live, the curves drawn
        click(page, "step")
        assert wait_for(lambda step=step: step_counter(page) == step)
    settle(page, quiet=0.5)
    open_everything(page)
    found = violations(page, axe_source)
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize(
    "path",
    [
        "/mnist",
        "/compare",
        "/lessons",
        "/?dataset=drawn",  # the empty plane
        "/?dataset=drawn&points=JYSwcI4RMg-g",  # points drawn, being edited
        "/?dataset=drawn&points=-",  # a note on what the link could not use
    ],
)
def test_every_other_page_has_no_violations_with_everything_open(path, tab, app_server, axe_source):
    page = tab
    page.goto(app_server + path)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=LOAD_TIMEOUT_MS)
    settle(page, quiet=0.5, timeout=60)
    open_everything(page)
    found = violations(page, axe_source)
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("path", ["/?projector=1", "/mnist?projector=1", "/compare?projector=1"])
def test_projector_mode_fits_a_1280_by_720_projector_without_sideways_scrolling(
    path, tab, app_server
):
    page = tab
    page.set_viewport_size({"width": 1280, "height": 720})
    try:
        page.goto(app_server + path)
        page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=LOAD_TIMEOUT_MS)
        settle(page, quiet=0.5, timeout=60)
        widths = page.evaluate(
            """() => {
              const main = document.querySelector('[data-testid="stMain"]');
              return {page: [document.documentElement.scrollWidth,
                             document.documentElement.clientWidth],
                      main: [main.scrollWidth, main.clientWidth],
                      root: getComputedStyle(document.documentElement).fontSize};
            }"""
        )
        assert widths["root"] == "20px"  # 1.25 × the usual 16 px
        assert widths["page"][0] <= widths["page"][1], widths
        assert widths["main"][0] <= widths["main"][1], widths
    finally:
        page.set_viewport_size({"width": 1440, "height": 1000})  # the tab's own size


# The longest transition or animation of any element, in seconds.
LONGEST_MOTION_JS = """() => {
  const seconds = (text) => Math.max(...text.split(',').map((part) => {
    const value = parseFloat(part);
    return part.trim().endsWith('ms') ? value / 1000 : value;
  }));
  let longest = 0;
  for (const element of document.querySelectorAll('*')) {
    const style = getComputedStyle(element);
    longest = Math.max(longest, seconds(style.transitionDuration),
                       seconds(style.animationDuration));
  }
  return longest;
}"""


def test_a_viewer_who_asks_for_less_motion_gets_no_animated_transitions(tab, app_server):
    page = tab
    page.goto(app_server + "/lessons")
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=LOAD_TIMEOUT_MS)
    settle(page, quiet=0.5, timeout=60)
    assert page.evaluate(LONGEST_MOTION_JS) > 0.05  # Streamlit's own widgets do move
    page.emulate_media(reduced_motion="reduce")
    try:
        assert page.evaluate(LONGEST_MOTION_JS) <= 0.0001
    finally:
        page.emulate_media(reduced_motion="no-preference")

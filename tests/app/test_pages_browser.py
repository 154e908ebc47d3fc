"""The pages in a real Chromium: a page's own address opened first on a fresh server, and
moving between pages without losing a setup."""

from __future__ import annotations

import pytest

from appdriver.page import settle
from appdriver.server import serving
from tests.app.conftest import ARTIFACTS
from tests.app.test_browser import (
    LOAD_TIMEOUT_MS,
    assert_no_exception,
    server_says_paused,
    step_counter,
    wait_for,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh_server():
    """A server no browser has visited yet (Streamlit settles how it routes on the first)."""
    with serving(ARTIFACTS / "streamlit-fresh-server.log") as url:
        yield url


def nav_links(page) -> list[str]:
    """The page names in the navigation (without their icons' names)."""
    texts = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return [text.strip().splitlines()[-1] for text in texts]


def test_a_pages_address_opened_first_goes_through_the_entry(page, fresh_server):
    page.goto(fresh_server + "/mnist?hidden=64relu")
    page.wait_for_selector(".st-key-mnist_run_controls button", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=LOAD_TIMEOUT_MS)
    settle(page)
    assert_no_exception(page)
    assert nav_links(page) == ["Playground", "MNIST", "Compare", "Lessons"]
    width = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()["width"]
    assert width > 900, "the entry's wide layout was not applied"
    assert "hidden=64relu" in page.url
    page.locator(".st-key-mnist_run_controls button", has_text="Play").click()
    assert wait_for(lambda: step_counter(page) > 20, timeout=30), "MNIST did not train"
    page.locator(".st-key-mnist_run_controls button", has_text="Pause").click()
    assert wait_for(lambda: server_says_paused(page)), "the server never said Paused."
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "mnist-trained.png"))
    assert_no_exception(page)


def test_moving_between_pages_keeps_each_setup(page, app_server):
    page.goto(app_server + "/?dataset=xor&hidden=4relu")
    page.wait_for_selector(".st-key-run_controls button", timeout=LOAD_TIMEOUT_MS)
    settle(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="MNIST").click()
    page.wait_for_selector(".st-key-mnist_run_controls button", timeout=LOAD_TIMEOUT_MS)
    settle(page)
    assert "dataset=mnist" in page.url
    page.locator('[data-testid="stSidebarNav"] a', has_text="Playground").click()
    page.wait_for_selector(".st-key-run_controls button", timeout=LOAD_TIMEOUT_MS)
    settle(page)
    assert "dataset=xor" in page.url and "hidden=4relu" in page.url
    assert_no_exception(page)

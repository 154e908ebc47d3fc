"""The sidebar's sections in a real Chromium: closed when the page opens, a click opens one
with its widgets, and a change made in a section stays when the section is closed again."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from appdriver.page import settle
from tests.app.test_browser import open_app, wait_for

pytestmark = pytest.mark.browser

SIDEBAR = '[data-testid="stSidebar"]'
LR_SLIDER = f'{SIDEBAR} .st-key-setting_lr input[type="range"]'


def section(page, title: str):
    return page.locator(f"{SIDEBAR} summary", has_text=title)


def link_lr(page) -> str | None:
    """The learning rate in the address bar, as the page has it now (`page.url` is only
    brought up to date while Playwright is called)."""
    return parse_qs(page.evaluate("location.search").lstrip("?")).get("lr", [None])[0]


def test_sections_open_on_a_click_and_keep_their_changes_when_closed(page, app_server):
    open_app(page, app_server + "/?lr=0.01")
    page.wait_for_function(  # the sidebar comes after the views
        f"document.querySelectorAll('{SIDEBAR} summary').length === 6", timeout=30_000
    )
    titles = page.locator(f"{SIDEBAR} summary").all_inner_texts()
    # Each title comes after its icon, which is written as a name ("scatter_plot").
    assert [title.split()[-1] for title in titles] == [
        "Data", "Network", "Regularisation", "Training", "Model", "challenge",
    ]  # fmt: skip
    # No setting's widget, but the projector switch under the sections
    assert page.locator(f"{SIDEBAR} [data-testid=stWidgetLabel]").count() == 1
    assert page.locator(f"{SIDEBAR} .st-key-projector [data-testid=stWidgetLabel]").count() == 1

    section(page, "Training").click()
    page.wait_for_selector(LR_SLIDER, timeout=30_000)
    assert page.locator(LR_SLIDER).get_attribute("aria-valuetext") == "0.01"
    page.locator(LR_SLIDER).press("ArrowRight")  # the next learning rate up
    assert wait_for(lambda: link_lr(page) not in (None, "0.01")), page.evaluate("location.search")
    chosen = link_lr(page)

    section(page, "Training").click()  # closed: its widgets go
    page.wait_for_selector(LR_SLIDER, state="detached", timeout=30_000)
    section(page, "Data").click()  # another run, which does not draw the slider either
    page.wait_for_selector(f"{SIDEBAR} .st-key-setting_dataset", timeout=30_000)
    settle(page)
    assert link_lr(page) == chosen  # the page writes its setup into the link at every run

    section(page, "Training").click()
    page.wait_for_selector(LR_SLIDER, timeout=30_000)
    assert page.locator(LR_SLIDER).get_attribute("aria-valuetext") == chosen

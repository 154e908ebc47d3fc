"""Fixtures for the page tests: a real `streamlit run` on 127.0.0.1 and a headless Chromium
(started and stopped by `appdriver`, which the benchmarks use too).

Browser tests need Debian's Chromium at /usr/bin/chromium (or MLP_CHROMIUM) and the Python
package playwright; without either they are skipped with the reason. Every process a fixture
starts is stopped by its PID in teardown.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest

from appdriver.chromium import CHROMIUM, CHROMIUM_ARGS, chromium_processes, stop_processes
from appdriver.page import offered, press, settle
from appdriver.server import REPO_ROOT, serving

__all__ = ["ARTIFACTS"]

ARTIFACTS = REPO_ROOT / "artifacts"


@pytest.fixture(scope="session")
def app_server():
    """`streamlit run app.py` on a free port; yields its base URL."""
    with serving(ARTIFACTS / "streamlit-server.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed (looked for {CHROMIUM})")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    launched: dict[int, str] = {}
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            launched = chromium_processes()
            try:
                yield browser
            finally:
                launched.update(chromium_processes())  # with the tabs' processes
                browser.close()
    finally:
        # Playwright closes what it launched; any Chromium process left over is ended by PID.
        left = stop_processes(launched)
        if left:
            message = f"Chromium processes {left} outlived browser.close(): ended by PID"
            warnings.warn(message, stacklevel=1)


# What a failed browser test prints about its page: any dialog and its text, which ancestors
# of the page's controls are inert (a modal dialog makes the rest of the page inert, and a
# click then waits for ever), and how many elements are marked stale.
PAGE_STATE = """() => ({
  dialogs: [...document.querySelectorAll('[role=dialog], dialog[open]')]
    .map((e) => (e.innerText || '').replace(/\\s+/g, ' ').slice(0, 300)),
  inert: [...document.querySelectorAll('[inert]')]
    .filter((e) => e.dataset.testid !== 'stExpanderDetails')
    .map((e) => `${e.tagName} ${e.dataset.testid || e.className || ''}`.slice(0, 120)),
  stale: document.querySelectorAll('[data-stale="true"]').length,
})"""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so a fixture can tell the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


class Tab:
    """A browser tab in a context of its own, noting what went wrong in it (console errors
    and warnings, page errors, sockets that closed) for a failed test's report."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context(viewport={"width": 1440, "height": 1000})
        self.page = self.context.new_page()
        self.events: list[str] = []
        self.needs_opening = True  # for the shared tab: open the app (again) first
        self.address = ""  # for the shared tab: the address the app gave it when opened
        started = time.monotonic()

        def note(text: str) -> None:
            self.events.append(f"{time.monotonic() - started:7.1f} s  {text}")

        page = self.page
        page.on("console", lambda m: m.type in ("error", "warning") and note(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda error: note(f"page error: {error}"))
        page.on("websocket", lambda ws: ws.on("close", lambda _: note(f"socket closed: {ws.url}")))

    def report_if_failed(self, request) -> bool:
        """Print the page's state if the test `request` belongs to failed; whether it did."""
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            print_page_state(self.page, request.node.name, self.events)
            return True
        return False

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def page(browser, request):
    """A fresh tab for one test, closed after it."""
    tab = Tab(browser)
    try:
        yield tab.page
    finally:
        tab.report_if_failed(request)
        tab.close()


@pytest.fixture(scope="session")
def shared_tab(browser):
    """One tab that the tests of the default Playground share (see `playground`), closed at
    the end of the session."""
    tab = Tab(browser)
    try:
        yield tab
    finally:
        tab.close()


@pytest.fixture
def playground(shared_tab, app_server, request):
    """The Playground at its own address, as a fresh page shows it: step 0, paused, scrolled
    to the top. One tab serves every test that asks for this (opening the page is most of a
    short browser test): it is opened for the first, and again after a test that failed or
    left it at another address (the page writes its setup into the address); else Pause (if
    it trains) and Reset bring it back."""
    from tests.app.test_browser import (  # the page's helpers live with its tests
        click,
        open_app,
        server_says_paused,
        step_counter,
        wait_for,
    )

    page = shared_tab.page
    if not shared_tab.needs_opening and page.url != shared_tab.address:
        shared_tab.needs_opening = True
    if shared_tab.needs_opening:
        open_app(page, app_server)
        shared_tab.address = page.url
        shared_tab.needs_opening = False
    else:
        if "Pause" in offered(page):
            press(page, "Pause")
            assert wait_for(lambda: server_says_paused(page), timeout=10), "no Paused."
        click(page, "reset")
        assert wait_for(lambda: step_counter(page) == 0, timeout=10), "Reset did not reach 0"
        page.evaluate(SCROLL_TO_TOP_JS)
        settle(page)
        assert "Play" in offered(page), offered(page)
    try:
        yield page
    finally:
        if shared_tab.report_if_failed(request):
            shared_tab.needs_opening = True


SCROLL_TO_TOP_JS = """() => {
  window.scrollTo(0, 0);
  document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]')
    .forEach((element) => element.scrollTo(0, 0));
}"""


def print_page_state(page, name: str, events: list[str]) -> None:
    """What the page showed when its test failed (in the test's report, and as a screenshot
    in artifacts/), for failures that happen only on a busy machine."""
    print(f"--- the page when {name} failed ---")
    try:
        print(page.evaluate(PAGE_STATE))
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"failed-{name}.png")
    except Exception as error:  # the page may be gone; the events below still say something
        print(f"could not read the page: {error}")
    print("\n".join(events[-40:]) or "no socket closes, console errors or page errors")

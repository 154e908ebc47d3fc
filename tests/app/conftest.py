"""Fixtures for the page tests: a real `streamlit run` on 127.0.0.1 and a headless Chromium.

Browser tests need Debian's Chromium at /usr/bin/chromium (or MLP_CHROMIUM) and the Python
package playwright; without either they are skipped with the reason. Every process a fixture
starts is stopped by its PID in teardown.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from tests.app.streamlit_server import REPO_ROOT, free_port, serving

__all__ = ["ARTIFACTS", "CHROMIUM", "CHROMIUM_ARGS", "free_port"]

ARTIFACTS = REPO_ROOT / "artifacts"
CHROMIUM = os.environ.get("MLP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


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
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


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


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    events: list[str] = []
    started = time.monotonic()

    def note(text: str) -> None:
        events.append(f"{time.monotonic() - started:7.1f} s  {text}")

    page.on("console", lambda m: m.type in ("error", "warning") and note(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda error: note(f"page error: {error}"))
    page.on("websocket", lambda ws: ws.on("close", lambda _: note(f"socket closed: {ws.url}")))
    try:
        yield page
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            print_page_state(page, request.node.name, events)
        context.close()


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

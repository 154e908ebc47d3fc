"""Fixtures for the page tests: a real `streamlit run` on 127.0.0.1 and a headless Chromium.

Browser tests need Debian's Chromium at /usr/bin/chromium (or MLP_CHROMIUM) and the Python
package playwright; without either they are skipped with the reason. Every process a fixture
starts is stopped by its PID in teardown.
"""

from __future__ import annotations

import os
import shutil
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


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()

"""The Compare page in a real headless Chromium: variants train side by side, and a
three-variant, three-seed sweep runs on worker processes and shows its intervals."""

from __future__ import annotations

import pytest

from appdriver.page import press, settle
from tests.app.conftest import ARTIFACTS
from tests.app.test_browser import LOAD_TIMEOUT_MS, assert_no_exception, wait_for

pytestmark = pytest.mark.browser
PREFIX = "compare_"


def open_compare(page, url: str) -> None:
    page.goto(url + "/compare")
    page.wait_for_selector(f".st-key-{PREFIX}run_controls button", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector(f".st-key-{PREFIX}disagreement_2 .js-plotly-plot",
                           timeout=LOAD_TIMEOUT_MS)  # fmt: skip
    settle(page)


def table_steps(page) -> list[str]:
    """The Steps column of the live table (the grid's cells, read from the page)."""
    return page.locator('[data-testid="stCaptionContainer"]', has_text="Step ").all_inner_texts()


def test_two_variants_train_side_by_side_and_a_sweep_shows_intervals(page, app_server):
    open_compare(page, app_server)
    assert_no_exception(page)
    for key in ("boundary_2_0", "boundary_2_1", "disagreement_2", "loss_chart",
                "accuracy_chart", "norms_2_0", "norms_2_1"):  # fmt: skip
        # Charts out of view are drawn a second after the page goes quiet (see live_chart).
        chart = page.locator(f".st-key-{PREFIX}{key} .js-plotly-plot")
        assert wait_for(lambda chart=chart: chart.count() == 1, timeout=15), key

    press(page, "Play", prefix=PREFIX)
    assert wait_for(lambda: any("Training" in text for text in table_steps(page)), timeout=20)

    def steps_shown() -> int:
        for text in table_steps(page):
            if "Step " in text:
                return int(text.split("Step ")[1].split(".")[0].replace(",", ""))
        return 0

    assert wait_for(lambda: steps_shown() > 300, timeout=30), "the variants did not train"
    press(page, "Pause", prefix=PREFIX)
    assert wait_for(lambda: any("Paused" in text for text in table_steps(page)), timeout=20)
    settle(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "compare-trained.png"), full_page=True)

    # Three variants, three seeds.
    page.locator(f".st-key-{PREFIX}preset button", has_text="Dropout + max-norm").click()
    assert wait_for(lambda: page.get_by_text("max-norm (off / off / 3)").count() >= 1)
    settle(page)
    seeds = page.locator(f".st-key-{PREFIX}sweep_seeds input[type='range']")
    seeds.focus()
    for _ in range(2):  # from 5 down to 3
        page.keyboard.press("ArrowLeft")
    settle(page)
    steps_input = page.locator(f".st-key-{PREFIX}sweep_steps input")
    steps_input.fill("300")
    steps_input.press("Enter")
    settle(page)
    page.locator(f".st-key-{PREFIX}sweep_start button").click()
    assert wait_for(lambda: page.get_by_text("9 of 9 runs").count() > 0, timeout=120), (
        "the sweep did not finish"
    )
    settle(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "B (dropout 0.5) − A (plain):" in text
    assert "C (dropout 0.5, max-norm 3) − A (plain):" in text
    assert text.count("95% CI") >= 2
    # A chart out of view is drawn once the page is quiet, or as it comes into view.
    page.locator(f".st-key-{PREFIX}sweep_test_accuracy").scroll_into_view_if_needed()
    sweep_chart = page.locator(f".st-key-{PREFIX}sweep_test_accuracy .js-plotly-plot")
    assert wait_for(lambda: sweep_chart.count() == 1, timeout=10), "the sweep chart was not drawn"
    assert_no_exception(page)
    page.get_by_text("Seed sweep").scroll_into_view_if_needed()
    page.mouse.wheel(0, 250)
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "compare-sweep.png"))

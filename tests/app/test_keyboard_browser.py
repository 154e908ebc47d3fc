"""The keyboard in a real Chromium: Space plays and pauses, S and → step, R resets, ? lists
the keys; nothing fires while a person types in a field. On the shared Playground tab (see
`tests/app/conftest.py`): opening a page is most of a short browser test."""

from __future__ import annotations

import pytest

from appdriver.page import offered, settle
from tests.app.test_browser import (
    assert_counter_still,
    assert_no_exception,
    step_counter,
    wait_for,
)

pytestmark = pytest.mark.browser


def unfocus(page) -> None:
    """Focus on the page itself, as after a click on an empty part of it."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")


def test_space_s_arrow_and_r_drive_the_run(playground):
    page = playground
    unfocus(page)
    assert step_counter(page) == 0

    page.keyboard.press("s")
    assert wait_for(lambda: step_counter(page) == 1), "S did not step"
    page.keyboard.press("ArrowRight")
    assert wait_for(lambda: step_counter(page) == 2), "→ did not step"
    settle(page)
    assert assert_counter_still(page, 0.5, "after two steps") == 2

    page.keyboard.press("Space")
    assert wait_for(lambda: "Pause" in offered(page)), "Space did not start training"
    assert wait_for(lambda: step_counter(page) > 50), "Space did not train"
    page.keyboard.press("Space")
    assert wait_for(lambda: "Play" in offered(page)), "Space did not pause"
    settle(page)
    paused_at = assert_counter_still(page, 1.0, "after Space paused")
    assert paused_at > 2
    assert page.evaluate("() => window.scrollY") == 0  # Space did not scroll the page

    page.keyboard.press("r")
    assert wait_for(lambda: step_counter(page) == 0), "R did not reset"
    assert_no_exception(page)


def test_keys_typed_into_a_field_stay_in_the_field(playground):
    page = playground
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.locator("summary", has_text="challenge").first.click()
    field = sidebar.get_by_label("Title (optional)")
    field.wait_for(timeout=30_000)
    field.click()
    for key in ("s", "r", "Space", "ArrowRight", "S", "?"):
        field.press(key)
    assert field.input_value() == "sr S?"
    settle(page)
    assert page.locator(".mlp-shortcut-help").is_hidden()
    field.fill("")  # the shared tab goes on without a title typed in
    assert step_counter(page) == 0, "a key typed into a field drove the run"
    assert "Play" in offered(page)
    assert_no_exception(page)


def test_question_mark_lists_the_shortcuts_and_escape_closes_them(playground):
    page = playground
    unfocus(page)
    help_panel = page.locator(".mlp-shortcut-help")
    page.keyboard.press("?")
    help_panel.wait_for(state="visible", timeout=5_000)
    text = help_panel.inner_text()
    for words in ("Space", "Play / Pause", "Step", "Reset"):
        assert words in text
    assert help_panel.get_attribute("role") == "dialog"
    page.keyboard.press("Escape")
    help_panel.wait_for(state="hidden", timeout=5_000)
    # The run buttons tell a mouse user the keys too.
    titles = page.locator(".mlp-run-buttons button").evaluate_all(
        "buttons => buttons.map(b => b.getAttribute('aria-keyshortcuts'))"
    )
    assert titles == ["Space", "S ArrowRight", "R"]


FOCUSED_LABEL_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return '';
  return (e.getAttribute('aria-label') || e.innerText || e.value || e.tagName)
    .replace(/\\s+/g, ' ').trim().slice(0, 60);
}"""


def tab_until(page, start: str, wanted: tuple[str, ...], limit: int = 200) -> list[str]:
    """Focus `start` (a selector), then press Tab until every label in `wanted` has had the
    focus (or `limit` presses): what had the focus, in order."""
    page.locator(start).first.focus()
    reached = [page.evaluate(FOCUSED_LABEL_JS)]
    for _ in range(limit):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(FOCUSED_LABEL_JS))
        if all(any(label in text for text in reached) for label in wanted):
            break
    return reached


def test_tab_reaches_the_run_buttons_and_the_sidebar_and_enter_uses_them(playground):
    page = playground
    # From the page's first link (the sidebar's navigation) through the sidebar ...
    sidebar = ("Data", "Network", "Regularisation", "Training", "Projector mode")
    reached = tab_until(page, '[data-testid="stSidebarNav"] a', sidebar)
    for label in sidebar:
        assert any(label in text for text in reached), (label, reached)
    # ... and from the page's title on through its run buttons.
    buttons = ("Play", "Step", "Reset")
    reached = tab_until(page, '[data-testid="stMainBlockContainer"] a, '
                        '[data-testid="stMainBlockContainer"] button', buttons)  # fmt: skip
    for label in buttons:
        assert any(label in text for text in reached), (label, reached)
    # Enter on a focused button uses it, as a click would.
    page.locator('.mlp-run-buttons button[data-action="step"]').focus()
    page.keyboard.press("Enter")
    assert wait_for(lambda: step_counter(page) == 1), "Enter on Step did not step"
    section = page.locator('[data-testid="stSidebar"] summary', has_text="Training").first
    section.focus()
    page.keyboard.press("Enter")
    page.locator('[data-testid="stSidebar"]').get_by_text("Learning rate").first.wait_for(
        timeout=30_000
    )
    page.keyboard.press("Enter")  # and closes it again, for the tests after
    settle(page)
    page.keyboard.press("r")
    assert wait_for(lambda: step_counter(page) == 0)
    assert_no_exception(page)

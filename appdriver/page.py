"""Drive an open page of the app in Playwright: wait for it to settle, find its run buttons.

Shared by the browser tests and the benchmarks.
"""

from __future__ import annotations

import time

__all__ = ["offered", "press", "run_button", "settle"]

# In the page: whether Streamlit is running the script (the state it writes on its root
# element, or its status widget), how many elements it has marked stale (drawn by an earlier
# run, not yet by this one), and how long it has gone without changing the page's elements (a
# MutationObserver, installed on the first call in each document, notes the time of the last
# change). Left out: changes inside a Plotly chart, and to nodes no longer in the page (the
# browser drawing a chart, not Streamlit: a live chart out of view is drawn a second after its
# last figure came, see `playground.ui.live_chart`, and would hold every settle after a Pause).
PAGE_QUIET_JS = """() => {
  if (window.__appdriverLastChange === undefined) {
    window.__appdriverLastChange = performance.now();
    const counts = (node) => {
      const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
      return element !== null && element.isConnected
        && element.closest('.js-plotly-plot, #js-plotly-tester') === null;
    };
    new MutationObserver((records) => {
      if (records.some((record) => counts(record.target))) {
        window.__appdriverLastChange = performance.now();
      }
    }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  }
  const app = document.querySelector('[data-testid="stApp"]');
  const script = app === null ? 'no app' : app.dataset.testScriptState;
  return {
    running: ['running', 'rerunRequested'].includes(script)
      || document.querySelector('[data-testid="stStatusWidget"]') !== null,
    script,
    stale: document.querySelectorAll('[data-stale="true"]').length,
    quiet: (performance.now() - window.__appdriverLastChange) / 1000,
  };
}"""
POLL_SECONDS = 0.05


def settle(page, quiet: float = 0.3, timeout: float = 30.0) -> dict:
    """Wait until Streamlit has finished its runs and stopped changing the page: no status
    widget, no stale element, and no change to the page's elements (outside the insides of
    Plotly charts) for `quiet` seconds, polled every 50 ms. Returns the last reading.

    Raises TimeoutError, saying what it was still waiting for, when that does not happen
    within `timeout` seconds (on a page that trains, the live views redraw all the time: pause
    first).
    """
    started = time.monotonic()
    while True:
        state = page.evaluate(PAGE_QUIET_JS)
        if not state["running"] and state["stale"] == 0 and state["quiet"] >= quiet:
            return state
        if time.monotonic() - started > timeout:
            raise TimeoutError(
                f"the page did not settle within {timeout:g} s: still waiting for "
                + ", ".join(_still_waiting_for(state, quiet))
            )
        time.sleep(POLL_SECONDS)


def _still_waiting_for(state: dict, quiet: float) -> list[str]:
    reasons = []
    if state["running"]:
        reasons.append(f"Streamlit's run to end (its script is {state['script']})")
    if state["stale"]:
        reasons.append(f"{state['stale']} stale element(s) to be redrawn")
    if state["quiet"] < quiet:
        reasons.append(
            f"{quiet:g} s without a change to the page (the last was {state['quiet']:.2f} s ago)"
        )
    return reasons


def run_button(page, action: str, prefix: str = ""):
    """A page's Play/Pause button (action "toggle"), Step ("step") or Reset ("reset")."""
    return page.locator(f'.st-key-{prefix}run_controls button[data-action="{action}"]')


def press(page, label: str, prefix: str = "") -> None:
    """Click the Play/Pause button when it says `label` ("Play" or "Pause")."""
    run_button(page, "toggle", prefix).filter(has_text=label).click()


def offered(page, prefix: str = "") -> str:
    """What the Play/Pause button offers: "Play" while paused, "Pause" while training."""
    return run_button(page, "toggle", prefix).inner_text()

"""What a page shows first, and what it draws once the browser has shown that.

A fresh browser tab spends most of its first seconds laying out and rendering what Streamlit
sends, and with Chromium on one busy core the Playground's run buttons and metrics used to wait
behind the views further down the page (the diagram of maps, the histograms, the weight norms),
which nobody sees before scrolling. So the first run of a page in a browser session leaves
those views out and draws a small component instead; once the page's own elements are on the
screen (`PAGE_SETTLED_JS`) it asks for one more run, and that run and every later one draws
them. With Chromium on one core and an idle server, a fresh Playground tab showed its run
buttons and metrics after a median 4.6 s instead of 5.6-6.0 s, and a fresh Compare tab its
results table after 5.3 s instead of 6.9 s; in a class of 30 on two cores, new tabs loaded
in 3.2-3.9 s instead of 4.1-5.0 s (`benchmarks/classroom.py`).
"""

from __future__ import annotations

import streamlit as st

__all__ = ["PAGE_SETTLED_JS", "after_first_paint"]

# Streamlit loads the code of each kind of element on first use and shows a grey placeholder
# ("skeleton") meanwhile: the page is on the screen once no placeholder has been seen for a
# moment, or after SETTLE_LIMIT_MS whatever it shows.
PAGE_SETTLED_JS = """
const SETTLE_QUIET_MS = 200;
const SETTLE_LIMIT_MS = 10000;

function pageSettled() {
  return new Promise((resolve) => {
    const started = performance.now();
    let quietSince = started;
    const check = () => {
      const now = performance.now();
      if (document.querySelector('[data-testid="stSkeleton"]')) quietSince = now;
      if (now - quietSince >= SETTLE_QUIET_MS || now - started >= SETTLE_LIMIT_MS) resolve();
      else setTimeout(check, 50);
    };
    check();
  });
}
"""

_JS = (
    PAGE_SETTLED_JS
    + """
export default function (component) {
  const { parentElement, setTriggerValue } = component;
  if (parentElement.__mlpAsked) return;  // one request per page, whatever runs come meanwhile
  parentElement.__mlpAsked = true;
  pageSettled().then(() => setTriggerValue("shown", true));
}
"""
)

_component = st.components.v2.component("mlp_first_paint", js=_JS)


def after_first_paint(key: str) -> bool:
    """Whether the page under `key` has been on the screen in this browser session.

    False on its first run: the caller leaves out what can come later, and a component asks
    for another run once the browser shows the page (the run after sets the flag). True from
    then on, for every run of that page in the session.
    """
    state = st.session_state
    if state.get(key):
        return True

    def shown() -> None:
        state[key] = True

    _component(key=f"{key}_probe", on_shown_change=shown)
    return False

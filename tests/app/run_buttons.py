"""Play/Pause, Step and Reset in AppTest, which cannot click inside a component: a click is
put in the session state the way the browser sends it, `{"action": ..., "id": ...}`."""

from __future__ import annotations

import itertools
import json
import time

from streamlit.testing.v1 import AppTest

_CLICK_IDS = itertools.count(1)


def click_run_button(app: AppTest, action: str, prefix: str = "", run: bool = True) -> None:
    """A click on "play", "pause", "step" or "reset", with a new click id; then a run."""
    click = {"action": action, "id": next(_CLICK_IDS)}
    app.session_state[f"{prefix}run_controls"] = {"click": click}
    if run:
        app.run()


def run_buttons_data(app: AppTest, prefix: str = "") -> dict:
    """What the page last told the buttons: playing, stopped (every run diverged), handled."""
    key = f"-{prefix}run_controls"
    element = next(e for e in app.get("bidi_component") if e.proto.id.endswith(key))
    return json.loads(element.proto.json)


def wait_until_trained(session, beyond: int = 0, timeout: float = 30.0) -> int:
    """Wait until the playing `session` is past step `beyond` (a training process takes a
    moment to start on a loaded machine, where the page's own thread trained at once); its
    step then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        step = session.fresh_snapshots(0.5)[0].step
        if step > beyond:
            return step
        time.sleep(0.05)
    raise AssertionError(f"no step past {beyond} within {timeout:g} s")

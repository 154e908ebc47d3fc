"""Play/Pause, Step and Reset as one small component whose clicks each carry their own id.

Streamlit widgets report a value, not a click: every message the browser sends (a click, the
live view's timed redraw) carries each widget's current value again, a run that stops early
can drop a callback, and a value the page writes reaches the browser only after that run is
drawn. With a two-state Play/Pause control and buttons, that showed as a Pause that kept
training, a Step that set training off again, or a click that did nothing, about once in
fifty rounds of clicking.

Here each click is a value of its own: `{"action": "step", "id": 1764480000123}`, the id
rising with every click in the tab. The page acts on a click whose id is newer than the last
one it acted on (`ClickLog.take`), reading the value in the script itself rather than in a
callback. So a click repeated by later messages is acted on once, a run stopped before
acting leaves the click for the next run, and an older click arriving late is ignored.

The component shows Play or Pause as the page last drew it; right after a click it shows
what that click asked for until the page has drawn a run that handled it.

Keyboard: Space plays or pauses, S or → steps, R resets, ? shows the shortcuts (Esc closes
them). A key press clicks the button itself, so it is a click like any other. Nothing fires
while a person types in a field or works a slider, and Space on a focused button presses
that button, as it always does.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

__all__ = ["ACTIONS", "ClickLog", "run_buttons"]

ACTIONS = ("play", "pause", "step", "reset")
HEIGHT = 40  # pixels: the buttons keep this height, so nothing below them moves

# Material icons as inline SVG: no icon font to wait for.
_ICONS = {
    "play": "M8 5v14l11-7z",
    "pause": "M6 19h4V5H6v14zm8-14v14h4V5h-4z",
    "step": "M6 18l8.5-6L6 6v12zM16 6v12h2V6h-2z",
    "reset": "M12 5V1L7 6l5 5V7c3.31 0 6 2.69 6 6s-2.69 6-6 6-6-2.69-6-6H4c0 4.42 3.58 8 "
    "8 8s8-3.58 8-8-3.58-8-8-8z",
}

_JS = (
    "const ICONS = "
    + json.dumps(_ICONS)
    + ";\n"
    + """
function icon(name) {
  return `<svg viewBox="0 0 24 24" aria-hidden="true"><path d="${ICONS[name]}"/></svg>`;
}

function nextId() {
  // Rising within the tab, across page switches and remounts.
  const id = Math.max(Date.now(), (window.__mlpLastClickId || 0) + 1);
  window.__mlpLastClickId = id;
  return id;
}

function draw(root) {
  const { data, pending } = root.__mlp;
  // Until the page has drawn a run that handled the latest click, show what it asked for.
  const waiting = pending && pending.id > data.handled;
  const playing = waiting ? pending.action === "play" : data.playing;
  const play = root.querySelector('[data-action="toggle"]');
  play.dataset.state = playing ? "playing" : "paused";
  play.innerHTML = icon(playing ? "pause" : "play") + (playing ? "Pause" : "Play");
  play.setAttribute("aria-label", playing ? "Pause" : "Play");
  play.disabled = data.stopped && !playing;
  root.querySelector('[data-action="step"]').disabled = data.stopped;
}

const SHORTCUTS = [
  ["Space", "Play / Pause"],
  ["S or →", "Step: one minibatch"],
  ["R", "Reset"],
  ["?", "Show or hide these shortcuts"],
];

// Where a key belongs to what has the focus: typing, a slider's arrows, a menu.
const TYPING = 'input, textarea, select, [contenteditable=""], [contenteditable="true"], ' +
  '[role="slider"], [role="textbox"], [role="combobox"], [role="spinbutton"], ' +
  '[role="listbox"], [role="option"], [role="menu"], [role="menuitem"]';
// Where Space presses the focused control itself.
const PRESSABLE = 'button, [role="button"], a[href], summary, [role="checkbox"], ' +
  '[role="switch"], [role="radio"], [role="tab"]';

function helpPanel() {
  let panel = document.querySelector(".mlp-shortcut-help");
  if (!panel) {
    panel = document.createElement("div");
    panel.className = "mlp-shortcut-help";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "Keyboard shortcuts");
    panel.hidden = true;
    const rows = SHORTCUTS.map(([key, what]) => `<tr><th scope="row"><kbd>${key}</kbd></th>` +
      `<td>${what}</td></tr>`).join("");
    panel.innerHTML = `<h2>Keyboard shortcuts</h2><table>${rows}</table>` +
      '<button type="button">Close (Esc)</button>';
    panel.querySelector("button").addEventListener("click", () => { panel.hidden = true; });
    document.body.appendChild(panel);
  }
  return panel;
}

function installShortcuts() {
  if (window.__mlpShortcuts) return;
  window.__mlpShortcuts = true;
  window.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey ||
        event.isComposing) return;
    const target = event.target instanceof Element ? event.target : null;
    if (target && target.closest(TYPING)) return;
    const key = event.key;
    if (key === "Escape") {
      const panel = document.querySelector(".mlp-shortcut-help");
      if (panel && !panel.hidden) panel.hidden = true;
      return;
    }
    let action = null;
    if (key === "?") action = "help";
    else if (key === " " || key === "Spacebar") {
      if (target && target.closest(PRESSABLE)) return;
      action = "toggle";
    } else if (key === "ArrowRight" || key === "s" || key === "S") action = "step";
    else if (key === "r" || key === "R") action = "reset";
    if (action === null) return;
    // Ours, not the browser's (Space scrolls) nor Streamlit's (R reruns the script).
    event.preventDefault();
    event.stopPropagation();
    if (action === "help") {
      const panel = helpPanel();
      panel.hidden = !panel.hidden;
      return;
    }
    const root = document.querySelector(".mlp-run-buttons");
    const button = root && root.querySelector(`[data-action="${action}"]`);
    if (button && !button.disabled) button.click();
  }, true);
}

export default function (component) {
  installShortcuts();
  const { data, parentElement, setStateValue } = component;
  let root = parentElement.querySelector(".mlp-run-buttons");
  if (!root) {
    root = document.createElement("div");
    root.className = "mlp-run-buttons";
    root.innerHTML =
      '<button type="button" class="primary" data-action="toggle" aria-keyshortcuts="Space" ' +
      'title="Play or pause (Space; ? lists the keys)"></button>' +
      '<button type="button" data-action="step" aria-keyshortcuts="S ArrowRight" ' +
      `title="One minibatch (S or →)">${icon("step")}Step</button>` +
      '<button type="button" data-action="reset" aria-keyshortcuts="R" ' +
      `title="Back to step 0 (R)">${icon("reset")}Reset</button>`;
    root.__mlp = { data, pending: null, send: setStateValue };
    root.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button || button.disabled) return;
      let action = button.dataset.action;
      if (action === "toggle") action = button.dataset.state === "playing" ? "pause" : "play";
      const click = { action, id: nextId() };
      root.__mlp.pending = click;
      root.__mlp.send("click", click);
      draw(root);
    });
    parentElement.appendChild(root);
  }
  root.__mlp.data = data;
  root.__mlp.send = setStateValue;
  draw(root);
}
"""
)

_CSS = (
    f".mlp-run-buttons {{ display: flex; gap: 0.5rem; height: {HEIGHT}px; }}"
    + """
.mlp-run-buttons button {
  flex: 1 1 0; display: inline-flex; align-items: center; justify-content: center;
  gap: 0.35rem; min-width: 0; height: 100%; padding: 0 0.75rem; cursor: pointer;
  font-family: var(--st-font, inherit); font-size: 1rem; line-height: 1;
  color: var(--st-text-color, #31333f); background: var(--st-background-color, #fff);
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  border-radius: var(--st-base-radius, 0.5rem);
}
.mlp-run-buttons button[data-action="toggle"] { flex-grow: 1.6; }
.mlp-run-buttons button.primary {
  color: #fff; background: var(--st-primary-color, #ff4b4b);
  border-color: var(--st-primary-color, #ff4b4b);
}
.mlp-run-buttons button:hover:not(:disabled) {
  border-color: var(--st-primary-color, #ff4b4b);
}
.mlp-run-buttons button:not(.primary):hover:not(:disabled) {
  color: var(--st-primary-color, #ff4b4b);
}
.mlp-run-buttons button.primary:hover:not(:disabled) { filter: brightness(0.92); }
.mlp-run-buttons button:focus-visible {
  outline: 2px solid var(--st-primary-color, #ff4b4b); outline-offset: 1px;
}
.mlp-run-buttons button:disabled { cursor: not-allowed; opacity: 0.45; }
.mlp-run-buttons svg { width: 1.25rem; height: 1.25rem; fill: currentColor; flex: none; }
.mlp-shortcut-help {
  position: fixed; z-index: 1000100; top: 20%; left: 50%; transform: translateX(-50%);
  min-width: 20rem; padding: 1.25rem 1.5rem; border-radius: 0.75rem;
  font-family: var(--st-font, inherit); font-size: 1.1rem; color: #1f2330;
  background: #fff; border: 1px solid rgba(49, 51, 63, 0.25);
  box-shadow: 0 12px 32px rgba(0, 0, 0, 0.18);
}
.mlp-shortcut-help[hidden] { display: none; }
.mlp-shortcut-help h2 { font-size: 1.25rem; margin: 0 0 0.75rem; padding: 0; }
.mlp-shortcut-help table { border-collapse: collapse; margin-bottom: 0.75rem; }
.mlp-shortcut-help th, .mlp-shortcut-help td { padding: 0.3rem 1rem 0.3rem 0; text-align: left; }
.mlp-shortcut-help kbd {
  font-family: inherit; font-weight: 600; padding: 0.1rem 0.45rem; border-radius: 0.3rem;
  border: 1px solid rgba(49, 51, 63, 0.35); background: #f4f4f6;
}
.mlp-shortcut-help button {
  font: inherit; font-size: 1rem; padding: 0.3rem 0.9rem; cursor: pointer;
  border-radius: 0.5rem; border: 1px solid rgba(49, 51, 63, 0.3); background: #fff;
}
"""
)

_component = st.components.v2.component("mlp_run_buttons", js=_JS, css=_CSS, isolate_styles=False)


def _ignore_change() -> None:
    """Clicks are read in the script (`run_buttons`), never in a callback that can be cut
    short; Streamlit needs a callback to accept the component's `click` value."""


@dataclass
class ClickLog:
    """The newest click a page has acted on."""

    last_id: float = -math.inf

    def take(self, click: object) -> str | None:
        """The action of a click not acted on yet (and remember it), else None.

        Anything but a well-formed click newer than the last one gives None: the same click
        arriving again with a later message, an older click arriving late, a malformed value.
        """
        if not isinstance(click, Mapping):
            return None
        action, click_id = click.get("action"), click.get("id")
        if action not in ACTIONS or isinstance(click_id, bool):
            return None
        if not isinstance(click_id, (int, float)) or not math.isfinite(click_id):
            return None
        if click_id <= self.last_id:
            return None
        self.last_id = click_id
        return action


def _click_of(value: object) -> object:
    return value.get("click") if isinstance(value, Mapping) else None


def run_buttons(key: str, log: ClickLog, act, playing, stopped) -> None:
    """Draw the buttons under `key` and act on a new click through `act(action)`.

    playing and stopped are callables read after acting (what the buttons then show):
    whether the session trains, and whether it can no longer train (every run diverged).
    A click read before the buttons are drawn is acted on first, so they show its outcome in
    the same run; a click that only the drawn component reports (the buttons' first run)
    is acted on after, and the page is run again to show its outcome.
    """
    action = log.take(_click_of(st.session_state.get(key)))
    if action is not None:
        act(action)
    result = _component(
        key=key,
        data={"playing": bool(playing()), "stopped": bool(stopped()), "handled": log.last_id
              if math.isfinite(log.last_id) else 0},
        default={"click": None},
        on_click_change=_ignore_change,
        height=HEIGHT,
    )  # fmt: skip
    late = log.take(getattr(result, "click", None))
    if late is not None:
        act(late)
        st.rerun()

"""Make this a challenge: a teacher sets a goal on the page's setup and shares the link.

The goal becomes part of the page's view, so the address bar holds it at once (`goal=` beside
the setup) and the page shows its live check; whoever opens the link gets the same setup, the
same goal and the same check.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

import streamlit as st

from playground.core.goals import LIMITS, METRICS, TITLE_LIMIT, Goal
from playground.core.links import link_query
from playground.ui import keys, plain_text
from playground.ui.common_views import code_block
from playground.ui.settings_panel import SettingsPanel

__all__ = ["challenge_section"]

OWN = "challenge_"  # this section's widgets, under the page's prefix


def _set_goal(panel: SettingsPanel, goal: Goal | None) -> None:
    """Button callback: the goal becomes (or stops being) part of the page's view."""
    key = keys.VIEW.of(panel.prefix)
    st.session_state[key] = dataclasses.replace(st.session_state[key], goal=goal)


def _goal_from_widgets(prefix: str) -> Goal:
    state = st.session_state
    metric = METRICS[state[f"{prefix}{OWN}metric"]]
    threshold = state[f"{prefix}{OWN}threshold"]
    limits = {
        name: int(state[f"{prefix}{OWN}{name}"])
        for name in LIMITS
        if state.get(f"{prefix}{OWN}{name}_on")
    }
    return Goal(metric.name, threshold / 100 if metric.percent else threshold,
                title=plain_text.one_line(state.get(f"{prefix}{OWN}title", ""))[:TITLE_LIMIT],
                **limits)  # fmt: skip


def share_link(panel: SettingsPanel) -> str:
    """The page's address with its whole setup and goal, as a person would copy it."""
    base = str(getattr(st.context, "url", "") or "").split("?")[0]
    return f"{base}?{urlencode(link_query(panel.config, panel.view))}"


def challenge_section(panel: SettingsPanel) -> None:
    """An expander that sets a goal on the current setup, or shows and removes the one set."""
    if panel.view.hidden:
        return  # a lesson link (any hide=) keeps the sidebar to what the lesson is about
    # Closed at first, like the settings' sections: a closed one draws no widget.
    section = st.expander("Make this a challenge", icon=":material/flag:",
                          key=panel.section_key("challenge"), on_change="rerun")  # fmt: skip
    if not section.open:
        return
    with section:
        _challenge_controls(panel)


def _challenge_controls(panel: SettingsPanel) -> None:
    prefix = panel.prefix
    goal = panel.view.goal
    if goal is not None:
        plain_text.caption(f"The goal: {goal.describe()}.")
        st.caption("The address bar holds the setup and the goal: copy it, or this link.")
        code_block(share_link(panel))
        st.button("Remove the goal", key=f"{prefix}{OWN}remove", on_click=_set_goal,
                  args=(panel, None))  # fmt: skip
        return
    st.caption("Set a goal on this setup; the page checks it live, and the link carries "
               "it to your students.")  # fmt: skip
    metric = st.selectbox(
        "Metric",
        list(METRICS),
        key=f"{prefix}{OWN}metric",
        format_func=lambda name: METRICS[name].label.capitalize(),
    )
    chosen = METRICS[metric]
    if chosen.percent:
        st.number_input("At least (%)" if chosen.higher_is_better else "At most (%)",
                        0.0, 100.0, 90.0, step=1.0, key=f"{prefix}{OWN}threshold")  # fmt: skip
    else:
        st.number_input("At most", 0.0, 100.0, 0.3, step=0.05, format="%.3f",
                        key=f"{prefix}{OWN}threshold")  # fmt: skip
    for name, (what, largest) in LIMITS.items():
        on = st.checkbox(f"Limit the {what}", key=f"{prefix}{OWN}{name}_on")
        if on:
            st.number_input(f"At most this many {what}", 0, largest,
                            {"max_units": 8, "max_layers": 1, "max_steps": 2000}[name],
                            key=f"{prefix}{OWN}{name}")  # fmt: skip
    st.text_input("Title (optional)", max_chars=TITLE_LIMIT, key=f"{prefix}{OWN}title")
    st.button("Set the goal", icon=":material/flag:", type="primary",
              key=f"{prefix}{OWN}set",
              on_click=lambda: _set_goal(panel, _goal_from_widgets(prefix)))  # fmt: skip

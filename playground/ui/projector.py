"""Projector mode: the page for the back of a room.

Every text at least 1.25 times larger (the page's root font grows from 16 to 20 pixels, and
with it everything sized in rem), and the charts' type, lines and points scaled up by
`charts.style.for_projector` as they are drawn. A toggle at the foot of the sidebar, and
`projector=1` in a link (see `core.links`).
"""

from __future__ import annotations

import streamlit as st

from playground.ui import keys

__all__ = ["HEIGHT_SCALE", "PROJECTOR_CSS", "apply", "on"]

# 16 px → 20 px: 1.25×. Captions and labels grow with it (they are set in rem). The page's
# side margins shrink instead, so six metrics still fit in a row of a 1280-pixel screen.
PROJECTOR_CSS = (
    "html{font-size:20px !important}"
    ".block-container{padding-left:1.5rem !important;padding-right:1.5rem !important;"
    "max-width:none !important}"
    # "100.0%" at the larger size is a few pixels wider than a sixth of the row: it may reach
    # into the gap beside it rather than end in an ellipsis.
    '[data-testid="stMetricValue"],[data-testid="stMetricValue"] *{overflow:visible !important;'
    "text-overflow:clip !important}"
)
# Charts grow as much as their type, so their plots keep their room.
HEIGHT_SCALE = 1.25


def apply(projector: bool) -> None:
    """Put the page in projector mode or not, for this run (call before drawing charts)."""
    st.session_state[keys.PROJECTOR_ON.of(keys.PLAYGROUND)] = projector
    if projector:
        st.html(f"<style>{PROJECTOR_CSS}</style>")


def on() -> bool:
    """Whether the page being drawn is in projector mode."""
    return bool(st.session_state.get(keys.PROJECTOR_ON.of(keys.PLAYGROUND), False))

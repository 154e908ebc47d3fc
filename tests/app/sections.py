"""A page in AppTest as a browser would have it after a moment.

The sidebar's sections are closed when a page opens and a closed one draws no widget (see
`playground.ui.settings_panel`); a click on one puts True under its key, and so does
`open_sections`, before the run. The views below the fold come in the run after the browser
has shown the page (`playground.ui.first_paint`), which AppTest never does: `on_screen` says
it has."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from playground.ui import keys
from playground.ui.settings_panel import SECTIONS

PREFIXES = keys.PREFIXES
GROUPS = (*(group for group, *_ in SECTIONS), "model", "challenge")


def open_sections(app: AppTest, prefixes: tuple[str, ...] = PREFIXES) -> AppTest:
    """Every section of every page open from the next run on."""
    for prefix in prefixes:
        for group in GROUPS:
            app.session_state[f"{keys.SECTION.of(prefix)}{group}"] = True
    return app


def component_keys(app: AppTest) -> set[str]:
    """The keys of the page's components (live charts, run buttons, the first-paint probe)."""
    return {element.proto.id.rsplit("-", 1)[-1] for element in app.get("bidi_component")}


def on_screen(app: AppTest, prefixes: tuple[str, ...] = PREFIXES) -> AppTest:
    """Every page as if the browser had shown it: its views below the fold drawn from the next
    run on."""
    for prefix in prefixes:
        app.session_state[keys.FIRST_PAINT.of(prefix)] = True
    return app

"""The sidebar's sections in AppTest. They are closed when a page opens and a closed one
draws no widget (see `playground.widgets`); a click on one puts True under its key, and so
does `open_sections`, before the run."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from playground.widgets import SECTION_KEY, SECTIONS

PREFIXES = ("", "mnist_", "compare_")  # the Playground's, the MNIST page's, the Compare page's
GROUPS = (*(group for group, *_ in SECTIONS), "model")


def open_sections(app: AppTest, prefixes: tuple[str, ...] = PREFIXES) -> AppTest:
    """Every section of every page open from the next run on."""
    for prefix in prefixes:
        for group in GROUPS:
            app.session_state[f"{prefix}{SECTION_KEY}{group}"] = True
    return app

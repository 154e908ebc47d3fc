"""Suite-wide: with pytest-xdist (`-n`), every browser test runs in one worker, one after the
other (they share one app server and one Chromium, and time what a page does), while the rest
of the suite spreads over the other workers."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.xdist_group("browser"))

"""Projector mode on the pages: the link turns it on, the toggle too, and every chart is sent
with its type, lines and points scaled up."""

from __future__ import annotations

import json

import pytest
import streamlit as st

from playground.charts.style import PROJECTOR_TEXT_SCALE, TEMPLATE
from tests.app.test_app import start as open_playground


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def chart_fonts(app) -> list[float]:
    """The base font size of every live chart the page sent."""
    sizes = []
    for element in app.get("bidi_component"):
        data = json.loads(element.proto.json or "null")
        if isinstance(data, dict) and "layout" in data:
            layout = json.loads(data["layout"])
            sizes.append(layout.get("font", {}).get("size", TEMPLATE.layout.font.size))
    return sizes


def test_a_projector_link_scales_the_page_and_its_charts():
    plain = open_playground({"dataset": "xor"})
    assert not plain.sidebar.toggle(key="projector").value
    assert not any("font-size:20px" in element.value for element in plain.get("html"))
    base = chart_fonts(plain)
    assert base and set(base) == {TEMPLATE.layout.font.size}

    app = open_playground({"dataset": "xor", "projector": "1"})
    assert not app.exception
    assert app.sidebar.toggle(key="projector").value
    assert any("font-size:20px" in element.value for element in app.get("html"))
    scaled = chart_fonts(app)
    assert len(scaled) == len(base)
    assert all(size >= 1.25 * TEMPLATE.layout.font.size for size in scaled)
    assert scaled[0] == pytest.approx(TEMPLATE.layout.font.size * PROJECTOR_TEXT_SCALE)


def test_the_toggle_turns_it_on_and_the_link_follows():
    app = open_playground({"dataset": "xor"})
    app.sidebar.toggle(key="projector").set_value(True).run()
    assert not app.exception
    assert app.query_params.get("projector") in ("1", ["1"])
    assert any("font-size:20px" in element.value for element in app.get("html"))

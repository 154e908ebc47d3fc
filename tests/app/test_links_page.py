"""The Playground opened from any link: every setting at its limits, the links that used to
crash the page, and arbitrary query strings. Never an exception; a note wherever a value was
changed; the widgets show the value the run uses."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

from playground.core.config import (
    MNIST_PAGE,
    PLAYGROUND_PAGE,
    SETTINGS,
    SETTINGS_BY_NAME,
    VIEW_SETTINGS,
    Config,
    PageSpec,
)
from playground.core.drawn import MAX_CLASSES, MAX_POINTS, PLANE, encode_points
from tests.app.messages import link_notes, messages
from tests.app.sections import on_screen, open_sections

APP = str(Path(__file__).resolve().parents[2] / "app.py")
KEYS = [s.name for s in (*SETTINGS, *VIEW_SETTINGS)] + ["hide"]


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


PAGES = {PLAYGROUND_PAGE.name: (PLAYGROUND_PAGE, ""), MNIST_PAGE.name: (MNIST_PAGE, "mnist_")}


def open_page(query: dict, page: PageSpec = PLAYGROUND_PAGE) -> AppTest:
    app = on_screen(open_sections(AppTest.from_file(APP, default_timeout=60)))
    app.query_params.update(query)
    if page is MNIST_PAGE:
        app.switch_page("pages/mnist.py")
    app.run()
    assert not app.exception, (query, [e.value for e in app.exception])
    return app


def notes(app: AppTest) -> list[str]:
    """The link's notes (a hint on a setup that works badly is a warning too, but no note)."""
    return link_notes(app)


def config_of(app: AppTest, prefix: str = "") -> Config:
    return app.session_state[f"{prefix}session"].configs[0]


def limits(setting, page: PageSpec) -> list[str]:
    """The lowest and highest value of a setting that `page` offers."""
    if setting.kind in ("int", "float"):
        return [setting.to_text(setting.minimum), setting.to_text(setting.maximum)]
    if setting.kind == "optional_float":
        return [setting.to_text(setting.minimum), setting.to_text(setting.maximum), "off"]
    if setting.name == "dataset":
        return [page.datasets[0], page.datasets[-1]]
    if setting.kind == "choice":
        return [setting.choices[0][0], setting.choices[-1][0]]
    if setting.kind == "bool":
        return ["0", "1"]
    if setting.kind == "multichoice":
        return [setting.choices[0][0], ",".join(value for value, _ in setting.choices)]
    if setting.kind == "points":  # none, or the most points, in every corner and class
        corners = [(-PLANE, -PLANE), (PLANE, PLANE), (-PLANE, PLANE), (PLANE, -PLANE)]
        most = [(*corners[k % 4], k % MAX_CLASSES) for k in range(MAX_POINTS)]
        return ["", encode_points(most)]
    return ["none", ",".join([f"{page.max_units}sigmoid"] * 6)]


def drawn_value(app: AppTest, name: str, prefix: str = ""):
    """The value the sidebar widget of a setting shows, or None when it is not drawn."""
    key = f"{prefix}setting_{name}"
    for kind in ("select_slider", "selectbox", "toggle", "number_input", "pills"):
        for widget in getattr(app.sidebar, kind):
            if widget.key == key:
                return tuple(widget.value) if kind == "pills" else widget.value
    return None


def shown_settings(page: PageSpec) -> list:
    # The full image sets are left out: without them on disk a page tries a download.
    return [s for s in SETTINGS if s.name not in page.omit and s.name != "source"]


PARAMETERS = [
    (page_name, setting.name, value)
    for page_name, (page, _) in PAGES.items()
    for setting in shown_settings(page)
    for value in limits(setting, page)
    if not (page is MNIST_PAGE and setting.name == "dataset" and value != "mnist")
]


@pytest.mark.parametrize(("page_name", "name", "value"), PARAMETERS)
def test_each_setting_at_its_limits_opens_without_notes_and_is_shown(page_name, name, value):
    page, prefix = PAGES[page_name]
    query = {name: value}
    if name in ("momentum", "rho", "beta1", "beta2"):
        query["optimizer"] = {"momentum": "momentum", "rho": "rmsprop"}.get(name, "adam")
    if name == "schedule_steps":
        query["schedule"] = "step"  # its widget is drawn with a schedule
    app = open_page(query, page)
    assert notes(app) == []
    if value == "csv":
        assert any("Upload a CSV" in info.value for info in app.info)
        return
    config = config_of(app, prefix)
    expected = SETTINGS_BY_NAME[name].parse(value)
    assert getattr(config, name) == expected
    if name not in ("hidden", "max_norm", "data_seed", "points"):  # no widget of their own
        assert drawn_value(app, name, prefix) == expected


@pytest.mark.parametrize("page_name", list(PAGES))
@pytest.mark.parametrize("end", [0, -1])
def test_every_setting_at_its_limit_at_once(end, page_name):
    page, prefix = PAGES[page_name]
    query = {s.name: limits(s, page)[end] for s in shown_settings(page) if s.name != "dataset"}
    query["optimizer"] = "nesterov" if end == -1 else "sgd"
    app = open_page(query, page)
    assert notes(app) == []
    config = config_of(app, prefix)
    for name, value in query.items():
        assert getattr(config, name) == SETTINGS_BY_NAME[name].parse(value), name


@pytest.mark.parametrize(
    ("query", "changed"),
    [
        ({"beta2": "0.5"}, []),
        ({"beta1": "0.995"}, []),
        ({"beta2": "0.99999"}, []),
        ({"max_norm": "0.1"}, []),
        ({"max_norm": "15"}, []),
        ({"max_norm": "20"}, []),
        ({"optimizer": "momentum", "momentum": "0.995"}, []),
        ({"optimizer": "rmsprop", "rho": "0.5"}, []),
        ({"noise": "0.123"}, []),
        ({"optimizer": "nesterov", "momentum": "0"}, ["momentum"]),
        ({key: "0" for key in KEYS}, ["dataset", "n_points", "lr", "batch_size", "speed"]),
        ({key: "١٢" for key in KEYS}, ["noise", "seed", "lr", "hidden", "speed"]),
        ({"dataset": "[Click here for the answer key](https://example.com/evil)"}, ["dataset"]),
        ({"dataset": "![t](https://example.com/t.png)"}, ["dataset"]),
        ({"dataset": "x" * 10_000}, ["dataset"]),
        ({"hide": ",".join(f"no_such_{i}" for i in range(1000))}, ["hide"]),
    ],
)
def test_links_that_used_to_crash_the_page_open_with_notes(query, changed):
    app = open_page(query)
    shown = notes(app)
    if not changed:
        assert shown == []
        config = config_of(app)
        for name, value in query.items():
            if name in SETTINGS_BY_NAME:
                parsed = SETTINGS_BY_NAME[name].parse(value)
                assert getattr(config, name) == parsed
                if name != "max_norm":
                    assert drawn_value(app, name) == parsed  # kept exactly, also in the widget
        return
    text = " ".join(shown)
    labels = {**{s.name: s.label for s in (*SETTINGS, *VIEW_SETTINGS)}, "hide": "hide"}
    for name in changed:
        assert labels[name] + ":" in text, name
    assert len(shown) <= len(query) + 1  # one note per bad value at most (1,000 names: one)
    assert all(len(note) < 500 for note in shown)
    assert not app.warning  # every note quotes a link's text: none goes through Markdown


def test_a_quoted_link_value_is_shown_as_exactly_its_characters():
    """No Markdown, no HTML and no invisible characters: the note holds the link's text as
    it was typed, HTML-escaped for the page, and copies back as the same characters."""
    value = "[answer](https://example.com/evil) <b>x</b> *y* :red[z]"
    app = open_page({"dataset": value})
    assert not app.warning  # not a Streamlit (Markdown) alert
    (note,) = messages(app, "warning")
    assert f"'{value}'" in note
    assert "\u2060" not in note
    body = next(e.proto.body for e in app.get("html") if "plain-warning" in e.proto.body)
    assert "<b>" not in body and "&lt;b&gt;x&lt;/b&gt;" in body


def test_the_url_is_rewritten_with_the_values_used():
    app = open_page({"optimizer": "nesterov", "momentum": "0", "noise": "0.123", "lr": "fast"})
    assert app.query_params["momentum"] == "0.9"
    assert app.query_params["noise"] == "0.123"
    assert app.query_params["lr"] == "0.01"


PAGE_QUERIES = hs.dictionaries(
    hs.one_of(hs.sampled_from(KEYS), hs.text(max_size=10)),
    hs.lists(
        hs.one_of(
            hs.sampled_from(["0", "1", "-1", "nan", "inf", "1e400", "0.5", "none", "off", "٣"]),
            hs.floats().map(repr),
            hs.integers().map(str),
            hs.text(max_size=30),
        ),
        min_size=1,
        max_size=2,
    ),
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(PAGE_QUERIES)
def test_any_query_string_opens_the_page(query):
    try:
        app = open_page(query)
        assert isinstance(config_of(app), Config) or app.info
    finally:
        st.cache_resource.clear()

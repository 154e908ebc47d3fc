"""Shared links: whatever a link holds gives a valid setup plus plain-text notes, and every
setup a page can show survives the trip through its own URL exactly."""

from __future__ import annotations

import html
import math
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.core.config import (
    MNIST_PAGE,
    PLAYGROUND_PAGE,
    SETTINGS,
    SETTINGS_BY_NAME,
    SPEEDS,
    VIEW_SETTINGS,
    Config,
    HiddenLayer,
)
from playground.core.links import View, link_query, read_link
from playground.ui.plain_text import message_html, one_line

KEYS = [s.name for s in (*SETTINGS, *VIEW_SETTINGS)] + ["hide"]


def seen(markup: str) -> str:
    """What a person reads of a plain message's markup: the text between its tags."""
    inner = markup.split(">", 1)[1].rsplit("<", 1)[0]
    assert "<" not in inner and ">" not in inner  # no tag of the text's own
    return html.unescape(inner)


def test_the_default_link_is_the_default_setup():
    link = read_link({})
    assert link.config == Config() and link.view == View() and link.notes == ()
    assert read_link(link_query(link.config, link.view)) == link


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"beta2": "0.5"}, {"beta2": 0.5}),
        ({"beta1": "0.995"}, {"beta1": 0.995}),
        ({"beta2": "0.99999"}, {"beta2": 0.99999}),
        ({"max_norm": "0.1"}, {"max_norm": 0.1}),
        ({"max_norm": "15"}, {"max_norm": 15.0}),
        ({"max_norm": "20"}, {"max_norm": 20.0}),
        ({"optimizer": "momentum", "momentum": "0.995"}, {"momentum": 0.995}),
        ({"optimizer": "rmsprop", "rho": "0.5"}, {"rho": 0.5}),
        ({"noise": "0.123"}, {"noise": 0.123}),
        ({"lr": "0.0123"}, {"lr": 0.0123}),
        ({"n_points": "123"}, {"n_points": 123}),
    ],
)
def test_values_within_range_are_kept_exactly_even_between_slider_steps(query, expected):
    link = read_link(query)
    assert link.notes == ()
    for name, value in expected.items():
        assert getattr(link.config, name) == value
        assert link_query(link.config, link.view)[name] == query[name]


def test_nesterov_without_momentum_falls_back_with_a_note():
    link = read_link({"optimizer": "nesterov", "momentum": "0"})
    assert link.config.optimizer == "nesterov" and link.config.momentum == 0.9
    assert len(link.notes) == 1 and "Nesterov" in link.notes[0]


def test_every_key_at_zero_gives_a_valid_setup_and_a_note_per_bad_value():
    link = read_link({key: "0" for key in KEYS})
    rejected = {"dataset", "source", "n_points", "train_share", "features", "hidden", "init",
                "max_norm", "optimizer", "lr", "schedule", "schedule_steps", "batch_size",
                "speed", "hide", "points"}  # fmt: skip
    assert len(link.notes) == len(rejected)
    for name in rejected - {"hide"}:
        setting = SETTINGS_BY_NAME.get(name)
        if setting is not None:
            assert getattr(link.config, name) == setting.default
            assert any(note.startswith(setting.label + ":") for note in link.notes), name
    assert link.config.seed == 0 and link.config.noise == 0 and link.config.beta2 == 0


def test_digits_of_other_scripts_are_not_numbers():
    # Python's float() reads "١٢" (Arabic-Indic digits) as 12; a link we write never holds it.
    link = read_link({key: "١٢" for key in KEYS})
    assert link.config == Config()
    numeric = [s for s in SETTINGS if s.kind in ("int", "float", "optional_float", "hidden")]
    assert all(any(note.startswith(s.label + ":") for note in link.notes) for s in numeric)
    assert all("'١٢'" in note for note in link.notes)


def test_long_values_are_quoted_short_and_many_bad_names_give_one_note():
    link = read_link({"dataset": "x" * 10_000, "hide": ",".join(f"c{i}" for i in range(1000))})
    assert len(link.notes) == 2
    assert all(len(note) < 400 for note in link.notes)
    assert "10,000 characters" in link.notes[0]
    assert "995 more" in link.notes[1]


def test_hide_takes_groups_names_and_repeated_keys():
    link = read_link({"hide": ["training", "noise,speed"]})
    assert {"optimizer", "lr", "seed", "noise", "speed"} <= link.view.hidden
    assert "dataset" not in link.view.hidden and link.notes == ()


def test_markdown_in_a_link_is_quoted_as_plain_text():
    for value in ("[Click here for the answer key](https://example.com/evil)",
                  "![t](https://example.com/t.png)", "<img src=x onerror=alert(1)>"):  # fmt: skip
        note = read_link({"dataset": value}).notes[0]
        assert note.count(value) == 1  # quoted as it was typed
        assert seen(message_html(note)) == note  # and shown as exactly that


# -- any link at all -------------------------------------------------------------------------

NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "inf", "-inf", "1e309", "0x10", "1_000", "١٢", "٣", "", " ", "off"]),
)
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
VALUES = st.lists(st.one_of(NUMBERS, TEXT), min_size=1, max_size=3)
QUERIES = st.dictionaries(st.one_of(st.sampled_from(KEYS), TEXT), VALUES, max_size=12)


def check_link(query: dict[str, list[str]]) -> None:
    link = read_link(query)
    assert isinstance(link.config, Config)
    assert Config.from_dict(link.config.to_dict()) == link.config  # valid through and through
    assert link.view.speed in SPEEDS and isinstance(link.view.show_test, bool)
    for note in link.notes:
        assert isinstance(note, str) and len(note) < 1000
        assert all(c.isprintable() for c in note)
    again = read_link(link_query(link.config, link.view))
    assert (again.config, again.view, again.notes) == (link.config, link.view, ())
    for setting in SETTINGS:
        value = getattr(link.config, setting.name)
        if isinstance(value, float):
            assert math.isfinite(value)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(QUERIES)
def test_any_query_gives_a_valid_setup_and_notes_never_an_exception(query):
    check_link(query)


def test_every_setting_at_its_limits_round_trips():
    for setting in SETTINGS:
        if setting.kind in ("float", "int", "optional_float"):
            page = MNIST_PAGE if setting.name == "shift" else PLAYGROUND_PAGE  # images only
            for value in (setting.minimum, setting.maximum):
                text = setting.to_text(value)
                link = read_link({setting.name: text}, page)
                assert link.notes == () and getattr(link.config, setting.name) == value
        elif setting.kind == "choice":
            for value, _ in (setting.choices[0], setting.choices[-1]):
                page = MNIST_PAGE if value in MNIST_PAGE.datasets else PLAYGROUND_PAGE
                link = read_link({setting.name: value}, page)
                assert link.notes == () and getattr(link.config, setting.name) == value
    widest = ",".join(["128relu"] * 6)
    assert read_link({"hidden": widest}).config.hidden == (HiddenLayer(128, "relu"),) * 6


def test_a_plain_message_shows_every_character_as_typed_and_nothing_more():
    text = string.punctuation + " www.example.com :smile: $x^2$ &amp; \u00e9"
    markup = message_html(text, "warning", icon="link")
    assert seen(markup) == text
    assert "\u2060" not in markup  # no invisible characters slipped in
    assert one_line("a\nb\x00c\td") == "a b c d"  # control characters would break the line


def test_a_page_offers_only_its_own_data_sets_and_layer_widths():
    link = read_link({"dataset": "mnist", "hidden": "512relu"})
    assert link.config.dataset == "spiral" and link.config.hidden == Config().hidden
    assert len(link.notes) == 2 and "not on the Playground page" in link.notes[0]
    link = read_link({"dataset": "fashion-mnist", "hidden": "512relu"}, MNIST_PAGE)
    assert link.notes == () and link.config.hidden == (HiddenLayer(512, "relu"),)
    assert link.config.batch_size == MNIST_PAGE.default.batch_size  # the page's own defaults
    link = read_link({"dataset": "spiral", "lr": "fast"}, MNIST_PAGE)
    assert link.config.dataset == "mnist" and link.config.lr == MNIST_PAGE.default.lr


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(QUERIES)
def test_any_query_gives_a_setup_the_mnist_page_offers(query):
    link = read_link(query, MNIST_PAGE)
    assert link.config.dataset in MNIST_PAGE.datasets
    assert all(layer.units <= MNIST_PAGE.max_units for layer in link.config.hidden)
    again = read_link(link_query(link.config, link.view), MNIST_PAGE)
    assert (again.config, again.notes) == (link.config, ())


@pytest.mark.parametrize("page", [PLAYGROUND_PAGE, MNIST_PAGE], ids=lambda page: page.name)
def test_an_unknown_data_set_is_answered_with_this_pages_data_sets(page):
    link = read_link({"dataset": "MNIST!"}, page)
    assert link.config.dataset == page.default.dataset
    (note,) = link.notes
    offered = note.split("use one of ")[1].split(". Using")[0].split(", ")
    assert offered == list(page.datasets)

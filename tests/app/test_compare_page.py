"""The Compare page through Streamlit's test runner: presets, the variant editor, the line
that says what differs, variants in the link, a sweep, and its export and import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from playground.core.compare import PRESETS, Comparison
from playground.ui.keys import FIRST_PAINT
from tests.app.messages import lines, message_text, messages
from tests.app.run_buttons import click_run_button
from tests.app.sections import component_keys, on_screen

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PREFIX = "compare_"


@pytest.fixture(autouse=True)
def release_workers():
    yield
    st.cache_resource.clear()


def open_compare(query: dict | None = None) -> AppTest:
    app = on_screen(AppTest.from_file(APP, default_timeout=120))
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.switch_page("pages/compare.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def differs_line(app: AppTest) -> str:
    return message_text(app, "info")


def session(app: AppTest):
    return app.session_state[f"{PREFIX}session"]


def test_a_fresh_page_draws_boundaries_norms_and_sweeps_once_the_browser_has_shown_it():
    app = AppTest.from_file(APP, default_timeout=120)
    app.switch_page("pages/compare.py")
    app.run()  # a new browser session's first run: only what the top of the page shows
    assert not app.exception, [e.value for e in app.exception]
    keys = component_keys(app)
    assert {"compare_loss_chart", "compare_first_paint_probe"} <= keys
    assert not any(key.startswith(("compare_boundary", "compare_norms")) for key in keys)
    assert "Seed sweep" not in [h.value for h in app.header]
    app.session_state[FIRST_PAINT.of(PREFIX)] = True  # what the probe's request sets
    app.run()
    keys = component_keys(app)
    assert any(key.startswith("compare_norms") for key in keys)
    assert any(key.startswith("compare_boundary") for key in keys)
    assert "compare_first_paint_probe" not in keys
    assert "Seed sweep" in [h.value for h in app.header]


def test_it_opens_on_two_variants_that_differ_only_in_dropout():
    app = open_compare()
    line = differs_line(app)
    assert "differ only in dropout (0 / 0.5)" in line
    assert "the same initial weights and the same minibatches" in line
    table = app.dataframe[0].value
    assert list(table["Variant"]) == ["A · plain", "B · dropout 0.5"]
    assert [config.dropout for config in session(app).configs] == [0.0, 0.5]


def test_step_acts_on_every_variant_in_lockstep():
    app = open_compare()
    for _ in range(3):
        click_run_button(app, "step", prefix=PREFIX)
    assert [run.trainer.step_count for run in session(app).runs] == [3, 3]
    assert list(app.dataframe[0].value["Steps"]) == [3, 3]


def test_a_preset_sets_the_variants():
    app = open_compare()
    app.pills(key=f"{PREFIX}preset").set_value("All three")
    app.run()
    configs = session(app).configs
    assert len(configs) == len(PRESETS["All three"]) == 4
    assert [c.batch_norm for c in configs] == [False, False, False, True]
    assert "max-norm (off / off / 3 / 3)" in differs_line(app)


def test_editing_a_variant_changes_only_that_variant():
    app = open_compare()
    generation = app.session_state[f"{PREFIX}variant_generation"]
    app.select_slider(key=f"{PREFIX}v{generation}_1_lr").set_value(0.03)
    app.run()
    first, second = session(app).configs
    assert (first.lr, second.lr) == (0.01, 0.03)
    assert "learning rate (0.01 / 0.03)" in differs_line(app)
    assert "lr:0.03" in app.query_params["variant"][1]  # the link carries the change
    assert "lr" not in app.query_params["variant"][0]


def test_variants_come_from_the_link_and_bad_ones_give_notes():
    app = open_compare({"variant": ["base", "dropout:0.3;max_norm:2"]})
    first, second = session(app).configs
    assert (first.dropout, second.dropout, second.max_norm) == (0.0, 0.3, 2.0)
    assert app.query_params["variant"] == ["base", "dropout:0.3;max_norm:2"]

    app = open_compare({"variant": ["dropout:7", "seed:3"]})
    notes = message_text(app, "warning")
    assert "Dropout" in notes and "seed" in notes
    assert len(session(app).configs) == 2


def test_a_link_with_one_variant_gets_the_default_preset_and_a_note():
    app = open_compare({"variant": ["dropout:0.2"]})
    assert "at least 2" in message_text(app, "warning")
    assert [c.dropout for c in session(app).configs] == [0.0, 0.5]


def run_sweep(app: AppTest, seeds: int = 2, steps: int = 200) -> Comparison:
    app.slider(key=f"{PREFIX}sweep_seeds").set_value(seeds)
    app.number_input(key=f"{PREFIX}sweep_steps").set_value(steps)
    app.run()
    app.button(key=f"{PREFIX}sweep_start").click()
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app.session_state[f"{PREFIX}comparison"]


def test_a_sweep_runs_every_variant_and_seed_and_states_the_difference():
    app = open_compare()
    comparison = run_sweep(app)
    assert sorted((r.variant, r.seed) for r in comparison.results) == [(0, 0), (0, 1), (1, 0),
                                                                       (1, 1)]  # fmt: skip
    assert all(r.steps == 200 for r in comparison.results)
    text = " ".join(lines(app))
    assert "4 of 4 runs" in text
    assert "B (dropout 0.5) − A (plain):" in text and "95% CI" in text
    summary = comparison.summary()
    assert list(summary["Seeds"]) == [2, 2]


def test_export_then_import_shows_the_same_comparison_without_training():
    app = open_compare()
    comparison = run_sweep(app, seeds=2, steps=100)
    exported = comparison.to_json()
    again = Comparison.from_json(exported)
    assert again.summary().equals(comparison.summary())
    assert again.differences() == comparison.differences()

    fresh = open_compare()
    fresh.file_uploader(key=f"{PREFIX}sweep_import").set_value(
        ("comparison.json", exported.encode(), "application/json"))  # fmt: skip
    fresh.run()
    assert not fresh.exception
    shown_comparison = fresh.session_state[f"{PREFIX}comparison"]
    assert shown_comparison.summary().equals(comparison.summary())


@pytest.mark.parametrize(
    "content, words",
    [
        (b"{not json", "not valid JSON"),
        (b'{"kind": "something else"}', "not a comparison file"),
        (
            json.dumps({"kind": "mlp-playground-comparison", "configs": [{"lr": 99}]}).encode(),
            "Learning rate",
        ),
        (
            json.dumps(
                {
                    "kind": "mlp-playground-comparison",
                    "configs": [{}, {}],
                    "names": ["a", "b"],
                    "seeds": [0],
                    "steps": 10**9,
                    "results": [],
                }
            ).encode(),
            "steps",
        ),
        (b"[" * 100_000, "not valid JSON"),
    ],
    ids=["not-json", "other-kind", "bad-setting", "huge-steps", "deep-nesting"],
)
def test_a_malformed_comparison_file_gets_a_message_and_changes_nothing(content, words):
    app = open_compare()
    before = app.session_state[f"{PREFIX}comparison"] if f"{PREFIX}comparison" in \
        app.session_state else None  # fmt: skip
    app.file_uploader(key=f"{PREFIX}sweep_import").set_value(
        ("comparison.json", content, "application/json"))  # fmt: skip
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    errors = message_text(app, "error")
    assert words in errors, errors
    after = app.session_state[f"{PREFIX}comparison"] if f"{PREFIX}comparison" in \
        app.session_state else None  # fmt: skip
    assert after is before


def test_opened_from_the_playground_it_starts_from_the_playgrounds_setup():
    app = on_screen(AppTest.from_file(APP, default_timeout=120))
    app.query_params["dataset"] = "moons"
    app.query_params["lr"] = "0.03"
    app.run()
    app.query_params.clear()  # a page switch in the browser leaves the other page's link behind
    app.switch_page("pages/compare.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    for config in session(app).configs:
        assert (config.dataset, config.lr) == ("moons", 0.03)


def test_the_mnist_sample_can_be_compared():
    app = open_compare({"dataset": "mnist", "hidden": "32relu", "batch_size": "64"})
    assert session(app).data.inputs_train.shape == (4000, 784)
    click_run_button(app, "step", prefix=PREFIX)
    assert [run.trainer.step_count for run in session(app).runs] == [1, 1]
    assert not app.exception


@pytest.mark.parametrize(
    "variants",
    [["dropout:2;lr:nan", "<b>x</b>"], ["base", *[f"dropout:0.{k}" for k in range(1, 5)]],
     ["base"] * 40],
    ids=["out-of-range", "five", "forty"],
)  # fmt: skip
def test_a_links_variant_notes_outlive_the_pages_second_run(variants):
    """The page's second run (the views below the fold) and every later one keep the notes
    on what the link held, so a person learns why the variants changed."""
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["variant"] = variants
    app.switch_page("pages/compare.py")
    app.run()
    first = messages(app, "warning")
    assert first and all(note.startswith("Variant") for note in first)
    app.session_state[FIRST_PAINT.of(PREFIX)] = True  # the browser has shown the page
    app.run()
    assert messages(app, "warning") == first
    app.run()  # and any later run
    assert messages(app, "warning") == first
    assert 2 <= len(session(app).configs) <= 4
    if len(variants) > 4:
        assert f"the link has {len(variants)}" in " ".join(first)


def test_opened_directly_it_shows_the_default_presets_own_scenario():
    from playground.core.compare import preset_base, preset_configs
    from playground.ui.compare_views import DEFAULT_PRESET

    app = AppTest.from_file(APP, default_timeout=120)
    app.switch_page("pages/compare.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert session(app).configs == preset_configs(DEFAULT_PRESET)
    assert session(app).configs[0] == preset_base(DEFAULT_PRESET)
    assert session(app).configs[0].label_noise > 0  # a scenario where regularisation pays

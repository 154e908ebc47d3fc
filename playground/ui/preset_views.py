"""The MNIST page's "Paper presets" section: load a paper's setup, see what the paper reports
beside the live result, and send the paper's variants to the Compare page.

Loading a preset goes through the page's link, the way a shared link opens the page: the
preset's first variant is written into the address bar, the panel's state (its
configuration and widgets, every key under the page's prefix but the training session and the
run controls) is forgotten, and the next run reads the link afresh (`SettingsPanel.start`).
The Compare page is opened the same way, with the variants in its link.
"""

from __future__ import annotations

import streamlit as st

from playground.core.compare import LETTERS
from playground.core.config import SETTINGS_BY_NAME, Config
from playground.core.links import View, link_query
from playground.core.presets import (
    PRESETS,
    PRESETS_BY_KEY,
    TARGET_PRESETS,
    Preset,
    compare_query,
    format_duration,
)
from playground.core.session import TrainingSession
from playground.core.text import format_number
from playground.ui import keys
from playground.ui.resources import page_fragment
from playground.ui.settings_panel import forget_panel_state

__all__ = ["estimate_text", "paper_presets", "quick_starts"]

COMPARE_PAGE_FILE = "pages/compare.py"

OWN = "paper_"  # this section's own widgets, under the page's prefix


def _load(prefix: str, preset_key: str, view: View) -> None:
    """Button callback: the preset's first variant becomes the page's setup."""
    preset = PRESETS_BY_KEY[preset_key]
    st.query_params.from_dict(
        {key: [value] for key, value in link_query(preset.first, view).items()}
    )
    forget_panel_state(prefix, keep_own=OWN)


def _load_target(prefix: str, index: int, view: View) -> None:
    """Button callback: a quick start's configuration becomes the page's setup."""
    config = TARGET_PRESETS[index].config
    st.query_params.from_dict({key: [value] for key, value in link_query(config, view).items()})
    forget_panel_state(prefix, keep_own=OWN)


def quick_starts(prefix: str, config: Config, view: View) -> None:
    """The configurations measured to reach a test accuracy within a training time here, each
    with a Load button and what was measured."""
    with st.expander("Quick starts", icon=":material/bolt:"):
        st.caption("Not papers: the quickest setups known here to a good network on each data "
                   "set, measured headless on this machine (benchmarks/mnist.py). A page "
                   "trains somewhat slower, as it also draws.")  # fmt: skip
        for index, preset in enumerate(TARGET_PRESETS):
            text_column, button_column = st.columns([4, 1], vertical_alignment="center")
            loaded = " ← this setup" if preset.config == config else ""
            text_column.markdown(
                f"**{preset.title}**{loaded}  \n"
                f"Target: {preset.target_accuracy:.1%} accuracy on {preset.test_set_words} "
                f"within {format_duration(preset.target_seconds)} of training. Measured here: "
                f"{preset.summary}."
            )
            button_column.button("Load", icon=":material/download:", width="stretch",
                                 key=f"{prefix}{OWN}target_{preset.key}", on_click=_load_target,
                                 args=(prefix, index, view))  # fmt: skip


def _open_compare(preset: Preset) -> None:
    """The Compare page with the preset's variants (it reads a link only when it has no setup
    of its own yet, so its setup is forgotten first)."""
    forget_panel_state(keys.COMPARE)
    st.switch_page(COMPARE_PAGE_FILE, query_params=compare_query(preset))


def _current(config: Config) -> tuple[Preset, int] | tuple[None, None]:
    for preset in PRESETS:
        index = preset.variant_index(config)
        if index is not None:
            return preset, index
    return None, None


def _paper_column(preset: Preset, current: int | None) -> None:
    st.markdown(f"**What the paper reports** · {preset.source}")
    for index, variant in enumerate(preset.variants):
        name = f"{LETTERS[index]} · {variant.name}"
        marker = " ← this run" if index == current else ""
        here = format_number(variant.test_accuracy_here, percent=True)
        real = ""
        if variant.real_test_accuracy_here is not None:
            real = (f", {format_number(variant.real_test_accuracy_here, percent=True)} on the "
                    "real MNIST test set (all 10,000 digits)")  # fmt: skip
        st.markdown(
            f"**{name}**{marker}  \n{variant.reported}  \n"
            f"*Here, seed {variant.config.seed}, after {preset.steps:,} steps: {here} "
            f"accuracy on the sample's 1,000 test images (±0.6 points){real}.*"
        )
    st.caption(f"Finding: {preset.finding}")


def _live_column(preset: Preset, session: TrainingSession, prefix: str, current: int | None,
                 config: Config) -> None:  # fmt: skip
    snapshots = session.snapshots
    if session is not st.session_state.get(keys.SESSION.of(prefix)) or not snapshots:
        return
    snapshot = snapshots[0]
    accuracy = snapshot.test_accuracy
    error = None if accuracy is None else 1.0 - accuracy
    # Text rather than a metric tile: the page's tiles below stay its first metrics.
    st.markdown(f"**This run, live**  \nTest accuracy **{format_number(accuracy, percent=True)}**"
                f" (test error {format_number(error, percent=True)})",
                help="On the 1,000 test images of the offline sample (at most 2,000 of a full "
                     "set), as the tiles below.")  # fmt: skip
    st.caption(f"Step {snapshot.step:,} of the preset's {preset.steps:,}")
    st.progress(min(snapshot.step / preset.steps, 1.0))
    if current is None:
        index, differing = preset.closest_variant(config)
        labels = ", ".join(SETTINGS_BY_NAME[name].label.lower() for name in differing)
        st.caption(f"Your setup is not one of the variants: it differs from {LETTERS[index]} "
                   f"in {labels}.")  # fmt: skip


def estimate_text(preset: Preset) -> str:
    """The estimated run time in words: each variant on its own, and all side by side."""
    seconds = preset.estimated_seconds()
    each = ", ".join(f"{LETTERS[k]} about {format_duration(s)}" for k, s in enumerate(seconds))
    together = "both" if len(seconds) == 2 else f"all {len(seconds)}"
    return (
        f"Estimated run time for {preset.steps:,} steps ({preset.epochs():.0f} epochs of the "
        f"4,000 sample images), measured headless on this machine: {each}; {together} side by "
        f"side on the Compare page about {format_duration(sum(seconds))}. Training in a page "
        "is slower, the more so the smaller the network: its redraws take their share."
    )


def paper_presets(
    prefix: str, session: TrainingSession, config: Config, view: View, redraw_seconds: float
) -> None:
    """The section: a preset to choose, Load and Compare buttons, the paper's figures beside
    the live test accuracy, the scaled setup and the estimated run time."""
    preset_now, current = _current(config)
    choice_key = f"{prefix}{OWN}choice"
    if choice_key not in st.session_state:
        st.session_state[choice_key] = (preset_now or PRESETS[0]).key
    with st.expander("Paper presets", icon=":material/menu_book:",
                     expanded=preset_now is not None):  # fmt: skip
        st.selectbox("Paper", [preset.key for preset in PRESETS], key=choice_key,
                     format_func=lambda key: PRESETS_BY_KEY[key].title)  # fmt: skip
        preset = PRESETS_BY_KEY[st.session_state[choice_key]]
        if preset is not preset_now:
            current = None
        load_column, compare_column = st.columns(2)
        load_column.button(
            f"Load {LETTERS[0]} · {preset.variants[0].name}", icon=":material/download:",
            key=f"{prefix}{OWN}load", on_click=_load, args=(prefix, preset.key, view),
            width="stretch", help="Sets this page to the preset's first variant.",
        )  # fmt: skip
        if compare_column.button(
            f"Compare these {len(preset.variants)} variants", icon=":material/compare_arrows:",
            key=f"{prefix}{OWN}compare", width="stretch",
            help="Opens the Compare page with every variant, trained side by side.",
        ):  # fmt: skip
            _open_compare(preset)

        paper_column, live_column = st.columns([3, 2], gap="medium")
        with paper_column:
            _paper_column(preset, current)

        @page_fragment(redraw_seconds if session.training_now else None)
        def live() -> None:
            _live_column(preset, session, prefix, current, config)

        with live_column:
            live()

        st.caption(estimate_text(preset))
        st.caption(f"The paper: {preset.paper_setup}  \nHere: {preset.scaled}  \n"
                   f"{preset.citation}")  # fmt: skip

"""The Compare page's own pieces: the variant editor with its presets, the live side-by-side
views of a lockstep session, and the seed sweep with its statistics and exports.

On a regression set every view speaks of the mean squared error and R² where a classification
has its loss and accuracy, and the maps below the fold show predictions, not classes (for a
curve, the variants' fits drawn together).

Every key starts with the page's prefix. The variants are kept in the session state as
`Variant`s (changes to the sidebar's base setup) and travel in the link as `variant=` values.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from playground.charts.boundary import decision_boundary_figure, prediction_figure
from playground.charts.compare import (
    VARIANT_COLORS,
    band_figure,
    disagreement_figure,
    fits_figure,
    spread_figure,
)
from playground.charts.curves import Curve, curves_figure
from playground.charts.norms import weight_norm_figure
from playground.core.compare import (
    LETTERS,
    MAX_SEEDS,
    MAX_SWEEP_STEPS,
    MAX_VARIANTS,
    MIN_VARIANTS,
    PRESETS,
    Comparison,
    SweepError,
    TaskResult,
    Variant,
    differing_settings,
    make_executor,
    preset_variants,
    run_sweep,
    sweep_tasks,
    variant_label,
)
from playground.core.config import SETTINGS_BY_NAME, Config, ConfigError, format_hidden
from playground.core.data import CurveData, PointData, TrainingData
from playground.core.goals import Goal
from playground.core.links import View, link_query
from playground.core.session import TrainingSession, is_regression
from playground.ui import keys, plain_text
from playground.ui.common_views import draw_goal, queue_watch, r2_axis_range
from playground.ui.live_chart import live_chart
from playground.ui.resources import page_fragment, redraw_interval
from playground.ui.settings_panel import forget_panel_state

__all__ = ["live_compare", "read_variants", "sweep_section", "variant_editor"]

DEFAULT_PRESET = "Dropout?"
EDITOR_SETTINGS = ("dropout", "max_norm", "batch_norm", "weight_decay", "l1", "lr", "optimizer",
                   "init", "hidden", "batch_size")  # fmt: skip
REDRAW_SECONDS = 0.5
BOUNDARY_HEIGHT = 300
FITS_HEIGHT = 380
CURVE_HEIGHT = 260
NORMS_HEIGHT = 220


def color_of(index: int) -> str:
    return VARIANT_COLORS[index % len(VARIANT_COLORS)]


# -- the variants -----------------------------------------------------------------------------


def read_variants(prefix: str, query_params) -> list[str]:
    """On a browser session's first run, the variants from the link (or the default preset);
    on every run the notes on what that link held that could not be used (kept until the page
    reads a new link, as the settings' notes are)."""
    state = st.session_state
    if keys.VARIANTS.of(prefix) in state:
        return list(state.get(keys.VARIANT_NOTES.of(prefix), ()))  # until a new link is read
    notes: list[str] = []
    variants: list[Variant] = []
    for text in query_params.get_all("variant"):
        variant, variant_notes = Variant.from_text(text)
        variants.append(variant)
        notes += variant_notes
    if len(variants) > MAX_VARIANTS:
        notes.append(f"Variants: the link has {len(variants)}; the page compares up to "
                     f"{MAX_VARIANTS}, so the first {MAX_VARIANTS} are used.")  # fmt: skip
        variants = variants[:MAX_VARIANTS]
    if len(variants) < MIN_VARIANTS:
        if variants:
            notes.append(f"Variants: a comparison needs at least {MIN_VARIANTS}; showing the "
                         f"preset {DEFAULT_PRESET!r} instead.")  # fmt: skip
        variants = preset_variants(DEFAULT_PRESET)
    state[keys.VARIANTS.of(prefix)] = variants
    state[keys.VARIANT_GENERATION.of(prefix)] = 0
    state[keys.VARIANT_NOTES.of(prefix)] = notes
    return notes


def _renew_widgets(prefix: str) -> None:
    """Draw every variant widget afresh from the stored variants (new keys)."""
    state = st.session_state
    state[keys.VARIANT_GENERATION.of(prefix)] = state.get(keys.VARIANT_GENERATION.of(prefix), 0) + 1


def _choose_preset(prefix: str) -> None:
    """A preset's variants on its own scenario: the page reads the preset's base and variants
    as it reads a shared link (the sidebar's setup is replaced)."""
    preset = PRESETS.get(st.session_state.get(keys.PRESET.of(prefix)))
    if preset is not None:
        view = st.session_state.get(keys.VIEW.of(prefix), View())
        query = {key: [value] for key, value in link_query(preset.base, view).items()}
        query["variant"] = [variant.to_text() for variant in preset.variants]
        st.query_params.from_dict(query)
        forget_panel_state(prefix, keep=(*keys.KEPT_ON_NEW_SETUP, keys.PRESET))


def _add_variant(prefix: str) -> None:
    variants = st.session_state[keys.VARIANTS.of(prefix)]
    if len(variants) < MAX_VARIANTS:
        st.session_state[keys.VARIANTS.of(prefix)] = [*variants, variants[-1]]
        _renew_widgets(prefix)


def _remove_variant(prefix: str, index: int) -> None:
    variants = list(st.session_state[keys.VARIANTS.of(prefix)])
    if len(variants) > MIN_VARIANTS:
        del variants[index]
        st.session_state[keys.VARIANTS.of(prefix)] = variants
        _renew_widgets(prefix)


def _setting_widget(name: str, value: Any, key: str) -> Any:
    """One setting's widget inside a variant's editor; the value it shows."""
    setting = SETTINGS_BY_NAME[name]
    if setting.kind == "bool":
        return st.toggle(setting.label, value=bool(value), key=key)
    if setting.kind == "choice":
        choices = [choice for choice, _ in setting.choices]
        return st.selectbox(setting.label, choices, index=choices.index(value),
                            format_func=setting.choice_label, key=key)  # fmt: skip
    if setting.kind == "hidden":
        text = st.text_input(setting.label, value=format_hidden(value), key=key,
                             help=setting.describe_allowed())  # fmt: skip
        try:
            return setting.parse(text)
        except ConfigError as error:
            plain_text.caption(f"{error} Keeping {format_hidden(value)}.")
            return value
    if setting.kind == "optional_float":
        on = st.toggle(setting.label, value=value is not None, key=key + "_on")
        if not on:
            return None
        current = setting.on_value if value is None else value
        options = setting.widget_options(current)
        return st.select_slider(f"{setting.label} c", options, value=current,
                                format_func=setting.format_value, key=key)  # fmt: skip
    return st.select_slider(setting.label, setting.widget_options(value), value=value,
                            format_func=setting.format_value, key=key)  # fmt: skip


def _swatch(index: int, text: str) -> None:
    """A variant's letter and name in its colour (the text is escaped: plain text only)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    st.html(
        f'<div style="display:flex;align-items:center;gap:.5rem;font-size:1.05rem">'
        f'<span style="width:.95rem;height:.95rem;border-radius:.2rem;flex:none;'
        f'background:{color_of(index)}"></span><b>{LETTERS[index]}</b> {escaped}</div>'
    )


def variant_editor(prefix: str, base: Config) -> tuple[list[Config], list[str]]:
    """The preset buttons and one column per variant (its name and an editor); the variants'
    configurations and their names."""
    state = st.session_state
    if state.get(keys.VARIANTS_BASE.of(prefix)) != base:
        # The base changed: widgets start again from each variant's changes on the new base.
        state[keys.VARIANTS_BASE.of(prefix)] = base
        _renew_widgets(prefix)
    st.pills("Compare", list(PRESETS), key=keys.PRESET.of(prefix),
             on_change=_choose_preset, args=(prefix,),
             help="Each preset sets up a scenario that answers its question and puts the same "
                  "network side by side with and without a regulariser; edit any variant "
                  "below.")  # fmt: skip
    chosen = PRESETS.get(state.get(keys.PRESET.of(prefix)))
    if chosen is not None and chosen.base == base:
        plain_text.caption(f"{chosen.question} " + "; ".join(chosen.claim_words()))
    variants: list[Variant] = state[keys.VARIANTS.of(prefix)]
    generation = state[keys.VARIANT_GENERATION.of(prefix)]
    configs = [variant.config(base) for variant in variants]
    differing = differing_settings(configs)
    columns = st.columns(len(variants) + (1 if len(variants) < MAX_VARIANTS else 0))
    new_variants, new_configs = [], []
    # Random shifts move images: a variant of the MNIST page's setup may have them.
    editable = EDITOR_SETTINGS + (("shift",) if base.is_images else ())
    for index, (column, config) in enumerate(zip(columns, configs, strict=False)):
        with column:
            _swatch(index, variant_label(config, differing))
            with st.popover("Edit", icon=":material/tune:", width="stretch"):
                values = config.to_values()
                for name in editable:
                    values[name] = _setting_widget(
                        name, getattr(config, name), f"{prefix}v{generation}_{index}_{name}"
                    )
                if len(variants) > MIN_VARIANTS:
                    st.button("Remove this variant", key=f"{prefix}v{generation}_{index}_remove",
                              on_click=_remove_variant, args=(prefix, index),
                              icon=":material/delete:")  # fmt: skip
        new_config, _ = Config.resolve(values)
        changes = {name: getattr(new_config, name) for name in editable
                   if getattr(new_config, name) != getattr(base, name)}  # fmt: skip
        # Keep the regularisation of a preset even where it equals the base's.
        for name, value in variants[index].changes.items():
            if name not in editable or getattr(new_config, name) == value:
                changes.setdefault(name, value)
        new_variants.append(Variant(changes))
        new_configs.append(new_config)
    if len(variants) < MAX_VARIANTS:
        with columns[-1]:
            st.button("Add variant", icon=":material/add:", key=f"{prefix}add_variant",
                      on_click=_add_variant, args=(prefix,), width="stretch")  # fmt: skip
    state[keys.VARIANTS.of(prefix)] = new_variants
    differing = differing_settings(new_configs)
    names = [variant_label(config, differing) for config in new_configs]
    return new_configs, names


def variant_query(prefix: str) -> dict[str, list[str]]:
    """The variants as link parameters."""
    return {"variant": [v.to_text() for v in st.session_state[keys.VARIANTS.of(prefix)]]}


# -- live views -----------------------------------------------------------------------------


def results_table(session: TrainingSession, names: Sequence[str]) -> pd.DataFrame:
    """One row per variant, now: its accuracies and losses (on a regression its mean squared
    errors and R²), steps and training time."""
    regression = is_regression(session.data)
    rows = []
    for index, (snapshot, name) in enumerate(zip(session.snapshots, names, strict=True)):
        gap = (None if snapshot.test_accuracy is None
               else snapshot.train_accuracy - snapshot.test_accuracy)  # fmt: skip
        if regression:  # the sweep's verdict is on the test MSE: it comes first
            figures = {"Test MSE": snapshot.test_loss, "Train MSE": snapshot.train_loss,
                       "Test R²": snapshot.test_accuracy, "Train R²": snapshot.train_accuracy,
                       "R² gap (train − test)": gap}  # fmt: skip
        else:
            figures = {"Test accuracy": snapshot.test_accuracy,
                       "Train accuracy": snapshot.train_accuracy, "Gap (train − test)": gap,
                       "Test loss": snapshot.test_loss,
                       "Train loss": snapshot.train_loss}  # fmt: skip
        rows.append({
            "Variant": f"{LETTERS[index]} · {name}",
            **figures,
            "Steps": snapshot.step,
            "Training time (s)": round(snapshot.train_seconds, 1),
            "Status": "diverged" if snapshot.diverged else "",
        })  # fmt: skip
    return pd.DataFrame(rows)


def coloured(table: pd.DataFrame):
    """The table with each variant's name in its colour (the same as in every chart)."""
    colours = {f"{letter} ·": color_of(i) for i, letter in enumerate(LETTERS)}

    def style(name: str) -> str:
        colour = colours.get(str(name)[:3])
        return f"color: {colour}; font-weight: 600" if colour else ""

    return table.style.map(style, subset=["Variant"])


def _percent_column(label: str):
    return st.column_config.NumberColumn(label, format="percent")


def _number_column(label: str, format: str):
    return st.column_config.NumberColumn(label, format=format)


TABLE_COLUMNS = {
    "Test accuracy": _percent_column("Test accuracy"),
    "Train accuracy": _percent_column("Train accuracy"),
    "Gap (train − test)": _percent_column("Gap (train − test)"),
    "Test loss": _number_column("Test loss", "%.4f"),
    "Train loss": _number_column("Train loss", "%.4f"),
    # R² is a share of the targets' variance, and below 0 for a fit worse than their mean: a
    # number, not a percentage; a mean squared error to four significant digits, however small.
    "Test MSE": _number_column("Test MSE", "%.4g"),
    "Train MSE": _number_column("Train MSE", "%.4g"),
    "Test R²": _number_column("Test R²", "%.3f"),
    "Train R²": _number_column("Train R²", "%.3f"),
    "R² gap (train − test)": _number_column("R² gap (train − test)", "%.3f"),
    # The table goes through a pandas Styler (for the colours), which shows six decimals.
    "Training time (s)": _number_column("Training time (s)", "%.1f"),
}


# The sweep's figures are text ("0.962 ± 0.012") but for the time, which the Styler would
# show to six decimals.
SUMMARY_COLUMNS = {"Seconds per run": _number_column("Seconds per run", "%.2f")}


def _curve_figures(session: TrainingSession):
    loss, accuracy = [], []
    for index, snapshot in enumerate(session.snapshots):
        color, label = color_of(index), f"{LETTERS[index]}"
        loss.append(Curve(f"{label} test", *snapshot.test_loss_curve, color=color, group=label))
        loss.append(Curve(f"{label} train", *snapshot.train_loss_curve, color=color,
                          dash="dot", group=label))  # fmt: skip
        accuracy.append(Curve(f"{label} test", *snapshot.test_accuracy_curve, color=color,
                              group=label))  # fmt: skip
        accuracy.append(Curve(f"{label} train", *snapshot.train_accuracy_curve, color=color,
                              dash="dot", group=label))  # fmt: skip
    if is_regression(session.data):
        r2_range = r2_axis_range([curve.y for curve in accuracy])
        return (
            curves_figure(loss, "MSE", height=CURVE_HEIGHT),
            curves_figure(accuracy, "R²", height=CURVE_HEIGHT, y_range=r2_range),
        )
    return (
        curves_figure(loss, "Loss", height=CURVE_HEIGHT),
        curves_figure(accuracy, "Accuracy", height=CURVE_HEIGHT, y_range=(0.0, 1.02)),
    )


def _maps(prefix: str, session: TrainingSession) -> None:
    """What each variant makes of the data: its decision boundary (on a regression over the
    plane its prediction) and where the variants differ; for a curve, the fits together."""
    data = session.data
    if isinstance(data, CurveData):
        st.caption("The fitted curves on the training points, each variant in its colour, over "
                   "the function (dashed).")  # fmt: skip
        _fits(prefix, session, data)
    elif is_regression(data):
        st.caption("Each variant's prediction over the plane (blue above 0, vermillion below, "
                   "white at 0) under the training points coloured by their targets, and how "
                   "far apart the variants' predictions are (darker: further apart).")  # fmt: skip
        _boundaries(prefix, session, data)
    else:
        st.caption("Decision boundaries on the training points, and where they disagree.")
        _boundaries(prefix, session, data)


def _fits(prefix: str, session: TrainingSession, data: CurveData) -> None:
    snapshots = session.snapshots
    figure = fits_figure(
        data.grid_x, data.truth, [s.curve for s in snapshots], list(LETTERS[: len(snapshots)]),
        data.X_train, data.y_train, x_range=data.x_range, y_range=data.y_range,
        height=FITS_HEIGHT,
    )  # fmt: skip
    live_chart(figure, key=f"{prefix}fits_{len(snapshots)}", height=FITS_HEIGHT)


def _map_figure(data: PointData, boundary: np.ndarray):
    """One variant's map: its decision boundary, or on a regression its prediction."""
    if is_regression(data):
        figure = prediction_figure(data.grid_x, data.grid_y, boundary, data.value_range,
                                   data.X_train, data.y_train, height=BOUNDARY_HEIGHT)  # fmt: skip
        figure.update_traces(showscale=False, selector={"type": "heatmap"})
        return figure
    return decision_boundary_figure(
        data.grid_x, data.grid_y, boundary, data.n_classes, data.class_names, data.X_train,
        data.y_train, x_range=data.x_range, y_range=data.y_range, height=BOUNDARY_HEIGHT,
    )  # fmt: skip


def _boundaries(prefix: str, session: TrainingSession, data: PointData) -> None:
    snapshots = session.snapshots
    columns = st.columns(len(snapshots) + 1)
    for index, (column, snapshot) in enumerate(zip(columns, snapshots, strict=False)):
        with column:
            figure = _map_figure(data, snapshot.boundary)
            figure.update_layout(showlegend=False, margin={"l": 10, "r": 10, "t": 36, "b": 10},
                                 title={"text": LETTERS[index], "x": 0.02,
                                        "font": {"color": color_of(index)}})  # fmt: skip
            figure.update_xaxes(visible=False)
            figure.update_yaxes(visible=False)
            # Keyed by the number of variants too: a chart keeps the width it was first drawn
            # at, and the columns narrow when a variant is added.
            live_chart(figure, key=f"{prefix}boundary_{len(snapshots)}_{index}",
                       height=BOUNDARY_HEIGHT, toolbar=False)  # fmt: skip
    codes = [s.boundary for s in snapshots]
    if is_regression(data):
        differ = spread_figure(data.grid_x, data.grid_y, codes, data.value_range, data.X_train,
                               data.x_range, data.y_range, BOUNDARY_HEIGHT)  # fmt: skip
    else:
        differ = disagreement_figure(data.grid_x, data.grid_y, codes, data.X_train, data.x_range,
                                     data.y_range, BOUNDARY_HEIGHT)  # fmt: skip
    with columns[-1]:
        live_chart(differ, key=f"{prefix}disagreement_{len(snapshots)}", height=BOUNDARY_HEIGHT,
                   toolbar=False)  # fmt: skip


def _norms(prefix: str, session: TrainingSession) -> None:
    snapshots, configs = session.snapshots, session.configs
    largest = max((float(n.max()) for s in snapshots for n in s.weight_norms if n.size),
                  default=1.0)  # fmt: skip
    caps = [c.max_norm for c in configs if c.max_norm]
    axis_key = keys.NORM_AXIS_MAX.of(prefix)
    axis_max = max(st.session_state.get(axis_key, 0.0), max([largest, *caps]) * 1.1)
    st.session_state[axis_key] = axis_max
    columns = st.columns(len(snapshots))
    for index, (column, snapshot, config) in enumerate(zip(columns, snapshots, configs,
                                                           strict=True)):  # fmt: skip
        with column:
            names = [f"Dense {i + 1}" for i in range(len(snapshot.weight_norms))]
            figure = weight_norm_figure(snapshot.weight_norms, names, max_norm=config.max_norm,
                                        x_max=axis_max, height=NORMS_HEIGHT)  # fmt: skip
            figure.update_layout(title={"text": LETTERS[index], "x": 0.02,
                                        "font": {"color": color_of(index)}})  # fmt: skip
            figure.update_xaxes(title_text="L2 norm")
            live_chart(figure, key=f"{prefix}norms_{len(snapshots)}_{index}", height=NORMS_HEIGHT,
                       toolbar=False)  # fmt: skip


def live_compare(
    prefix: str,
    session: TrainingSession,
    names: Sequence[str],
    below_the_fold: bool = True,
    goal: Goal | None = None,
) -> None:
    """The lockstep session's views, redrawn while it plays; the decision boundaries and the
    weight norms only with `below_the_fold` (see `views.below_the_fold`)."""
    live = session.training_now
    queued = session.playing and not live
    session_key = keys.SESSION.of(prefix)

    def live_view() -> None:
        if session is not st.session_state.get(session_key):
            return
        session.fresh_snapshots()
        state = "Training…" if session.playing else "Paused."
        diverged = [f"{LETTERS[i]}: {s.diverged}" for i, s in enumerate(session.snapshots)
                    if s.diverged]  # fmt: skip
        hint = "Play, Step and Reset act on every variant at once."
        if queued:  # drawn once: only the status line redraws while it waits
            queue_watch(session, session_key, f"Step {session.step_count:,}. {hint}")
        else:
            st.caption(f"{state} Step {session.step_count:,}. {hint}")
        for message in diverged:
            plain_text.message(message, "error")
        if goal is not None:
            letters = [f"{LETTERS[i]} · {name}" for i, name in enumerate(names)]
            draw_goal(goal, session.configs, session.snapshots, letters)
        st.dataframe(coloured(results_table(session, names)), hide_index=True,
                     column_config=TABLE_COLUMNS, width="stretch")  # fmt: skip
        loss_figure, accuracy_figure = _curve_figures(session)
        loss_column, accuracy_column = st.columns(2, gap="medium")
        with loss_column:
            live_chart(loss_figure, key=f"{prefix}loss_chart", height=CURVE_HEIGHT)
        with accuracy_column:
            live_chart(accuracy_figure, key=f"{prefix}accuracy_chart", height=CURVE_HEIGHT)
        if below_the_fold and not session.configs[0].is_images:  # maps of the points
            _maps(prefix, session)
        if below_the_fold:
            st.caption("Weight norms per unit, with the max-norm radius where it applies.")
            _norms(prefix, session)
        if live and not session.training_now:
            st.rerun(scope="app")

    if queued:
        live_view()
    else:
        page_fragment(redraw_interval(REDRAW_SECONDS) if live else None)(live_view)()


# -- seed sweeps ------------------------------------------------------------------------------


def stacked_curves(results: Sequence[TaskResult], curve: str) -> tuple[np.ndarray, np.ndarray]:
    """The seeds' curves of one variant as (steps, (S, T)), cut to the shortest."""
    length = min(min(len(r.curves[curve]), len(r.curve_steps)) for r in results)
    return (results[0].curve_steps[:length],
            np.stack([r.curves[curve][:length] for r in results]))  # fmt: skip


def show_comparison(prefix: str, comparison: Comparison) -> None:
    """A sweep's results: intervals in words, the table, the curves with bands, downloads."""
    done = len(comparison.results)
    total = len(comparison.configs) * len(comparison.seeds)
    took = f", {comparison.seconds:.1f} s." if comparison.seconds else "."
    plain_text.line(f"{done} of {total} runs ({len(comparison.seeds)} seeds × "
                    f"{len(comparison.configs)} variants, {comparison.steps:,} steps each) "
                    f"on {comparison.executor}{took}")  # fmt: skip
    for line in comparison.differences():
        plain_text.line(line)
    st.dataframe(coloured(comparison.summary()), hide_index=True, width="stretch",
                 column_config=SUMMARY_COLUMNS)  # fmt: skip
    variants = [i for i in range(len(comparison.names)) if comparison.for_variant(i)]
    if variants:
        names = [f"{LETTERS[i]} · {comparison.names[i]}" for i in variants]
        left, right = st.columns(2, gap="medium")
        regression = comparison.regression
        for column, curve in ((left, "test_loss"), (right, "test_accuracy")):
            stacked = [stacked_curves(comparison.for_variant(i), curve) for i in variants]
            if curve == "test_loss":
                title, y_range = ("Test MSE" if regression else "Test loss"), None
            elif regression:
                title, y_range = "Test R²", r2_axis_range([runs for _, runs in stacked])
            else:
                title, y_range = "Test accuracy", (0.0, 1.02)
            with column:
                live_chart(
                    band_figure([s for s, _ in stacked], [v for _, v in stacked], names, title,
                                height=CURVE_HEIGHT, y_range=y_range),
                    key=f"{prefix}sweep_{curve}", height=CURVE_HEIGHT,
                )  # fmt: skip
        st.caption("Lines: the mean over seeds; bands: ± one standard deviation.")
    one, two, three = st.columns(3)
    one.download_button("Table (CSV)", comparison.summary().to_csv(index=False),
                        file_name="comparison-table.csv", mime="text/csv",
                        icon=":material/download:", key=f"{prefix}download_table")  # fmt: skip
    two.download_button("Curves (CSV)", comparison.curves_table().to_csv(index=False),
                        file_name="comparison-curves.csv", mime="text/csv",
                        icon=":material/download:", key=f"{prefix}download_curves")  # fmt: skip
    three.download_button("Whole comparison (JSON)", comparison.to_json(),
                          file_name="comparison.json", mime="application/json",
                          icon=":material/download:", key=f"{prefix}download_json")  # fmt: skip


def sweep_section(
    prefix: str,
    session: TrainingSession,
    configs: list[Config],
    names: list[str],
    data: TrainingData,
    csv: bytes | None,
) -> None:
    """Seeds, a step budget and Run; while it runs a progress bar and Cancel; then the
    results (or those of an imported comparison file)."""
    state = st.session_state
    st.header("Seed sweep")
    st.caption("One run proves little: train every variant with several seeds (the same seed "
               "gives every variant the same start and minibatches) and compare them seed by "
               "seed.")  # fmt: skip
    seeds_column, steps_column, button_column = st.columns([3, 3, 2], vertical_alignment="bottom")
    n_seeds = seeds_column.slider("Seeds", 2, MAX_SEEDS, 5, key=f"{prefix}sweep_seeds")
    steps = steps_column.number_input("Steps per run", 100, MAX_SWEEP_STEPS, 2000, step=100,
                                      key=f"{prefix}sweep_steps")  # fmt: skip
    # The click is kept in the state (not read from the button), so a run that starts over
    # before reaching this point still starts the sweep.
    button_column.button("Run sweep", icon=":material/play_arrow:", type="primary",
                         key=f"{prefix}sweep_start", width="stretch", on_click=_request_sweep,
                         args=(prefix,))  # fmt: skip
    uploaded = st.file_uploader("Or open a comparison file (JSON) saved from this page",
                                type=["json"], key=f"{prefix}sweep_import")  # fmt: skip
    if uploaded is not None and state.get(keys.SWEEP_IMPORTED.of(prefix)) != uploaded.file_id:
        state[keys.SWEEP_IMPORTED.of(prefix)] = uploaded.file_id
        try:
            state[keys.COMPARISON.of(prefix)] = Comparison.from_json(uploaded.getvalue())
        except ConfigError as error:
            plain_text.message(error, "error")
    if state.pop(keys.SWEEP_REQUESTED.of(prefix), False):
        session.pause()  # the sweep gets the cores
        seeds = list(range(int(n_seeds)))
        comparison = Comparison(configs, names, seeds, int(steps), [])
        state[keys.COMPARISON.of(prefix)] = comparison
        _run(prefix, comparison, csv)
    comparison = state.get(keys.COMPARISON.of(prefix))
    if comparison is not None:
        show_comparison(prefix, comparison)


def _request_sweep(prefix: str) -> None:
    st.session_state[keys.SWEEP_REQUESTED.of(prefix)] = True


def _run(prefix: str, comparison: Comparison, csv: bytes | None) -> None:
    tasks = sweep_tasks(comparison.configs, comparison.seeds, comparison.steps, csv)
    try:
        executor, description = make_executor()
    except SweepError as error:
        plain_text.message(error, "error")
        return
    comparison.executor = description
    progress = st.progress(0.0, text=f"Starting {len(tasks)} runs on {description}…")
    cancel_slot = st.empty()
    cancel_slot.button("Cancel", icon=":material/stop:", key=f"{prefix}sweep_cancel",
                       help="Stops the sweep; the runs finished so far are kept.")  # fmt: skip
    started = time.perf_counter()
    results = run_sweep(tasks, executor)
    try:
        for result in results:
            comparison.results.append(result)
            comparison.seconds = time.perf_counter() - started
            done = len(comparison.results)
            progress.progress(done / len(tasks), text=f"{done} of {len(tasks)} runs done on "
                                                       f"{description}")  # fmt: skip
    except SweepError as error:
        plain_text.message(error, "error")
    except Exception as error:  # a run that failed where it ran: words, not its traceback
        plain_text.message(f"A run failed on {description}: {error or type(error).__name__}. "
                           "The runs finished before it are kept.", "error")  # fmt: skip
    finally:
        # Also when Cancel (any click) stops this run: the tasks not started are dropped.
        results.close()
        executor.shutdown(wait=False, cancel_futures=True)
    progress.empty()
    cancel_slot.empty()

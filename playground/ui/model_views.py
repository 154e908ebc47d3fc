"""Save the trained model, or load one saved before: the weights and the configuration in one
`.npz` file (see `playground.core.model_io`), from a page's sidebar; and take the code: the run
as a plain NumPy notebook or script, and a PyTorch twin (see `playground.core.export`)."""

from __future__ import annotations

import streamlit as st

from playground.core import export
from playground.core.config import SETTINGS, Config
from playground.core.model_io import (
    DataShape,
    LoadedModel,
    ModelError,
    data_shape,
    load_model,
    save_model,
)
from playground.core.session import TrainingSession, is_regression
from playground.ui import keys, plain_text
from playground.ui.settings_panel import SettingsPanel

# Said where the code would be: the exported programs train classifiers so far.
REGRESSION_EXPORT_NOTE = ("The exported program trains classifiers so far; for a regression "
                          "set there is no code to take yet.")  # fmt: skip

__all__ = ["apply_loaded_model", "export_state", "model_section", "network_code"]

# What each export button offers: its label, the file's MIME type and its help.
EXPORTS = {
    "notebook": ("NumPy notebook", "application/x-ipynb+json",
                 "A Jupyter notebook: the layers in plain NumPy, the data, the same seeds, and a "
                 "training loop that prints the numbers shown here and draws the charts."),
    "script": ("NumPy script", "text/x-python",
               "The same program as one Python file: run it with python; no charts."),
    "torch": ("PyTorch twin", "text/x-python",
              f"The same network in PyTorch, loading the weights from the model file saved "
              f"above ({export.MODEL_FILE_NAME}). Needs PyTorch."),
}  # fmt: skip
SHOWN_POINTS = 3  # points of each split the code on the page shows (the downloads hold all)


def _pending_key(prefix: str) -> str:
    return keys.LOADED_MODEL.of(prefix)


def _on_upload(panel: SettingsPanel) -> None:
    """Read the file before any widget is drawn: the panel then shows the model's setup."""
    state = st.session_state
    prefix = panel.prefix
    upload = state.get(keys.MODEL_UPLOAD.of(prefix))
    if upload is None:
        return
    session = state.get(keys.SESSION.of(prefix))
    try:
        # The loader checks the file's input and class counts against the page's data before
        # it reads the weights: a file that claims another size is refused, never allocated.
        model = load_model(upload.getvalue(), panel.page, _page_data(session))
    except ModelError as error:
        state[keys.MODEL_ERROR.of(prefix)] = str(error)
        return
    state.pop(keys.MODEL_ERROR.of(prefix), None)
    state[_pending_key(prefix)] = model
    if session is not None:
        session.pause()
        session.reset_requested = True  # the loaded model starts a new run, at step 0
    _show_config(panel, model.config)


def _page_data(session: TrainingSession | None) -> DataShape:
    """The input and class counts of the data this page would train a loaded configuration
    on. Loading a model sets the page to its setup, so they follow the model's configuration
    (its data set, and on the Playground its input features: `data_shape`); a CSV model
    trains on the CSV the page has now, whose classes the current session knows."""

    def expect(config: Config) -> tuple[int, int | None]:
        n_inputs, n_classes = data_shape(config)
        if n_classes is None and session is not None and session.configs[0].dataset == "csv":
            n_classes = len(session.data.class_names)
        return n_inputs, n_classes

    return expect


def _show_config(panel: SettingsPanel, config: Config) -> None:
    """Make the panel's widgets show `config` from the next run on."""
    state = st.session_state
    state[f"{panel.prefix}config"] = config
    state[f"{panel.prefix}reseed"] = [setting.name for setting in SETTINGS]
    for key in [k for k in state if k.startswith(f"{panel.prefix}layer")]:
        del state[key]


def model_section(panel: SettingsPanel, session: TrainingSession) -> None:
    """In the sidebar: download the current model, or load one (call inside `st.sidebar`);
    left out in lesson mode."""
    if panel.view.hidden:
        return  # a lesson link (any hide=) keeps the sidebar to what the lesson is about
    # Closed at first, like the settings' sections: a closed one writes no file.
    section = st.expander("Model", icon=":material/save:", key=panel.section_key("model"),
                          on_change="rerun")  # fmt: skip
    if not section.open:
        return
    with section:
        _model_controls(panel, session)


def _model_controls(panel: SettingsPanel, session: TrainingSession) -> None:
    prefix = panel.prefix
    # The file is written with the page, and while training only the live views redraw: a
    # button offered then would save the weights from when Play was pressed. So it waits
    # for a pause (Pause, Step and Reset draw the page, and with it the file, again).
    playing = session.playing
    content, step = b"", 0
    if not playing:
        run, data = session.runs[0], session.data
        with session.lock:
            step = session.step_count
            content = save_model(run.network, run.config, data.inputs_train.shape[1],
                                 len(data.class_names))  # fmt: skip
    st.download_button("Save the trained model", content, file_name="mlp-model.npz",
                       mime="application/octet-stream", icon=":material/download:",
                       key=f"{prefix}model_download", disabled=playing,
                       help="The weights and the setup, to load here again later.")  # fmt: skip
    st.caption("Pause to save: the file holds the weights of the moment you paused."
               if playing else f"Saves the weights of step {step:,} and the setup.")  # fmt: skip
    st.file_uploader("Load a model (.npz saved from this page)", type=["npz"],
                     key=keys.MODEL_UPLOAD.of(prefix), on_change=_on_upload,
                     args=(panel,))  # fmt: skip
    error = st.session_state.get(keys.MODEL_ERROR.of(prefix))
    if error:
        plain_text.message(error, "error")
    _export_controls(prefix, session)


def export_state(session: TrainingSession, present: bool = False) -> export.RunState:
    """The page's run as an export needs it, copied under the session's lock. With `present`,
    as it is now even while it trains in a pool process (a copy comes back from there: for a
    file, not for every redraw); else the step now with the page's own copy of the run."""
    run = session.current_runs()[0] if present else session.runs[0]
    with session.lock:
        steps = run.trainer.step_count if present else session.step_count
        return export.RunState(run.config, session.data, steps,
                               tuple(run.departures))  # fmt: skip


def _export_data(session: TrainingSession, kind: str):
    """The file, made when its button is clicked (not at every redraw of the page): the run
    as it is at that moment."""
    return lambda: export.export_file(export_state(session, present=True), kind).encode("utf-8")


def _export_controls(prefix: str, session: TrainingSession) -> None:
    st.markdown("**Take the code with you**")
    if is_regression(session.data):
        st.caption(REGRESSION_EXPORT_NOTE)
        return
    for kind, (label, mime, help_text) in EXPORTS.items():
        st.download_button(label, _export_data(session, kind),
                           file_name=export.file_name(session.configs[0], kind), mime=mime,
                           icon=":material/code:", key=f"{prefix}export_{kind}", help=help_text,
                           on_click="ignore")  # fmt: skip
    state = export_state(session)
    st.caption("Plain NumPy that builds this network and trains it from step 0 with the same "
               f"seeds, printing the numbers this page shows (at step {state.steps:,} "
               "now).")  # fmt: skip
    if state.note:
        plain_text.caption(state.note)


def network_code(session: TrainingSession) -> str:
    """The exported script as the page shows it: only the first few points of a point set."""
    state = export_state(session)
    return export.export_script(state.config, state.data, state.steps,
                                export.default_data_path(state.config), state.note,
                                shown_points=SHOWN_POINTS)  # fmt: skip


def apply_loaded_model(prefix: str, session: TrainingSession) -> None:
    """Once the session trains the loaded model's setup, give it the loaded weights."""
    model: LoadedModel | None = st.session_state.get(_pending_key(prefix))
    if model is None:
        return
    run = session.runs[0]
    data = session.data
    # The loader checked the counts against the data the page would train the model on; this
    # is the last check, for data that changed since (another CSV uploaded in between).
    fits = (
        run.config == model.config
        and data.inputs_train.shape[1] == model.n_inputs
        and len(data.class_names) == model.n_classes
    )
    del st.session_state[_pending_key(prefix)]
    if not fits:
        st.error("The loaded model was made for other data (its inputs or classes differ), so "
                 "it was not applied.", icon="⚠️")  # fmt: skip
        return
    with session.lock:
        session.pause()
        model.apply_to(run.network)
        run.note_departure("its weights were loaded from a file")
        session.publish()
    st.success("Model loaded: the weights are the saved ones. Press Play to train on.",
               icon=":material/check:")  # fmt: skip

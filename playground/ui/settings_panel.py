"""The controls of a page: a configuration's sidebar, its layer editor and the run controls.

Every widget is built from the settings in `playground.core.config` (no range is written here) and
keyed under a prefix, so one page can hold two or more configurations side by side. A
`SettingsPanel` keeps its configuration in the session state as well as in its widgets:
Streamlit forgets the value of a widget that was not drawn in a run (an optimizer knob of
another optimizer, a control a lesson hides, every widget of another page), so at every run
the panel writes each widget's value back as a session-state value of its own, which
outlives such runs, and puts back one that is gone from the configuration.

The sidebar's sections (Data, Network, Regularisation, Training) are expanders, closed when a
page opens, and a closed one draws none of its widgets: a browser builds a page with a
sidebar of forty widgets in about twice the time it takes without them, and a student who
comes into a class that is already training waits for that. Opening a section reruns the
page with its widgets; their values come from the configuration, as above.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st

from mlp.datasets import IMAGE_DATASETS, TOY_DATASETS
from mlp.datasets.regression import REGRESSION_DATASETS
from playground.core.config import (
    ACTIVATION_CHOICES,
    CONTROL_GROUPS,
    MAX_HIDDEN_LAYERS,
    MAX_SEED,
    PLAYGROUND_PAGE,
    SETTINGS,
    SETTINGS_BY_NAME,
    SPEEDS,
    VIEW_SETTINGS_BY_NAME,
    Config,
    ConfigError,
    HiddenLayer,
    PageSpec,
)
from playground.core.links import View, link_query, read_link
from playground.core.session import TrainingSession
from playground.ui import keys, plain_text, projector
from playground.ui.run_controls import ClickLog, run_buttons

__all__ = ["SettingsPanel", "forget_panel_state", "run_controls"]

# (group, title, icon, note): the sidebar's sections, in order.
SECTIONS: tuple[tuple[str, str, str, str | None], ...] = (
    ("data", "Data", ":material/scatter_plot:", "↺ Changing the data restarts training."),
    ("network", "Network", ":material/hub:", "↺ Changing the network restarts training."),
    ("regularisation", "Regularisation", ":material/tune:",
     "⚡ These take effect while training runs."),
    ("training", "Training", ":material/speed:", None),
)  # fmt: skip
# A section's expander is keyed `{prefix}section_{group}` (see `SettingsPanel.section_key`).


class SettingsPanel:
    """One configuration's widgets and state, every key starting with `prefix`.

    page: what the page offers (its data sets, widest layer, default setup); the settings it
    omits, and any in `omit`, have no widget and keep their value from the link or default.
    """

    def __init__(
        self, prefix: str = "", page: PageSpec = PLAYGROUND_PAGE, omit: Iterable[str] = ()
    ) -> None:
        self.prefix = prefix
        self.page = page
        self.omit = page.omit | frozenset(omit)
        self.max_units = page.max_units

    # -- keys ------------------------------------------------------------------------------

    def key(self, name: str) -> str:
        """The widget key of a setting (view settings keep their bare names)."""
        if name in VIEW_SETTINGS_BY_NAME:
            return f"{self.prefix}{name}"
        return f"{self.prefix}setting_{name}"

    def _state(self, key: keys.StateKey):
        return st.session_state[key.of(self.prefix)]

    @property
    def config(self) -> Config:
        """The configuration as of the last run's widgets (or the link, on the first run)."""
        return self._state(keys.CONFIG)

    @property
    def view(self) -> View:
        return self._state(keys.VIEW)

    @property
    def upload(self):
        """The CSV file uploaded for `dataset="csv"`, or None. Kept beyond its widget, which
        Streamlit forgets in a run that does not draw it (the Data section closed)."""
        return st.session_state.get(keys.CSV_FILE.of(self.prefix))

    def _keep_upload(self) -> None:
        state = st.session_state
        state[keys.CSV_FILE.of(self.prefix)] = state.get(keys.CSV_UPLOAD.of(self.prefix))

    def shown(self, name: str) -> bool:
        return name not in self.omit and self.view.shown(name)

    # -- state -----------------------------------------------------------------------------

    def start(self, query_params) -> None:
        """Before any widget: on the first run of a browser session read the link (keeping
        notes on what it could not use); on every run put back what Streamlit forgot."""
        state = st.session_state
        if keys.CONFIG.of(self.prefix) not in state:
            link = read_link({key: query_params.get_all(key) for key in query_params}, self.page)
            state[keys.CONFIG.of(self.prefix)] = link.config
            state[keys.VIEW.of(self.prefix)] = link.view
            state[keys.NOTES.of(self.prefix)] = list(link.notes)
        for name in state.pop(keys.RESEED.of(self.prefix), ()):
            state.pop(self.key(name), None)
        self._restore_widgets()

    def _restore_widgets(self) -> None:
        """Every setting's widget value in the session state, whether or not its widget is
        drawn in this run: the value it had (which the browser sent, if it was drawn), else
        the configuration's. Each is written back as a value of the session state's own, so
        it outlives a run that does not draw the widget. (Left to Streamlit, such a run drops
        the widget's value and the key falls back to the value written before the widget
        was first drawn: closing a section would undo the changes made in it.)"""
        state = st.session_state

        def keep(key: str, value) -> None:
            state[key] = state[key] if key in state else value

        config, view = self.config, self.view
        for setting in SETTINGS:
            value = getattr(config, setting.name)
            if setting.kind == "hidden":
                if keys.LAYERS.of(self.prefix) not in state:
                    state[keys.LAYERS.of(self.prefix)] = [[layer.units, layer.activation]
                                                     for layer in value]  # fmt: skip
                self._sync_layer_widgets()
                continue
            if setting.kind == "optional_float":
                keep(self.key(setting.name) + "_on", value is not None)
                value = setting.on_value if value is None else value
            if setting.kind == "multichoice":
                value = list(value)
            keep(self.key(setting.name), value)
        keep(self.key("show_test"), view.show_test)
        keep(self.key("speed"), view.speed)
        keep(self.key("projector"), view.projector)

    def notes(self) -> list[str]:
        return self._state(keys.NOTES)

    def read(self) -> Config:
        """The configuration the widgets show now, kept as the panel's configuration.

        A combination that breaks a rule between settings (Nesterov with momentum 0) falls
        back with a note, and the widget shows the value used from the next run on.
        """
        state = st.session_state
        values = {}
        for setting in SETTINGS:
            if setting.kind == "hidden":
                values[setting.name] = tuple(
                    HiddenLayer(int(units), activation)
                    for units, activation in state[keys.LAYERS.of(self.prefix)]
                )
            elif setting.kind == "optional_float" and not state[self.key(setting.name) + "_on"]:
                values[setting.name] = None
            else:
                values[setting.name] = state[self.key(setting.name)]
        try:
            config, notes = Config.resolve(values)
        except ConfigError as error:  # a widget out of its range: keep the last good setup
            plain_text.message(error, "error")
            return self.config
        if notes:
            self.notes().extend(notes)
            # Widgets keep what the person chose; next run they show the value used instead.
            state[keys.RESEED.of(self.prefix)] = [
                name for name, value in values.items() if value != getattr(config, name)
            ]
            state[keys.CONFIG.of(self.prefix)] = config
            st.rerun()
        state[keys.CONFIG.of(self.prefix)] = config
        state[keys.VIEW.of(self.prefix)] = View(
            speed=state[self.key("speed")],
            show_test=state[self.key("show_test")],
            hidden=self.view.hidden,
            goal=self.view.goal,
            projector=state[self.key("projector")],
        )
        return config

    def show(self, write_url: bool = True) -> Config:
        """A page's settings, all in one: `settle`, then draw the sidebar."""
        config = self.settle(write_url)
        self.draw_sidebar()
        return config

    def settle(self, write_url: bool = True) -> Config:
        """Read the link on the first run, show its notes, keep the address bar in step
        (unless the page adds to the link itself: then it calls `write_url`); the
        configuration the widgets show. The widgets' values reach the page before the
        widgets are drawn, so a page may draw its run controls and status line first and
        call `draw_sidebar` after: a page's messages reach the browser in the order they
        are drawn, and a click on Pause then shows "Paused." without waiting for the
        sidebar's forty or so elements to go first."""
        self.start(st.query_params)
        show_notes(self)
        config = self.read()
        projector.apply(self.view.projector)
        if write_url:
            self.write_url()
        return config

    def draw_sidebar(self) -> None:
        """Every shown setting in the sidebar (see `sidebar`)."""
        with st.sidebar:
            self.sidebar()

    def write_url(self, extra: Mapping[str, list[str]] | None = None) -> None:
        """Keep the address bar in step with the setup, so copying it shares the setup;
        `extra` adds a page's own parameters (each key with all its values)."""
        wanted = {key: [value] for key, value in link_query(self.config, self.view).items()}
        wanted.update(extra or {})
        current = {key: st.query_params.get_all(key) for key in st.query_params}
        if current != wanted:
            st.query_params.from_dict(wanted)

    # -- widgets ---------------------------------------------------------------------------

    def widget(self, name: str, label: str | None = None) -> None:
        """The widget of one setting, as its `Setting` describes it."""
        if not self.shown(name):
            return
        setting = SETTINGS_BY_NAME.get(name) or VIEW_SETTINGS_BY_NAME[name]
        key = self.key(name)
        label = label or setting.label
        if setting.kind == "choice":
            choices = [value for value, _ in setting.choices]
            if name == "dataset":
                choices = [value for value in choices if value in self.page.datasets]
            st.selectbox(label, choices, format_func=setting.choice_label, key=key,
                         help=setting.help)  # fmt: skip
        elif setting.kind == "multichoice":
            st.pills(label, [value for value, _ in setting.choices], selection_mode="multi",
                     format_func=setting.choice_label, key=key, help=setting.help)  # fmt: skip
        elif setting.kind == "bool":
            st.toggle(label, key=key, help=setting.help)
        elif setting.kind == "optional_float":
            st.toggle(f"{label} constraint", key=key + "_on", help=setting.help)
            if st.session_state[key + "_on"]:
                self._slider(setting, key, f"{label} c")
        elif setting.kind == "int" and not setting.steps:
            st.number_input(label, int(setting.minimum), int(setting.maximum), step=1, key=key,
                            help=setting.help)  # fmt: skip
        else:
            self._slider(setting, key, label)

    def _slider(self, setting, key: str, label: str) -> None:
        st.select_slider(label, setting.widget_options(st.session_state[key]),
                         format_func=setting.format_value, key=key, help=setting.help)  # fmt: skip

    def section_key(self, group: str) -> str:
        """The key of a section's expander: True in the session state while it is open."""
        return f"{keys.SECTION.of(self.prefix)}{group}"

    def sidebar(self) -> None:
        """Every shown setting, in sections; call inside `with st.sidebar:`. A section whose
        controls are all hidden or omitted is left out; a closed one draws no widget. A
        lesson link (any `hide=`) opens its sections: they hold only what the lesson is about."""
        draw = {
            "data": self._data_section,
            "network": self._network_section,
            "regularisation": self._regularisation_section,
            "training": self._training_section,
        }
        for group, title, icon, note in SECTIONS:
            if not any(self.shown(name) for name in CONTROL_GROUPS[group]):
                continue
            section = st.expander(title, expanded=bool(self.view.hidden), icon=icon,
                                  key=self.section_key(group), on_change="rerun")  # fmt: skip
            if section.open:
                with section:
                    if note:
                        st.caption(note)
                    draw[group]()
        self.widget("projector")

    def _data_section(self) -> None:
        self.widget("dataset")
        dataset = st.session_state[self.key("dataset")]
        is_toy = dataset in TOY_DATASETS or dataset in REGRESSION_DATASETS
        if st.session_state[self.key("dataset")] == "csv":
            st.file_uploader("Points CSV: two numeric columns, then a label",
                             type=["csv", "txt"], key=keys.CSV_UPLOAD.of(self.prefix),
                             on_change=self._keep_upload)  # fmt: skip
            kept = self.upload
            if kept is not None and st.session_state.get(keys.CSV_UPLOAD.of(self.prefix)) is None:
                plain_text.caption(f"Using {kept.name}, uploaded earlier. Upload another "
                                   "file to replace it.")  # fmt: skip
        self.widget("source")
        if is_toy:
            self.widget("noise")
            self.widget("n_points")
        if st.session_state[self.key("dataset")] == "drawn":
            st.caption("Every drawn point is a training point. Draw on the chart with "
                       "Edit points, above it.")  # fmt: skip
            return  # no test split, no labels to flip, no test points to show
        self.widget("train_share")
        if dataset not in IMAGE_DATASETS and dataset not in REGRESSION_DATASETS:
            self.widget("label_noise")  # flipped training labels: classes of points only
        self.widget("show_test")
        if self.shown("data_seed") and is_toy:
            st.button("Regenerate", key=f"{self.prefix}regenerate", on_click=self._regenerate,
                      help="Draw a new set of points (a new data seed).")  # fmt: skip

    def _network_section(self) -> None:
        if st.session_state[self.key("dataset")] not in IMAGE_DATASETS:
            self.widget("features")  # what a 2-D point is turned into; images are pixels
        if self.shown("hidden"):
            self.layer_editor()
        self.widget("batch_norm")
        self.widget("init")

    def _regularisation_section(self) -> None:
        for name in ("dropout", "input_dropout", "max_norm", "weight_decay", "l1"):
            self.widget(name)
        if st.session_state[self.key("dataset")] in IMAGE_DATASETS:
            self.widget("shift")  # moves images; 2-D points have no pixels

    def _training_section(self) -> None:
        self.widget("optimizer")
        self.widget("lr")
        self.widget("schedule")
        if st.session_state[self.key("schedule")] != "constant":
            self.widget("schedule_steps")
        if self.shown("lr") or self.shown("optimizer"):
            st.caption("⚡ The learning rate changes live (a schedule goes on from the new "
                       "rate); the rest restarts training.")  # fmt: skip
        optimizer = st.session_state[self.key("optimizer")]
        for knob in Config(optimizer=optimizer).optimizer_knobs:
            self.widget(knob)
        self.widget("batch_size")
        self.widget("seed")

    def _regenerate(self) -> None:
        key = self.key("data_seed")
        st.session_state[key] = (st.session_state[key] + 1) % (MAX_SEED + 1)

    # -- the layer stack -------------------------------------------------------------------

    def _layers(self) -> list[list]:
        return st.session_state[keys.LAYERS.of(self.prefix)]

    def _add_layer(self) -> None:
        layers = self._layers()
        if len(layers) < MAX_HIDDEN_LAYERS:
            units, activation = layers[-1] if layers else (8, "tanh")
            layers.append([units, activation])
            self._sync_layer_widgets()

    def _remove_layer(self, index: int) -> None:
        del self._layers()[index]
        self._sync_layer_widgets()

    def _sync_layer_widgets(self) -> None:
        for index, (units, activation) in enumerate(self._layers()):
            st.session_state[f"{self.prefix}layer_units_{index}"] = units
            st.session_state[f"{self.prefix}layer_activation_{index}"] = activation

    def _layer_changed(self, index: int) -> None:
        self._layers()[index] = [
            st.session_state[f"{self.prefix}layer_units_{index}"],
            st.session_state[f"{self.prefix}layer_activation_{index}"],
        ]

    def layer_editor(self) -> None:
        """Units and activation of each hidden layer, with add and remove buttons."""
        layers = self._layers()
        activations = dict(ACTIVATION_CHOICES)
        st.markdown("**Hidden layers**", help=SETTINGS_BY_NAME["hidden"].help)
        if layers:
            units_header, activation_header, _ = st.columns([2, 3, 1])
            units_header.caption("Units")
            activation_header.caption("Activation")
        for index in range(len(layers)):
            units_key = f"{self.prefix}layer_units_{index}"
            activation_key = f"{self.prefix}layer_activation_{index}"
            units_column, activation_column, remove_column = st.columns(
                [2, 3, 1], vertical_alignment="bottom"
            )
            units_column.number_input(
                f"Layer {index + 1} units", min_value=1, max_value=self.max_units, step=1,
                key=units_key, label_visibility="collapsed", on_change=self._layer_changed,
                args=(index,),
            )  # fmt: skip
            activation_column.selectbox(
                f"Layer {index + 1} activation", list(activations), format_func=activations.get,
                key=activation_key, label_visibility="collapsed", on_change=self._layer_changed,
                args=(index,),
            )  # fmt: skip
            remove_column.button(
                "", icon=":material/close:", key=f"{self.prefix}remove_layer_{index}",
                on_click=self._remove_layer, args=(index,), help=f"Remove layer {index + 1}",
            )  # fmt: skip
        if not layers:
            st.caption("No hidden layer: a linear classifier (softmax regression).")
        st.button("Add layer", icon=":material/add:", key=f"{self.prefix}add_layer",
                  on_click=self._add_layer, disabled=len(layers) >= MAX_HIDDEN_LAYERS)  # fmt: skip


# -- run controls ------------------------------------------------------------------------------


def forget_panel_state(
    prefix: str,
    keep: Iterable[keys.StateKey] = keys.KEPT_ON_NEW_SETUP,
    keep_own: str = "",
) -> None:
    """Drop every session-state key of the page under `prefix` except `keep`, the keys that
    start with `prefix + keep_own` (a section's own widgets) and the sidebar's open sections,
    so the panel reads its setup from the link again on the next run."""
    kept = {key.of(prefix) for key in keep}
    own = (prefix + keep_own,) if keep_own else ()
    for key in list(st.session_state.keys()):
        if (keys.belongs_to(key, prefix) and key not in kept
                and not key.startswith((*own, keys.SECTION.of(prefix)))):  # fmt: skip
            del st.session_state[key]


def _act(session: TrainingSession, action: str) -> None:
    """What a click on Play, Pause, Step or Reset does to the session."""
    if action == "play":
        session.play()
    elif action == "pause":
        session.pause()
    elif action == "step":
        session.pause()
        session.step()
    elif action == "reset":
        session.pause()
        session.reset_requested = True  # the next full run builds a new session
        st.rerun()


def _on_speed(prefix: str, speed_key: str) -> None:
    state = st.session_state.to_dict()
    session = state.get(keys.SESSION.of(prefix))
    if session is not None:
        session.set_speed(SPEEDS[state[speed_key]])


def run_controls(panel: SettingsPanel, session: TrainingSession) -> None:
    """Play/Pause, Step, Reset and the speed, acting on every run of the session at once."""
    prefix = panel.prefix
    log_key = keys.CLICK_LOG.of(prefix)
    log = st.session_state.get(log_key)
    if log is None:
        log = st.session_state[log_key] = ClickLog()
    buttons_column, speed_column = st.columns([4.2, 3.5], vertical_alignment="bottom")
    with buttons_column:
        run_buttons(
            keys.RUN_CONTROLS.of(prefix), log, lambda action: _act(session, action),
            playing=lambda: session.playing, stopped=lambda: session.all_diverged,
        )  # fmt: skip
    if panel.shown("speed"):
        with speed_column:
            setting = VIEW_SETTINGS_BY_NAME["speed"]
            st.select_slider(setting.label, [value for value, _ in setting.choices],
                             format_func=setting.choice_label, key=panel.key("speed"),
                             on_change=_on_speed, args=(prefix, panel.key("speed")))  # fmt: skip


def show_notes(panel: SettingsPanel) -> None:
    """What the link (or a rule between settings) changed, as plain text."""
    for note in panel.notes():
        plain_text.message(note, "warning", icon="link")

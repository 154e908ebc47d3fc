"""MLP Playground: build a multilayer perceptron, press Play, watch it learn.

The page only reads widgets, turns them into a `Config`, keeps a `TrainingSession` in the
session state and draws its latest snapshot; the maths lives in `mlp/`.
"""

from __future__ import annotations

import streamlit as st
import threadpoolctl

from live_chart import STEADY_CSS, live_chart
from mlp import datasets
from mlp.config import (
    ACTIVATION_CHOICES,
    BATCH_SIZES,
    LEARNING_RATES,
    MAX_HIDDEN_LAYERS,
    MAX_UNITS,
    OPTIMIZER_KNOBS,
    SETTINGS_BY_NAME,
    WEIGHT_DECAYS,
    Config,
    ConfigError,
    HiddenLayer,
)
from mlp.plots import (
    Curve,
    architecture_figure,
    curves_figure,
    decimate,
    decision_boundary_figure,
    weight_norm_figure,
)
from mlp.session import (
    PointData,
    Snapshot,
    TrainingSession,
    Worker,
    make_point_data,
    make_toy_data,
)

REDRAW_SECONDS = 0.2
NORMS_REDRAW_SECONDS = 1.0
# Speeds as they stand in the URL (?speed=5) -> steps per second; "max" is flat out.
SPEEDS: dict[str, float | None] = {
    "2": 2.0,
    "5": 5.0,
    "20": 20.0,
    "100": 100.0,
    "1000": 1000.0,
    "max": None,
}
DEFAULT_SPEED = "max"
# Names a lesson link may hide with ?hide=a,b,c: every setting, the view controls, and groups.
CONTROL_GROUPS: dict[str, tuple[str, ...]] = {
    "data": ("dataset", "noise", "n_points", "train_share", "data_seed", "show_test"),
    "network": ("hidden", "batch_norm", "init"),
    "regularisation": ("dropout", "max_norm", "weight_decay"),
    "training": ("optimizer", "lr", "momentum", "rho", "beta1", "beta2", "batch_size", "seed"),
}
VIEW_CONTROLS = ("show_test", "speed")
BOUNDARY_HEIGHT = 470
CURVE_HEIGHT = 225
NORMS_HEIGHT = 300
ARCHITECTURE_HEIGHT = 220

st.set_page_config(page_title="MLP Playground", page_icon="🧠", layout="wide")


# -- the URL and the widgets ------------------------------------------------------------


def widget_key(name: str) -> str:
    return f"setting_{name}"


def read_url_once() -> None:
    """On a new session, set every widget from the URL and keep notes on what was wrong."""
    if "initialised" in st.session_state:
        return
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    config, notes = Config.from_query(params)
    hidden: set[str] = set()
    for raw in params.get("hide", []):
        for name in filter(None, (part.strip() for part in raw.split(","))):
            if name in CONTROL_GROUPS:
                hidden.update(CONTROL_GROUPS[name])
            elif name in SETTINGS_BY_NAME or name in VIEW_CONTROLS:
                hidden.add(name)
            else:
                notes.append(f"hide: there is no control called {name!r}; it is shown.")
    show_test = params.get("show_test", ["0"])[-1]
    if show_test not in ("0", "1"):
        notes.append(f"show_test: {show_test!r} is not allowed; use 1 or 0. Using 0.")
    speed = params.get("speed", [DEFAULT_SPEED])[-1]
    if speed not in SPEEDS:
        notes.append(
            f"speed: {speed!r} is not allowed; use one of {', '.join(SPEEDS)}. "
            f"Using {DEFAULT_SPEED}."
        )
        speed = DEFAULT_SPEED
    st.session_state["url_notes"] = notes
    st.session_state["hidden_controls"] = frozenset(hidden)
    st.session_state["show_test"] = show_test == "1"
    st.session_state["speed"] = speed
    set_widgets(config)
    st.session_state["initialised"] = True


def set_widgets(config: Config) -> None:
    for name in SETTINGS_BY_NAME:
        value = getattr(config, name)
        if name == "noise":
            value = round(value * 100)
        elif name == "max_norm":
            st.session_state[widget_key("max_norm_on")] = value is not None
            value = 3.0 if value is None else value
        elif name == "hidden":
            st.session_state["layers"] = [[layer.units, layer.activation] for layer in value]
            continue
        st.session_state[widget_key(name)] = value


def config_from_widgets() -> Config:
    values = {}
    for name in SETTINGS_BY_NAME:
        if name == "hidden":
            values[name] = tuple(HiddenLayer(int(u), a) for u, a in st.session_state["layers"])
        else:
            values[name] = st.session_state[widget_key(name)]
    values["noise"] = values["noise"] / 100
    if not st.session_state[widget_key("max_norm_on")]:
        values["max_norm"] = None
    return Config(**values)


def write_url(config: Config) -> None:
    query = config.to_query()
    if st.session_state["show_test"]:
        query["show_test"] = "1"
    if st.session_state["speed"] != DEFAULT_SPEED:
        query["speed"] = st.session_state["speed"]
    hidden = st.session_state["hidden_controls"]
    if hidden:
        query["hide"] = ",".join(sorted(hidden))
    current = {key: st.query_params.get(key) for key in st.query_params}
    if current != query:
        st.query_params.from_dict(query)


def shown(name: str) -> bool:
    return name not in st.session_state["hidden_controls"]


def label(name: str) -> str:
    return SETTINGS_BY_NAME[name].label


def helptext(name: str) -> str:
    return SETTINGS_BY_NAME[name].help


def choice_widget(name: str) -> None:
    setting = SETTINGS_BY_NAME[name]
    if shown(name):
        st.selectbox(
            setting.label,
            [value for value, _ in setting.choices],
            format_func=setting.choice_label,
            key=widget_key(name),
            help=setting.help,
        )


def steps_widget(name: str, steps: tuple[float, ...], fmt=lambda v: f"{v:g}") -> None:
    """A select slider over fixed steps that also keeps a value from the URL between steps."""
    if shown(name):
        value = st.session_state[widget_key(name)]
        options = sorted(set(steps) | {value})
        st.select_slider(
            label(name), options, format_func=fmt, key=widget_key(name), help=helptext(name)
        )


# -- the layer stack -------------------------------------------------------------------


def add_layer() -> None:
    layers = st.session_state["layers"]
    if len(layers) < MAX_HIDDEN_LAYERS:
        units, activation = layers[-1] if layers else (8, "tanh")
        layers.append([units, activation])
        sync_layer_widgets()


def remove_layer(index: int) -> None:
    del st.session_state["layers"][index]
    sync_layer_widgets()


def sync_layer_widgets() -> None:
    for index, (units, activation) in enumerate(st.session_state["layers"]):
        st.session_state[f"layer_units_{index}"] = units
        st.session_state[f"layer_activation_{index}"] = activation


def layer_changed(index: int) -> None:
    st.session_state["layers"][index] = [
        st.session_state[f"layer_units_{index}"],
        st.session_state[f"layer_activation_{index}"],
    ]


def layer_editor() -> None:
    layers = st.session_state["layers"]
    activations = dict(ACTIVATION_CHOICES)
    st.markdown("**Hidden layers**", help=helptext("hidden"))
    if layers:
        units_header, activation_header, _ = st.columns([2, 3, 1])
        units_header.caption("Units")
        activation_header.caption("Activation")
    for index, (units, activation) in enumerate(layers):
        st.session_state.setdefault(f"layer_units_{index}", units)
        st.session_state.setdefault(f"layer_activation_{index}", activation)
        units_column, activation_column, remove_column = st.columns(
            [2, 3, 1], vertical_alignment="bottom"
        )
        units_column.number_input(
            f"Layer {index + 1} units",
            min_value=1,
            max_value=MAX_UNITS,
            step=1,
            key=f"layer_units_{index}",
            label_visibility="collapsed",
            on_change=layer_changed,
            args=(index,),
        )
        activation_column.selectbox(
            f"Layer {index + 1} activation",
            list(activations),
            format_func=activations.get,
            key=f"layer_activation_{index}",
            label_visibility="collapsed",
            on_change=layer_changed,
            args=(index,),
        )
        remove_column.button(
            "",
            icon=":material/close:",
            key=f"remove_layer_{index}",
            on_click=remove_layer,
            args=(index,),
            help=f"Remove layer {index + 1}",
        )
    if not layers:
        st.caption("No hidden layer: a linear classifier (softmax regression).")
    st.button(
        "Add layer",
        icon=":material/add:",
        key="add_layer",
        on_click=add_layer,
        disabled=len(layers) >= MAX_HIDDEN_LAYERS,
    )


# -- the sidebar -----------------------------------------------------------------------


def regenerate() -> None:
    key = widget_key("data_seed")
    st.session_state[key] = (st.session_state[key] + 1) % (SETTINGS_BY_NAME["data_seed"].maximum)


def section_header(group: str, title: str, note: str | None) -> None:
    """A sidebar heading, left out when a lesson link hides every control under it."""
    if any(shown(name) for name in CONTROL_GROUPS[group]):
        st.header(title)
        if note:
            st.caption(note)


def sidebar() -> None:
    with st.sidebar:
        section_header("data", "Data", "↺ Changing the data restarts training.")
        choice_widget("dataset")
        if st.session_state[widget_key("dataset")] == "csv":
            st.file_uploader(
                "Points CSV: two numeric columns, then a label",
                type=["csv", "txt"],
                key="csv_upload",
            )
        else:
            if shown("noise"):
                st.slider(
                    "Noise (%)", 0, 50, step=5, key=widget_key("noise"), help=helptext("noise")
                )
            if shown("n_points"):
                st.slider(
                    label("n_points"), 50, 5000, step=50, key=widget_key("n_points"),
                    help=helptext("n_points"),
                )  # fmt: skip
        if shown("train_share"):
            st.slider(
                label("train_share"), 0.1, 0.9, step=0.05, key=widget_key("train_share"),
                help=helptext("train_share"),
            )  # fmt: skip
        if shown("show_test"):
            st.toggle("Show test data", key="show_test")
        if shown("data_seed") and st.session_state[widget_key("dataset")] != "csv":
            st.button("Regenerate", key="regenerate", on_click=regenerate,
                      help="Draw a new set of points (a new data seed).")  # fmt: skip

        section_header("network", "Network", "↺ Changing the network restarts training.")
        if shown("hidden"):
            layer_editor()
        if shown("batch_norm"):
            st.toggle(
                label("batch_norm"), key=widget_key("batch_norm"), help=helptext("batch_norm")
            )
        choice_widget("init")

        section_header(
            "regularisation", "Regularisation", "⚡ These take effect while training runs."
        )
        if shown("dropout"):
            st.slider(label("dropout"), 0.0, 0.9, step=0.05, key=widget_key("dropout"),
                      help=helptext("dropout"))  # fmt: skip
        if shown("max_norm"):
            st.toggle("Max-norm constraint", key=widget_key("max_norm_on"),
                      help=helptext("max_norm"))  # fmt: skip
            if st.session_state[widget_key("max_norm_on")]:
                st.slider("Max-norm c", 0.5, 10.0, step=0.25, key=widget_key("max_norm"))
        steps_widget("weight_decay", WEIGHT_DECAYS)

        section_header("training", "Training", None)
        choice_widget("optimizer")
        steps_widget("lr", LEARNING_RATES)
        if shown("lr") or shown("optimizer"):
            st.caption("⚡ The learning rate changes live; the rest restarts training.")
        knobs = OPTIMIZER_KNOBS[st.session_state[widget_key("optimizer")]]
        knob_ranges = {"momentum": (0.0, 0.99, 0.01), "rho": (0.8, 0.999, 0.001),
                       "beta1": (0.0, 0.99, 0.01), "beta2": (0.9, 0.9999, 0.0001)}  # fmt: skip
        for knob in knobs:
            if shown(knob):
                low, high, step = knob_ranges[knob]
                st.slider(label(knob), low, high, step=step, key=widget_key(knob),
                          help=helptext(knob), format="%g")  # fmt: skip
        if shown("batch_size"):
            value = st.session_state[widget_key("batch_size")]
            st.select_slider(label("batch_size"), sorted(set(BATCH_SIZES) | {value}),
                             key=widget_key("batch_size"), help=helptext("batch_size"))  # fmt: skip
        if shown("seed"):
            st.number_input(label("seed"), 0, int(SETTINGS_BY_NAME["seed"].maximum), step=1,
                            key=widget_key("seed"), help=helptext("seed"))  # fmt: skip


# -- data and the training session -----------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=64)
def toy_data(config: Config) -> PointData:
    """Toy data are shared by every session; the key holds only what shapes the data."""
    return make_toy_data(config)


@st.cache_resource(show_spinner=False, max_entries=16)
def csv_data(content: bytes, train_share: float, seed: int) -> PointData:
    X, y, class_names = datasets.load_points_csv(content)
    return make_point_data(X, y, class_names, train_share, seed)


def data_for(config: Config) -> PointData | None:
    """The data the configuration asks for; None (with a message shown) when there is none."""
    if config.dataset == "csv":
        upload = st.session_state.get("csv_upload")
        if upload is None:
            st.info("Upload a CSV of points in the sidebar: two numeric columns, then a label.")
            return None
        try:
            return csv_data(upload.getvalue(), config.train_share, config.data_seed)
        except datasets.DataError as error:
            st.error(f"That file cannot be used: {error}")
            return None
    data_key = Config(
        dataset=config.dataset,
        noise=config.noise,
        n_points=config.n_points,
        train_share=config.train_share,
        data_seed=config.data_seed,
    )
    return toy_data(data_key)


@st.cache_resource(show_spinner=False)
def limit_blas_threads() -> threadpoolctl.ThreadpoolController:
    """One BLAS thread per process, set once: on two cores, BLAS threads that spin beside the
    server's own threads made a 64-64-64 network train 20 times slower."""
    controller = threadpoolctl.ThreadpoolController()
    controller.limit(limits=1, user_api="blas")
    return controller


@st.cache_resource(scope="session", on_release=Worker.stop, show_spinner=False)
def get_worker() -> Worker:
    """One training thread per browser session; released (stopped) when the tab closes."""
    return Worker()


def current_session(config: Config, data: PointData) -> TrainingSession:
    """The session in the state, rebuilt when the data or a non-live setting changed."""
    session: TrainingSession | None = st.session_state.get("session")
    rebuild = (
        session is None
        or st.session_state.pop("reset_requested", False)
        or session.data is not data
        or config.needs_reset(session.configs[0])
    )
    if rebuild:
        if session is not None:
            session.pause()
        session = TrainingSession([config], data)
        session.set_speed(SPEEDS[st.session_state["speed"]])
        st.session_state["session"] = session
        st.session_state["norm_axis_max"] = 0.0
    elif config != session.configs[0]:
        session.apply_live([config])
    return session


PLAY_LABELS = {"play": ":material/play_arrow: Play", "pause": ":material/pause: Pause"}


def on_play_control() -> None:
    """Play/Pause is a two-state control, not a button: a button's click can be delivered
    again with a later rerun (a known Streamlit behaviour when runs overlap, as they do while
    the live view redraws), which would start training that was just paused."""
    session: TrainingSession = st.session_state["session"]
    if st.session_state["play_control"] == "play":
        session.play()
    else:
        session.pause()


def on_step() -> None:
    session: TrainingSession = st.session_state["session"]
    session.pause()
    session.step()


def on_reset() -> None:
    session: TrainingSession | None = st.session_state.get("session")
    if session is not None:
        session.pause()
    st.session_state["reset_requested"] = True


def on_speed() -> None:
    session: TrainingSession | None = st.session_state.get("session")
    if session is not None:
        session.set_speed(SPEEDS[st.session_state["speed"]])


# -- drawing ---------------------------------------------------------------------------


def fmt_metric(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "–"
    if percent:
        return f"{value:.1%}"
    return f"{value:.3f}" if abs(value) >= 0.01 else f"{value:.1e}"  # not a bare 0.000


def draw_metrics(snapshot: Snapshot) -> None:
    columns = st.columns(6)
    columns[0].metric("Step", f"{snapshot.step:,}")
    columns[1].metric("Epoch", f"{snapshot.epoch:,.1f}")
    columns[2].metric("Train loss", fmt_metric(snapshot.train_loss))
    columns[3].metric("Test loss", fmt_metric(snapshot.test_loss))
    columns[4].metric("Train accuracy", fmt_metric(snapshot.train_accuracy, percent=True))
    columns[5].metric("Test accuracy", fmt_metric(snapshot.test_accuracy, percent=True))


def draw_status(session: TrainingSession, snapshot: Snapshot) -> None:
    if session.error:
        st.error(f"Training stopped by an unexpected error: {session.error}. Press Reset.")
    elif snapshot.diverged:
        st.error(f"{snapshot.diverged} Then press Reset.", icon="⚠️")
    else:
        state = "Training…" if session.playing else "Paused."
        st.caption(f"{state} Press Step for one minibatch of {session.configs[0].batch_size}.")


def draw_charts(session: TrainingSession, snapshot: Snapshot) -> None:
    data = session.data
    boundary_column, curves_column = st.columns([11, 9], gap="medium")
    show_test = st.session_state["show_test"]
    with boundary_column:
        live_chart(
            decision_boundary_figure(
                data.grid_x,
                data.grid_y,
                snapshot.boundary,
                data.n_classes,
                data.class_names,
                data.X_train,
                data.y_train,
                data.X_test if show_test else None,
                data.y_test if show_test else None,
                x_range=data.x_range,
                y_range=data.y_range,
                height=BOUNDARY_HEIGHT,
            ),
            key="boundary_chart",
            height=BOUNDARY_HEIGHT,
        )
    with curves_column:
        step_x, step_y = decimate(*snapshot.step_loss)
        loss_curves = [
            Curve("Minibatch loss", step_x, step_y, color="#BBBBBB"),
            Curve("Train loss", *decimate(*snapshot.train_loss_curve), color="#0072B2"),
            Curve("Test loss", *decimate(*snapshot.test_loss_curve), color="#D55E00"),
        ]
        live_chart(
            curves_figure(loss_curves, y_title="Loss", height=CURVE_HEIGHT),
            key="loss_chart",
            height=CURVE_HEIGHT,
        )
        accuracy_curves = [
            Curve("Train accuracy", *decimate(*snapshot.train_accuracy_curve), color="#0072B2"),
            Curve("Test accuracy", *decimate(*snapshot.test_accuracy_curve), color="#D55E00"),
        ]
        live_chart(
            curves_figure(
                accuracy_curves, y_title="Accuracy", height=CURVE_HEIGHT, y_range=(0.0, 1.02)
            ),
            key="accuracy_chart",
            height=CURVE_HEIGHT,
        )


def draw_weight_norms(session: TrainingSession) -> None:
    snapshot = session.snapshots[0]
    config = session.configs[0]
    layer_names = [f"Dense {index + 1}" for index in range(len(snapshot.weight_norms))]
    largest = max((float(norms.max()) for norms in snapshot.weight_norms), default=1.0)
    if config.max_norm:
        largest = max(largest, config.max_norm)
    # The axis only grows, so the bars do not jump at every redraw.
    axis_max = max(st.session_state.get("norm_axis_max", 0.0), largest * 1.1)
    st.session_state["norm_axis_max"] = axis_max
    live_chart(
        weight_norm_figure(
            snapshot.weight_norms,
            layer_names,
            max_norm=config.max_norm,
            x_max=axis_max,
            height=NORMS_HEIGHT,
        ),
        key="norms_chart",
        height=NORMS_HEIGHT,
    )


def draw_architecture(session: TrainingSession) -> None:
    """The network's shape; drawn once per full run, not at every redraw."""
    config = session.configs[0]
    data = session.data
    sizes = [data.n_inputs] + [layer.units for layer in config.hidden] + [data.n_classes]
    norm = "BN + " if config.batch_norm else ""
    labels = (
        [f"{data.n_inputs} in"]
        + [f"{norm}{layer.units} {layer.activation}" for layer in config.hidden]
        + [f"{data.n_classes} out"]
    )
    live_chart(
        architecture_figure(sizes, labels, height=ARCHITECTURE_HEIGHT),
        key="architecture_chart",
        height=ARCHITECTURE_HEIGHT,
        toolbar=False,
    )
    network = session.runs[0].network
    st.caption(f"{network.n_params:,} parameters")
    with st.expander("The network as code"):
        st.code(repr(network), language=None)


# -- the page --------------------------------------------------------------------------


def keep_hidden_widget_values() -> None:
    """Streamlit forgets the value of a widget that was not drawn in a run (an optimizer knob
    of another optimizer, a control a lesson hides); writing each back keeps it."""
    for name in [*SETTINGS_BY_NAME, "max_norm_on"]:
        key = widget_key(name)
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def main() -> None:
    read_url_once()
    keep_hidden_widget_values()
    for note in st.session_state["url_notes"]:
        st.warning(note, icon=":material/link:")
    sidebar()
    try:
        config = config_from_widgets()
    except ConfigError as error:
        st.error(str(error))
        return
    write_url(config)

    st.html(
        "<style>.block-container{padding-top:2.2rem;padding-bottom:1rem}</style>" + STEADY_CSS
    )  # room for the charts on a projector; no fading while training
    st.title("MLP Playground")
    data = data_for(config)
    if data is None:
        previous: TrainingSession | None = st.session_state.get("session")
        if previous is not None:
            previous.pause()  # nothing may train out of sight
        return
    limit_blas_threads()
    session = current_session(config, data)
    get_worker().attach(session)

    play_column, step_column, reset_column, speed_column = st.columns(
        [2.2, 1, 1, 3.5], vertical_alignment="bottom"
    )
    # The control always shows the real state, also when training stopped by itself.
    st.session_state["play_control"] = "play" if session.playing else "pause"
    play_column.segmented_control(
        "Training",
        list(PLAY_LABELS),
        format_func=PLAY_LABELS.get,
        required=True,
        key="play_control",
        on_change=on_play_control,
        label_visibility="collapsed",
        disabled=session.all_diverged,
        width="stretch",
    )
    step_column.button(
        "Step",
        icon=":material/skip_next:",
        key="step",
        on_click=on_step,
        width="stretch",
        disabled=session.all_diverged,
    )
    reset_column.button(
        "Reset", icon=":material/restart_alt:", key="reset", on_click=on_reset, width="stretch"
    )
    if shown("speed"):
        speed_column.select_slider(
            "Speed (steps per second)",
            list(SPEEDS),
            format_func=lambda speed: "Max" if speed == "max" else f"{int(speed):,}",
            key="speed",
            on_change=on_speed,
        )

    was_playing = session.playing

    @st.fragment(run_every=REDRAW_SECONDS if was_playing else None)
    def live_view() -> None:
        if session is not st.session_state.get("session"):
            return
        snapshot = session.fresh_snapshots()[0]
        draw_metrics(snapshot)
        draw_status(session, snapshot)
        draw_charts(session, snapshot)
        if was_playing and not session.playing:
            st.rerun(scope="app")  # training stopped by itself: show Play again

    # Weight norms change slowly; redrawing them once a second leaves time for training.
    @st.fragment(run_every=NORMS_REDRAW_SECONDS if was_playing else None)
    def live_weight_norms() -> None:
        if session is st.session_state.get("session"):
            draw_weight_norms(session)

    live_view()
    norms_column, architecture_column = st.columns([11, 9], gap="medium")
    with norms_column:
        live_weight_norms()
    with architecture_column:
        draw_architecture(session)


main()

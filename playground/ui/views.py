"""The live views of a training session: metric tiles, status line, decision boundary,
curves, weight norms and the network's shape, each chart keyed under the panel's prefix. On
image sets: the training speed, test images with the network's probabilities, what it gets
wrong (confusion matrix, most confident mistakes) and the first layer's weights as images.

While training plays, `live_views` redraws from the session's snapshots in fragments: the
fast one (metrics, boundary or example images, curves) every `REDRAW_SECONDS`, the weight
norms once a second, the mistakes and weight images every `IMAGE_VIEWS_REDRAW_SECONDS`.
While paused on 2-D points, a "Look back" slider steps back through the moments the run's
timeline kept, and every view shows the moment it is at (`shown_snapshot`).
Nothing here changes the session; drawing reads snapshots only.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import streamlit as st

from playground.charts.boundary import decision_boundary_figure
from playground.charts.curves import Curve, curves_figure
from playground.charts.images import (
    confusion_matrix_figure,
    guesses_figure,
    weight_images_figure,
)
from playground.charts.inside import (
    DiagramUnit,
    health_figure_height,
    network_diagram_figure,
    training_health_figure,
    unit_map_figure,
)
from playground.charts.network import architecture_figure
from playground.charts.norms import weight_norm_figure
from playground.charts.style import MINIBATCH_COLOR, TEST_COLOR, TRAIN_COLOR, empty_figure
from playground.core.data import ImageSet, PointData, fixed_subset
from playground.core.inside import config_warnings
from playground.core.links import View
from playground.core.session import MAP_STRIDE, MAX_MISTAKES, Snapshot, TrainingSession
from playground.core.text import format_number, plain
from playground.ui.first_paint import after_first_paint
from playground.ui.live_chart import STEADY_CSS, live_chart
from playground.ui.resources import page_fragment, redraw_interval

__all__ = ["below_the_fold", "live_views", "page_on_screen", "page_style"]

REDRAW_SECONDS = 0.2  # the live view's redraw interval while training plays
NORMS_REDRAW_SECONDS = 1.0  # weight norms change slowly: a redraw a second leaves time to train
# The diagram of maps and the health histograms are the heaviest views to draw (in the browser
# too): a calm redraw every two seconds keeps training fast.
INSIDE_REDRAW_SECONDS = 2.0
BOUNDARY_HEIGHT = 470
CURVE_HEIGHT = 225
NORMS_HEIGHT = 300
ARCHITECTURE_HEIGHT = 220
UNIT_MAP_HEIGHT = 340
UNIT_MAP_POINTS = 300  # training points drawn on the enlarged map
SHOW_INSIDE = "show_inside"  # the inside views' switch, after the panel's prefix
SELECTED_UNIT = "inside_unit"  # the diagram's enlarged tile (a DiagramUnit), after the prefix
EXAMPLES_HEIGHT = 2 * CURVE_HEIGHT
# What a network gets wrong and its first layer's weights change slowly and cost a figure of a
# few hundred tiles: they are redrawn more calmly than the curves.
IMAGE_VIEWS_REDRAW_SECONDS = 2.0
# While queued only the status line redraws: the charts do not change until training starts.
# Every second near the front of the queue, less often further back, where a place frees up
# only every few seconds (see `queue_watch_seconds`).
QUEUE_WATCH_SECONDS = 1.0
QUEUE_WATCH_MAX_SECONDS = 5.0
QUEUE_WATCH_PER_SECOND = 3  # places in the queue per second of the interval
IMAGE_VIEWS_HEIGHT = 470
MISTAKE_COLUMNS = 4
LOOK_BACK = "look_back"  # the look-back slider's key, after the panel's prefix
FIRST_PAINT = "first_paint"  # set once the page was on the screen, after the prefix


def page_style() -> None:
    """Room for the charts on a projector, and no fading of live views while they redraw."""
    st.html("<style>.block-container{padding-top:2.2rem;padding-bottom:1rem}</style>" + STEADY_CSS)


def code_block(text: str) -> None:
    """`text` in a monospace block. Not `st.code`: its syntax highlighter is a 1.5 MB script
    that took the browser about 0.8 s to load and run on a 2-core machine, for a few lines of
    the network's own description that need no colours."""
    st.html(
        '<pre style="font-size:0.8rem;line-height:1.4;padding:0.75rem 1rem;margin:0;'
        'background:rgba(128,128,128,0.08);border-radius:0.5rem;white-space:pre-wrap">'
        f"{html.escape(text)}</pre>"
    )


def _format_rate(per_second: float) -> str:
    """A rate to three figures, so it does not flicker in its last digits: "845", "12,300"."""
    return f"{float(f'{per_second:.3g}'):,.0f}" if per_second >= 100 else f"{per_second:.3g}"


def _format_duration(seconds: float) -> str:
    """A duration to two figures in its natural unit: "0.42 s", "38 s", "2.5 min", "1.2 h"."""
    for unit, size in (("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.2g} {unit}"
    return f"{seconds:.2g} s"


def draw_metrics(snapshot: Snapshot) -> None:
    columns = st.columns(6)
    columns[0].metric("Step", f"{snapshot.step:,}")
    columns[1].metric("Epoch", f"{snapshot.epoch:,.1f}")
    columns[2].metric("Train loss", format_number(snapshot.train_loss))
    columns[3].metric("Test loss", format_number(snapshot.test_loss))
    columns[4].metric("Train accuracy", format_number(snapshot.train_accuracy, percent=True))
    columns[5].metric("Test accuracy", format_number(snapshot.test_accuracy, percent=True))


def queued_text(position: int) -> str:
    """What a session waiting for a place to train says (see `playground.core.scheduler`)."""
    ahead = position - 1
    who = "you are next" if ahead == 0 else f"{ahead} ahead of you"
    return (f"Queued ({who}): this server trains a few networks at a time, each for half a "
            "minute or so while others wait, and yours starts when a place frees up.")  # fmt: skip


def queue_watch_seconds(position: int) -> float:
    """How often a queued page redraws its place in the queue: every second for the first
    three, less often further back (a second per three places), at most every five seconds.
    Every redraw is a run on the server, whose one interpreter also serves the clicks of
    those training: twenty-six tabs in the queue ask for about ten runs a second instead of
    twenty-six."""
    return min(QUEUE_WATCH_MAX_SECONDS, max(QUEUE_WATCH_SECONDS, position / QUEUE_WATCH_PER_SECOND))


def queue_watch(session: TrainingSession, session_key: str, step_hint: str) -> None:
    """The status line of a queued session, redrawn every `queue_watch_seconds` of its place
    in the queue; when it gets a place (or stops), a full run brings back the live views,
    and so does moving up far enough to redraw at least twice as often. Thirty tabs in a
    queue then cost the server and their browsers next to nothing."""
    interval = queue_watch_seconds(session.queue_position)

    @page_fragment(interval)
    def watch() -> None:
        if session is not st.session_state.get(session_key):
            return
        position = session.queue_position
        if not session.playing or not position or queue_watch_seconds(position) <= interval / 2:
            st.rerun(scope="app")
        st.caption(f"{queued_text(position)} {step_hint}")

    watch()


def draw_status(
    session: TrainingSession, snapshot: Snapshot, speed: bool = False, watch_key: str | None = None
) -> None:
    """Training or paused, or why training stopped; with `speed`, how fast it went lately
    (samples per second and time per epoch: two more metric tiles would not fit a row).
    With `watch_key` (the session's key, given when the page found the session queued), the
    line is a `queue_watch`, even if the session got its place meanwhile: the watch then
    brings the live views back at once."""
    step_hint = f"Press Step for one minibatch of {session.configs[0].batch_size}."
    if watch_key is not None:
        queue_watch(session, watch_key, step_hint)
        return
    if session.error:
        st.error(plain(f"Training stopped by an unexpected error: {session.error}. Press Reset."))
    elif snapshot.diverged:
        st.error(plain(f"{snapshot.diverged} Then press Reset."), icon="⚠️")
    else:
        state = "Training…" if session.playing else "Paused."
        if session.playing and session.queue_position:
            state = queued_text(session.queue_position)
        present = session.snapshots[0].step
        if not session.playing and snapshot.step < present:
            state = (f"Looking back at step {snapshot.step:,}: Play and Step go on from the "
                     f"present, step {present:,}.")  # fmt: skip
        status = f"{state} {step_hint}"
        if speed and snapshot.samples_per_second is not None:
            status += (
                f" Speed: **{_format_rate(snapshot.samples_per_second)}** samples/s, "
                f"**{_format_duration(snapshot.seconds_per_epoch)}** per epoch."
            )
        st.caption(status)


def draw_boundary(prefix: str, data: PointData, snapshot: Snapshot, show_test: bool) -> None:
    figure = decision_boundary_figure(
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
    )
    live_chart(figure, key=f"{prefix}boundary_chart", height=BOUNDARY_HEIGHT)


def draw_examples(prefix: str, data: ImageSet, snapshot: Snapshot) -> None:
    """A few test images, each with the network's probability for every class and its guess."""
    probabilities = snapshot.example_probabilities
    truth = data.y_test[data.example_rows]
    captions = [
        f"{data.class_names[guess]} {sure:.0%}" + ("" if guess == label else " ✗")
        for guess, sure, label in zip(
            probabilities.argmax(axis=1), probabilities.max(axis=1), truth, strict=True
        )
    ]
    st.caption(
        "The network's guess for a few test images (✗: wrong). Bars: how likely it finds "
        "each class, the true one in blue."
    )
    live_chart(
        guesses_figure(data.inputs_test[data.example_rows], probabilities, truth, captions,
                       image_shape=data.image_shape, n_cols=4, height=EXAMPLES_HEIGHT),
        key=f"{prefix}examples_chart",
        height=EXAMPLES_HEIGHT,
        toolbar=False,
    )  # fmt: skip


def draw_mistakes(prefix: str, data: ImageSet, snapshot: Snapshot) -> None:
    """The confusion matrix of the test images beside the most confident mistakes."""
    confusion = snapshot.test_confusion
    mistakes = snapshot.mistakes
    names = data.class_names
    matrix_column, mistakes_column = st.columns(2, gap="medium", vertical_alignment="bottom")
    with matrix_column:
        values = st.segmented_control(
            f"Confusion matrix of {int(confusion.sum()):,} test images: true class against "
            "the network's guess",
            ["Counts", "Shares of the true class"],
            default="Counts",
            required=True,
            key=f"{prefix}confusion_values",
        )
    with mistakes_column:
        st.caption(
            "Its most confident mistakes: true class → guess, how sure it is. Bars as above."
        )
    matrix_column, mistakes_column = st.columns(2, gap="medium")
    with matrix_column:
        live_chart(
            confusion_matrix_figure(confusion, names, shares=values != "Counts",
                                    height=IMAGE_VIEWS_HEIGHT),
            key=f"{prefix}confusion_chart",
            height=IMAGE_VIEWS_HEIGHT,
            toolbar=False,
        )  # fmt: skip
    with mistakes_column:
        labels = data.y_test[mistakes.rows]
        probabilities = mistakes.probabilities
        captions = [
            f"{names[label]} → {names[guess]} {sure:.0%}"
            for label, guess, sure in zip(
                labels, probabilities.argmax(axis=1), probabilities.max(axis=1), strict=True
            )
        ]
        figure = (
            guesses_figure(data.inputs_test[mistakes.rows], probabilities, labels, captions,
                           image_shape=data.image_shape, n_cols=MISTAKE_COLUMNS,
                           n_slots=MAX_MISTAKES, height=IMAGE_VIEWS_HEIGHT)
            if len(labels)
            else empty_figure("No mistakes on these test images.", IMAGE_VIEWS_HEIGHT)
        )  # fmt: skip
        live_chart(figure, key=f"{prefix}mistakes_chart", height=IMAGE_VIEWS_HEIGHT,
                   toolbar=False)  # fmt: skip


def draw_first_layer(prefix: str, session: TrainingSession, snapshot: Snapshot) -> None:
    """The first layer's incoming weights, one image per unit."""
    data = session.data
    weights = snapshot.first_layer_weights
    hidden = session.configs[0].hidden
    if hidden:
        units = hidden[0].units
        shown = f"all {units}" if len(weights) == units else f"the first {len(weights)} of {units}"
        st.caption(
            f"What the units of the first hidden layer look for ({shown}): each unit's "
            "incoming weights as an image. Blue: ink there raises the unit's input; "
            "vermillion: ink there lowers it. Each tile has its own scale."
        )
    else:
        st.caption(
            "Without a hidden layer each class has its own weights: ink on blue pixels "
            "speaks for the class, ink on vermillion ones against it. Each tile has its own "
            "scale."
        )
    live_chart(
        weight_images_figure(weights, data.image_shape,
                             captions=None if hidden else data.class_names,
                             height=IMAGE_VIEWS_HEIGHT),
        key=f"{prefix}first_layer_chart",
        height=IMAGE_VIEWS_HEIGHT,
        toolbar=False,
    )  # fmt: skip


def draw_image_views(prefix: str, session: TrainingSession) -> None:
    """What the network gets wrong and what its first layer looks for, one tab at a time
    (only the open tab is drawn)."""
    snapshot = session.snapshots[0]
    mistakes_tab, weights_tab = st.tabs(
        ["What it gets wrong", "What the first layer looks for"],
        key=f"{prefix}image_views_tab",
        on_change="rerun",
    )
    if mistakes_tab.open:
        with mistakes_tab:
            draw_mistakes(prefix, session.data, snapshot)
    if weights_tab.open:
        with weights_tab:
            draw_first_layer(prefix, session, snapshot)


def draw_curves(prefix: str, snapshot: Snapshot) -> None:
    """Loss and accuracy over the steps: per minibatch, and on the training and test sets."""
    loss_curves = [
        Curve("Minibatch loss", *snapshot.step_loss, color=MINIBATCH_COLOR),
        Curve("Train loss", *snapshot.train_loss_curve, color=TRAIN_COLOR),
        Curve("Test loss", *snapshot.test_loss_curve, color=TEST_COLOR),
    ]
    live_chart(
        curves_figure(loss_curves, y_title="Loss", height=CURVE_HEIGHT),
        key=f"{prefix}loss_chart",
        height=CURVE_HEIGHT,
    )
    accuracy_curves = [
        Curve("Train accuracy", *snapshot.train_accuracy_curve, color=TRAIN_COLOR),
        Curve("Test accuracy", *snapshot.test_accuracy_curve, color=TEST_COLOR),
    ]
    live_chart(
        curves_figure(accuracy_curves, y_title="Accuracy", height=CURVE_HEIGHT,
                      y_range=(0.0, 1.02)),
        key=f"{prefix}accuracy_chart",
        height=CURVE_HEIGHT,
    )  # fmt: skip


def draw_weight_norms(prefix: str, session: TrainingSession) -> None:
    snapshot = shown_snapshot(prefix, session)
    config = session.configs[0]
    layer_names = [f"Dense {index + 1}" for index in range(len(snapshot.weight_norms))]
    largest = max((float(norms.max()) for norms in snapshot.weight_norms), default=1.0)
    if config.max_norm:
        largest = max(largest, config.max_norm)
    # The axis only grows, so the bars do not jump at every redraw.
    axis_key = f"{prefix}norm_axis_max"
    axis_max = max(st.session_state.get(axis_key, 0.0), largest * 1.1)
    st.session_state[axis_key] = axis_max
    live_chart(
        weight_norm_figure(snapshot.weight_norms, layer_names, max_norm=config.max_norm,
                           x_max=axis_max, height=NORMS_HEIGHT),
        key=f"{prefix}norms_chart",
        height=NORMS_HEIGHT,
    )  # fmt: skip


def draw_architecture(prefix: str, session: TrainingSession) -> None:
    """The network's shape; drawn once per full run, not at every redraw."""
    config = session.configs[0]
    network = session.runs[0].network
    n_inputs = session.data.inputs_train.shape[1]
    n_classes = len(session.data.class_names)
    sizes = [n_inputs] + [layer.units for layer in config.hidden] + [n_classes]
    norm = "BN + " if config.batch_norm else ""
    labels = (
        [f"{n_inputs} in"]
        + [f"{norm}{layer.units} {layer.activation}" for layer in config.hidden]
        + [f"{n_classes} out"]
    )
    live_chart(
        architecture_figure(sizes, labels, height=ARCHITECTURE_HEIGHT),
        key=f"{prefix}architecture_chart",
        height=ARCHITECTURE_HEIGHT,
        toolbar=False,
    )
    inputs = ""
    if isinstance(session.data, PointData):
        inputs = f"Inputs: {', '.join(session.data.feature_labels)}. "
    st.caption(f"{inputs}{network.n_params:,} parameters")
    with st.expander("The network as code"):
        code_block(repr(network))


def inside_shown(prefix: str) -> bool:
    """Whether the inside views (diagram of maps, histograms) are switched on."""
    return bool(st.session_state.get(f"{prefix}{SHOW_INSIDE}", True))


def inside_switch(prefix: str, session: TrainingSession) -> bool:
    """The heading of the inside views and their switch (2-D points only); tells the
    session whether its snapshots need the maps and histograms."""
    title_column, switch_column = st.columns([13, 7], vertical_alignment="bottom")
    title_column.subheader("Inside the network")
    switch_column.toggle(
        "Show what every unit computes", value=True, key=f"{prefix}{SHOW_INSIDE}",
        help="The network diagram with each unit's map and the histograms of activations "
             "and gradients. Off, training runs a little faster; the hints stay.",
    )  # fmt: skip
    shown = inside_shown(prefix)
    session.show_inside(shown)
    return shown


def _selected_unit(prefix: str, columns: list[int]) -> DiagramUnit:
    """The tile to enlarge: the one last clicked if the network still has it, else the first
    unit of the last hidden layer (the class map without hidden layers). `columns` holds the
    number of tiles of each column, the output's class map last."""
    chosen = st.session_state.get(f"{prefix}{SELECTED_UNIT}")
    if (isinstance(chosen, DiagramUnit) and 0 <= chosen.column < len(columns)
            and 0 <= chosen.unit < columns[chosen.column]):  # fmt: skip
        return chosen
    return DiagramUnit(max(len(columns) - 2, 1) if len(columns) > 2 else 1, 0)


def _take_click(prefix: str, clicked, columns: list[int]) -> None:
    """Keep a clicked tile ([column, unit] from the browser) as the one to enlarge; anything
    else is ignored."""
    try:
        column, unit = (int(value) for value in clicked)
    except (TypeError, ValueError):
        return
    if 0 <= column < len(columns) and 0 <= unit < columns[column]:
        st.session_state[f"{prefix}{SELECTED_UNIT}"] = DiagramUnit(column, unit)


def draw_diagram(prefix: str, session: TrainingSession) -> None:
    """The network as a diagram of maps (2-D points), beside one tile enlarged."""
    snapshot = shown_snapshot(prefix, session)
    data = session.data
    if not isinstance(data, PointData) or not inside_shown(prefix):
        return
    if snapshot.input_maps is None or snapshot.neuron_maps is None:
        st.caption("No maps were kept for this moment (the view was switched off).")
        return
    config = session.configs[0]
    hidden_maps = list(snapshot.neuron_maps)
    columns = [len(snapshot.input_maps), *(len(maps) for maps in hidden_maps), 1]
    diagram_column, unit_column = st.columns([13, 7], gap="medium")
    selected = _selected_unit(prefix, columns)
    with diagram_column:
        norm = "BN + " if config.batch_norm else ""
        figure = network_diagram_figure(
            snapshot.input_maps, data.feature_labels, hidden_maps,
            [f"{norm}{layer.units} {layer.activation}" for layer in config.hidden],
            [layer.units for layer in config.hidden], snapshot.diagram_weights,
            snapshot.boundary[::2, ::2], data.class_names, selected,
        )  # fmt: skip
        live_chart(figure, key=f"{prefix}diagram_chart", height=int(figure.layout.height),
                   toolbar=False,
                   on_click=lambda clicked: _take_click(prefix, clicked, columns))  # fmt: skip
    with unit_column:
        st.caption(
            "Each tile: what an input or a unit computes over the plane, blue where it is "
            "high, vermillion where it is negative, white at zero (each tile on its own "
            "scale). Lines: the weights, blue positive, vermillion negative, wider when "
            "larger. Click a tile to enlarge it here."
        )
        draw_unit_map(prefix, session, snapshot, selected)
        st.caption(f"Inputs: {', '.join(data.feature_labels)}. "
                   f"{session.runs[0].network.n_params:,} parameters")  # fmt: skip
        with st.expander("The network as code"):
            code_block(repr(session.runs[0].network))


def draw_unit_map(
    prefix: str, session: TrainingSession, snapshot: Snapshot, selected: DiagramUnit
) -> None:
    """The selected tile of the diagram, large, with the training points on it."""
    data = session.data
    config = session.configs[0]
    rows = fixed_subset(len(data.y_train), UNIT_MAP_POINTS, seed=0)
    points, labels = (data.X_train, data.y_train) if rows is None else (
        data.X_train[rows], data.y_train[rows])  # fmt: skip
    xs, ys = data.grid_x[::MAP_STRIDE], data.grid_y[::MAP_STRIDE]
    n_hidden = len(config.hidden)
    if selected.column == 0:
        codes = snapshot.input_maps[selected.unit]
        title = f"Input {data.feature_labels[selected.unit]}"
    elif selected.column <= n_hidden:
        layer = config.hidden[selected.column - 1]
        codes = snapshot.neuron_maps[selected.column - 1][selected.unit]
        title = f"Layer {selected.column}, unit {selected.unit + 1} ({layer.activation})"
    else:
        codes, title, xs, ys = snapshot.boundary, "The class map", data.grid_x, data.grid_y
    figure = unit_map_figure(codes, xs, ys, points, labels, data.n_classes, title,
                             class_map=selected.column > n_hidden,
                             height=UNIT_MAP_HEIGHT)  # fmt: skip
    live_chart(figure, key=f"{prefix}unit_map_chart", height=UNIT_MAP_HEIGHT, toolbar=False)


def draw_inside(prefix: str, session: TrainingSession) -> None:
    """Each layer's health: on 2-D points the histograms of activations and gradients; the
    dead or saturated share of every hidden layer in words, and the hints they give."""
    snapshot = shown_snapshot(prefix, session)
    histograms = snapshot.histograms if inside_shown(prefix) else ()
    if not snapshot.health and not histograms and not snapshot.hints:
        return
    if not isinstance(session.data, PointData):
        st.subheader("Inside the network")
    if histograms:
        height = health_figure_height(len(histograms))
        live_chart(training_health_figure(histograms, height), key=f"{prefix}health_chart",
                   height=height, toolbar=False)  # fmt: skip
    st.caption("Each layer on the training data: dead ReLUs never fire; saturated sigmoid "
               "or tanh units sit at their limits, where gradients vanish.")  # fmt: skip
    for line in snapshot.health:
        st.markdown(plain(line))
    for hint in snapshot.hints:
        st.warning(plain(hint), icon=":material/lightbulb:")


def _look_back_key(prefix: str, session: TrainingSession) -> str:
    """The slider's key names the run and its present step: each pause gets a new slider
    that starts at the present, and a value the browser still sends for an older one (clicks
    come quickly in a class) changes nothing."""
    return f"{prefix}{LOOK_BACK}_{id(session)}_{session.snapshots[0].step}"


def look_back(prefix: str, session: TrainingSession) -> None:
    """While paused, a slider back through the moments the run's timeline kept. It starts at
    the present and goes back there with Play, a new step or a new run."""
    key = _look_back_key(prefix, session)
    timeline = session.runs[0].timeline
    if timeline is None:
        return
    steps = timeline.steps()
    if session.playing or len(steps) < 2:
        # The same place, kept while training runs, so nothing below moves at Pause.
        st.slider("Look back", 0, 1, 1, format="now", disabled=True,
                  key=f"{prefix}{LOOK_BACK}_idle",
                  help="Pause to look back through the run.")  # fmt: skip
        return
    st.select_slider(
        "Look back", steps, value=steps[-1], key=key, format_func=lambda step: f"step {step:,}",
        help="Every view as it was at an earlier step: the first steps and the latest ones are "
             "kept finely, the rest more and more sparsely. Play goes on from the present.",
    )  # fmt: skip


def shown_snapshot(
    prefix: str, session: TrainingSession, present: Snapshot | None = None
) -> Snapshot:
    """What the views draw: the present snapshot (`present`, or the session's latest), or
    while paused the moment the look-back slider is at, with the present curves up to it."""
    if present is None:
        present = session.snapshots[0]
    step = st.session_state.get(_look_back_key(prefix, session))
    timeline = session.runs[0].timeline
    if session.playing or timeline is None or step is None or step >= present.step:
        return present
    moment = timeline.at(step)
    return present if moment is None else present.as_of(moment)


def page_on_screen(prefix: str) -> bool:
    """Whether the page under `prefix` has been on the screen, so its views below the fold are
    drawn (see `below_the_fold`)."""
    return bool(st.session_state.get(f"{prefix}{FIRST_PAINT}"))


def below_the_fold(prefix: str) -> bool:
    """Whether to draw the views below the fold of the page under `prefix`: not in its first
    run in a browser session, which instead asks for a run once the browser shows the page
    (`first_paint`); from then on, always."""
    return after_first_paint(f"{prefix}{FIRST_PAINT}")


def live_views(
    prefix: str, session: TrainingSession, view: View, redraw_seconds: float = REDRAW_SECONDS
) -> None:
    """Every view of a one-run session, redrawn while it plays: on 2-D points the decision
    boundary beside the curves; on images the curves beside a few test images and guesses,
    then what the network gets wrong and its first layer's weights.

    The views below those (inside the network, weight norms, the image views) come from the
    run after the browser has shown the page (`first_paint`)."""
    live = session.training_now
    queued = session.playing and not live
    session_key = f"{prefix}session"

    interval = redraw_interval(redraw_seconds)

    def redrawn(seconds: float) -> Callable[[Callable[[], None]], Callable[[], None]]:
        """A fragment redrawn every `seconds` while the session trains, still while paused;
        while queued, drawn once as part of the page (its status line is a fragment of its
        own, `queue_watch`)."""
        if queued:
            return lambda function: function
        return page_fragment(seconds if live else None)

    @redrawn(interval)
    def live_view() -> None:
        if session is not st.session_state.get(session_key):
            return  # a newer run replaced this one; the next full run draws it
        snapshot = shown_snapshot(prefix, session, session.fresh_snapshots()[0])
        data = session.data
        draw_metrics(snapshot)
        draw_status(session, snapshot, speed=isinstance(data, ImageSet),
                    watch_key=session_key if queued else None)  # fmt: skip
        if isinstance(data, PointData):
            boundary_column, curves_column = st.columns([11, 9], gap="medium")
            with boundary_column:
                draw_boundary(prefix, data, snapshot, view.show_test)
        else:
            curves_column, examples_column = st.columns([11, 9], gap="medium")
            if isinstance(data, ImageSet):
                with examples_column:
                    draw_examples(prefix, data, snapshot)
        with curves_column:
            draw_curves(prefix, snapshot)
        if live and not session.training_now:
            # Training stopped by itself (show Play again) or went to the queue: a full run
            # shows the real state.
            st.rerun(scope="app")
        if live and abs(redraw_interval(redraw_seconds) - interval) > 0.5 * interval:
            st.rerun(scope="app")  # more or fewer sessions train now: a new redraw interval

    def calm_view(draw, seconds: float):
        """A view redrawn every `seconds` (stretched when many sessions train) while the
        session trains; like the live view, it shows the real state when that changed."""

        @redrawn(redraw_interval(seconds))
        def view() -> None:
            if session is st.session_state.get(session_key):
                draw(prefix, session)
                if live and not session.training_now:
                    st.rerun(scope="app")

        return view

    live_weight_norms = calm_view(draw_weight_norms, NORMS_REDRAW_SECONDS)
    live_image_views = calm_view(draw_image_views, IMAGE_VIEWS_REDRAW_SECONDS)
    live_diagram = calm_view(draw_diagram, INSIDE_REDRAW_SECONDS)
    live_inside = calm_view(draw_inside, INSIDE_REDRAW_SECONDS)

    config = session.configs[0]
    for warning in config_warnings(config.batch_norm, config.batch_size, config.hidden):
        st.warning(plain(warning), icon="⚠️")
    look_back(prefix, session)
    live_view()
    if not below_the_fold(prefix):
        return  # they come in the run after the browser shows this much
    if isinstance(session.data, ImageSet):
        live_image_views()
    if isinstance(session.data, PointData):
        # The diagram of maps carries the network's shape; the health histograms sit beside
        # the weight norms (both a distribution per layer).
        if inside_switch(prefix, session):
            live_diagram()
        else:
            draw_architecture(prefix, session)
        health_column, norms_column = st.columns([11, 9], gap="medium")
        with health_column:
            live_inside()
        with norms_column:
            live_weight_norms()
        return
    norms_column, architecture_column = st.columns([11, 9], gap="medium")
    with norms_column:
        live_weight_norms()
    with architecture_column:
        draw_architecture(prefix, session)
    live_inside()

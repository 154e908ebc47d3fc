"""What two or more pages draw the same way: metric tiles, the status line and the queue,
training curves, weight norms, the network's shape, layer health, the look-back slider, and
`LiveViews`, the redraw machinery of a page's live views.

While training plays, a page's views redraw from the session's snapshots in fragments: the
top (metrics, status and the page's own picture beside the curves) every `REDRAW_SECONDS`,
calmer views (weight norms, inside views, image views) at their own pace. While paused on 2-D
points, a "Look back" slider steps back through the moments the run's timeline kept, and
every view shows the moment it is at (`shown_snapshot`). Nothing here changes the session;
drawing reads snapshots only. Each page's own views: `playground_views`, `mnist_views`,
`compare_views`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import streamlit as st

from playground.charts.curves import Curve, curves_figure
from playground.charts.inside import health_figure_height, training_health_figure
from playground.charts.network import architecture_figure
from playground.charts.norms import weight_norm_figure
from playground.charts.style import MINIBATCH_COLOR, MUTED_TEXT_COLOR, TEST_COLOR, TRAIN_COLOR
from playground.core.config import Config
from playground.core.goals import Goal
from playground.core.hints import Hint, regularisation_hint, setup_hints
from playground.core.inside import LayerHistograms, near_zero_text
from playground.core.links import View, link_query
from playground.core.session import Snapshot, TrainingSession, is_regression
from playground.core.text import format_number
from playground.ui import keys, plain_text
from playground.ui.accessibility import ACCESSIBLE_CSS, accessibility_fixes
from playground.ui.first_paint import after_first_paint
from playground.ui.live_chart import STEADY_CSS, live_chart
from playground.ui.model_views import REGRESSION_EXPORT_NOTE, network_code
from playground.ui.resources import page_fragment, redraw_interval
from playground.ui.settings_panel import forget_panel_state

__all__ = ["LiveViews", "below_the_fold", "page_on_screen", "page_style"]

REDRAW_SECONDS = 0.2  # the live view's redraw interval while training plays
NORMS_REDRAW_SECONDS = 1.0  # weight norms change slowly: a redraw a second leaves time to train
# The diagram of maps and the health histograms are the heaviest views to draw (in the browser
# too): a calm redraw every two seconds keeps training fast.
INSIDE_REDRAW_SECONDS = 2.0
CURVE_HEIGHT = 225
R2_AXIS_LOWEST = -1.0  # the R² axis goes no lower: a wild first guess would flatten the rest
NORMS_HEIGHT = 300
ARCHITECTURE_HEIGHT = 220
# While queued only the status line redraws: the charts do not change until training starts.
# Every second near the front of the queue, less often further back, where a place frees up
# only every few seconds (see `queue_watch_seconds`).
QUEUE_WATCH_SECONDS = 1.0
QUEUE_WATCH_MAX_SECONDS = 5.0
QUEUE_WATCH_PER_SECOND = 3  # places in the queue per second of the interval


# A page's sections are headings of the second level, under its title (axe-core faulted the
# third level straight after the first), drawn at the size the third level had.
SECTION_HEADING_CSS = '[data-testid="stHeadingWithActionElements"] h2{font-size:1.75rem}'


def page_style() -> None:
    """Room for the charts on a projector, no fading of live views while they redraw, and
    what an accessibility check asks of Streamlit's own elements (see `accessibility`)."""
    st.html(
        "<style>.block-container{padding-top:2.2rem;padding-bottom:1rem}"
        f"{SECTION_HEADING_CSS}{plain_text.MESSAGE_CSS}{ACCESSIBLE_CSS}</style>{STEADY_CSS}"
    )
    accessibility_fixes()


def code_block(text: str, max_height: str | None = None, label: str = "Code") -> None:
    """`text` in a monospace block (scrolling past `max_height`, a CSS length, if given). Not
    `st.code`: its syntax highlighter is a 1.5 MB script that took the browser about 0.8 s to
    load and run on a 2-core machine, for code that reads well without colours."""
    # A scrolling block keeps code's lines whole (scrolling sideways); a short one wraps them.
    scroll = f"max-height:{max_height};overflow:auto;" if max_height else ""
    wrap = "white-space:pre;" if max_height else "white-space:pre-wrap;"
    # A block that scrolls takes the keyboard's focus, so it scrolls with the arrow keys too.
    focus = f' tabindex="0" role="region" aria-label="{html.escape(label)}"' if max_height else ""
    st.html(
        f'<pre{focus} style="font-size:0.8rem;line-height:1.4;padding:0.75rem 1rem;margin:0;'
        f'background:rgba(128,128,128,0.08);border-radius:0.5rem;{wrap}{scroll}">'
        f"{html.escape(text)}</pre>"
    )


def network_code_view(session: TrainingSession) -> None:
    """The network as code: the plain NumPy program the Model section exports, with the data
    cut to a few points."""
    if is_regression(session.data):
        st.caption(REGRESSION_EXPORT_NOTE)
        return
    code_block(network_code(session), max_height="32rem", label="The network as code")
    if session.configs[0].is_images:
        st.caption("It runs as it is: it reads the images from the app's own files. The Model "
                   "section downloads it as a notebook or a script.")  # fmt: skip
    else:
        st.caption("The first points of each set only: the downloads in the Model section hold "
                   "them all, and run.")  # fmt: skip


def _format_rate(per_second: float) -> str:
    """A rate to three figures, so it does not flicker in its last digits: "845", "12,300"."""
    return f"{float(f'{per_second:.3g}'):,.0f}" if per_second >= 100 else f"{per_second:.3g}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}es" if noun.endswith("s") else \
        f"{count} {noun}s"  # fmt: skip


def _format_duration(seconds: float) -> str:
    """A duration to two figures in its natural unit: "0.42 s", "38 s", "2.5 min", "1.2 h"."""
    for unit, size in (("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.2g} {unit}"
    return f"{seconds:.2g} s"


def draw_metrics(snapshot: Snapshot) -> None:
    """Step, epoch, and the loss and accuracy on both splits (on a regression set the mean
    squared error and R², the share of the targets' variance the network explains)."""
    columns = st.columns(6)
    columns[0].metric("Step", f"{snapshot.step:,}")
    columns[1].metric("Epoch", f"{snapshot.epoch:,.1f}")
    if snapshot.regression:
        r2_help = "R² = 1 − (squared error) / (variance of the targets): 1 is a perfect fit, " \
                  "0 no better than always predicting their mean."  # fmt: skip
        columns[2].metric("Train MSE", format_number(snapshot.train_loss))
        columns[3].metric("Test MSE", format_number(snapshot.test_loss))
        columns[4].metric("Train R²", format_number(snapshot.train_accuracy), help=r2_help)
        columns[5].metric("Test R²", format_number(snapshot.test_accuracy), help=r2_help)
        return
    columns[2].metric("Train loss", format_number(snapshot.train_loss))
    columns[3].metric("Test loss", format_number(snapshot.test_loss))
    columns[4].metric("Train accuracy", format_number(snapshot.train_accuracy, percent=True))
    columns[5].metric("Test accuracy", format_number(snapshot.test_accuracy, percent=True))


def queued_text(position: int, session: TrainingSession | None = None) -> str:
    """What a session waiting for a place to train says (see `playground.core.scheduler`):
    with training processes the cap is a guard, far above a class, so it says the number."""
    ahead = position - 1
    who = "you are next" if ahead == 0 else f"{ahead} ahead of you"
    places = None if session is None else session.places
    if places is not None:
        one = "it" if places.capacity == 1 else "one of them"
        seconds = f"{places.place_seconds:g} s"
        return (f"Queued ({who}): this server trains up to "
                f"{_plural(places.capacity, 'network')} at once, and yours starts when {one} "
                f"pauses or has trained for {seconds} while others wait.")  # fmt: skip
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
        st.caption(f"{queued_text(position, session)} {step_hint}")

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
        plain_text.message(
            f"Training stopped by an unexpected error: {session.error}. Press Reset.", "error"
        )
    elif snapshot.diverged:
        plain_text.message(f"{snapshot.diverged} Then press Reset.", "error")
    else:
        state = "Training…" if session.playing else "Paused."
        if session.playing and session.queue_position:
            state = queued_text(session.queue_position, session)
        elif session.playing and session.remote is not None and session.pool is not None:
            sharing = session.pool.playing
            if sharing > 1:  # said honestly: the pool's processes are shared evenly
                rate = ""
                if snapshot.samples_per_second:
                    steps = snapshot.samples_per_second / session.configs[0].batch_size
                    rate = f"; this one at about {_format_rate(steps)} steps/s"
                state = (f"Training ({sharing} sessions share this server's "
                         f"{_plural(session.pool.size, 'training process')}{rate}).")  # fmt: skip
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


def draw_curves(prefix: str, snapshot: Snapshot, config: Config | None = None) -> None:
    """Loss and accuracy over the steps: per minibatch, and on the training and test sets;
    with `config`, the learning rate now in words, and a schedule's rate beside the loss."""
    loss_curves = [
        Curve("Minibatch loss", *snapshot.step_loss, color=MINIBATCH_COLOR),
        Curve("Train loss", *snapshot.train_loss_curve, color=TRAIN_COLOR),
        Curve("Test loss", *snapshot.test_loss_curve, color=TEST_COLOR),
    ]
    rate = None
    if len(snapshot.lr_curve[0]):
        rate = Curve("Learning rate", *snapshot.lr_curve, color=MUTED_TEXT_COLOR)
    live_chart(
        curves_figure(
            loss_curves,
            y_title="MSE" if snapshot.regression else "Loss",
            height=CURVE_HEIGHT,
            rate=rate,
        ),  # fmt: skip
        key=f"{prefix}loss_chart",
        height=CURVE_HEIGHT,
    )
    if config is not None and snapshot.learning_rate is not None:
        st.caption(config.learning_rate_text(snapshot.learning_rate))
    metric, y_range = "accuracy", (0.0, 1.02)
    if snapshot.regression:
        metric = "R²"
        y_range = r2_axis_range([snapshot.train_accuracy_curve[1],
                                 snapshot.test_accuracy_curve[1]])  # fmt: skip
    accuracy_curves = [
        Curve(f"Train {metric}", *snapshot.train_accuracy_curve, color=TRAIN_COLOR),
        Curve(f"Test {metric}", *snapshot.test_accuracy_curve, color=TEST_COLOR),
    ]
    live_chart(
        curves_figure(accuracy_curves, y_title=metric[:1].upper() + metric[1:],
                      height=CURVE_HEIGHT, y_range=y_range),
        key=f"{prefix}accuracy_chart",
        height=CURVE_HEIGHT,
    )  # fmt: skip


def r2_axis_range(curves: Sequence[np.ndarray]) -> tuple[float, float]:
    """The y range of a chart of R² curves: from 0 to just above 1, reaching lower where a
    curve dips below 0 (R² starts far below 0 for a network that guesses wildly), but not
    below `R2_AXIS_LOWEST`."""
    lows = [float(np.min(y)) for y in curves if np.size(y)]
    return max(min([0.0, *lows]), R2_AXIS_LOWEST), 1.02


def draw_weight_norms(prefix: str, session: TrainingSession) -> None:
    snapshot = shown_snapshot(prefix, session)
    config = session.configs[0]
    layer_names = [f"Dense {index + 1}" for index in range(len(snapshot.weight_norms))]
    largest = max((float(norms.max()) for norms in snapshot.weight_norms), default=1.0)
    if config.max_norm:
        largest = max(largest, config.max_norm)
    # The axis only grows, so the bars do not jump at every redraw.
    axis_key = keys.NORM_AXIS_MAX.of(prefix)
    axis_max = max(st.session_state.get(axis_key, 0.0), largest * 1.1)
    st.session_state[axis_key] = axis_max
    live_chart(
        weight_norm_figure(snapshot.weight_norms, layer_names, max_norm=config.max_norm,
                           x_max=axis_max, height=NORMS_HEIGHT),
        key=f"{prefix}norms_chart",
        height=NORMS_HEIGHT,
    )  # fmt: skip
    if snapshot.near_zero:
        st.caption(near_zero_text(snapshot.near_zero))


def draw_architecture(
    prefix: str, session: TrainingSession, feature_labels: Sequence[str] = ()
) -> None:
    """The network's shape, with the input features named where they have names; drawn once
    per full run, not at every redraw."""
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
    inputs = f"Inputs: {', '.join(feature_labels)}. " if feature_labels else ""
    st.caption(f"{inputs}{network.n_params:,} parameters")
    with st.expander("The network as code"):
        network_code_view(session)


def _look_back_key(prefix: str, session: TrainingSession) -> str:
    """The slider's key names the run and its present step: each pause gets a new slider
    that starts at the present, and a value the browser still sends for an older one (clicks
    come quickly in a class) changes nothing."""
    return f"{keys.LOOK_BACK.of(prefix)}_{id(session)}_{session.snapshots[0].step}"


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
                  key=f"{keys.LOOK_BACK.of(prefix)}_idle",
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
    return bool(st.session_state.get(keys.FIRST_PAINT.of(prefix)))


def below_the_fold(prefix: str) -> bool:
    """Whether to draw the views below the fold of the page under `prefix`: not in its first
    run in a browser session, which instead asks for a run once the browser shows the page
    (`first_paint`); from then on, always."""
    return after_first_paint(keys.FIRST_PAINT.of(prefix))


def draw_health(
    prefix: str, snapshot: Snapshot, histograms: Sequence[LayerHistograms], heading: bool
) -> None:
    """Each layer's health: the histograms of activations and gradients where the page draws
    them; the dead or saturated share of every hidden layer in words, and the hints they
    give. With `heading`, under a heading of its own."""
    if not snapshot.health and not histograms and not snapshot.hints:
        return
    if heading:
        st.header("Inside the network")
    if histograms:
        height = health_figure_height(len(histograms))
        live_chart(training_health_figure(histograms, height), key=f"{prefix}health_chart",
                   height=height, toolbar=False)  # fmt: skip
    st.caption("Each layer on the training data: dead ReLUs never fire; saturated sigmoid "
               "or tanh units sit at their limits, where gradients vanish.")  # fmt: skip
    for line in snapshot.health:
        plain_text.line(line)
    for hint in snapshot.hints:
        plain_text.message(hint, "warning", icon="hint")


def apply_fix(prefix: str, config: Config, view: View, fix: Mapping[str, Any]) -> None:
    """A hint's one-click fix: the page opens again on its setup with `fix` applied (as a
    link it reads afresh, so every widget shows the new values)."""
    changed, _ = Config.resolve({**config.to_values(), **fix})
    forget_panel_state(prefix)
    st.query_params.from_dict({key: [value] for key, value in link_query(changed, view).items()})


def draw_hint(prefix: str, hint: Hint, config: Config, view: View, key: str) -> None:
    """A hint in words, with its fix as a button where it has one."""
    plain_text.message(hint.text, "warning", icon="hint")
    if hint.fix:
        st.button(hint.fix_label, key=f"{prefix}fix_{key}", icon=":material/build:",
                  on_click=apply_fix, args=(prefix, config, view, hint.fix))  # fmt: skip


def draw_setup_hints(prefix: str, session: TrainingSession, view: View) -> None:
    """What the setup itself gets wrong, before any training (see `setup_hints`)."""
    config = session.configs[0]
    for index, hint in enumerate(setup_hints(config)):
        draw_hint(prefix, hint, config, view, f"setup_{index}")


def draw_regularisation_hint(prefix: str, session: TrainingSession, view: View) -> None:
    """A regulariser with nothing to cure, said once the run shows it (see
    `regularisation_hint`)."""
    snapshot = session.snapshots[0]
    config = session.configs[0]
    if snapshot.regression:
        return  # the hints weigh accuracies, which a regression has none of
    hint = regularisation_hint(config, snapshot.train_accuracy, snapshot.test_accuracy,
                               snapshot.step)  # fmt: skip
    if hint is not None:
        draw_hint(prefix, hint, config, view, "regularisation")


def draw_goal(goal: Goal, configs: Sequence[Config], snapshots: Sequence[Snapshot],
              names: Sequence[str] = ()) -> None:  # fmt: skip
    """A lesson's or a challenge's goal with its live check: met (by which run, where there
    are several), met earlier in this browser session, or where the run stands."""
    index, words = goal.check_any(configs, snapshots)
    met = st.session_state.setdefault(keys.GOALS_MET.of(""), set())
    text = goal.to_text()
    title = f"{goal.title}: " if goal.title else ""
    if index is not None:
        met.add(text)
        who = f"{names[index]}, " if names else ""
        plain_text.message(f"{title}{goal.describe()}. Goal met ({who}{words}).", "success")
    elif text in met:
        plain_text.message(f"{title}{goal.describe()}. Goal met earlier in this session; now "
                           f"{words}.", "success")  # fmt: skip
    else:
        plain_text.message(f"{title}{goal.describe()}. Not yet: {words}.", "info", icon="goal")


def goal_met(goal: Goal) -> bool:
    """Whether this browser session has met `goal` on any page."""
    return goal.to_text() in st.session_state.get(keys.GOALS_MET.of(""), set())


class LiveViews:
    """The redraw machinery of one page's live views of a one-run session.

    While the session trains, `top` redraws every `redraw_seconds` and each `calm` view at its
    own pace (both stretched when many sessions train, see `redraw_interval`); while paused
    they are drawn once; while queued they are drawn once as part of the page, and only the
    status line redraws (`queue_watch`). When training stops by itself or goes to the queue,
    or the redraw interval changes a lot, a full run shows the real state.
    """

    def __init__(
        self,
        prefix: str,
        session: TrainingSession,
        redraw_seconds: float = REDRAW_SECONDS,
        goal: Goal | None = None,
    ) -> None:
        self.prefix = prefix
        self.goal = goal
        self.session = session
        self.live = session.training_now
        self.queued = session.playing and not self.live
        self.session_key = keys.SESSION.of(prefix)
        self.redraw_seconds = redraw_seconds
        self.interval = redraw_interval(redraw_seconds)

    def _redrawn(self, seconds: float) -> Callable[[Callable[[], None]], Callable[[], None]]:
        if self.queued:
            return lambda function: function
        return page_fragment(seconds if self.live else None)

    def _current(self) -> bool:
        """Whether this page's session is still the one in the session state (a newer run
        replaces it; the next full run draws that)."""
        return self.session is st.session_state.get(self.session_key)

    def top(self, draw: Callable[[Snapshot], None], speed: bool = False) -> None:
        """The metrics, the status line (with the training speed if `speed`) and `draw` of
        the snapshot the views show, redrawn every `redraw_seconds` while training."""
        prefix, session = self.prefix, self.session

        @self._redrawn(self.interval)
        def live_view() -> None:
            if not self._current():
                return
            snapshot = shown_snapshot(prefix, session, session.fresh_snapshots()[0])
            draw_metrics(snapshot)
            draw_status(session, snapshot, speed=speed,
                        watch_key=self.session_key if self.queued else None)  # fmt: skip
            if self.goal is not None:
                draw_goal(self.goal, session.configs, [snapshot])
            draw(snapshot)
            if self.live and not session.training_now:
                # Training stopped by itself (show Play again) or went to the queue: a full
                # run shows the real state.
                st.rerun(scope="app")
            interval = self.interval
            if self.live and abs(redraw_interval(self.redraw_seconds) - interval) > 0.5 * interval:
                st.rerun(scope="app")  # more or fewer sessions train now: a new redraw interval

        live_view()

    def calm(self, draw: Callable[[str, TrainingSession], None], seconds: float) -> None:
        """`draw(prefix, session)`, redrawn every `seconds` while the session trains."""

        @self._redrawn(redraw_interval(seconds))
        def view() -> None:
            if self._current():
                draw(self.prefix, self.session)
                if self.live and not self.session.training_now:
                    st.rerun(scope="app")

        view()

"""What a page keeps between runs: shared data sets, the session's worker thread, the BLAS
thread limit, and the training session of each configuration panel.

Data sets are `st.cache_resource`s shared by every browser session of the server (never
changed in place: their arrays are read-only). The worker is one thread per browser session,
stopped when the tab closes. The training state itself lives in `st.session_state`, so it
survives a websocket reconnect.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

import streamlit as st
import threadpoolctl

from mlp import datasets
from mlp.datasets.images import missing_files
from playground.core.config import SPEEDS, Config
from playground.core.data import (
    CurveData,
    ImageSet,
    PointData,
    TrainingData,
    make_csv_data,
    make_drawn_data,
    make_image_set,
    make_regression_data,
    make_toy_data,
)
from playground.core.scheduler import (
    TrainingPlaces,
    default_at_once,
    default_capacity,
    default_place_seconds,
)
from playground.core.session import TrainingSession, Worker
from playground.core.training_pool import (
    SESSIONS_PER_PROCESS,
    TrainingPool,
    configured_processes,
)
from playground.ui import keys, plain_text

__all__ = [
    "run_through_entry",
    "current_session",
    "data_for",
    "get_worker",
    "limit_blas_threads",
    "pause_session",
    "redraw_interval",
]


# Sessions training at once before redraws slow down: with more, each page redraws in
# proportion less often, so all redraws together cost about what one session's do. At 2, a
# class of thirty (four training, the rest queued) spent the interpreter on redraws and trained
# a median of about 30 steps/s per session; at 1, 125-181, with clicks handled sooner.
FULL_RATE_SESSIONS = 1
MAX_REDRAW_SECONDS = 2.0


@st.cache_resource(show_spinner=False, max_entries=64)
def toy_data(
    dataset: str,
    n_points: int,
    noise: float,
    train_share: float,
    data_seed: int,
    features: tuple[str, ...],
    label_noise: float,
) -> PointData:
    """Toy data are shared by every session; the key holds only what shapes the data."""
    return make_toy_data(dataset, n_points, noise, train_share, data_seed, features, label_noise)


@st.cache_resource(show_spinner=False, max_entries=32)
def regression_data(
    dataset: str,
    n_points: int,
    noise: float,
    train_share: float,
    data_seed: int,
    features: tuple[str, ...],
) -> PointData | CurveData:
    """Regression sets are shared by every session, as the toy sets are."""
    return make_regression_data(dataset, n_points, noise, train_share, data_seed, features)


@st.cache_resource(show_spinner=False, max_entries=64)
def drawn_data(
    points: tuple[tuple[float, float, int], ...], features: tuple[str, ...]
) -> PointData:
    """A set drawn by hand: a new one at every click, so many are kept."""
    return make_drawn_data(points, features)


@st.cache_resource(show_spinner=False, max_entries=16)
def csv_data(
    content: bytes, train_share: float, seed: int, features: tuple[str, ...], label_noise: float
) -> tuple[PointData, tuple[str, ...]]:
    """A CSV as a run trains on it, with the sentences to show beside it on how it was read
    (its encoding, decimal commas, a constant column, a regression's targets)."""
    return make_csv_data(content, train_share, seed, features, label_noise)


@st.cache_resource(show_spinner=False, max_entries=4)
def image_set(name: str, source: str) -> ImageSet:
    """An MNIST-family set, loaded (and downloaded if need be) once per server process."""
    return make_image_set(datasets.load_images(name, source))


@st.cache_resource(show_spinner=False)
def download_lock() -> threading.Lock:
    """One download at a time per server: a second session waits, then finds the files."""
    return threading.Lock()


def download_with_progress(name: str) -> None:
    """Download the files of the full set `name` missing from the data folder, with a progress
    bar; left at 100% with where the files went, or removed when the download fails (the
    DataError then says why, and no partial file is left: see `datasets.download`)."""
    with download_lock():
        if not missing_files(name):  # another session got them meanwhile
            return
        label = datasets.IMAGE_DATASETS[name]
        bar = st.progress(0.0, text=f"Downloading {label}: it happens once…")
        status = st.empty()  # what the download says, as plain text: it names files and folders

        def report(fraction: float, message: str) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=f"Downloading {label}…")
            with status:
                plain_text.line(message)

        try:
            folder = datasets.download(name, progress=report)
        except BaseException:
            bar.empty()
            status.empty()
            raise
        bar.progress(1.0, text=f"{label}: downloaded")
        with status:
            plain_text.line(f"{label} downloaded into {folder}")


def data_for(
    config: Config, upload, draws_points: bool = False
) -> PointData | CurveData | ImageSet | None:
    """The data the configuration asks for; None (with a message shown) when there is none.

    upload: the file uploader's current file, for `dataset="csv"`. draws_points: the page
    shows an empty plane to draw on itself (the Playground) when a drawn set has no point.
    """
    if config.is_images:
        try:
            if config.source == "full" and missing_files(config.dataset):
                download_with_progress(config.dataset)
            with st.spinner("Loading the images…"):
                return image_set(config.dataset, config.source)
        except datasets.DataError as error:
            plain_text.message(error, "error")
            return None
    if config.dataset == "csv":
        if upload is None:
            st.info("Upload a CSV of points under Data in the sidebar: two numeric columns, then "
                    "a label.")  # fmt: skip
            return None
        content = upload.getvalue()
        try:
            data, notes = csv_data(content, config.train_share, config.data_seed,
                                   config.features, config.label_noise)  # fmt: skip
        except datasets.DataError as error:
            plain_text.message(f"That file cannot be used: {error}", "error")
            return None
        for note in notes:
            plain_text.message(note, "info")
        return data
    if config.is_regression:
        return regression_data(config.dataset, config.n_points, config.noise,
                               config.train_share, config.data_seed, config.features)  # fmt: skip
    if config.dataset == "drawn":
        if not config.points:
            if not draws_points:
                st.info("This drawn set has no points yet. Draw them on the Playground "
                        "(Data: Drawn by hand), then open this page from there with its "
                        "link.")  # fmt: skip
            return None
        return drawn_data(config.points, config.features)
    return toy_data(config.dataset, config.n_points, config.noise, config.train_share,
                    config.data_seed, config.features, config.label_noise)  # fmt: skip


@st.cache_resource(show_spinner=False)
def limit_blas_threads() -> threadpoolctl.ThreadpoolController:
    """One BLAS thread per process, set once: on two cores, BLAS threads that spin beside the
    server's own threads made a 64-64-64 network train 20 times slower."""
    controller = threadpoolctl.ThreadpoolController()
    controller.limit(limits=1, user_api="blas")
    return controller


def _close_pool(pool: TrainingPool | None) -> None:
    if pool is not None:
        pool.close()


@st.cache_resource(show_spinner=False, on_release=_close_pool)
def training_pool() -> TrainingPool | None:
    """The server's training processes (`MLP_TRAINING_PROCESSES`), or None: sessions then
    train in their page's process (see `playground.core.training_pool`)."""
    processes = configured_processes()
    if not processes:
        return None
    pool = TrainingPool(processes)
    pool.start()
    return pool


@st.cache_resource(show_spinner=False)
def training_places() -> TrainingPlaces:
    """The server's places to train (see `playground.core.scheduler`): one for every session.
    With training processes, `SESSIONS_PER_PROCESS` for each (a guard: a class trains at
    once); without, two per core in the page's process."""
    pool = training_pool()
    capacity = default_capacity(None if pool is None else SESSIONS_PER_PROCESS * pool.size)
    return TrainingPlaces(capacity, default_at_once(), default_place_seconds())


def page_work() -> AbstractContextManager[None]:
    """Mark a page run (the whole script, or a live view) so that training gives way to it;
    see `playground.core.scheduler`."""
    return training_places().page_work()


def page_fragment(run_every: float | None) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """`st.fragment(run_every=...)` whose runs count as page work. The wrapper keeps the
    function's module and name, which Streamlit uses to tell fragments apart."""

    def decorate(function: Callable[[], None]) -> Callable[[], None]:
        @functools.wraps(function)
        def counted() -> None:
            with page_work():
                function()

        return st.fragment(run_every=run_every)(counted)

    return decorate


def redraw_interval(seconds: float) -> float:
    """A live view's redraw interval, stretched while many sessions train: the server draws
    every page from one interpreter, so with more than `FULL_RATE_SESSIONS` training, each
    page redraws less often (at most every `MAX_REDRAW_SECONDS`) and the total drawing work
    stays about the same, leaving time to train and to serve new pages. Queued sessions do
    not count: their pages do not redraw (see `views.queue_watch`)."""
    pool = training_pool()
    busy = training_places().training if pool is None else pool.playing
    return min(max(seconds, MAX_REDRAW_SECONDS), seconds * max(1.0, busy / FULL_RATE_SESSIONS))


@st.cache_resource(scope="session", on_release=Worker.stop, show_spinner=False)
def get_worker() -> Worker:
    """One training thread per browser session; released (stopped, its place to train given
    back) when the tab closes."""
    return Worker(training_places())


def run_through_entry() -> None:
    """Call first in every page file: make sure the run went through `app.py`.

    Streamlit decides once per server process whether the app uses the old `pages/` folder
    convention, by whether that folder exists, until the entry calls `st.navigation`. So when
    the first visitor after a start opens a page's own address (`/mnist`), Streamlit runs that
    page file directly: no page config, no BLAS thread limit, a navigation of file names. This
    settles the question for the process and runs the same address again through the entry.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the old convention
        return
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def current_session(
    prefix: str, configs: list[Config], data: TrainingData, speed: str
) -> TrainingSession:
    """The panel's training session, rebuilt when the data or a setting that cannot change
    while training runs has changed (or Reset was pressed); live settings are applied."""
    session: TrainingSession | None = st.session_state.get(keys.SESSION.of(prefix))
    rebuild = (
        session is None
        or session.reset_requested
        or (session.data is not data and not session.can_take(data))
        or len(session.runs) != len(configs)
        or any(new.needs_reset(old) for new, old in zip(configs, session.configs, strict=True))
    )
    if not rebuild and session.data is not data:
        session.replace_data(data)  # points drawn by hand join training at the next step
    if rebuild:
        if session is not None:
            session.pause()
        session = TrainingSession(configs, data)
        session.pool = training_pool()
        if session.pool is not None:
            session.places = training_places()
        session.set_speed(SPEEDS[speed])
        st.session_state[keys.SESSION.of(prefix)] = session
        st.session_state[keys.NORM_AXIS_MAX.of(prefix)] = 0.0
    elif configs != session.configs:
        session.apply_live(configs)
    get_worker().attach(session)
    return session


def pause_session(prefix: str) -> None:
    """Nothing may train out of sight: pause the panel's session while it has no data."""
    session: TrainingSession | None = st.session_state.get(keys.SESSION.of(prefix))
    if session is not None:
        session.pause()

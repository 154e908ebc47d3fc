"""Places to train: a cap on sessions training at once, a first-come queue, and workers that
wait their turn, give their place back and still answer their page while queued."""

from __future__ import annotations

import threading
import time
from collections import deque
from contextlib import contextmanager
from types import SimpleNamespace

import pytest

from playground.core import scheduler
from playground.core import session as session_module
from playground.core.config import Config
from playground.core.data import make_toy_data
from playground.core.scheduler import (
    TrainingPlaces,
    default_at_once,
    default_capacity,
    default_place_seconds,
)
from playground.core.session import (
    BUSY_PAUSE_SECONDS,
    BUSY_SLICE_SECONDS,
    CHUNK_SECONDS,
    TrainingSession,
    Worker,
)


class FakeClock:
    """A clock that moves only when the test moves it (what `TrainingPlaces(clock=...)` reads)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_places_go_first_come_first_served_up_to_the_capacity():
    places = TrainingPlaces(2)
    a, b, c, d = (object() for _ in range(4))
    assert [places.request(x) for x in (a, b, c, d)] == [0, 0, 1, 2]
    assert places.request(d) == 2 and places.request(a) == 0  # asking again changes nothing
    places.release(b)  # c moves up into the free place, d is next
    assert places.request(c) == 0 and places.request(d) == 1
    places.release(d)  # leaving the queue
    places.release(object())  # never asked: ignored
    assert (places.training, places.waiting) == (2, 0)
    with pytest.raises(ValueError):
        TrainingPlaces(0)


def test_a_place_is_held_for_a_while_then_goes_to_the_next_in_the_queue():
    clock = FakeClock()
    places = TrainingPlaces(2, place_seconds=30, clock=clock)
    a, b, c = object(), object(), object()
    assert [places.request(x) for x in (a, b)] == [0, 0]  # both hold a place from t = 0
    clock.advance(30)  # a and b have held theirs for place_seconds: their time is up
    assert places.request(a) == 0, "nobody waits: a keeps its place past its time"
    assert places.request(c) == 1
    assert places.request(a) == 1, "c waits and a's time is up: a goes to the back"
    assert places.request(c) == 0  # c holds a place from t = 30
    assert places.request(b) == 1, "then b, whose time is up too"
    assert places.request(a) == 0  # a holds one again from t = 30
    clock.advance(29.5)  # t = 59.5: c has held its place 29.5 s of its 30, b still waits
    assert places.request(c) == 0, "c's time is not up yet"
    assert (places.training, places.waiting) == (2, 1)
    clock.advance(0.5)  # t = 60: c's 30 s are up, b waits: c goes behind b
    assert places.request(c) == 1 and places.request(b) == 0
    with pytest.raises(ValueError):
        TrainingPlaces(2, place_seconds=0)


def test_how_long_a_place_is_held_comes_from_the_environment_or_is_30_s(monkeypatch):
    monkeypatch.delenv("MLP_PLACE_SECONDS", raising=False)
    assert default_place_seconds() == 30.0
    monkeypatch.setenv("MLP_PLACE_SECONDS", "90")
    assert default_place_seconds() == 90.0
    for bad in ("0", "-5", "1.5e9", "soon", "999999999"):
        monkeypatch.setenv("MLP_PLACE_SECONDS", bad)
        assert default_place_seconds() == 30.0


def test_the_capacity_comes_from_the_environment_or_the_cores(monkeypatch):
    monkeypatch.setattr(scheduler.os, "cpu_count", lambda: 3)
    monkeypatch.setenv("MLP_MAX_TRAINING", "7")
    assert default_capacity() == 7
    monkeypatch.setenv("MLP_MAX_TRAINING", "256")  # the largest allowed
    assert default_capacity() == 256
    # Unset or out of 1..256: two per core, 2 × 3 = 6 on the three cores patched in above.
    monkeypatch.delenv("MLP_MAX_TRAINING")
    assert default_capacity() == 6
    for bad in ("0", "-3", "lots", "257", "100000"):
        monkeypatch.setenv("MLP_MAX_TRAINING", bad)
        assert default_capacity() == 6, bad
    monkeypatch.setattr(scheduler.os, "cpu_count", lambda: None)  # cores unknown: one, so 2
    assert default_capacity() == 2
    # With training processes, their share (a guard far above a class) unless set.
    assert default_capacity(40) == 40
    monkeypatch.setenv("MLP_MAX_TRAINING", "7")
    assert default_capacity(40) == 7


def wait_for(predicate, timeout=10.0):
    """Whether `predicate()` came true within `timeout` seconds (a bound for a stuck thread,
    not a speed: it is asked every 20 ms until then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


class CountingPlaces(TrainingPlaces):
    """Places that count how often each holder asked for one."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.asked: dict[int, int] = {}

    def request(self, holder: object) -> int:
        self.asked[id(holder)] = self.asked.get(id(holder), 0) + 1
        return super().request(holder)


def test_a_queued_session_waits_and_trains_when_a_place_frees():
    config = Config(n_points=200)
    data = make_toy_data(config.dataset, config.n_points, config.noise, config.train_share,
                         config.data_seed)  # fmt: skip
    places = CountingPlaces(1)
    first, second = TrainingSession([config], data), TrainingSession([config], data)
    workers = [Worker(places), Worker(places)]
    try:
        workers[0].attach(first)
        first.play()
        assert wait_for(lambda: first.step_count > 50)
        workers[1].attach(second)
        second.play()
        assert wait_for(lambda: second.queue_position == 1)
        # Its worker asks again every QUEUE_POLL_SECONDS: three more answers of "queued",
        # and not one step in between.
        asked = places.asked[id(second)]
        assert wait_for(lambda: places.asked[id(second)] >= asked + 3)
        assert second.step_count == 0, "a queued session trained"
        # its page still gets fresh snapshots while it waits
        assert second.fresh_snapshots(timeout=1.0)[0].step == 0
        first.pause()  # gives the place back
        assert wait_for(lambda: second.step_count > 50), "the queued session never started"
        assert second.queue_position == 0
    finally:
        for worker in workers:
            worker.stop()
    assert places.training == 0 and places.waiting == 0  # stopped workers gave places back


def test_how_many_train_at_once_comes_from_the_environment_or_is_one(monkeypatch):
    monkeypatch.delenv("MLP_TRAINING_AT_ONCE", raising=False)
    assert default_at_once() == 1
    monkeypatch.setenv("MLP_TRAINING_AT_ONCE", "3")
    assert default_at_once() == 3
    for bad in ("0", "-1", "two", "100000"):
        monkeypatch.setenv("MLP_TRAINING_AT_ONCE", bad)
        assert default_at_once() == 1
    with pytest.raises(ValueError):
        TrainingPlaces(4, at_once=0)


@pytest.mark.parametrize("at_once", [1, 2])
def test_turns_let_at_most_at_once_run_and_go_in_order(at_once):
    places = TrainingPlaces(8, at_once=at_once)
    names = [f"t{index}" for index in range(7)]
    order: list[str] = []  # who got a turn, in that order
    entered = {name: threading.Event() for name in names}
    leave = {name: threading.Event() for name in names}
    running, most = [0], [0]
    lock = threading.Lock()

    def take_turn(name: str) -> None:
        with places.turn():
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
                order.append(name)
            entered[name].set()
            leave[name].wait(10)  # holds its turn until the test lets it go
            with lock:
                running[0] -= 1

    def queued() -> int:
        return len(places._turn_queue)  # tickets waiting for a turn

    threads = []
    try:
        # One after the other: each is inside or in the queue before the next one asks.
        for index, name in enumerate(names):
            thread = threading.Thread(target=take_turn, args=(name,))
            thread.start()
            threads.append(thread)
            if index < at_once:
                assert entered[name].wait(10), f"{name} did not get a free turn"
            else:
                assert wait_for(lambda n=index: queued() == n + 1 - at_once)
        assert order == names[:at_once] and running[0] == at_once  # the rest wait
        # Each one that leaves lets in the next in the queue, first come first served.
        for index, name in enumerate(names):
            leave[name].set()
            if index + at_once < len(names):
                assert entered[names[index + at_once]].wait(10)
                assert order == names[: index + at_once + 1]
    finally:
        for name in names:
            leave[name].set()
        for thread in threads:
            thread.join(10)
    assert most[0] == at_once
    assert order == names


class LoggedTurnQueue(deque):
    """`TrainingPlaces`' queue of turns, logging which thread queues for a turn and which one
    goes ahead with it. Both happen under the places' lock, so the log holds them in the
    order they happened."""

    def __init__(self, log: list) -> None:
        super().__init__()
        self.log = log

    def append(self, ticket) -> None:
        self.log.append(("queued", threading.get_ident()))
        super().append(ticket)

    def popleft(self):
        self.log.append(("turn", threading.get_ident()))
        return super().popleft()


def test_two_sessions_with_one_turn_both_train_fairly():
    config = Config(n_points=200)
    data = make_toy_data(config.dataset, config.n_points, config.noise, config.train_share,
                         config.data_seed)  # fmt: skip
    places = TrainingPlaces(2, at_once=1)
    log: list[tuple[str, int]] = []
    places._turn_queue = LoggedTurnQueue(log)  # the queue `turn()` keeps, logged
    sessions = [TrainingSession([config], data), TrainingSession([config], data)]
    trains = {}  # worker thread: the session it trains, as seen from its chunks

    def watch(session):
        train_chunk = session.advance

        def advance(*args, **kwargs):
            trains[threading.get_ident()] = session
            train_chunk(*args, **kwargs)

        session.advance = advance

    for session in sessions:
        watch(session)
    workers = [Worker(places), Worker(places)]

    def turns(session) -> int:
        return sum(1 for what, who in list(log) if what == "turn" and trains.get(who) is session)

    try:
        for worker, session in zip(workers, sessions, strict=True):
            worker.attach(session)
            session.play()
        # Neither starves: both keep getting turns.
        assert wait_for(lambda: min(turns(s) for s in sessions) >= 20), [turns(s) for s in sessions]
        for session in sessions:
            session.pause()
    finally:
        for worker in workers:
            worker.stop()
    # First come, first served: the k-th thread to go ahead is the k-th that queued, so a
    # session that waits goes before the one whose turn just ended and queued behind it.
    queued = [who for what, who in log if what == "queued"]
    went = [who for what, who in log if what == "turn"]
    assert went == queued[: len(went)]
    assert set(trains) == set(went)  # two threads, one per session
    # Every turn trained: at least one step each (a turn ends after one chunk).
    for session in sessions:
        assert session.step_count >= turns(session) > 0


class LoggedPlaces(TrainingPlaces):
    """Places that log, per thread, when it gets a turn and when it gives it back."""

    def __init__(self, log: list, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.log = log

    @contextmanager
    def turn(self):
        with super().turn():
            self.log.append((threading.get_ident(), "turn", None))
            try:
                yield
            finally:
                self.log.append((threading.get_ident(), "end of turn", None))


def test_training_gives_way_while_a_page_is_drawn_but_keeps_going(monkeypatch):
    """The worker trains in full chunks (ending early when a page starts) while no page is
    drawn; while one is, in short slices, each followed by a pause in which it keeps the turn,
    so no session trains; and it keeps training all the while."""
    log: list[tuple[int, str, object]] = []  # (thread, what, detail) in the order they happened

    class LoggedEvent(threading.Event):
        def wait(self, timeout=None):
            log.append((threading.get_ident(), "wait", timeout))
            return super().wait(timeout)

    # The worker pauses by waiting on an Event it makes: the session module's Events are
    # logged (the Thread and RLock are the real ones).
    logged_threading = SimpleNamespace(Event=LoggedEvent, Thread=threading.Thread,
                                       RLock=threading.RLock)  # fmt: skip
    monkeypatch.setattr(session_module, "threading", logged_threading)
    config = Config(n_points=200)
    data = make_toy_data(config.dataset, config.n_points, config.noise, config.train_share,
                         config.data_seed)  # fmt: skip
    places = LoggedPlaces(log, 2)
    session = TrainingSession([config], data)
    train_chunk = session.advance

    def advance(seconds=CHUNK_SECONDS, stop_early=None):
        chunk = {"seconds": seconds, "stop_early": stop_early, "busy": places.pages_busy()}
        log.append((threading.get_ident(), "advance", chunk))
        steps = session.step_count
        train_chunk(seconds, stop_early)
        chunk["steps"] = session.step_count - steps

    session.advance = advance

    def chunks(busy: bool) -> list[dict]:
        return [d for _, what, d in list(log) if what == "advance" and d["busy"] == busy]

    worker = Worker(places)
    try:
        worker.attach(session)
        session.play()
        assert wait_for(lambda: len(chunks(busy=False)) >= 3)
        with places.page_work():
            assert places.pages_busy()
            steps = session.step_count
            # It keeps going: three slices begun while the page is drawn, and steps taken.
            assert wait_for(lambda: len(chunks(busy=True)) >= 3)
            assert wait_for(lambda: session.step_count > steps)
        assert not places.pages_busy()
        session.pause()
    finally:
        worker.stop()
    thread = next(t for t, what, _ in log if what == "advance")  # only the worker trains
    mine = [(what, detail) for t, what, detail in log if t == thread]
    slices = 0
    for index, (what, chunk) in enumerate(mine):
        if what != "advance":
            continue
        if chunk["seconds"] == CHUNK_SECONDS:  # a full chunk, stopped when a page starts
            assert chunk["stop_early"] == places.pages_busy
            assert mine[index + 1][0] == "end of turn"  # then gives the turn back
            if chunk["busy"]:
                # begun just as the page began (the worker had looked a moment before):
                # it stopped after its first step
                assert chunk["steps"] <= 1
        else:  # a slice while a page is drawn, then a pause holding the turn
            slices += 1
            assert (chunk["seconds"], chunk["stop_early"]) == (BUSY_SLICE_SECONDS, None)
            assert mine[index + 1 : index + 3] == [
                ("wait", BUSY_PAUSE_SECONDS),
                ("end of turn", None),
            ]
    # Of the chunks begun while the page was drawn, at most the first was a full one.
    assert sum(chunk["seconds"] == CHUNK_SECONDS for chunk in chunks(busy=True)) <= 1
    assert slices >= 3


@pytest.mark.parametrize(
    ("training", "seconds"), [(0, 0.2), (1, 0.2), (2, 0.4), (4, 0.8), (30, 2.0)]
)
def test_pages_redraw_less_often_the_more_sessions_train(monkeypatch, training, seconds):
    """Each training session's live view redraws in proportion less often, so the redraws of
    a class together cost about what one session's do (never less often than every 2 s)."""
    from playground.ui import resources

    places = TrainingPlaces(256)
    for _ in range(training):
        places.request(object())
    monkeypatch.setattr(resources, "training_pool", lambda: None)  # training in the server
    monkeypatch.setattr(resources, "training_places", lambda: places)
    assert resources.redraw_interval(0.2) == pytest.approx(seconds)
    assert resources.redraw_interval(5.0) == pytest.approx(5.0)  # already calm: as asked
    # With training processes: the sessions playing in them count, as they redraw.
    pool = SimpleNamespace(playing=training)
    monkeypatch.setattr(resources, "training_pool", lambda: pool)
    monkeypatch.setattr(resources, "training_places", lambda: TrainingPlaces(256))
    assert resources.redraw_interval(0.2) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("position", "seconds"), [(1, 1.0), (3, 1.0), (6, 2.0), (12, 4.0), (15, 5.0), (29, 5.0)]
)
def test_a_queued_page_redraws_less_often_the_further_back_it_waits(position, seconds):
    """Next in line sees its turn come within a second; far back, where a place frees up
    only every few seconds, the status line redraws every few seconds."""
    from playground.ui.common_views import queue_watch_seconds

    assert queue_watch_seconds(position) == pytest.approx(seconds)


def test_a_class_in_the_queue_asks_for_far_fewer_redraws_than_one_a_second_each():
    """Every redraw is a run in the server's one interpreter: 26 waiting tabs (30 students,
    4 places) ask for about 10 a second, not 26."""
    from playground.ui.common_views import queue_watch_seconds

    runs_per_second = sum(1 / queue_watch_seconds(position) for position in range(1, 27))
    assert 8 < runs_per_second < 12, runs_per_second


def test_a_queued_session_with_training_processes_names_the_cap():
    """With training processes the queue is a guard: its line says how many train at once."""
    from playground.ui.common_views import queued_text

    session = SimpleNamespace(places=TrainingPlaces(40, place_seconds=30))
    assert queued_text(3, session).startswith(
        "Queued (2 ahead of you): this server trains up to 40 networks at once, and yours "
        "starts when one of them pauses or has trained for 30 s while others wait."
    )
    session.places = TrainingPlaces(1, place_seconds=45)
    assert "up to 1 network at once, and yours starts when it pauses or has trained for 45 s" in (
        queued_text(1, session))  # fmt: skip
    assert "a few networks at a time" in queued_text(1)  # training in the server's process

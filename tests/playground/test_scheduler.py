"""Places to train: a cap on sessions training at once, a first-come queue, and workers that
wait their turn, give their place back and still answer their page while queued."""

from __future__ import annotations

import threading
import time

import pytest

from playground.core.config import Config
from playground.core.data import make_toy_data
from playground.core.scheduler import (
    TrainingPlaces,
    default_at_once,
    default_capacity,
    default_place_seconds,
)
from playground.core.session import TrainingSession, Worker


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
    places = TrainingPlaces(2, place_seconds=0.2)
    a, b, c = object(), object(), object()
    assert [places.request(x) for x in (a, b)] == [0, 0]
    time.sleep(0.3)
    assert places.request(a) == 0, "nobody waits: a keeps its place past its time"
    assert places.request(c) == 1
    assert places.request(a) == 1, "c waits and a's time is up: a goes to the back"
    assert places.request(c) == 0
    assert places.request(b) == 1, "then b, whose time is up too"
    assert places.request(a) == 0
    assert places.request(c) == 0, "c's time has only begun"
    assert (places.training, places.waiting) == (2, 1)
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
    monkeypatch.setenv("MLP_MAX_TRAINING", "7")
    assert default_capacity() == 7
    for bad in ("0", "-3", "lots", "100000"):
        monkeypatch.setenv("MLP_MAX_TRAINING", bad)
        assert default_capacity() >= 2


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_a_queued_session_waits_and_trains_when_a_place_frees():
    config = Config(n_points=200)
    data = make_toy_data(config.dataset, config.n_points, config.noise, config.train_share,
                         config.data_seed)  # fmt: skip
    places = TrainingPlaces(1)
    first, second = TrainingSession([config], data), TrainingSession([config], data)
    workers = [Worker(places), Worker(places)]
    try:
        workers[0].attach(first)
        first.play()
        assert wait_for(lambda: first.step_count > 50)
        workers[1].attach(second)
        second.play()
        assert wait_for(lambda: second.queue_position == 1)
        time.sleep(0.3)
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
    running, most, order = [0], [0], []
    lock = threading.Lock()
    first_in = threading.Event()

    def take_turn(name: str) -> None:
        with places.turn():
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
                order.append(name)
            first_in.set()
            time.sleep(0.05)
            with lock:
                running[0] -= 1

    holder = threading.Thread(target=take_turn, args=("first",))
    holder.start()
    first_in.wait(5)
    threads = []
    for index in range(6):  # queue up one after the other, while the first holds its turn
        thread = threading.Thread(target=take_turn, args=(f"t{index}",))
        thread.start()
        threads.append(thread)
        time.sleep(0.01)
    for thread in [holder, *threads]:
        thread.join(10)
    assert most[0] == at_once
    assert order == ["first"] + [f"t{index}" for index in range(6)]


def test_two_sessions_with_one_turn_both_train_fairly():
    config = Config(n_points=200)
    data = make_toy_data(config.dataset, config.n_points, config.noise, config.train_share,
                         config.data_seed)  # fmt: skip
    places = TrainingPlaces(2, at_once=1)
    sessions = [TrainingSession([config], data), TrainingSession([config], data)]
    workers = [Worker(places), Worker(places)]
    try:
        for worker, session in zip(workers, sessions, strict=True):
            worker.attach(session)
            session.play()
        assert wait_for(lambda: min(s.step_count for s in sessions) > 200)
        time.sleep(1.0)
        counts = [s.step_count for s in sessions]
        assert min(counts) > 0.5 * max(counts), counts  # turns alternate: neither starves
    finally:
        for worker in workers:
            worker.stop()


def test_training_gives_way_while_a_page_is_drawn_but_keeps_going():
    config = Config(n_points=200)
    data = make_toy_data(config.dataset, config.n_points, config.noise, config.train_share,
                         config.data_seed)  # fmt: skip
    places = TrainingPlaces(2)
    session = TrainingSession([config], data)
    worker = Worker(places)
    try:
        worker.attach(session)
        session.play()
        assert wait_for(lambda: session.step_count > 50)

        def steps_in(seconds: float) -> int:
            start = session.step_count
            time.sleep(seconds)
            return session.step_count - start

        free = steps_in(1.0)
        with places.page_work():
            assert places.pages_busy()
            giving_way = steps_in(1.0)
        assert not places.pages_busy()
        assert 0 < giving_way < 0.5 * free, (giving_way, free)
    finally:
        worker.stop()


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
    monkeypatch.setattr(resources, "training_places", lambda: places)
    assert resources.redraw_interval(0.2) == pytest.approx(seconds)
    assert resources.redraw_interval(5.0) == pytest.approx(5.0)  # already calm: as asked


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

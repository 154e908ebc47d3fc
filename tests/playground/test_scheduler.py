"""Places to train: a cap on sessions training at once, a first-come queue, and workers that
wait their turn, give their place back and still answer their page while queued."""

from __future__ import annotations

import time

import pytest

from playground.config import Config
from playground.data import make_toy_data
from playground.scheduler import TrainingPlaces, default_capacity
from playground.session import TrainingSession, Worker


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

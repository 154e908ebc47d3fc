"""Points drawn by hand: their link text, their limits, and a set a run can take mid-way."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs

from mlp import datasets
from playground.core import drawn
from playground.core.config import Config, HiddenLayer
from playground.core.data import make_drawn_data
from playground.core.links import link_query, read_link
from playground.core.model_io import data_shape
from playground.core.session import TrainingSession

COORDINATE = hs.integers(-600, 600).map(lambda hundredths: round(hundredths / 100, 2))
POINT = hs.tuples(COORDINATE, COORDINATE, hs.integers(0, drawn.MAX_CLASSES - 1))


@given(hs.lists(POINT, max_size=drawn.MAX_POINTS))
def test_a_drawn_set_reads_back_from_its_link_text_exactly(points):
    text = drawn.encode_points(points)
    assert len(text) == 4 * len(points)
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert drawn.decode_points(text) == tuple(points)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("abc", "4 characters a point"),
        ("////", "off the plane"),
        ("ab c", "characters a link never has"),
        ("é" * 4, "characters a link never has"),
        ("AAAA" * (drawn.MAX_POINTS + 1), f"at most {drawn.MAX_POINTS}"),
    ],
)
def test_link_text_that_is_not_a_drawn_set_says_why(text, words):
    with pytest.raises(drawn.PointsError, match=words):
        drawn.decode_points(text)
    config, notes = Config.from_query({"dataset": "drawn", "points": text})
    assert config.points == () and len(notes) == 1 and words in notes[0]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ([(0.0, 0.0)], "x, y and a class"),
        ([(7.0, 0.0, 0)], "between -6 and 6"),
        ([(float("nan"), 0.0, 0)], "finite"),
        ([(0.0, 0.0, 4)], "from 0 to 3"),
        ([(0.0, 0.0, 1.5)], "from 0 to 3"),
        ([(0.0, True, 1)], "must be numbers"),
        ([("1", 0.0, 1)], "must be numbers"),
        ([(0.0, 0.0, 0)] * (drawn.MAX_POINTS + 1), f"at most {drawn.MAX_POINTS}"),
    ],
)
def test_points_from_a_file_are_checked(raw, words):
    with pytest.raises(drawn.PointsError, match=words):
        drawn.normalise_points(raw)
    with pytest.raises(ValueError, match=words):
        Config.from_dict({"dataset": "drawn", "points": raw})


def test_coordinates_are_kept_to_hundredths_on_the_plane():
    assert drawn.normalise_points([(1.23456, -6.004, 2)]) == ((1.23, -6.0, 2),)
    assert drawn.add_point((), 5.999, 0.014, 1) == ((6.0, 0.01, 1),)


def test_a_set_is_added_to_and_removed_from_up_to_its_cap():
    points = drawn.add_point(drawn.add_point((), 1, 2, 0), 3, 4, 1)
    assert points == ((1.0, 2.0, 0), (3.0, 4.0, 1))
    assert drawn.remove_point(points, 0) == ((3.0, 4.0, 1),)
    assert drawn.remove_point(points, 5) == points  # no such point: unchanged
    full = ((0.0, 0.0, 0),) * drawn.MAX_POINTS
    assert drawn.add_point(full, 1, 1, 1) == full
    with pytest.raises(drawn.PointsError):
        drawn.add_point(points, 0, 0, drawn.MAX_CLASSES)


def test_a_config_and_a_link_carry_the_points_and_leave_them_out_when_there_are_none():
    points = ((-5.5, 1.25, 0), (2.0, -3.0, 1), (0.0, 0.0, 3))
    config = Config(dataset="drawn", points=points)
    assert Config.from_json(config.to_json()) == config
    link = read_link(link_query(config, read_link({}).view))
    assert link.config == config and link.notes == ()
    assert "points" not in Config().to_query()
    assert data_shape(config) == (2, 4)


def test_the_csv_of_a_drawn_set_reads_back_as_the_same_points():
    points = tuple((round(k / 3 - 5.5, 2), round(6 - k / 7, 2), k % 3) for k in range(12))
    X, y, names = datasets.load_points_csv(drawn.points_csv(points).encode())
    assert [(x1, x2, int(names[label])) for (x1, x2), label in zip(X.tolist(), y, strict=True)] == [
        (pytest.approx(x1), pytest.approx(x2), label) for x1, x2, label in points
    ]


def test_starting_from_a_toy_set_scales_it_onto_the_plane_and_keeps_at_most_the_cap():
    X, y = datasets.toy("blobs", 1000, 0.0, 0)  # reaches past 6
    points = drawn.points_from(X, y)
    assert len(points) == drawn.MAX_POINTS
    array = np.array(points)
    assert np.abs(array[:, :2]).max() <= drawn.PLANE
    assert set(array[:, 2].astype(int)) == {0, 1, 2, 3}
    tiny = drawn.points_from(np.array([[0.01, 0.02], [-0.02, 0.0]]), np.array([0, 1]))
    assert max(abs(x) for x, _, _ in tiny) > 1  # spread over the plane, not a dot


def test_a_drawn_set_is_all_training_and_scaled_on_the_plane_not_on_its_points():
    few = make_drawn_data(((1.0, 1.0, 0), (-2.0, 3.0, 1)), ("x1", "x2", "x1x2"))
    more = make_drawn_data(((1.0, 1.0, 0), (-2.0, 3.0, 1), (5.5, -5.5, 1)), ("x1", "x2", "x1x2"))
    assert len(few.y_test) == 0 and few.class_names == ("Class 0", "Class 1")
    np.testing.assert_array_equal(few.inputs_train, more.inputs_train[:2])
    np.testing.assert_array_equal(few.grid_inputs, more.grid_inputs)
    assert few.x_range == few.y_range == (-drawn.PLANE, drawn.PLANE)
    assert make_drawn_data(((0.0, 0.0, 2),)).class_names == ("Class 0", "Class 1", "Class 2")
    with pytest.raises(datasets.DataError, match="click on the plane"):
        make_drawn_data(())


def test_a_running_session_takes_new_points_at_its_next_step_and_keeps_its_network():
    points = ((-3.0, -3.0, 0), (-2.0, -3.5, 0), (3.0, 3.0, 1), (2.5, 3.5, 1))
    config = Config(dataset="drawn", points=points, hidden=(HiddenLayer(4, "tanh"),), seed=3)
    session = TrainingSession([config], make_drawn_data(points))
    session.step(25)
    run = session.runs[0]
    weights = [p.copy() for p in run.network.params()]
    more = points + ((3.0, -3.0, 0), (-3.0, 3.0, 1))
    data = make_drawn_data(more)
    assert session.can_take(data)
    session.replace_data(data)
    for before, now in zip(weights, run.network.params(), strict=True):
        np.testing.assert_array_equal(before, now)
    assert session.step_count == 25 and len(run.trainer.y_train) == 6
    assert "the drawn points changed (4 → 6) at step 25" in run.departures
    assert session.snapshots[0].step == 25
    session.step(400)
    assert session.snapshots[0].train_accuracy == 1.0  # it learned the new points too
    # A point of a class the network has no output for needs a new run.
    assert not session.can_take(make_drawn_data(more + ((0.0, 0.0, 2),)))
    assert not session.can_take(make_drawn_data(more, ("x1", "x2", "x1sq")))

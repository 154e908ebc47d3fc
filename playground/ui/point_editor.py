"""Draw your own points: the Playground's boundary chart as a place to click points onto.

With "Edit points" on, a click on the plane adds a point of the chosen class there and a click
on a point removes it (`take_click`); the set is the `points` setting (see
`playground.core.drawn`), so it is in the link and the model file like any other setting, and
can be downloaded as a CSV. A run takes the new set at its next step when its classes stay the
same (`TrainingSession.replace_data`), so training can go on while you draw; a point of a new
class restarts it. The same edits can be made from the keyboard: coordinates typed into a
form. With no point yet, the page shows an empty plane to start on (`empty_plane`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from playground.charts.boundary import empty_plane_figure
from playground.charts.style import CLASS_COLOR_NAMES
from playground.core import drawn
from playground.core.data import BOUNDARY_RESOLUTION, PointData
from playground.core.session import TrainingSession
from playground.ui import keys
from playground.ui.live_chart import live_chart

__all__ = ["edit_bar", "editing", "empty_plane", "rerun_if_edited", "take_click"]

DRAWN = "drawn"  # the data set's name in the settings


def _setting_key(prefix: str, name: str) -> str:
    """The session-state key of a setting's value (`SettingsPanel.key`)."""
    return f"{prefix}setting_{name}"


def _points(prefix: str) -> tuple[drawn.DrawnPoint, ...]:
    return tuple(st.session_state.get(_setting_key(prefix, "points"), ()))


def _set_points(prefix: str, points: Sequence[drawn.DrawnPoint]) -> None:
    st.session_state[_setting_key(prefix, "points")] = tuple(points)


def is_drawn(prefix: str) -> bool:
    return st.session_state.get(_setting_key(prefix, "dataset")) == DRAWN


def editing(prefix: str) -> bool:
    """Whether clicks on the boundary chart edit the drawn points now."""
    return is_drawn(prefix) and bool(st.session_state.get(keys.EDIT_POINTS.of(prefix), True))


def _class_count(points: Sequence[drawn.DrawnPoint]) -> int:
    return max([2] + [label + 1 for _, _, label in points])


def _class_label(label: int, used: int) -> str:
    name = f"Class {label} ({CLASS_COLOR_NAMES[label]})"
    return name if label < used else f"{name}, new"


def take_click(prefix: str, clicked) -> None:
    """What a click on the chart does (the chart's on_click): ["plane", x, y] adds a point of
    the chosen class there, ["point", row] removes that point. Anything else, or a click
    while not editing, does nothing; a point that cannot be added says why."""
    if not editing(prefix) or not isinstance(clicked, list | tuple) or not clicked:
        return
    points = _points(prefix)
    st.session_state.pop(keys.POINT_NOTE.of(prefix), None)
    try:
        if clicked[0] == "plane" and len(clicked) == 3:
            if len(points) >= drawn.MAX_POINTS:
                st.session_state[keys.POINT_NOTE.of(prefix)] = (
                    f"The set is full ({drawn.MAX_POINTS} points): remove a point to add another."
                )
                return
            label = int(st.session_state.get(keys.POINT_CLASS.of(prefix), 0))
            x, y = float(clicked[1]), float(clicked[2])
            _set_points(prefix, drawn.add_point(points, x, y, label))
        elif clicked[0] == "point" and len(clicked) == 2:
            _set_points(prefix, drawn.remove_point(points, int(clicked[1])))
    except (TypeError, ValueError) as error:  # drawn.PointsError is a ValueError
        st.session_state[keys.POINT_NOTE.of(prefix)] = f"That point cannot be added: {error}."


def rerun_if_edited(prefix: str, session: TrainingSession) -> None:
    """After a click changed the points (in the chart's own rerun), run the whole page: the
    settings, the link and the training session take the new set. Asked at every redraw of
    the chart, not only once after the click: while training runs, the chart's own timed
    reruns can cut that run of the page short, and the next redraw then asks again."""
    if editing(prefix) and _points(prefix) != session.configs[0].points:
        st.rerun(scope="app")


def _start(prefix: str, points: Sequence[drawn.DrawnPoint]) -> None:
    st.session_state[_setting_key(prefix, "dataset")] = DRAWN
    st.session_state[keys.EDIT_POINTS.of(prefix)] = True
    _set_points(prefix, points)


def _add_typed(prefix: str) -> None:
    x = st.session_state.get(f"{prefix}typed_point_x")
    y = st.session_state.get(f"{prefix}typed_point_y")
    take_click(prefix, ["plane", x, y])


def _class_picker(prefix: str, points: Sequence[drawn.DrawnPoint]) -> None:
    used = _class_count(points)
    offered = list(range(min(drawn.MAX_CLASSES, used + 1)))
    key = keys.POINT_CLASS.of(prefix)
    if st.session_state.get(key) not in offered:
        st.session_state[key] = 0
    st.radio("Class of the points you add", offered, key=key, horizontal=True,
             format_func=lambda label: _class_label(label, used), label_visibility="collapsed",
             help="A click on the plane adds a point of this class. A class no point has yet "
                  "restarts training (the network gets another output).")  # fmt: skip


def _typed_form(prefix: str) -> None:
    """The keyboard's way to add a point: its coordinates typed in."""
    with st.popover("Type a point", icon=":material/keyboard:",
                    help="Add a point of the chosen class by its coordinates."):  # fmt: skip
        with st.form(f"{prefix}typed_point", border=False):
            x_column, y_column = st.columns(2)
            x_column.number_input("x₁", -drawn.PLANE, drawn.PLANE, 0.0, step=0.5,
                                  key=f"{prefix}typed_point_x")  # fmt: skip
            y_column.number_input("x₂", -drawn.PLANE, drawn.PLANE, 0.0, step=0.5,
                                  key=f"{prefix}typed_point_y")  # fmt: skip
            st.form_submit_button("Add the point", on_click=_add_typed, args=(prefix,))


def _note(prefix: str) -> None:
    note = st.session_state.get(keys.POINT_NOTE.of(prefix))
    if note:
        st.warning(note, icon=":material/info:")


def edit_bar(prefix: str, data: PointData) -> None:
    """Above the boundary chart: the "Edit points" switch; while it is on, either the two
    ways to start a drawn set, or (on a drawn set) the class to add, Clear and the CSV."""
    drawing = is_drawn(prefix)
    switch_key = keys.EDIT_POINTS.of(prefix)
    if switch_key not in st.session_state:
        st.session_state[switch_key] = drawing
    switch_column, picker_column = st.columns([2.2, 8], vertical_alignment="center")
    switch_column.toggle("Edit points", key=switch_key,
                         help="Click on the plane to add a point, click a point to remove it; "
                              "training takes them at its next step.")  # fmt: skip
    if not st.session_state[switch_key]:
        return
    if not drawing:
        fits = data.n_classes <= drawn.MAX_CLASSES
        picker_column.caption(
            "Points are drawn on a set of their own. Start from the points shown (scaled to "
            f"the plane from {-drawn.PLANE:g} to {drawn.PLANE:g} if need be) or from nothing:"
            if fits else f"This set has more than {drawn.MAX_CLASSES} classes: start a drawn "
            "set from an empty plane."
        )  # fmt: skip
        current, empty = st.columns(2)
        current.button("Start from these points", key=f"{prefix}start_from_points",
                       disabled=not fits, on_click=_start,
                       args=(prefix, drawn.points_from(data.X_train, data.y_train)
                             if fits else ()), width="stretch")  # fmt: skip
        empty.button("Start from an empty plane", key=f"{prefix}start_empty",
                     on_click=_start, args=(prefix, ()), width="stretch")  # fmt: skip
        return
    points = _points(prefix)
    with picker_column:
        _class_picker(prefix, points)
    # A row of its own, so the buttons keep their words on a projector's wider type.
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button("Clear", key=f"{prefix}clear_points", on_click=_set_points,
                  args=(prefix, ()), help="Remove every point.")  # fmt: skip
        st.download_button("Points (CSV)", drawn.points_csv(points),
                           file_name="drawn-points.csv", mime="text/csv",
                           key=f"{prefix}points_csv", on_click="ignore",
                           help="x, y, class: the Playground reads it back as 'Your own "
                                "CSV'.")  # fmt: skip
        _typed_form(prefix)
        st.caption(
            f"{len(points):,} of {drawn.MAX_POINTS} points, every one for training. Click the "
            "plane to add a point of the class chosen, click a point to remove it."
        )
    _note(prefix)


def empty_plane(prefix: str, height: int) -> None:
    """A drawn set with no point yet: the plane to click the first points onto."""
    st.header("Draw your points")
    st.caption("Pick a class, then click on the plane to add points; training can start once "
               "there is a point.")  # fmt: skip
    st.session_state[keys.EDIT_POINTS.of(prefix)] = True
    picker_column, typed_column = st.columns([3, 1], vertical_alignment="center")
    with picker_column:
        _class_picker(prefix, ())
    with typed_column:
        _typed_form(prefix)
    _note(prefix)
    grid = np.linspace(-drawn.PLANE, drawn.PLANE, BOUNDARY_RESOLUTION, dtype=np.float32)
    live_chart(empty_plane_figure(grid, grid, height), key=f"{prefix}boundary_chart",
               height=height, on_click=lambda clicked: take_click(prefix, clicked),
               click_plane=True)  # fmt: skip

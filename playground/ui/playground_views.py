"""The Playground's own views of a run on 2-D points: the decision boundary beside the
curves, and inside the network the diagram of maps with one tile enlarged, the health
histograms beside the weight norms. What it shares with other pages is in `common_views`."""

from __future__ import annotations

import numpy as np
import streamlit as st

from playground.charts.boundary import decision_boundary_figure, prediction_figure
from playground.charts.inside import (
    DiagramUnit,
    DiagramWeight,
    network_diagram_figure,
    unit_map_figure,
    weight_name,
)
from playground.core.data import CurveData, PointData, fixed_subset
from playground.core.links import View
from playground.core.session import MAP_STRIDE, PointSnapshot, TrainingSession
from playground.ui import keys, point_editor
from playground.ui.backprop_views import backprop_section
from playground.ui.common_views import (
    INSIDE_REDRAW_SECONDS,
    NORMS_REDRAW_SECONDS,
    LiveViews,
    below_the_fold,
    draw_architecture,
    draw_curves,
    draw_health,
    draw_regularisation_hint,
    draw_setup_hints,
    draw_weight_norms,
    look_back,
    network_code_view,
    shown_snapshot,
)
from playground.ui.fit_views import fit_live_views
from playground.ui.live_chart import live_chart
from playground.ui.unit_edit_views import line_weight_box, unit_controls

__all__ = ["live_views"]

BOUNDARY_HEIGHT = 470
UNIT_MAP_HEIGHT = 340
UNIT_MAP_POINTS = 300  # training points drawn on the enlarged map


def draw_boundary(
    prefix: str, session: TrainingSession, snapshot: PointSnapshot, show_test: bool
) -> None:
    """The decision boundary with the points; while drawn points are edited, a click on it
    adds or removes a point (`point_editor`)."""
    point_editor.rerun_if_edited(prefix, session)
    data: PointData = session.data
    if data.task == "regression":
        figure = prediction_figure(
            data.grid_x, data.grid_y, snapshot.boundary, data.value_range, data.X_train,
            data.y_train, data.X_test if show_test else None, data.y_test if show_test else None,
            height=BOUNDARY_HEIGHT,
        )  # fmt: skip
        live_chart(figure, key=f"{prefix}boundary_chart", height=BOUNDARY_HEIGHT)
        return
    editable = point_editor.editing(prefix)
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
        editable=editable,
    )
    if editable:
        live_chart(figure, key=f"{prefix}boundary_chart", height=BOUNDARY_HEIGHT,
                   on_click=lambda clicked: point_editor.take_click(prefix, clicked),
                   click_plane=True)  # fmt: skip
    else:
        live_chart(figure, key=f"{prefix}boundary_chart", height=BOUNDARY_HEIGHT)


def inside_shown(prefix: str) -> bool:
    """Whether the inside views (diagram of maps, histograms) are switched on."""
    return bool(st.session_state.get(keys.SHOW_INSIDE.of(prefix), True))


def inside_switch(prefix: str, session: TrainingSession) -> bool:
    """The heading of the inside views and their switch (2-D points only); tells the
    session whether its snapshots need the maps and histograms."""
    title_column, switch_column = st.columns([13, 7], vertical_alignment="bottom")
    title_column.header("Inside the network")
    switch_column.toggle(
        "Show what every unit computes", value=True, key=keys.SHOW_INSIDE.of(prefix),
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
    chosen = st.session_state.get(keys.SELECTED_UNIT.of(prefix))
    if (isinstance(chosen, DiagramUnit) and 0 <= chosen.column < len(columns)
            and 0 <= chosen.unit < columns[chosen.column]):  # fmt: skip
        return chosen
    return DiagramUnit(max(len(columns) - 2, 1) if len(columns) > 2 else 1, 0)


def _drawn_weight(place, weight_shapes: list[tuple[int, int]]) -> DiagramWeight | None:
    """The weight line at `place` ([layer, source, unit]) if the diagram draws it, else None.
    `weight_shapes`: per Dense layer, the shape of its drawn weights."""
    if not (isinstance(place, (list, tuple)) and len(place) == 3
            and all(type(value) is int for value in place)):  # fmt: skip
        return None
    layer, source, unit = place
    if not 1 <= layer <= len(weight_shapes):
        return None
    n_from, n_to = weight_shapes[layer - 1]
    return DiagramWeight(layer, source, unit) if 0 <= source < n_from and 0 <= unit < n_to else None


def _take_click(prefix: str, clicked, columns: list[int],
                weight_shapes: list[tuple[int, int]]) -> None:  # fmt: skip
    """Keep a clicked tile ([column, unit] from the browser) as the one to enlarge, or a
    clicked weight line (["weight", layer, source, unit]) as the one to type, with the tile it
    leads to enlarged; anything else is ignored."""
    if isinstance(clicked, list) and clicked[:1] == ["weight"]:
        weight = _drawn_weight(clicked[1:], weight_shapes)
        if weight is not None:
            output = weight.layer == len(columns) - 1  # the class map is the output's tile
            target = DiagramUnit(weight.layer, 0 if output else weight.unit)
            st.session_state[keys.LINE_WEIGHT.of(prefix)] = weight
            st.session_state[keys.SELECTED_UNIT.of(prefix)] = target
            st.session_state.pop(keys.LINE_WEIGHT_ERROR.of(prefix), None)
        return
    try:
        column, unit = (int(value) for value in clicked)
    except (TypeError, ValueError):
        return
    if 0 <= column < len(columns) and 0 <= unit < columns[column]:
        st.session_state[keys.SELECTED_UNIT.of(prefix)] = DiagramUnit(column, unit)
        st.session_state.pop(keys.LINE_WEIGHT.of(prefix), None)  # a tile click closes the box


def draw_diagram(prefix: str, session: TrainingSession) -> None:
    """The network as a diagram of maps (2-D points), beside one tile enlarged and, once a
    weight line is clicked, the box to type that weight."""
    if st.session_state.pop(keys.NETWORK_EDITED.of(prefix), False):
        st.rerun(scope="app")  # a unit's or a line's control changed the network: all views
    snapshot = shown_snapshot(prefix, session)
    data = session.data
    if not inside_shown(prefix):
        return
    if snapshot.input_maps is None or snapshot.neuron_maps is None:
        st.caption("No maps were kept for this moment (the view was switched off).")
        return
    config = session.configs[0]
    hidden_maps = list(snapshot.neuron_maps)
    columns = [len(snapshot.input_maps), *(len(maps) for maps in hidden_maps), 1]
    weight_shapes = [weights.shape for weights in snapshot.diagram_weights]
    diagram_column, unit_column = st.columns([13, 7], gap="medium")
    selected = _selected_unit(prefix, columns)
    chosen = st.session_state.get(keys.LINE_WEIGHT.of(prefix))
    typed = (_drawn_weight([chosen.layer, chosen.source, chosen.unit], weight_shapes)
             if isinstance(chosen, DiagramWeight) else None)  # fmt: skip
    with diagram_column:
        norm = "BN + " if config.batch_norm else ""
        figure = network_diagram_figure(
            snapshot.input_maps, data.feature_labels, hidden_maps,
            [f"{norm}{layer.units} {layer.activation}" for layer in config.hidden],
            [layer.units for layer in config.hidden], snapshot.diagram_weights,
            snapshot.boundary[::2, ::2], data.class_names, selected, typed,
        )  # fmt: skip
        live_chart(figure, key=f"{prefix}diagram_chart", height=int(figure.layout.height),
                   toolbar=False,
                   on_click=lambda clicked: _take_click(prefix, clicked, columns,
                                                        weight_shapes))  # fmt: skip
    with unit_column:
        if typed is not None:
            present = session.snapshots[0].step
            line_weight_box(prefix, session, typed,
                            weight_name(typed, data.feature_labels, data.class_names,
                                        len(weight_shapes)),
                            snapshot.step if snapshot.step != present else None)  # fmt: skip
        st.caption(
            "Each tile: what an input or a unit computes over the plane, blue where it is "
            "high, vermillion where it is negative, white at zero (each tile on its own "
            "scale). Lines: the weights, blue positive, vermillion negative, wider when "
            "larger. Click a tile to enlarge it here, a line's dot to type its weight."
        )
        draw_unit_map(prefix, session, snapshot, selected)
        below = (list(data.feature_labels) if selected.column == 1 else
                 [f"unit {i + 1} of layer {selected.column - 1}"
                  for i in range(config.hidden[selected.column - 2].units)]
                 if 1 < selected.column <= len(config.hidden) else [])  # fmt: skip
        unit_controls(prefix, session, selected, below)
        st.caption(f"Inputs: {', '.join(data.feature_labels)}. "
                   f"{session.runs[0].network.n_params:,} parameters")  # fmt: skip
    # Full width: code wrapped into the narrow column above was hard to read.
    with st.expander("The network as code"):
        network_code_view(session)


def draw_unit_map(
    prefix: str, session: TrainingSession, snapshot: PointSnapshot, selected: DiagramUnit
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
        codes, xs, ys = snapshot.boundary, data.grid_x, data.grid_y
        title = "The prediction" if data.task == "regression" else "The class map"
    if data.task == "regression":  # points in one colour: their targets are on the big chart
        labels = np.zeros(len(points), dtype=np.int64)
    figure = unit_map_figure(codes, xs, ys, points, labels, data.n_classes, title,
                             class_map=selected.column > n_hidden,
                             height=UNIT_MAP_HEIGHT)  # fmt: skip
    live_chart(figure, key=f"{prefix}unit_map_chart", height=UNIT_MAP_HEIGHT, toolbar=False)


def draw_point_health(prefix: str, session: TrainingSession) -> None:
    """Each layer's health, with the histograms of activations and gradients while the
    inside views are on."""
    snapshot = shown_snapshot(prefix, session)
    histograms = snapshot.histograms if inside_shown(prefix) else ()
    draw_health(prefix, snapshot, histograms, heading=False)


def live_views(prefix: str, session: TrainingSession, view: View) -> None:
    """Every view of a one-run session on 2-D points, redrawn while it plays: the decision
    boundary beside the curves; below the fold (from the run after the browser has shown the
    page) the diagram of maps, which carries the network's shape, and the health histograms
    beside the weight norms (both a distribution per layer)."""
    if isinstance(session.data, CurveData):
        fit_live_views(prefix, session, view)
        return
    data: PointData = session.data
    views = LiveViews(prefix, session, goal=view.goal)

    def top(snapshot: PointSnapshot) -> None:
        boundary_column, curves_column = st.columns([11, 9], gap="medium")
        with boundary_column:
            draw_boundary(prefix, session, snapshot, view.show_test)
        with curves_column:
            draw_curves(prefix, snapshot, session.configs[0])

    draw_setup_hints(prefix, session, view)
    if not session.playing:  # said at a pause, so nothing moves while training runs
        draw_regularisation_hint(prefix, session, view)
    look_back(prefix, session)
    if data.task == "classification":
        point_editor.edit_bar(prefix, data)
    views.top(top)
    if not below_the_fold(prefix):
        return  # they come in the run after the browser shows this much
    if inside_switch(prefix, session):
        views.calm(draw_diagram, INSIDE_REDRAW_SECONDS)
    else:
        draw_architecture(prefix, session, data.feature_labels)
    health_column, norms_column = st.columns([11, 9], gap="medium")
    with health_column:
        views.calm(draw_point_health, INSIDE_REDRAW_SECONDS)
    with norms_column:
        views.calm(draw_weight_norms, NORMS_REDRAW_SECONDS)
    if data.task == "classification":  # its formulas are those of softmax cross-entropy
        backprop_section(prefix, session)

"""The look every chart shares: palette, fonts, the figure base and small helpers.

Every chart is redrawn several times a second while a network trains, so each builder:

- keeps its arrays as NumPy arrays of small dtypes (uint8 boundary codes, float32 coordinates),
  which Plotly serialises as compact base64 typed arrays;
- fixes its height, its margins and (where the caller gives them) its axis ranges, so the page
  does not jump between redraws;
- sets the same ``uirevision``, so a zoom or a legend click survives the next redraw.

The look is meant for a projector: a large base font, a white background, thin gridlines and a
colour-blind-safe palette (``CLASS_COLORS``).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

# Okabe & Ito (2008) "Color Universal Design" without its black, then three colours from
# Paul Tol's "muted" scheme, so up to 10 classes stay distinguishable for colour-blind viewers.
CLASS_COLORS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#332288",  # indigo
    "#999933",  # olive
    "#882255",  # wine
)

# The first colours' names, for words beside a chart ("click to add a blue point").
CLASS_COLOR_NAMES: tuple[str, ...] = ("blue", "orange", "green", "vermillion")

# Same string on every figure: Plotly keeps the user's zoom and legend clicks across redraws.
UI_REVISION = "mlp-playground"

# The page's own font where the browser has it (Streamlit ships Source Sans), else a sans.
FONT_FAMILY = '"Source Sans", "Source Sans Pro", "Source Sans 3", Arial, sans-serif'
TEXT_COLOR = "#222222"
MUTED_TEXT_COLOR = "#666666"
GRID_COLOR = "#E3E6EC"
POINT_OUTLINE_COLOR = "#333333"
# The series every page draws, each in one colour everywhere: training data blue, test data
# vermillion (apart for colour-blind viewers too), the noisy per-minibatch loss grey.
TRAIN_COLOR = CLASS_COLORS[0]
TEST_COLOR = CLASS_COLORS[3]
MINIBATCH_COLOR = "#BBBBBB"
MAX_NORM_COLOR = TEST_COLOR

AXIS_STYLE = {
    "gridcolor": GRID_COLOR,
    "gridwidth": 1,
    "linecolor": "#B8BEC8",
    "zerolinecolor": "#C8CDD6",
    "zerolinewidth": 1,
    "ticks": "",
    "automargin": False,  # margins stay fixed when tick labels change width
    "title": {"standoff": 8},
}

# The layout part of Plotly's "plotly_white" template, slimmed down: the full template also
# carries defaults for every trace type (about 7 kB), sent again with every redraw.
TEMPLATE = go.layout.Template(
    layout={
        "font": {"size": 15, "color": TEXT_COLOR, "family": FONT_FAMILY},
        "colorway": CLASS_COLORS,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hoverlabel": {"align": "left", "font": {"size": 14}},
        "xaxis": AXIS_STYLE,
        "yaxis": AXIS_STYLE,
    }
)


def figure(traces: list[dict], height: int, margin: dict[str, int], **layout) -> go.Figure:
    """One figure with the shared look, from plain dicts.

    Plotly's property validation is switched off: it cost more than half of every redraw of
    the live views (17 ms of 20 for the boundary). The tests rebuild every figure with
    validation on, so a wrong property name still fails there.
    """
    base_layout = {
        "template": TEMPLATE,
        "height": height,
        "margin": margin,
        "uirevision": UI_REVISION,
    }
    return go.Figure(
        data=[without_none(trace) for trace in traces],
        layout=without_none(base_layout | layout),
        _validate=False,
    )


def without_none(properties: dict) -> dict:
    """Drop unset (None) properties, as validation would: Plotly.js reads null as a value."""
    return {
        name: without_none(value) if isinstance(value, dict) else value
        for name, value in properties.items()
        if value is not None
    }


def hex_to_rgb(hex_color: str) -> tuple[int, int, int]:
    hex_digits = hex_color.lstrip("#")
    return int(hex_digits[0:2], 16), int(hex_digits[2:4], 16), int(hex_digits[4:6], 16)


def tint(hex_color: str, strength: float) -> str:
    """Blend ``hex_color`` with white: strength 0 is white, 1 is the colour itself."""
    red, green, blue = (round(255 - strength * (255 - c)) for c in hex_to_rgb(hex_color))
    return f"#{red:02x}{green:02x}{blue:02x}"


def empty_figure(message: str, height: int) -> go.Figure:
    """A blank figure of the given height with ``message`` in the middle.

    Used where a chart will appear (before training starts, or when a view has nothing to show),
    so the page keeps its layout when the real chart arrives.
    """
    return figure(
        [],
        height,
        {"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"visible": False, "fixedrange": True},
        yaxis={"visible": False, "fixedrange": True},
        annotations=[
            {
                "text": message,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "font": {"size": 16, "color": MUTED_TEXT_COLOR},
            }
        ],
    )


def as_range(bounds) -> list[float]:
    """An axis range as Plotly keeps it: a list of two plain floats."""
    low, high = bounds
    return [float(low), float(high)]


def grid_extent(coordinates: np.ndarray) -> tuple[float, float]:
    """Outer edges of the grid cells centred on ``coordinates`` (sorted, shape (G,))."""
    if len(coordinates) < 2:
        return float(coordinates[0]) - 0.5, float(coordinates[0]) + 0.5
    half_step = 0.5 * float(coordinates[1] - coordinates[0])
    return float(coordinates[0]) - half_step, float(coordinates[-1]) + half_step


def plotly_text(text: str) -> str:
    """``text`` (a class name from a person's file) as Plotly shows it: as written.

    Plotly renders a subset of HTML in names and hover text (``<a href>``, ``<b>``, ``<br>``)
    and decodes entities such as ``&lt;``; escaping ``&``, ``<`` and ``>`` leaves only the
    characters, so a label never becomes a live link.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- projector mode ---------------------------------------------------------------------------

PROJECTOR_TEXT_SCALE = 1.3  # every font of a chart (the page's own text grows 1.25×)
PROJECTOR_LINE_SCALE = 1.6
PROJECTOR_POINT_SCALE = 1.4
PROJECTOR_MARGIN_SCALE = 1.25  # room for the larger tick labels
PROJECTOR_TINT_SCALE = 1.6  # heatmap tints this much further from white: more contrast
_FONT_KEYS = frozenset({"font", "tickfont", "textfont", "titlefont", "insidetextfont",
                        "outsidetextfont"})  # fmt: skip


def _scaled(value, factor: float):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value * factor
    if isinstance(value, np.ndarray) and value.dtype.kind in "iuf":
        return value * factor
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value):
        return [v * factor for v in value]
    return value


def _deepen(color: str, factor: float) -> str:
    """A tint `factor` times further from white (clipped): "#f0f4fa" -> a stronger tint."""
    if color.startswith("#") and len(color) == 7:
        rgb = hex_to_rgb(color)
    elif color.startswith("rgb(") and color.endswith(")"):
        rgb = tuple(int(float(part)) for part in color[4:-1].split(","))
    else:
        return color
    deeper = [max(0, min(255, round(255 - (255 - c) * factor))) for c in rgb]
    return "#{:02x}{:02x}{:02x}".format(*deeper)


def _scale_properties(node, parent: str | None = None) -> None:
    if isinstance(node, list):
        for item in node:
            _scale_properties(item, parent)
        return
    if not isinstance(node, dict):
        return
    for name, value in node.items():
        if name == "size" and parent in _FONT_KEYS:
            node[name] = _scaled(value, PROJECTOR_TEXT_SCALE)
        elif name == "size" and parent == "marker":
            node[name] = _scaled(value, PROJECTOR_POINT_SCALE)
        elif name == "width" and parent == "line":
            node[name] = _scaled(value, PROJECTOR_LINE_SCALE)
        elif name == "colorscale" and isinstance(value, list):
            node[name] = [[stop, _deepen(color, PROJECTOR_TINT_SCALE)] if isinstance(color, str)
                          else [stop, color] for stop, color in value]  # fmt: skip
        else:
            _scale_properties(value, name)


def for_projector(figure: dict) -> dict:
    """`figure` (a figure as a dict, `Figure.to_dict()`) for projector mode, changed in place
    and returned: every font `PROJECTOR_TEXT_SCALE` times larger (the template's base font
    included), lines and point outlines thicker, points larger, the margins wider for the
    larger tick labels, and heatmap tints (the decision regions) further from white. The
    figure keeps its height, so the page does not move when the mode is switched."""
    layout = figure.setdefault("layout", {})
    _scale_properties(figure.get("data", []))
    template_font = layout.get("template", {}).get("layout", {}).get("font", {})
    base = template_font.get("size", TEMPLATE.layout.font.size)
    _scale_properties({name: value for name, value in layout.items() if name != "template"})
    font = layout.setdefault("font", {})
    if "size" not in font or font["size"] == base:
        font["size"] = base * PROJECTOR_TEXT_SCALE
    margin = layout.get("margin")
    if isinstance(margin, dict):
        for side in ("l", "b"):
            if isinstance(margin.get(side), (int, float)):
                margin[side] = round(margin[side] * PROJECTOR_MARGIN_SCALE)
    return figure

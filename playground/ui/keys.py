"""Every session-state key the pages keep besides their settings' widgets, declared once.

Each page keeps its state under its own prefix (`PLAYGROUND`, `MNIST`, `COMPARE`), so two
pages never share a value by accident; `KEY.of(prefix)` is the full key. The settings' own
widgets take their keys from `SETTINGS` through `SettingsPanel.key`; the charts' element keys
are named where the chart is drawn. `KEYS` is the table; a test checks that no module spells
one of these keys out by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KEPT_ON_NEW_SETUP", "KEYS", "StateKey"]

PLAYGROUND = ""  # one configuration on that page: its widgets keep their plain keys
MNIST = "mnist_"
COMPARE = "compare_"
LESSONS = "lessons_"
PREFIXES = (PLAYGROUND, MNIST, COMPARE, LESSONS)


@dataclass(frozen=True)
class StateKey:
    """One kind of value a page keeps in the session state, under the page's prefix."""

    name: str
    holds: str

    def of(self, prefix: str) -> str:
        return f"{prefix}{self.name}"


SESSION = StateKey("session", "the page's TrainingSession")
CONFIG = StateKey("config", "the Config the sidebar built last")
VIEW = StateKey("view", "the View (speed, test points shown) the sidebar built last")
NOTES = StateKey("notes", "what the page says about a link's values it could not use")
LAYERS = StateKey("layers", "the layer editor's rows, [units, activation] each")
CSV_UPLOAD = StateKey("csv_upload", "the CSV file uploader")
CSV_FILE = StateKey("csv_file", "the CSV file uploaded last, kept while the uploader is closed")
SECTION = StateKey("section_", "start of the sidebar sections' open flags, one per group")
CLICK_LOG = StateKey("click_log", "the run buttons' click ids acted on (ClickLog)")
RUN_CONTROLS = StateKey("run_controls", "the run buttons' component value")
NORM_AXIS_MAX = StateKey("norm_axis_max", "the weight-norm axis's end: it only grows in a run")
FIRST_PAINT = StateKey("first_paint", "set once the page was on the screen (first_paint)")
LOOK_BACK = StateKey("look_back", "start of the look-back slider's key, per run and step")
SHOW_INSIDE = StateKey("show_inside", "the switch of the inside views (maps, histograms)")
SELECTED_UNIT = StateKey("inside_unit", "the diagram's enlarged tile, a DiagramUnit")
LOADED_MODEL = StateKey("loaded_model", "a model file read, waiting to be applied")
MODEL_UPLOAD = StateKey("model_upload", "the model file uploader")
MODEL_ERROR = StateKey("model_error", "why the last model file could not be used")
VARIANTS = StateKey("variants", "Compare: the variants, as changes to the base setup")
VARIANTS_BASE = StateKey("variants_base", "Compare: the base setup the variants were made for")
VARIANT_GENERATION = StateKey("variant_generation", "Compare: renews the variant editors")
VARIANT_NOTES = StateKey("variant_notes", "Compare: what the link's variants could not use")
PRESET = StateKey("preset", "Compare: the preset chosen last")
COMPARISON = StateKey("comparison", "Compare: the last finished or imported sweep")
SWEEP_REQUESTED = StateKey("sweep_requested", "Compare: Run sweep was pressed")
LESSON_HINTS = StateKey("hints", "start of the keys of the hints shown, one per lesson")
GOALS_MET = StateKey("goals_met", "the goals met in this browser session, by their link text")
PROJECTOR_ON = StateKey("projector_on", "whether the page being drawn is in projector mode")
UNIT_KNOCK = StateKey("unit_knock", "start of the knock-out switch's key, per layer and unit")
UNIT_FREEZE = StateKey("unit_freeze", "start of the freeze switch's key, per layer and unit")
WEIGHT_SOURCE = StateKey("weight_source", "start of the key of the weight to type, per unit")
WEIGHT_VALUE = StateKey("weight_value", "start of the key of the typed weight, per unit")
WEIGHT_ERROR = StateKey("weight_error", "why the typed weight was not set")
LINE_WEIGHT = StateKey("line_weight", "the diagram's weight line clicked to type, a DiagramWeight")
LINE_WEIGHT_VALUE = StateKey("line_weight_value", "start of the key of the line's typed weight")
LINE_WEIGHT_ERROR = StateKey("line_weight_error", "why the line's typed weight was not set")
NETWORK_EDITED = StateKey("network_edited", "a hand on the network changed it: redraw the page")
EDIT_POINTS = StateKey("edit_points", "the switch of the boundary chart's point editing")
POINT_CLASS = StateKey("point_class", "the class a click on the plane adds a point of")
POINT_NOTE = StateKey("point_note", "what the last click on the plane could not do")
RESEED = StateKey("reseed", "settings whose widgets show the value used from the next run")
SWEEP_IMPORTED = StateKey("sweep_imported", "Compare: the id of the comparison file read last")
BACKPROP_OPEN = StateKey("backprop_open", "whether the backprop section (an expander) is open")
BACKPROP_POINT = StateKey("backprop_point", "backprop: the number (from 1) of the point traced")
BACKPROP_STAGE = StateKey("backprop_stage", "backprop: the pass drawn, forward or backward")
BACKPROP_UNIT = StateKey("backprop_unit", "backprop: the unit whose formulas are shown")
BACKPROP_STEP_BUTTON = StateKey("backprop_step_button", "backprop: 'Take one step' button")
BACKPROP_STEP = StateKey("backprop_step", "backprop: the last step taken, and on what (ShownStep)")
BACKPROP_STEPPED = StateKey("backprop_stepped", "backprop: a step was just taken: redraw the page")

KEYS: tuple[StateKey, ...] = (
    EDIT_POINTS, POINT_CLASS, POINT_NOTE,
    SESSION, CONFIG, VIEW, NOTES, LAYERS, CSV_UPLOAD, CSV_FILE, SECTION, CLICK_LOG,
    RUN_CONTROLS, NORM_AXIS_MAX, FIRST_PAINT, LOOK_BACK, SHOW_INSIDE, SELECTED_UNIT,
    LOADED_MODEL, MODEL_UPLOAD, MODEL_ERROR, VARIANTS, VARIANTS_BASE, VARIANT_GENERATION,
    PRESET, COMPARISON, SWEEP_REQUESTED, SWEEP_IMPORTED, GOALS_MET, RESEED,
    LESSON_HINTS, VARIANT_NOTES, BACKPROP_OPEN, BACKPROP_POINT, BACKPROP_STAGE, BACKPROP_UNIT,
    BACKPROP_STEP_BUTTON, BACKPROP_STEP, BACKPROP_STEPPED, PROJECTOR_ON, UNIT_KNOCK,
    UNIT_FREEZE, WEIGHT_SOURCE, WEIGHT_VALUE, WEIGHT_ERROR, LINE_WEIGHT, LINE_WEIGHT_VALUE,
    LINE_WEIGHT_ERROR, NETWORK_EDITED,
)  # fmt: skip

# Kept for the whole browser session, whatever page is set up anew.
SESSION_WIDE = (GOALS_MET,)


def belongs_to(key: str, prefix: str) -> bool:
    """Whether the session-state `key` is one of the page's under `prefix` (a key of a page
    whose prefix is longer, such as "mnist_" under the Playground's "", is not)."""
    if not key.startswith(prefix) or key in {k.of(PLAYGROUND) for k in SESSION_WIDE}:
        return False
    longer = [other for other in PREFIXES if len(other) > len(prefix) and other.startswith(prefix)]
    return not key.startswith(tuple(longer))


# What a page keeps when its setup is replaced (a paper preset, a quick start): the training
# session (rebuilt by the next run if the setup changed), the run controls, whose clicks carry
# ids the page has acted on, and the norms' axis.
KEPT_ON_NEW_SETUP = (SESSION, CLICK_LOG, RUN_CONTROLS, NORM_AXIS_MAX)

"""One description of an experiment, and the one list of settings behind it.

`SETTINGS` lists every setting of an experiment once: its type, default, range or choices,
label, help, whether it takes effect while training runs, and what its widget needs (the
steps a slider offers and how a value is shown). The sidebar builds every widget from it, the
URL is written and read through it, JSON files are checked by it, and the compare page varies
it. `VIEW_SETTINGS` do the same for what a page shows (speed, test points, hidden controls),
and `OPTIMIZERS` is the one table of optimizers: label, knobs and the engine object.

A `Config` is frozen and hashable, so it can key caches and be compared. Build one with
`Config()` for the defaults, `Config.from_query(params)` from a URL (lenient: bad values fall
back to defaults and come back as notes a person can read), `Config.resolve(values)` from
widgets (lenient about rules that tie settings together), or `Config.from_json(text)` /
`Config.from_dict(d)` (strict: every problem raises `ConfigError`).

Notes and errors are plain text. Wherever they quote what a person typed, the quote is
shortened (`shorten`); a page must still show them as plain text, never as Markdown.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlp.datasets import IMAGE_DATASETS, IMAGE_SOURCES, TOY_DATASETS
from mlp.datasets.regression import CURVE_DATASETS, REGRESSION_DATASETS
from mlp.optim import SGD, AdaGrad, Adam, Optimizer, RMSProp
from mlp.schedules import Schedule, make_schedule
from playground.core.data import DEFAULT_FEATURES, INPUT_FEATURES
from playground.core.drawn import (
    MAX_POINTS,
    PLANE,
    PointsError,
    decode_points,
    encode_points,
    normalise_points,
)

__all__ = [
    "ACTIVATION_CHOICES",
    "BATCH_SIZES",
    "CONTROL_GROUPS",
    "Config",
    "ConfigError",
    "DATASET_CHOICES",
    "FEATURE_CHOICES",
    "HiddenLayer",
    "INIT_CHOICES",
    "L1_PENALTIES",
    "LEARNING_RATES",
    "LIVE_SETTINGS",
    "MAX_HIDDEN_LAYERS",
    "MAX_UNITS",
    "OPTIMIZERS",
    "OPTIMIZER_CHOICES",
    "OptimizerSpec",
    "SCHEDULE_CHOICES",
    "SETTINGS",
    "SETTINGS_BY_NAME",
    "SPEEDS",
    "Setting",
    "VIEW_SETTINGS",
    "WEIGHT_DECAYS",
    "format_hidden",
    "parse_hidden",
    "shorten",
]

QUOTE_LIMIT = 80  # characters of a person's input quoted in a note; longer input is shortened


class ConfigError(ValueError):
    """A setting a person gave is wrong; the message says which and what is allowed."""


def shorten(text: Any, limit: int = QUOTE_LIMIT) -> str:
    """`text` as a short, printable quote: control characters escaped, long text cut.

    >>> shorten("a" * 100, 10)
    "'aaaaaaaaa…' (100 characters)"
    """
    text = str(text)
    printable = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )
    if len(printable) <= limit:
        return repr(printable)
    return f"{printable[: limit - 1] + '…'!r} ({len(text):,} characters)"


# -- choices, each defined once: (value, label shown in the UI) ------------------------------

TOY_CHOICES: tuple[tuple[str, str], ...] = (
    *TOY_DATASETS.items(),
    *REGRESSION_DATASETS.items(),
    ("drawn", "Drawn by hand"),
    ("csv", "Your own CSV"),
)
IMAGE_CHOICES: tuple[tuple[str, str], ...] = tuple(IMAGE_DATASETS.items())
DATASET_CHOICES: tuple[tuple[str, str], ...] = TOY_CHOICES + IMAGE_CHOICES
SOURCE_CHOICES: tuple[tuple[str, str], ...] = tuple(IMAGE_SOURCES.items())
FEATURE_CHOICES: tuple[tuple[str, str], ...] = tuple(
    (name, feature.label) for name, feature in INPUT_FEATURES.items()
)
ACTIVATION_CHOICES: tuple[tuple[str, str], ...] = (
    ("relu", "ReLU"),
    ("leaky_relu", "Leaky ReLU"),
    ("tanh", "tanh"),
    ("sigmoid", "sigmoid"),
    ("elu", "ELU"),
    ("gelu", "GELU"),
    ("silu", "SiLU (swish)"),
    ("sine", "sine"),
    ("linear", "linear (none)"),
)
INIT_CHOICES: tuple[tuple[str, str], ...] = (
    ("xavier", "Xavier (normal)"),
    ("xavier_uniform", "Xavier (uniform)"),
    ("he", "He (normal)"),
    ("small", "Small normal (0.01)"),
)


@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer: its label, the settings it reads besides lr, weight decay and L1, and how
    the engine's object is made from a configuration."""

    name: str
    label: str
    knobs: tuple[str, ...]
    make: Callable[[Config], Optimizer]


def _common(config: Config) -> dict[str, float]:
    return {"lr": config.lr, "weight_decay": config.weight_decay, "l1": config.l1}


OPTIMIZERS: dict[str, OptimizerSpec] = {
    spec.name: spec
    for spec in (
        OptimizerSpec("sgd", "SGD", (), lambda c: SGD(**_common(c))),
        OptimizerSpec(
            "momentum", "SGD + momentum", ("momentum",),
            lambda c: SGD(momentum=c.momentum, **_common(c)),
        ),
        OptimizerSpec(
            "nesterov", "SGD + Nesterov", ("momentum",),
            lambda c: SGD(momentum=c.momentum, nesterov=True, **_common(c)),
        ),
        OptimizerSpec("adagrad", "AdaGrad", (), lambda c: AdaGrad(**_common(c))),
        OptimizerSpec("rmsprop", "RMSProp", ("rho",), lambda c: RMSProp(rho=c.rho, **_common(c))),
        OptimizerSpec(
            "adam", "Adam", ("beta1", "beta2"),
            lambda c: Adam(beta1=c.beta1, beta2=c.beta2, **_common(c)),
        ),
    )
}  # fmt: skip
OPTIMIZER_CHOICES: tuple[tuple[str, str], ...] = tuple(
    (spec.name, spec.label) for spec in OPTIMIZERS.values()
)

# The steps a slider offers. A value from a URL or a file that lies between two steps is kept
# exactly as it is (a shared link must reproduce the same run): the widget adds it to its steps.
LEARNING_RATES: tuple[float, ...] = (
    1e-5, 3e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0,
)  # fmt: skip
WEIGHT_DECAYS: tuple[float, ...] = (
    0.0, 1e-5, 3e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1,
)  # fmt: skip
L1_PENALTIES: tuple[float, ...] = (
    0.0, 1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01,
)  # fmt: skip
BATCH_SIZES: tuple[int, ...] = (1, 2, 4, 8, 10, 16, 32, 64, 128, 256, 512)
MAX_NORMS: tuple[float, ...] = (
    0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0,
)  # fmt: skip

SCHEDULE_LENGTHS: tuple[int, ...] = (
    100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000,
)  # fmt: skip
MAX_SHIFT = 4  # pixels an image may be shifted by, each way

# Learning-rate schedules (`mlp.schedules`): the length in steps is a setting
# (`schedule_steps`); the rest is fixed here, once. Step decay halves the learning rate every
# `schedule_steps` steps (torch's StepLR(step_size=schedule_steps, gamma=0.5)); cosine
# annealing falls to 0 at `schedule_steps` (CosineAnnealingLR(T_max=schedule_steps)); warm-up
# rises linearly from a tenth of the learning rate to all of it over `schedule_steps`
# (LinearLR(start_factor=0.1, total_iters=schedule_steps)).
STEP_DECAY_GAMMA = 0.5
WARMUP_START_FACTOR = 0.1
SCHEDULE_CHOICES: tuple[tuple[str, str], ...] = (
    ("constant", "Constant"),
    ("step", "Step decay"),
    ("cosine", "Cosine annealing"),
    ("warmup", "Linear warm-up"),
)


def _grid(low: float, high: float, step: float) -> tuple[float, ...]:
    """Evenly spaced steps from low to high, rounded so that 0.15 is the float 0.15."""
    count = round((high - low) / step)
    return tuple(round(low + k * step, 10) for k in range(count + 1))


MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 1024  # the MNIST page's widest layer; the Playground's pages allow fewer
MAX_SEED = 2**31 - 1

# Speeds as they stand in the URL (?speed=5) -> steps per second; "max" is flat out.
SPEEDS: dict[str, float | None] = {
    "2": 2.0,
    "5": 5.0,
    "20": 20.0,
    "100": 100.0,
    "1000": 1000.0,
    "max": None,
}


@dataclass(frozen=True)
class HiddenLayer:
    """One hidden block: `units` neurons followed by `activation`."""

    units: int
    activation: str


# A number as a link or a file writes it: ASCII digits only (Python's float() also reads
# "١٢", "1_000", "nan" and "inf", none of which a link we write ever holds).
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_INVALID = object()


@dataclass(frozen=True)
class Setting:
    """One setting: what it holds, what it allows, and what its widget needs.

    kind is "choice" (one of `choices`), "multichoice" (a set of `choices`, kept as a tuple in
    the order of `choices`; "x1,x2" in a link), "float" or "int" (from `minimum` to
    `maximum`), "bool", "optional_float" (a float in range, or None meaning "off") or
    "hidden" (the layer stack) or "points" (a set drawn by hand, `playground.core.drawn`).
    `live` settings take effect while training runs; a change to
    any other resets the run. `group` is the sidebar section (and the name a lesson link hides
    it by).

    The widget: "choice" settings are select boxes, "multichoice" ones pills, "bool" ones
    toggles, "int" settings without `steps` number inputs, and every other number a slider
    over `steps` (a value between steps keeps its place: see `widget_options`). `display`
    says how a value is shown: "g" (0.001), "percent" (15%) or "int". An "optional_float"
    widget is a toggle plus a slider that starts at `on_value` when switched on.
    """

    name: str
    label: str
    kind: str
    default: Any
    help: str
    group: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[tuple[str, str], ...] = ()
    live: bool = False
    steps: tuple[float, ...] = ()
    display: str = "g"
    on_value: float | None = None

    def choice_label(self, value: str) -> str:
        return dict(self.choices).get(value, value)

    def format_value(self, value: Any) -> str:
        """A value as the widget shows it."""
        if self.display == "percent":
            return f"{value * 100:g}%"
        if self.display == "int":
            return f"{int(value):,}"
        return f"{value:g}"

    def widget_options(self, current: Any) -> list[Any]:
        """The slider's steps, plus the current value where it lies between them."""
        return sorted(set(self.steps) | ({current} if current is not None else set()))

    def describe_allowed(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(value for value, _ in self.choices)
        if self.kind == "multichoice":
            names = ", ".join(value for value, _ in self.choices)
            return f"one or more of {names}, separated by commas"
        if self.kind == "bool":
            return "on or off (1 or 0)"
        if self.kind == "points":
            return (f"points drawn on the plane from {-PLANE:g} to {PLANE:g}, as the Playground "
                    f"writes them (up to {MAX_POINTS})")  # fmt: skip
        if self.kind == "hidden":
            return (
                f"up to {MAX_HIDDEN_LAYERS} layers such as 8tanh,8tanh "
                f"(1 to {MAX_UNITS} units; " + ", ".join(a for a, _ in ACTIVATION_CHOICES) + ")"
            )
        allowed = f"a number from {_fmt(self.minimum)} to {_fmt(self.maximum)}"
        if self.kind == "int":
            allowed = f"a whole number from {_fmt(self.minimum)} to {_fmt(self.maximum)}"
        if self.kind == "optional_float":
            allowed += ", or off"
        return allowed

    def parse(self, raw: Any) -> Any:
        """Turn a value from a URL, a JSON file or a widget into this setting's type.

        Raises ConfigError with a sentence naming the setting and what it allows.
        """
        try:
            value = self._parse(raw)
        except PointsError as error:
            raise ConfigError(f"{self.label}: {shorten(raw)} cannot be used: {error}.") from None
        except (TypeError, ValueError, OverflowError, KeyError):
            value = _INVALID
        if value is _INVALID:
            raise ConfigError(
                f"{self.label}: {shorten(raw)} is not allowed; use {self.describe_allowed()}."
            )
        return value

    def _parse(self, raw: Any) -> Any:
        if self.kind == "choice":
            return raw if isinstance(raw, str) and raw in dict(self.choices) else _INVALID
        if self.kind == "multichoice":
            if isinstance(raw, str):
                names = raw.split(",")
            elif isinstance(raw, list | tuple | set | frozenset):
                names = list(raw)
            else:
                return _INVALID
            if not all(isinstance(name, str) for name in names):
                return _INVALID
            names = {name.strip() for name in names} - {""}
            if not names <= set(dict(self.choices)):
                return _INVALID
            return tuple(value for value, _ in self.choices if value in names)
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "on", "yes"):
                return True
            if text in ("0", "false", "off", "no"):
                return False
            return _INVALID
        if self.kind == "hidden":
            return parse_hidden(raw)
        if self.kind == "points":
            if isinstance(raw, str):
                return decode_points(raw)
            if isinstance(raw, list | tuple):
                return normalise_points(raw)
            return _INVALID
        if self.kind == "optional_float" and (
            raw is None or (isinstance(raw, str) and raw.strip().lower() in ("off", "none", ""))
        ):
            return None
        if isinstance(raw, bool):
            return _INVALID
        if isinstance(raw, str):
            if not _NUMBER.fullmatch(raw.strip()):
                return _INVALID
            number = float(raw.strip())
        elif isinstance(raw, int | float):
            number = float(raw)
        else:
            number = float(raw)  # NumPy scalars; anything else raises TypeError
        if not math.isfinite(number):
            return _INVALID
        if self.kind == "int":
            if number != int(number):
                return _INVALID
            number = int(number)
        assert self.minimum is not None and self.maximum is not None
        if not self.minimum <= number <= self.maximum:
            return _INVALID
        return number

    def to_text(self, value: Any) -> str:
        """The value as it stands in a URL."""
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "hidden":
            return format_hidden(value)
        if self.kind == "points":
            return encode_points(value)
        if self.kind == "multichoice":
            return ",".join(value)
        if self.kind == "optional_float" and value is None:
            return "off"
        if self.kind == "float" or self.kind == "optional_float":
            return _fmt(value)
        return str(value)


def _fmt(number: float | None) -> str:
    """A float as short text that reads back to the same float: 0.001, 3e-05, 0.5, 10."""
    if number is None:
        return "none"
    if float(number).is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(float(number))


_HIDDEN_LAYER = re.compile(
    r"^(\d{1,4})\s*(" + "|".join(a for a, _ in ACTIVATION_CHOICES) + r")$", re.ASCII
)


def parse_hidden(raw: Any) -> tuple[HiddenLayer, ...]:
    """Read a layer stack: "8tanh,8tanh", "none", or a list of [units, activation] pairs."""
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in ("", "none"):
            return ()
        parts = text.split(",")
        if len(parts) > MAX_HIDDEN_LAYERS:
            raise ValueError(raw)
        layers = []
        for part in parts:
            match = _HIDDEN_LAYER.match(part.strip())
            if not match:
                raise ValueError(part)
            layers.append(HiddenLayer(int(match.group(1)), match.group(2)))
    elif isinstance(raw, Sequence):
        if len(raw) > MAX_HIDDEN_LAYERS:
            raise ValueError(raw)
        layers = []
        for item in raw:
            if isinstance(item, HiddenLayer):
                units, activation = item.units, item.activation
            elif isinstance(item, Mapping):
                units, activation = item["units"], item["activation"]
            else:
                units, activation = item
            if isinstance(units, bool) or not isinstance(units, int | float):
                raise ValueError(units)
            if not math.isfinite(units) or float(units) != int(units):
                raise ValueError(units)
            if not isinstance(activation, str):
                raise ValueError(activation)
            layers.append(HiddenLayer(int(units), activation))
    else:
        raise TypeError(raw)
    activations = dict(ACTIVATION_CHOICES)
    for layer in layers:
        if not 1 <= layer.units <= MAX_UNITS or layer.activation not in activations:
            raise ValueError(raw)
    return tuple(layers)


def format_hidden(layers: Sequence[HiddenLayer]) -> str:
    """The layer stack as URL text: "8tanh,8tanh", or "none" for no hidden layer."""
    return ",".join(f"{layer.units}{layer.activation}" for layer in layers) or "none"


# The one list of settings. Order is the order of the sidebar, the URL and the JSON file.
SETTINGS: tuple[Setting, ...] = (
    Setting("dataset", "Data set", "choice", "spiral",
            "The points the network learns to separate, or (regression) the numbers it learns "
            "to predict: over the plane, or along a curve of one input.",
            "data", choices=DATASET_CHOICES),
    Setting("noise", "Noise", "float", 0.0,
            "How far points stray from their class: up to 50% of the distance to the next class.",
            "data", minimum=0.0, maximum=0.5, steps=_grid(0.0, 0.5, 0.05), display="percent"),
    Setting("source", "Images", "choice", "sample",
            "The offline sample needs no download; the full set is downloaded once.",
            "data", choices=SOURCE_CHOICES),
    Setting("n_points", "Points", "int", 500,
            "How many points to generate: few make overfitting easy to see.",
            "data", minimum=20, maximum=5000,
            steps=_grid(20, 100, 10)[:-1] + _grid(100, 5000, 50), display="int"),
    Setting("train_share", "Training share", "float", 0.5,
            "The share of points used for training; the rest are held out as test points.",
            "data", minimum=0.1, maximum=0.9, steps=_grid(0.1, 0.9, 0.05), display="percent"),
    Setting("data_seed", "Data seed", "int", 0, "Which random draw of the points.",
            "data", minimum=0, maximum=MAX_SEED),
    Setting("label_noise", "Label noise", "float", 0.0,
            "The share of training points given a wrong class (seeded with the data); the test "
            "points keep their true class, so test accuracy shows what the network learned of "
            "the real pattern.",
            "data", minimum=0.0, maximum=0.5, steps=_grid(0.0, 0.5, 0.05), display="percent"),
    Setting("points", "Drawn points", "points", (),
            "The points of the set drawn by hand: every one a training point.", "data"),
    Setting("features", "Input features", "multichoice", DEFAULT_FEATURES,
            "What the network is fed of each point (x₁, x₂ are its coordinates, standardised): "
            "with x₁² and x₂² even a network without hidden layers separates the circle.",
            "network", choices=FEATURE_CHOICES),
    Setting("hidden", "Hidden layers", "hidden", (HiddenLayer(16, "tanh"), HiddenLayer(16, "tanh")),
            "The hidden layers, input side first: units and activation of each.", "network"),
    Setting("batch_norm", "Batch norm", "bool", False,
            "Normalise each hidden layer's pre-activations over the minibatch.", "network"),
    Setting("init", "Weight init", "choice", "xavier", "How the first weights are drawn.",
            "network", choices=INIT_CHOICES),
    Setting("dropout", "Dropout", "float", 0.0,
            "Probability of dropping each hidden unit at every training step.",
            "regularisation", minimum=0.0, maximum=0.9, live=True, steps=_grid(0.0, 0.9, 0.05)),
    Setting("input_dropout", "Input dropout", "float", 0.0,
            "Probability of dropping each input at every training step.",
            "regularisation", minimum=0.0, maximum=0.9, live=True, steps=_grid(0.0, 0.9, 0.05)),
    Setting("max_norm", "Max-norm", "optional_float", None,
            "Caps the L2 norm of each unit's incoming weights at c after every step.",
            "regularisation", minimum=0.1, maximum=20.0, live=True, steps=MAX_NORMS,
            on_value=3.0),
    Setting("weight_decay", "L2 weight decay", "float", 0.0,
            "Adds this times the weights to every gradient.",
            "regularisation", minimum=0.0, maximum=1.0, live=True, steps=WEIGHT_DECAYS),
    Setting("l1", "L1 penalty", "float", 0.0,
            "Adds this times the sign of each weight to its gradient: pulls small weights to "
            "exactly zero, so the network keeps fewer of them (see the share near zero under "
            "the weight norms).",
            "regularisation", minimum=0.0, maximum=0.01, live=True, steps=L1_PENALTIES),
    Setting("shift", "Random shifts (pixels)", "int", 0,
            "Moves each training image by up to this many pixels each way, a new random shift "
            "at every minibatch (seeded with the run); the test images are never moved.",
            "regularisation", minimum=0, maximum=MAX_SHIFT, steps=tuple(range(MAX_SHIFT + 1)),
            display="int"),
    Setting("optimizer", "Optimizer", "choice", "adam", "The update rule.",
            "training", choices=OPTIMIZER_CHOICES),
    Setting("lr", "Learning rate", "float", 0.01, "Step size of every update.",
            "training", minimum=1e-6, maximum=10.0, live=True, steps=LEARNING_RATES),
    Setting("schedule", "Learning-rate schedule", "choice", "constant",
            "How the learning rate changes over the steps, from the rate above: halved every N "
            "steps, down a cosine to 0 at step N, or up from a tenth of it over the first N "
            "steps. The current rate is shown under the loss.",
            "training", choices=SCHEDULE_CHOICES),
    Setting("schedule_steps", "Schedule length N (steps)", "int", 1000,
            "The N of the schedule: steps between two halvings, to the end of the cosine, or "
            "of the warm-up.",
            "training", minimum=1, maximum=1_000_000, steps=SCHEDULE_LENGTHS, display="int"),
    Setting("momentum", "Momentum", "float", 0.9, "SGD + momentum and Nesterov: velocity decay.",
            "training", minimum=0.0, maximum=0.999,
            steps=(0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)),
    Setting("rho", "RMSProp decay", "float", 0.99,
            "RMSProp: decay of the running mean of squared gradients.",
            "training", minimum=0.0, maximum=0.9999,
            steps=(0.5, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999)),
    Setting("beta1", "Adam beta1", "float", 0.9, "Adam: decay of the first moment.",
            "training", minimum=0.0, maximum=0.9999,
            steps=(0.0, 0.5, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999)),
    Setting("beta2", "Adam beta2", "float", 0.999, "Adam: decay of the second moment.",
            "training", minimum=0.0, maximum=0.99999,
            steps=(0.9, 0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999)),
    Setting("batch_size", "Batch size", "int", 10, "Points per minibatch.",
            "training", minimum=1, maximum=512, steps=BATCH_SIZES, display="int"),
    Setting("seed", "Seed", "int", 0,
            "Seeds the first weights, dropout and the minibatch order.",
            "training", minimum=0, maximum=MAX_SEED),
)  # fmt: skip

SETTINGS_BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}
LIVE_SETTINGS: frozenset[str] = frozenset(s.name for s in SETTINGS if s.live)
# Drawn points may change while training runs too: a run takes the new set between two steps
# (`TrainingSession.replace_data`) when it has the same classes, and restarts otherwise.
LIVE_DATA_SETTINGS: frozenset[str] = frozenset({"points"})

# What a page shows rather than what it trains: in the URL and hidable like the settings.
VIEW_SETTINGS: tuple[Setting, ...] = (
    Setting("show_test", "Show test data", "bool", False,
            "Draw the held-out test points (diamonds) on the decision boundary.", "data"),
    Setting("speed", "Speed (steps per second)", "choice", "max",
            "Slow motion for a class, or as fast as NumPy goes.", "view",
            choices=tuple((speed, "Max" if speed == "max" else f"{int(speed):,}")
                          for speed in SPEEDS)),
    Setting("projector", "Projector mode", "bool", False,
            "Larger type, thicker lines and larger points, for the back of a room.", "view"),
)  # fmt: skip
VIEW_SETTINGS_BY_NAME: dict[str, Setting] = {setting.name: setting for setting in VIEW_SETTINGS}

# Names a lesson link may hide with ?hide=a,b,c: every setting, every view setting, and the
# sidebar's sections, each of which hides all of its settings.
CONTROL_GROUPS: dict[str, tuple[str, ...]] = {
    group: tuple(s.name for s in (*SETTINGS, *VIEW_SETTINGS) if s.group == group)
    for group in ("data", "network", "regularisation", "training")
}


def _default(name: str) -> Any:
    return SETTINGS_BY_NAME[name].default


def _rule_problems(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Rules that tie settings together: (the setting to fall back, the reason in words)."""
    problems = []
    if values.get("optimizer") == "nesterov" and values.get("momentum") == 0:
        problems.append(("momentum", "SGD + Nesterov needs a momentum above 0"))
    if "features" in values and not values["features"]:
        problems.append(("features", "the network needs at least one input feature"))
    if values.get("label_noise") and values.get("dataset") in REGRESSION_DATASETS:
        problems.append(("label_noise", "label noise flips classes, and a regression set has "
                                        "numbers to predict instead"))  # fmt: skip
    if values.get("shift") and values.get("dataset", _default("dataset")) not in IMAGE_DATASETS:
        problems.append(("shift", "random shifts move images, and 2-D points are not images"))
    return problems


@dataclass(frozen=True)
class Config:
    """Everything that decides a run: same Config ⇒ the same numbers, everywhere."""

    dataset: str = _default("dataset")
    source: str = _default("source")
    noise: float = _default("noise")
    n_points: int = _default("n_points")
    train_share: float = _default("train_share")
    data_seed: int = _default("data_seed")
    label_noise: float = _default("label_noise")
    points: tuple[tuple[float, float, int], ...] = _default("points")
    features: tuple[str, ...] = _default("features")
    hidden: tuple[HiddenLayer, ...] = field(default=_default("hidden"))
    batch_norm: bool = _default("batch_norm")
    init: str = _default("init")
    dropout: float = _default("dropout")
    input_dropout: float = _default("input_dropout")
    max_norm: float | None = _default("max_norm")
    weight_decay: float = _default("weight_decay")
    l1: float = _default("l1")
    shift: int = _default("shift")
    optimizer: str = _default("optimizer")
    lr: float = _default("lr")
    schedule: str = _default("schedule")
    schedule_steps: int = _default("schedule_steps")
    momentum: float = _default("momentum")
    rho: float = _default("rho")
    beta1: float = _default("beta1")
    beta2: float = _default("beta2")
    batch_size: int = _default("batch_size")
    seed: int = _default("seed")

    def __post_init__(self) -> None:
        problems = []
        for setting in SETTINGS:
            value = getattr(self, setting.name)
            try:
                parsed = setting.parse(value)
            except ConfigError as error:
                problems.append(str(error))
            else:
                # Normalise (for example a list of pairs into HiddenLayers, 1 into 1.0).
                object.__setattr__(self, setting.name, parsed)
        if not problems:
            problems = [f"{reason[:1].upper()}{reason[1:]}."
                        for _, reason in _rule_problems(dataclasses.asdict(self))]  # fmt: skip
        if problems:
            raise ConfigError(" ".join(problems))

    # -- conversions ---------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values; the layer stack as a list of {units, activation}."""
        result: dict[str, Any] = {}
        for setting in SETTINGS:
            value = getattr(self, setting.name)
            if setting.kind == "hidden":
                value = [dataclasses.asdict(layer) for layer in value]
            elif setting.kind == "multichoice":
                value = list(value)
            elif setting.kind == "points":
                value = [list(point) for point in value]
            result[setting.name] = value
        return result

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Config:
        """Strict: unknown keys and bad values raise ConfigError naming each of them."""
        if not isinstance(values, Mapping):
            raise ConfigError("A configuration must be a JSON object of settings.")
        unknown = sorted(shorten(key) for key in set(values) - set(SETTINGS_BY_NAME))
        if unknown:
            shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" * (len(unknown) > 5))
            raise ConfigError(
                "Unknown setting" + ("s" if len(unknown) > 1 else "") + ": " + shown
                + ". Known settings: " + ", ".join(SETTINGS_BY_NAME) + "."
            )  # fmt: skip
        return cls(**dict(values))

    @classmethod
    def from_json(cls, text: str) -> Config:
        try:
            values = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as error:
            where = f" (line {error.lineno})" if isinstance(error, json.JSONDecodeError) else ""
            reason = error.msg if isinstance(error, json.JSONDecodeError) else "nested too deeply"
            raise ConfigError(f"This is not valid JSON{where}: {reason}.") from None
        return cls.from_dict(values)

    def to_query(self) -> dict[str, str]:
        """Every setting as URL text, in the order of SETTINGS (the drawn points only when
        there are some: most links have none)."""
        return {s.name: s.to_text(getattr(self, s.name)) for s in SETTINGS
                if s.name != "points" or self.points}  # fmt: skip

    @classmethod
    def from_query(
        cls, params: Mapping[str, Any], base: Config | None = None
    ) -> tuple[Config, list[str]]:
        """Lenient: a bad value falls back to its value in `base` (default: the defaults) and
        yields a note; unknown keys are left to the caller (a page has view parameters of its
        own). A repeated key counts with its last value."""
        values: dict[str, Any] = {} if base is None else base.to_values()
        notes: list[str] = []
        for setting in SETTINGS:
            if setting.name not in params:
                continue
            raw = params[setting.name]
            if isinstance(raw, list | tuple):
                raw = raw[-1] if raw else ""
            try:
                values[setting.name] = setting.parse(raw)
            except ConfigError as error:
                notes.append(f"{error} Using the default instead.")
                values.pop(setting.name, None)
                if base is not None:
                    values[setting.name] = getattr(base, setting.name)
        config, rule_notes = cls.resolve(values)
        return config, notes + rule_notes

    @classmethod
    def resolve(cls, values: Mapping[str, Any]) -> tuple[Config, list[str]]:
        """A Config from valid single values (from widgets or a parsed URL) whose combination
        may break a rule (Nesterov with momentum 0): the setting a rule names falls back to
        its default, with a note."""
        values = dict(values)
        notes = []
        full = {s.name: values.get(s.name, s.default) for s in SETTINGS}
        for name, reason in _rule_problems(full):
            setting = SETTINGS_BY_NAME[name]
            values[name] = setting.default
            notes.append(f"{setting.label}: {reason}; using {setting.to_text(setting.default)}.")
        return cls(**values), notes

    def to_values(self) -> dict[str, Any]:
        """Every setting's value, by name (the layer stack as HiddenLayers)."""
        return {s.name: getattr(self, s.name) for s in SETTINGS}

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)

    # -- what a change means --------------------------------------------------------------

    def changed_settings(self, other: Config) -> list[str]:
        return [s.name for s in SETTINGS if getattr(self, s.name) != getattr(other, s.name)]

    def needs_reset(self, other: Config) -> bool:
        """True when going from `other` to this config cannot happen while training runs."""
        return any(name not in LIVE_SETTINGS | LIVE_DATA_SETTINGS
                   for name in self.changed_settings(other))  # fmt: skip

    @property
    def is_images(self) -> bool:
        return self.dataset in IMAGE_DATASETS

    @property
    def is_regression(self) -> bool:
        """A set with a number to predict at each point (the mean squared error, R²)."""
        return self.dataset in REGRESSION_DATASETS

    @property
    def is_curve(self) -> bool:
        """A regression set of one input, drawn as a curve."""
        return self.dataset in CURVE_DATASETS

    def make_optimizer(self) -> Optimizer:
        """The engine's optimizer for this configuration, with its own knobs."""
        return OPTIMIZERS[self.optimizer].make(self)

    def make_schedule(self) -> Schedule | None:
        """The learning-rate schedule from `lr`, or None for a constant rate (the trainer then
        leaves the optimizer's rate alone)."""
        length = self.schedule_steps
        params = {
            "constant": {},
            "step": {"step_size": length, "gamma": STEP_DECAY_GAMMA},
            "cosine": {"t_max": length},
            "warmup": {"start_factor": WARMUP_START_FACTOR, "total_steps": length},
        }[self.schedule]
        return (
            None if self.schedule == "constant" else make_schedule(self.schedule, self.lr, **params)
        )

    def learning_rate_text(self, rate: float) -> str:
        """The learning rate of the next step in words, with the schedule it follows."""
        length = f"{self.schedule_steps:,} steps"
        how = {
            "constant": "constant",
            "step": f"halved every {length} from {self.lr:g}",
            "cosine": f"cosine from {self.lr:g} to 0 at step {self.schedule_steps:,}",
            "warmup": f"warming up from {self.lr * WARMUP_START_FACTOR:g} to {self.lr:g} "
            f"over {length}",
        }[self.schedule]
        return f"Learning rate now: {rate:.3g} ({how})."

    @property
    def optimizer_knobs(self) -> tuple[str, ...]:
        return OPTIMIZERS[self.optimizer].knobs


def names_in(raw: Iterable[str]) -> list[str]:
    """The comma-separated names in one or more URL values, in order, without blanks."""
    return [name.strip() for text in raw for name in str(text).split(",") if name.strip()]


@dataclass(frozen=True)
class PageSpec:
    """What one page offers: its data sets, its widest layer, the settings it never shows, and
    the setup it opens with. A link asking for more than its page offers gets a note."""

    name: str
    datasets: tuple[str, ...]
    max_units: int
    omit: frozenset[str]
    default: Config

    def limit(self, config: Config) -> tuple[Config, list[str]]:
        """`config` within what this page offers: a data set or layer it does not offer falls
        back to the page's default, with a note."""
        changes: dict[str, Any] = {}
        notes = []
        if config.dataset not in self.datasets:
            dataset = SETTINGS_BY_NAME["dataset"]
            changes["dataset"] = self.default.dataset
            asked, used = (dataset.choice_label(config.dataset),
                           dataset.choice_label(self.default.dataset))  # fmt: skip
            notes.append(f"Data set: {asked} is not on the {self.name} page. Using {used}.")
        if any(layer.units > self.max_units for layer in config.hidden):
            changes["hidden"] = self.default.hidden
            notes.append(f"Hidden layers: the {self.name} page offers up to {self.max_units} "
                         f"units a layer. Using {format_hidden(self.default.hidden)}.")  # fmt: skip
        return (config.replace(**changes) if changes else config), notes


PLAYGROUND_PAGE = PageSpec(
    name="Playground",
    datasets=tuple(value for value, _ in TOY_CHOICES),
    max_units=128,
    omit=frozenset({"input_dropout", "source", "shift"}),
    default=Config(),
)
COMPARE_PAGE = PageSpec(
    name="Compare",
    datasets=tuple(value for value, _ in TOY_CHOICES) + ("mnist",),
    max_units=MAX_UNITS,
    # Regularisation is what the variants set; the images are the offline sample.
    omit=frozenset(
        {
            "source",
            "dropout",
            "input_dropout",
            "max_norm",
            "weight_decay",
            "l1",
            "batch_norm",
            "shift",
        }
    ),
    default=Config(),
)
MNIST_PAGE = PageSpec(
    name="MNIST",
    datasets=tuple(value for value, _ in IMAGE_CHOICES),
    max_units=MAX_UNITS,
    omit=frozenset(
        {"noise", "n_points", "train_share", "data_seed", "features", "label_noise", "points"}
    ),
    default=Config(
        dataset="mnist",
        hidden=(HiddenLayer(256, "relu"), HiddenLayer(256, "relu")),
        init="he",
        lr=0.001,
        batch_size=64,
    ),
)

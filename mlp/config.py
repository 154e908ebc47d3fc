"""One description of an experiment, and the one list of settings behind it.

`SETTINGS` lists every setting once: its type, default, range or choices, label and whether it
takes effect while training runs. The sidebar builds its widgets from it, the URL is written and
read through it, JSON files are checked by it, and the compare page varies it.

A `Config` is frozen and hashable, so it can key caches and be compared. Build one with
`Config()` for the defaults, `Config.from_query(params)` from a URL (lenient: bad values fall
back to defaults and come back as notes a person can read), or `Config.from_json(text)` /
`Config.from_dict(d)` (strict: every problem raises `ConfigError`).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mlp.datasets import TOY_DATASETS

__all__ = [
    "ACTIVATION_CHOICES",
    "Config",
    "ConfigError",
    "HiddenLayer",
    "LEARNING_RATES",
    "LIVE_SETTINGS",
    "MAX_HIDDEN_LAYERS",
    "MAX_UNITS",
    "OPTIMIZER_CHOICES",
    "SETTINGS",
    "Setting",
    "WEIGHT_DECAYS",
    "format_hidden",
    "parse_hidden",
]


class ConfigError(ValueError):
    """A setting a person gave is wrong; the message says which and what is allowed."""


# Choices, each defined once: (value, label shown in the UI).
DATASET_CHOICES: tuple[tuple[str, str], ...] = (
    *TOY_DATASETS.items(),
    ("csv", "Your own CSV"),
)
ACTIVATION_CHOICES: tuple[tuple[str, str], ...] = (
    ("relu", "ReLU"),
    ("leaky_relu", "Leaky ReLU"),
    ("tanh", "tanh"),
    ("sigmoid", "sigmoid"),
)
INIT_CHOICES: tuple[tuple[str, str], ...] = (
    ("xavier", "Xavier (normal)"),
    ("xavier_uniform", "Xavier (uniform)"),
    ("he", "He (normal)"),
    ("small", "Small normal (0.01)"),
)
OPTIMIZER_CHOICES: tuple[tuple[str, str], ...] = (
    ("sgd", "SGD"),
    ("momentum", "SGD + momentum"),
    ("nesterov", "SGD + Nesterov"),
    ("adagrad", "AdaGrad"),
    ("rmsprop", "RMSProp"),
    ("adam", "Adam"),
)
# The steps a learning-rate or weight-decay slider offers. A value from a URL or a file that
# lies between two steps is kept as it is; the widget adds it to its steps.
LEARNING_RATES: tuple[float, ...] = (
    1e-5, 3e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0,
)  # fmt: skip
WEIGHT_DECAYS: tuple[float, ...] = (
    0.0, 1e-5, 3e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1,
)  # fmt: skip
BATCH_SIZES: tuple[int, ...] = (1, 2, 4, 8, 10, 16, 32, 64, 128, 256, 512)

MAX_HIDDEN_LAYERS = 6
MAX_UNITS = 128
MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class HiddenLayer:
    """One hidden block: `units` neurons followed by `activation`."""

    units: int
    activation: str


@dataclass(frozen=True)
class Setting:
    """One setting of an experiment.

    kind is "choice" (one of `choices`), "float" or "int" (from `minimum` to `maximum`),
    "bool", "optional_float" (a float in range, or None meaning "off") or "hidden" (the layer
    stack). `live` settings take effect while training runs; a change to any other resets the
    run.
    """

    name: str
    label: str
    kind: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[tuple[str, str], ...] = ()
    live: bool = False

    def choice_label(self, value: str) -> str:
        return dict(self.choices).get(value, value)

    def describe_allowed(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(value for value, _ in self.choices)
        if self.kind == "bool":
            return "on or off (1 or 0)"
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
        except (TypeError, ValueError, OverflowError):
            value = None
        else:
            if value is not _INVALID:
                return value
        raise ConfigError(f"{self.label}: {raw!r} is not allowed; use {self.describe_allowed()}.")

    def _parse(self, raw: Any) -> Any:
        if self.kind == "choice":
            return raw if raw in dict(self.choices) else _INVALID
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
        if self.kind == "optional_float" and (
            raw is None or str(raw).strip().lower() in ("off", "none", "")
        ):
            return None
        if isinstance(raw, bool):
            return _INVALID
        number = float(raw)
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
        if self.kind == "optional_float" and value is None:
            return "off"
        if self.kind == "float" or self.kind == "optional_float":
            return _fmt(value)
        return str(value)


_INVALID = object()


def _fmt(number: float | None) -> str:
    """A float as short text that reads back to the same float: 0.001, 3e-05, 0.5, 10."""
    if number is None:
        return "none"
    if float(number).is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(float(number))


_HIDDEN_LAYER = re.compile(r"^(\d{1,4})\s*(" + "|".join(a for a, _ in ACTIVATION_CHOICES) + r")$")


def parse_hidden(raw: Any) -> tuple[HiddenLayer, ...]:
    """Read a layer stack: "8tanh,8tanh", "none", or a list of [units, activation] pairs."""
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in ("", "none"):
            return ()
        layers = []
        for part in text.split(","):
            match = _HIDDEN_LAYER.match(part.strip())
            if not match:
                raise ValueError(part)
            layers.append(HiddenLayer(int(match.group(1)), match.group(2)))
    elif isinstance(raw, Sequence):
        layers = []
        for item in raw:
            if isinstance(item, HiddenLayer):
                layers.append(item)
            elif isinstance(item, Mapping):
                layers.append(HiddenLayer(int(item["units"]), str(item["activation"])))
            else:
                units, activation = item
                if isinstance(units, bool) or float(units) != int(units):
                    raise ValueError(units)
                layers.append(HiddenLayer(int(units), str(activation)))
    else:
        raise TypeError(raw)
    activations = dict(ACTIVATION_CHOICES)
    if len(layers) > MAX_HIDDEN_LAYERS:
        raise ValueError(raw)
    for layer in layers:
        if not 1 <= layer.units <= MAX_UNITS or layer.activation not in activations:
            raise ValueError(raw)
    return tuple(layers)


def format_hidden(layers: Sequence[HiddenLayer]) -> str:
    """The layer stack as URL text: "8tanh,8tanh", or "none" for no hidden layer."""
    return ",".join(f"{layer.units}{layer.activation}" for layer in layers) or "none"


# The one list of settings. Order is the order of the URL and of the JSON file.
SETTINGS: tuple[Setting, ...] = (
    Setting("dataset", "Data set", "choice", "spiral", "The points the network learns to separate.",
            choices=DATASET_CHOICES),
    Setting("noise", "Noise", "float", 0.0,
            "How far points stray from their class: up to 50% of the distance to the next class.",
            minimum=0.0, maximum=0.5),
    Setting("n_points", "Points", "int", 500, "How many points to generate.",
            minimum=50, maximum=5000),
    Setting("train_share", "Training share", "float", 0.5,
            "The share of points used for training; the rest are held out as test points.",
            minimum=0.1, maximum=0.9),
    Setting("data_seed", "Data seed", "int", 0, "Which random draw of the points.",
            minimum=0, maximum=MAX_SEED),
    Setting("hidden", "Hidden layers", "hidden", (HiddenLayer(16, "tanh"), HiddenLayer(16, "tanh")),
            "The hidden layers, input side first: units and activation of each."),
    Setting("batch_norm", "Batch norm", "bool", False,
            "Normalise each hidden layer's pre-activations over the minibatch."),
    Setting("dropout", "Dropout", "float", 0.0,
            "Probability of dropping each hidden unit at every training step.",
            minimum=0.0, maximum=0.9, live=True),
    Setting("input_dropout", "Input dropout", "float", 0.0,
            "Probability of dropping each input at every training step.",
            minimum=0.0, maximum=0.9, live=True),
    Setting("max_norm", "Max-norm", "optional_float", None,
            "Caps the L2 norm of each unit's incoming weights at c after every step.",
            minimum=0.1, maximum=20.0, live=True),
    Setting("init", "Weight init", "choice", "xavier", "How the first weights are drawn.",
            choices=INIT_CHOICES),
    Setting("weight_decay", "L2 weight decay", "float", 0.0,
            "Adds this times the weights to every gradient.",
            minimum=0.0, maximum=1.0, live=True),
    Setting("optimizer", "Optimizer", "choice", "adam", "The update rule.",
            choices=OPTIMIZER_CHOICES),
    Setting("lr", "Learning rate", "float", 0.01, "Step size of every update.",
            minimum=1e-6, maximum=10.0, live=True),
    Setting("momentum", "Momentum", "float", 0.9, "SGD + momentum and Nesterov: velocity decay.",
            minimum=0.0, maximum=0.999),
    Setting("rho", "RMSProp decay", "float", 0.99,
            "RMSProp: decay of the running mean of squared gradients.",
            minimum=0.0, maximum=0.9999),
    Setting("beta1", "Adam beta1", "float", 0.9, "Adam: decay of the first moment.",
            minimum=0.0, maximum=0.9999),
    Setting("beta2", "Adam beta2", "float", 0.999, "Adam: decay of the second moment.",
            minimum=0.0, maximum=0.99999),
    Setting("batch_size", "Batch size", "int", 10, "Points per minibatch.",
            minimum=1, maximum=512),
    Setting("seed", "Seed", "int", 0,
            "Seeds the first weights, dropout and the minibatch order.",
            minimum=0, maximum=MAX_SEED),
)  # fmt: skip

SETTINGS_BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}
LIVE_SETTINGS: frozenset[str] = frozenset(s.name for s in SETTINGS if s.live)
# Which optimizer uses which of its own knobs; the others are kept but have no effect.
OPTIMIZER_KNOBS: dict[str, tuple[str, ...]] = {
    "sgd": (),
    "momentum": ("momentum",),
    "nesterov": ("momentum",),
    "adagrad": (),
    "rmsprop": ("rho",),
    "adam": ("beta1", "beta2"),
}


def _default(name: str) -> Any:
    return SETTINGS_BY_NAME[name].default


@dataclass(frozen=True)
class Config:
    """Everything that decides a run: same Config ⇒ the same numbers, everywhere."""

    dataset: str = _default("dataset")
    noise: float = _default("noise")
    n_points: int = _default("n_points")
    train_share: float = _default("train_share")
    data_seed: int = _default("data_seed")
    hidden: tuple[HiddenLayer, ...] = field(default=_default("hidden"))
    batch_norm: bool = _default("batch_norm")
    dropout: float = _default("dropout")
    input_dropout: float = _default("input_dropout")
    max_norm: float | None = _default("max_norm")
    init: str = _default("init")
    weight_decay: float = _default("weight_decay")
    optimizer: str = _default("optimizer")
    lr: float = _default("lr")
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
            result[setting.name] = value
        return result

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Config:
        """Strict: unknown keys and bad values raise ConfigError naming each of them."""
        if not isinstance(values, Mapping):
            raise ConfigError("A configuration must be a JSON object of settings.")
        unknown = sorted(set(values) - set(SETTINGS_BY_NAME))
        if unknown:
            raise ConfigError(
                "Unknown setting" + ("s" if len(unknown) > 1 else "") + ": " + ", ".join(unknown)
                + ". Known settings: " + ", ".join(SETTINGS_BY_NAME) + "."
            )  # fmt: skip
        return cls(**dict(values))

    @classmethod
    def from_json(cls, text: str) -> Config:
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(
                f"This is not valid JSON (line {error.lineno}): {error.msg}."
            ) from None
        return cls.from_dict(values)

    def to_query(self) -> dict[str, str]:
        """Every setting as URL text, in the order of SETTINGS."""
        return {s.name: s.to_text(getattr(self, s.name)) for s in SETTINGS}

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> tuple[Config, list[str]]:
        """Lenient: a bad value falls back to its default and yields a note; unknown keys are
        left to the caller (a page may have view parameters of its own)."""
        values: dict[str, Any] = {}
        notes: list[str] = []
        for setting in SETTINGS:
            if setting.name not in params:
                continue
            raw = params[setting.name]
            if isinstance(raw, list):
                raw = raw[-1] if raw else ""
            try:
                values[setting.name] = setting.parse(raw)
            except ConfigError as error:
                notes.append(f"{error} Using the default instead.")
        return cls(**values), notes

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)

    # -- what a change means --------------------------------------------------------------

    def changed_settings(self, other: Config) -> list[str]:
        return [s.name for s in SETTINGS if getattr(self, s.name) != getattr(other, s.name)]

    def needs_reset(self, other: Config) -> bool:
        """True when going from `other` to this config cannot happen while training runs."""
        return any(name not in LIVE_SETTINGS for name in self.changed_settings(other))

    @property
    def is_toy(self) -> bool:
        return self.dataset not in ("csv",)

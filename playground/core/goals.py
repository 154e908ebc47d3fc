"""Goals: what a lesson or a teacher's challenge asks of a run, checked while it trains.

A goal names a metric and a threshold ("test accuracy ≥ 90%") and, optionally, limits on the
network or the training ("with at most 8 hidden units", "within 2,000 steps"). It travels in
a link as one value, `goal=test_accuracy>=0.9;max_units=8;max_steps=2000;title=…`, read as
leniently as every other setting: a part it cannot use is left out with a note, and a goal
with no usable metric is no goal. A title is a teacher's own words: pages show it as plain
text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from playground.core.config import MAX_HIDDEN_LAYERS, MAX_UNITS, Config, shorten

__all__ = ["Goal", "GoalCheck", "METRICS", "read_goal"]

TITLE_LIMIT = 120  # characters of a challenge's title
MAX_GOAL_STEPS = 1_000_000


@dataclass(frozen=True)
class Metric:
    """A number a snapshot holds, how it reads, and which way is better."""

    name: str
    label: str
    percent: bool
    higher_is_better: bool
    minimum: float
    maximum: float

    def format(self, value: float) -> str:
        return f"{value:.1%}" if self.percent else f"{value:.3g}"

    def value_of(self, snapshot) -> float | None:
        if self.name == "gap":
            if snapshot.test_accuracy is None:
                return None
            return snapshot.train_accuracy - snapshot.test_accuracy
        return getattr(snapshot, self.name)


METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric("test_accuracy", "test accuracy", True, True, 0.0, 1.0),
        Metric("train_accuracy", "train accuracy", True, True, 0.0, 1.0),
        Metric("test_loss", "test loss", False, False, 0.0, 100.0),
        Metric("train_loss", "train loss", False, False, 0.0, 100.0),
        # train − test accuracy: how far the network overfits (a lesson asks to see it)
        Metric("gap", "train − test accuracy gap", True, True, 0.0, 1.0),
    )
}
LIMITS = {  # name: (what it limits, largest value a goal may give)
    "max_units": ("hidden units", MAX_UNITS * MAX_HIDDEN_LAYERS),
    "max_layers": ("hidden layers", MAX_HIDDEN_LAYERS),
    "max_steps": ("steps", MAX_GOAL_STEPS),
}
# A goal about where training ends up, not where it passes by (overfitting shows late).
AFTER = "min_steps"


@dataclass(frozen=True)
class GoalCheck:
    """Where a run stands against a goal: `met`, and in words why or why not yet."""

    met: bool
    words: str


@dataclass(frozen=True)
class Goal:
    """A metric's threshold, and optional limits on the network and the steps."""

    metric: str
    threshold: float
    max_units: int | None = None
    max_layers: int | None = None
    max_steps: int | None = None
    min_steps: int | None = None
    title: str = ""
    lesson: str = ""  # the lesson this goal belongs to, for a browser session's progress

    @property
    def measure(self) -> Metric:
        return METRICS[self.metric]

    def describe(self) -> str:
        """The goal in words: "test accuracy ≥ 90.0% with at most 8 hidden units"."""
        measure = self.measure
        sign = "≥" if measure.higher_is_better else "≤"
        words = f"{measure.label} {sign} {measure.format(self.threshold)}"
        limits = []
        if self.max_layers is not None:
            plural = "s" if self.max_layers > 1 else ""
            limits.append("no hidden layer" if self.max_layers == 0
                          else f"at most {self.max_layers} hidden layer{plural}")  # fmt: skip
        if self.max_units is not None:
            limits.append(f"at most {self.max_units:,} hidden units")
        if limits:
            words += " with " + " and ".join(limits)
        if self.max_steps is not None:
            words += f" within {self.max_steps:,} steps"
        if self.min_steps is not None:
            words += f" after {self.min_steps:,} steps"
        return words[0].upper() + words[1:]

    def check(self, config: Config, snapshot) -> GoalCheck:
        """Whether a run of `config` has met the goal by `snapshot`, in words. Training may
        pass a threshold between two redraws (at full speed, hundreds of steps go by), so
        the run's evaluation curves count as well as the snapshot's own figures."""
        units = sum(layer.units for layer in config.hidden)
        if self.max_layers is not None and len(config.hidden) > self.max_layers:
            return GoalCheck(False, f"the network has {len(config.hidden)} hidden layers; "
                                    f"the goal allows {self.max_layers}")  # fmt: skip
        if self.max_units is not None and units > self.max_units:
            return GoalCheck(False, f"the network has {units:,} hidden units; the goal allows "
                                    f"{self.max_units:,}")  # fmt: skip
        measure = self.measure
        value = measure.value_of(snapshot)
        if value is None or not math.isfinite(value):
            return GoalCheck(False, f"no {measure.label} yet")
        for step, reached in self._points(snapshot):
            if self._counts(step) and self._passes(reached):
                return GoalCheck(True, f"{measure.label} {measure.format(reached)} at step "
                                       f"{step:,}")  # fmt: skip
        now = f"{measure.label} {measure.format(value)} at step {snapshot.step:,}"
        if self.max_steps is not None and snapshot.step > self.max_steps:
            return GoalCheck(False, f"{now}, past step {self.max_steps:,}: press Reset and "
                                    "try again")  # fmt: skip
        if self.min_steps is not None and snapshot.step < self.min_steps:
            return GoalCheck(False, f"{now}; the goal is checked from step {self.min_steps:,}")
        return GoalCheck(False, now)

    def _counts(self, step: int) -> bool:
        return (self.min_steps is None or step >= self.min_steps) and (
            self.max_steps is None or step <= self.max_steps)  # fmt: skip

    def _passes(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        return value >= self.threshold if self.measure.higher_is_better else value <= self.threshold

    def _points(self, snapshot) -> list[tuple[int, float]]:
        """(step, value) of the goal's metric: the run's evaluation curve where the snapshot
        has one, then the snapshot's own figures."""
        points: list[tuple[int, float]] = []
        if self.metric == "gap":
            train = getattr(snapshot, "train_accuracy_curve", None)
            test = getattr(snapshot, "test_accuracy_curve", None)
            if train is not None and test is not None:
                test_at = dict(zip((int(s) for s in test[0]), test[1], strict=True))
                points += [(int(s), float(v) - float(test_at[int(s)]))
                           for s, v in zip(*train, strict=True) if int(s) in test_at]  # fmt: skip
        else:
            curve = getattr(snapshot, f"{self.metric}_curve", None)
            if curve is not None:
                points += [(int(s), float(v)) for s, v in zip(*curve, strict=True)]
        value = self.measure.value_of(snapshot)
        if value is not None:
            points.append((int(snapshot.step), float(value)))
        return points

    def check_any(self, configs: Sequence[Config], snapshots: Sequence) -> tuple[int | None, str]:
        """The first run (index) of several that meets the goal, with the words of its check;
        None and the first run's words when none does."""
        checks = [self.check(c, s) for c, s in zip(configs, snapshots, strict=True)]
        for index, check in enumerate(checks):
            if check.met:
                return index, check.words
        return None, checks[0].words if checks else "no run"

    def to_text(self) -> str:
        """The goal as its link value; the title, which may hold any character, comes last."""
        sign = ">=" if self.measure.higher_is_better else "<="
        parts = [f"{self.metric}{sign}{self.threshold:g}"]
        for name in (*LIMITS, AFTER):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value}")
        if self.lesson:
            parts.append(f"lesson={self.lesson}")
        if self.title:
            parts.append(f"title={self.title}")
        return ";".join(parts)


def _whole(raw: str, what: str, largest: int) -> int:
    value = int(raw.strip())  # ValueError on anything but a whole number
    if not 0 <= value <= largest:
        raise ValueError(f"{what} must be from 0 to {largest:,}")
    return value


def read_goal(text: str) -> tuple[Goal | None, list[str]]:
    """A goal from its link value, leniently: (the goal or None, notes on what was left out).

    `text` is `METRIC>=VALUE` (or `<=` for a loss), then `;`-separated `max_units=N`,
    `max_layers=N`, `max_steps=N`, `min_steps=N` (checked from that step on), `lesson=KEY`,
    and last `title=ANY TEXT`. An accuracy may be
    given as a share (0.9) or in percent (90).
    """
    text = str(text).strip()
    if not text:
        return None, []
    head, _, title = text.partition(";title=")
    parts = [part.strip() for part in head.split(";") if part.strip()]
    notes: list[str] = []
    first = parts[0] if parts else ""
    match = next((sign for sign in (">=", "<=", "≥", "≤") if sign in first), None)
    if match is None:
        return None, [f"Goal: {shorten(first)} is not a goal; write it as "
                      "test_accuracy>=0.9 (or train_accuracy, test_loss<=…, train_loss, "
                      "gap). No goal is set."]  # fmt: skip
    name, _, raw_value = first.partition(match)
    name = name.strip()
    if name not in METRICS:
        return None, [f"Goal: there is no metric called {shorten(name)}; use one of "
                      f"{', '.join(METRICS)}. No goal is set."]  # fmt: skip
    measure = METRICS[name]
    try:
        threshold = float(raw_value.strip().rstrip("%"))
    except ValueError:
        threshold = math.nan
    if measure.percent and 1.0 < threshold <= 100.0:
        threshold /= 100.0  # "90" or "90%" means 90%
    if not measure.minimum <= threshold <= measure.maximum:  # NaN fails too
        return None, [f"Goal: {measure.label} {shorten(raw_value)} is not allowed; use a value "
                      f"from {measure.format(measure.minimum)} to "
                      f"{measure.format(measure.maximum)}. No goal is set."]  # fmt: skip
    values: dict = {}
    for part in parts[1:]:
        key, _, raw = part.partition("=")
        key = key.strip()
        try:
            if key in LIMITS:
                what, largest = LIMITS[key]
                values[key] = _whole(raw, f"the number of {what}", largest)
            elif key == AFTER:
                values[key] = _whole(raw, "the steps before the check", MAX_GOAL_STEPS)
            elif key == "lesson":
                lesson = raw.strip()
                if not (lesson.replace("-", "").replace("_", "").isalnum() and len(lesson) <= 40):
                    raise ValueError("a lesson is named by letters, digits, - and _")
                values["lesson"] = lesson
            else:
                raise ValueError(f"there is no goal part called {shorten(key)}")
        except ValueError as error:
            message = str(error) if "must" in str(error) or "there is" in str(error) or (
                "lesson is" in str(error)) else f"{shorten(raw)} is not a whole number"  # fmt: skip
            notes.append(f"Goal: {message}; that part is left out.")
    printable = "".join(c if c.isprintable() else " " for c in title).strip()
    if len(printable) > TITLE_LIMIT:
        notes.append(f"Goal: the title has {len(printable):,} characters; the first "
                     f"{TITLE_LIMIT} are kept.")  # fmt: skip
    return Goal(name, threshold, title=printable[:TITLE_LIMIT], **values), notes

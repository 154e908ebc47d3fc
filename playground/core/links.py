"""Shareable links: a page's whole setup in its URL, read leniently, written back exactly.

A link carries the experiment (every setting of `Config`) and the view (`View`: speed, test
points, projector mode, and for a lesson or a challenge the controls to hide and the goal).
`read_link` never fails: whatever a link holds, it returns a valid configuration and view plus
plain-text notes on what it could not use. `link_query` writes the same setup back as URL
parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from playground.core.config import (
    CONTROL_GROUPS,
    PLAYGROUND_PAGE,
    SETTINGS_BY_NAME,
    VIEW_SETTINGS_BY_NAME,
    Config,
    ConfigError,
    PageSpec,
    names_in,
    shorten,
)
from playground.core.goals import Goal, read_goal

__all__ = ["Link", "View", "link_query", "read_link"]

NAMES_QUOTED = 5  # unknown control names quoted in one note; the rest are counted


@dataclass(frozen=True)
class View:
    """What a page shows, apart from the experiment: all of it travels in the link."""

    speed: str = VIEW_SETTINGS_BY_NAME["speed"].default
    show_test: bool = VIEW_SETTINGS_BY_NAME["show_test"].default
    hidden: frozenset[str] = field(default_factory=frozenset)
    goal: Goal | None = None
    projector: bool = VIEW_SETTINGS_BY_NAME["projector"].default

    def shown(self, name: str) -> bool:
        return name not in self.hidden


@dataclass(frozen=True)
class Link:
    config: Config
    view: View
    notes: tuple[str, ...]


def _last(raw: str | Sequence[str]) -> str:
    if isinstance(raw, str):
        return raw
    return str(raw[-1]) if raw else ""


def _all(raw: str | Sequence[str]) -> list[str]:
    return [raw] if isinstance(raw, str) else [str(value) for value in raw]


def read_hidden(raw: str | Sequence[str]) -> tuple[frozenset[str], list[str]]:
    """The controls a lesson link hides (`hide=data,lr`), and one note for unknown names."""
    hidden: set[str] = set()
    unknown: list[str] = []
    for name in names_in(_all(raw)):
        if name in CONTROL_GROUPS:
            hidden.update(CONTROL_GROUPS[name])
        elif name in SETTINGS_BY_NAME or name in VIEW_SETTINGS_BY_NAME:
            hidden.add(name)
        elif name not in unknown:
            unknown.append(name)
    notes = []
    if len(unknown) == 1:
        notes.append(f"hide: there is no control called {shorten(unknown[0])}; nothing is hidden "
                     "for it.")  # fmt: skip
    elif unknown:
        quoted = ", ".join(shorten(name) for name in unknown[:NAMES_QUOTED])
        more = len(unknown) - NAMES_QUOTED
        quoted += f" and {more:,} more" if more > 0 else ""
        notes.append(f"hide: there are no controls called {quoted}; nothing is hidden for them.")
    return frozenset(hidden), notes


def read_link(params: Mapping[str, str | Sequence[str]], page: PageSpec = PLAYGROUND_PAGE) -> Link:
    """The setup a link's query parameters describe on `page`; never raises.

    params maps each key to its value or to all its values (a repeated key counts with its
    last value, except `hide`, whose values add up). Unknown keys are ignored; a setting the
    link leaves out takes the page's default.
    """
    last = {key: _last(value) for key, value in params.items()}
    notes = []
    if "dataset" in last and last["dataset"] not in page.datasets:
        # Quote what this page offers (a data set of another page gets `page.limit`'s note).
        dataset = SETTINGS_BY_NAME["dataset"]
        try:
            dataset.parse(last["dataset"])
        except ConfigError:
            notes.append(f"{dataset.label}: {shorten(last['dataset'])} is not allowed; use one "
                         f"of {', '.join(page.datasets)}. Using the default instead.")  # fmt: skip
            del last["dataset"]
    config, config_notes = Config.from_query(last, base=page.default)
    notes += config_notes
    config, page_notes = page.limit(config)
    notes += page_notes
    view_values = {}
    for name, setting in VIEW_SETTINGS_BY_NAME.items():
        if name not in params:
            continue
        try:
            view_values[name] = setting.parse(_last(params[name]))
        except ConfigError as error:
            notes.append(f"{error} Using {setting.to_text(setting.default)} instead.")
    hidden, hide_notes = read_hidden(params.get("hide", ()))
    goal, goal_notes = read_goal(_last(params.get("goal", "")))
    view = View(hidden=hidden, goal=goal, **view_values)
    return Link(config, view, tuple(notes + hide_notes + goal_notes))


def link_query(config: Config, view: View) -> dict[str, str]:
    """The URL parameters of a setup: every setting, then the view where it is not default."""
    query = config.to_query()
    default = View()
    if view.show_test != default.show_test:
        query["show_test"] = VIEW_SETTINGS_BY_NAME["show_test"].to_text(view.show_test)
    if view.speed != default.speed:
        query["speed"] = view.speed
    if view.projector != default.projector:
        query["projector"] = VIEW_SETTINGS_BY_NAME["projector"].to_text(view.projector)
    if view.hidden:
        query["hide"] = ",".join(sorted(view.hidden))
    if view.goal is not None:
        query["goal"] = view.goal.to_text()
    return query

"""Property tests for imported comparison files and configurations: whatever a user uploads,
the page gets a comparison it can draw or a ConfigError in words, never another exception."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground.charts.compare import band_figure
from playground.core.compare import LETTERS, Comparison, TaskResult
from playground.core.config import Config, ConfigError
from playground.ui.compare_views import stacked_curves

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_leaves,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)


def valid_comparison() -> dict:
    """What the page writes for a small finished sweep (two variants, two seeds)."""
    configs = [Config(), Config(dropout=0.5)]
    results = []
    for variant in range(2):
        for seed in range(2):
            curves = {
                name: np.linspace(0.9, 0.2, 3) if "loss" in name else np.linspace(0.5, 0.9, 3)
                for name in ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
            }
            results.append(TaskResult(variant, seed, 300, 0.2, 0.9, 0.25, 0.88,
                                      np.array([100, 200, 300]), curves, 1.5, None))  # fmt: skip
    comparison = Comparison(configs, ["plain", "dropout"], [0, 1], 300, results)
    return json.loads(comparison.to_json())


def draw_everything(comparison: Comparison) -> None:
    """Everything `show_comparison` computes from a comparison, without Streamlit."""
    comparison.differences()
    comparison.summary().to_csv(index=False)
    comparison.curves_table().to_csv(index=False)
    Comparison.from_json(comparison.to_json())
    variants = [i for i in range(len(comparison.names)) if comparison.for_variant(i)]
    if variants:
        names = [f"{LETTERS[i]} · {comparison.names[i]}" for i in variants]
        for curve in ("test_loss", "test_accuracy"):
            stacked = [stacked_curves(comparison.for_variant(i), curve) for i in variants]
            band_figure([s for s, _ in stacked], [v for _, v in stacked], names, curve)


def opens_or_explains(payload: str | bytes) -> None:
    try:
        comparison = Comparison.from_json(payload)
    except ConfigError as error:
        assert str(error).strip()
        return
    draw_everything(comparison)


def test_the_valid_file_opens_and_draws():
    comparison = Comparison.from_json(json.dumps(valid_comparison()))
    assert comparison.names == ["plain", "dropout"]
    assert len(comparison.results) == 4
    draw_everything(comparison)


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes(payload):
    opens_or_explains(payload)


@FUZZ
@given(json_values)
def test_arbitrary_json(value):
    opens_or_explains(json.dumps(value))


def paths(value, prefix=()):
    """Every position in a JSON value, as a tuple of keys and indices."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths(child, (*prefix, index))


VALID = valid_comparison()
VALID_PATHS = [p for p in paths(VALID) if p]


@FUZZ
@given(st.sampled_from(VALID_PATHS), json_values | st.just("__delete__"))
def test_a_valid_file_with_one_part_changed(path, replacement):
    document = json.loads(json.dumps(VALID))
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if replacement == "__delete__":
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    opens_or_explains(json.dumps(document))


@FUZZ
@given(st.dictionaries(st.sampled_from(sorted(Config().to_dict())), json_values, max_size=6))
def test_configurations_with_odd_values_load_or_explain(values):
    try:
        config = Config.from_json(json.dumps(values))
    except ConfigError as error:
        assert str(error).strip()
        return
    again = Config.from_json(config.to_json())
    assert again == config
    for value in config.to_dict().values():
        if isinstance(value, float):
            assert math.isfinite(value)

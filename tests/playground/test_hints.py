"""Hints where a setup misleads: each fires where the measurement says it should, not
elsewhere, and its fix is a setup that no longer fires it."""

import pytest

from playground.core.config import Config, HiddenLayer
from playground.core.hints import (
    BATCH_NORM_MIN_BATCH,
    MIN_UNITS_KEPT,
    regularisation_hint,
    setup_hints,
)

TANH8 = (HiddenLayer(8, "tanh"), HiddenLayer(8, "tanh"))


def test_batch_norm_with_batch_size_one_is_warned_before_play():
    (hint,) = setup_hints(Config(batch_norm=True, batch_size=1))
    assert "batch size 1" in hint.text and hint.fix == {"batch_size": 32}
    assert setup_hints(Config(batch_norm=False, batch_size=1)) == []
    assert setup_hints(Config(batch_norm=True, batch_size=1, hidden=())) == []


@pytest.mark.parametrize("batch", [2, 10, BATCH_NORM_MIN_BATCH - 1])
def test_batch_norm_with_a_small_batch_gets_a_hint_and_a_fix(batch):
    (hint,) = setup_hints(Config(batch_norm=True, batch_size=batch))
    assert f"batch size {batch}" in hint.text and "59.5%" in hint.text
    fixed = Config(batch_norm=True).replace(**hint.fix)
    assert setup_hints(fixed) == []  # the fix silences it


def test_batch_norm_from_the_measured_batch_size_on_is_left_alone():
    assert setup_hints(Config(batch_norm=True, batch_size=BATCH_NORM_MIN_BATCH)) == []


def test_dropout_that_keeps_too_few_units_gets_a_gentler_rate():
    (hint,) = setup_hints(Config(hidden=TANH8, dropout=0.7))  # 2.4 of 8 kept
    assert "keeps about 2.4 of layer 1's 8 units" in hint.text
    assert hint.fix == {"dropout": 0.5}  # 4 of 8 kept: no hint
    assert setup_hints(Config(hidden=TANH8).replace(**hint.fix)) == []
    (tiny,) = setup_hints(Config(hidden=(HiddenLayer(4, "tanh"),), dropout=0.5))
    assert tiny.fix == {"dropout": 0.0} and tiny.fix_label == "Switch dropout off"
    kept = 8 * (1 - 0.5)
    assert kept >= MIN_UNITS_KEPT and setup_hints(Config(hidden=TANH8, dropout=0.5)) == []


def test_a_regulariser_where_nothing_overfits_is_named_with_a_fix():
    config = Config(dropout=0.5)
    hint = regularisation_hint(config, 0.95, 0.94, step=3000)
    assert hint is not None and "dropout has nothing to cure" in hint.text
    assert hint.fix["label_noise"] > 0  # the fix goes where regularisation pays
    assert regularisation_hint(config, 1.0, 0.80, step=3000) is None  # it overfits: keep it
    assert regularisation_hint(config, 0.60, 0.60, step=3000) is None  # not learned yet
    assert regularisation_hint(config, 0.95, 0.94, step=100) is None  # too early to say
    assert regularisation_hint(Config(), 0.95, 0.94, step=3000) is None  # nothing switched on
    both = regularisation_hint(Config(weight_decay=0.01, max_norm=2.0), 0.95, 0.95, 3000)
    assert "L2 weight decay and max-norm" in both.text

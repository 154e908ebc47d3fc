"""Paper presets: valid configurations the MNIST and Compare pages accept, differing in exactly
what each paper varies, with the paper's settings, a link the Compare page reads back, and a
run-time estimate from measured speeds."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from mlp import datasets
from playground.core import presets
from playground.core.compare import (
    MAX_SWEEP_STEPS,
    MAX_VARIANTS,
    VARIANT_SETTINGS,
    Variant,
    differing_settings,
)
from playground.core.config import COMPARE_PAGE, INIT_CHOICES, MAX_UNITS, MNIST_PAGE, Config
from playground.core.data import make_toy_data
from playground.core.presets import (
    BATCH_NORM,
    DROPOUT,
    PRESETS,
    PRESETS_BY_KEY,
    XAVIER,
    compare_query,
    format_duration,
    measure_samples_per_second,
)
from playground.core.session import Run


@pytest.mark.parametrize("preset", PRESETS, ids=lambda preset: preset.key)
def test_every_variant_is_a_valid_configuration_both_pages_take_as_it_is(preset):
    assert 2 <= len(preset.variants) <= MAX_VARIANTS
    for config in preset.configs:
        assert Config.from_json(config.to_json()) == config
        assert config.dataset == "mnist" and config.source == "sample"
        assert all(1 <= layer.units <= MAX_UNITS for layer in config.hidden)
        assert config.init in dict(INIT_CHOICES)
        for page in (MNIST_PAGE, COMPARE_PAGE):
            assert page.limit(config) == (config, [])


@pytest.mark.parametrize("preset", PRESETS, ids=lambda preset: preset.key)
def test_variants_differ_in_what_the_paper_varies_and_nothing_else(preset):
    assert set(differing_settings(preset.configs)) == set(preset.varies)
    assert set(preset.varies) <= set(VARIANT_SETTINGS)  # the Compare page can vary them
    assert len(set(preset.configs)) == len(preset.configs)  # no two variants alike
    for name in preset.varies:
        # every setting the paper varies takes more than one value
        assert len({getattr(config, name) for config in preset.configs}) > 1


def test_dropout_uses_the_papers_probabilities_and_max_norm():
    plain, dropout, both = DROPOUT.configs
    assert [layer.units for layer in plain.hidden] == [1024, 1024, 1024]
    assert {layer.activation for layer in plain.hidden} == {"relu"}
    assert (plain.dropout, plain.input_dropout, plain.max_norm) == (0.0, 0.0, None)
    # Appendix B.1: retain p = 0.5 hidden and 0.8 input, i.e. drop 50% and 20%; c = 2
    assert (dropout.dropout, dropout.input_dropout, dropout.max_norm) == (0.5, 0.2, None)
    assert (both.dropout, both.input_dropout, both.max_norm) == (0.5, 0.2, 2.0)
    assert plain.optimizer == "momentum" and plain.momentum == 0.95


def test_batch_norm_is_the_papers_small_sigmoid_net():
    without, with_bn = BATCH_NORM.configs
    assert [(layer.units, layer.activation) for layer in without.hidden] == [(100, "sigmoid")] * 3
    assert without.init == "small" and without.batch_size == 60
    assert (without.batch_norm, with_bn.batch_norm) == (False, True)


def test_xavier_crosses_activation_with_initialisation_in_a_deep_net():
    pairs = {(config.hidden[0].activation, config.init) for config in XAVIER.configs}
    assert pairs == {(a, i) for a in ("sigmoid", "tanh") for i in ("small", "xavier_uniform")}
    assert all(len(config.hidden) == 5 for config in XAVIER.configs)
    assert all(len({layer.activation for layer in c.hidden}) == 1 for c in XAVIER.configs)


@pytest.mark.parametrize("preset", PRESETS, ids=lambda preset: preset.key)
def test_the_compare_link_holds_the_first_variant_and_each_variants_changes(preset):
    query = compare_query(preset)
    base, notes = Config.from_query({k: v for k, v in query.items() if k != "variant"})
    assert notes == [] and base == preset.first
    assert query["variant"][0] == "base"
    for text, config in zip(query["variant"], preset.configs, strict=True):
        variant, notes = Variant.from_text(text)
        assert notes == [] and variant.config(base) == config


@pytest.mark.parametrize("preset", PRESETS, ids=lambda preset: preset.key)
def test_budget_and_estimate(preset):
    assert 0 < preset.steps <= MAX_SWEEP_STEPS
    seconds = preset.estimated_seconds()
    assert len(seconds) == len(preset.variants) and all(s > 0 for s in seconds)
    variant = preset.variants[0]
    assert seconds[0] == pytest.approx(
        preset.steps * variant.config.batch_size / variant.samples_per_second
    )
    assert preset.citation and preset.source and all(v.reported for v in preset.variants)


@pytest.mark.parametrize("preset", PRESETS, ids=lambda preset: preset.key)
def test_the_accuracy_here_is_a_share_of_the_samples_test_images(preset):
    # A test accuracy on the offline sample is a whole number of its test images (1,000 of
    # them) over that number: a fraction, not a percentage, to a tenth of a point.
    n_test = len(datasets.load_images("mnist", "sample").y_test)
    for variant in preset.variants:
        right = variant.test_accuracy_here * n_test
        assert right == pytest.approx(round(right), abs=1e-6), variant.name
        assert 0 <= round(right) <= n_test, variant.name


def test_the_accuracies_here_say_what_the_scaled_setups_say():
    # The sample's test classes are balanced (100 of each digit), so a net at chance, taking
    # every image for one class, scores that class's share: the largest share, 0.1.
    labels = datasets.load_images("mnist", "sample").y_test
    chance = np.bincount(labels).max() / len(labels)
    sigmoid_small, sigmoid_xavier, tanh_small, tanh_xavier = (
        v.test_accuracy_here for v in XAVIER.variants
    )
    # "Within this budget both sigmoid nets stay at chance"
    assert sigmoid_small == pytest.approx(chance) and sigmoid_xavier == pytest.approx(chance)
    # tanh learns, and better from the normalised start
    assert chance < tanh_small < tanh_xavier
    without, with_bn = (v.test_accuracy_here for v in BATCH_NORM.variants)
    assert chance < without < with_bn  # "reaches a higher test accuracy"
    # Dropout: "Expect no clear winner here" on 1,000 test images; the spread of the three is
    # under two standard errors of one accuracy there, 2·sqrt(p(1 − p)/1000) at p = 0.96.
    accuracies = [v.test_accuracy_here for v in DROPOUT.variants]
    assert max(accuracies) - min(accuracies) < 2 * np.sqrt(0.96 * 0.04 / len(labels))


def test_a_configuration_is_found_among_the_variants_or_told_how_it_differs():
    second = DROPOUT.configs[1]
    assert DROPOUT.variant_index(second) == 1
    changed = second.replace(lr=0.1)
    assert DROPOUT.variant_index(changed) is None
    assert DROPOUT.closest_variant(changed) == (1, ["lr"])
    assert set(PRESETS_BY_KEY) == {"dropout", "batch-norm", "xavier", "augment"}


def test_augmentation_sits_beside_dropout_in_every_combination():
    from playground.core.presets import AUGMENT

    pairs = [(c.dropout, c.input_dropout, c.shift) for c in AUGMENT.configs]
    # Hinton et al.'s dropout (50% hidden, 20% inputs), shifts of up to 2 pixels, and both
    assert pairs == [(0.0, 0.0, 0), (0.5, 0.2, 0), (0.0, 0.0, 2), (0.5, 0.2, 2)]
    assert all([(layer.units, layer.activation) for layer in c.hidden] == [(800, "relu")] * 2
               for c in AUGMENT.configs)  # fmt: skip
    for variant in AUGMENT.variants:  # the real test set's 10,000 digits, a whole number right
        right = variant.real_test_accuracy_here * 10_000
        assert right == pytest.approx(round(right), abs=1e-6), variant.name


def test_durations_read_as_people_say_them():
    assert format_duration(0.2) == "1 s"
    assert format_duration(42) == "42 s"
    assert format_duration(150) == "2 min"  # 2.5 rounds to even
    assert format_duration(3 * 3600 + 5 * 60) == "3 h 5 min"


def test_speed_is_measured_with_the_engine(monkeypatch):
    # A clock that moves 1/8 s with each training step: 30 timed steps take 30/8 s, so the
    # speed is 30 × batch size / (30/8) = 8 × batch size samples a second, the 2 warm-up
    # steps (which move the clock too) left out. Batches of 10: 80.
    now = [0.0]
    steps = []
    step = Run.step

    def timed_step(run):
        now[0] += 0.125
        steps.append(run.trainer.step_count)
        return step(run)

    monkeypatch.setattr(Run, "step", timed_step)
    monkeypatch.setattr(presets, "time", SimpleNamespace(perf_counter=lambda: now[0]))
    data = make_toy_data("spiral", 200, 0.0, 0.5, 0)
    config = Config(n_points=200, batch_size=10)
    assert measure_samples_per_second(config, data, steps=30, warmup=2) == 80
    assert len(steps) == 2 + 30


def test_presets_import_no_streamlit():
    code = "import sys, playground.core.presets; print('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)  # fmt: skip
    assert result.stdout.strip() == "False"

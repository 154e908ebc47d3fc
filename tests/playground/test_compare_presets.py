"""The Compare page's presets: each a question, a scenario that answers it and the figures it
measured. Every scenario is a valid setup the page takes as it is, the variants resolve, the
stored claims name the preset's own variants, and the regularisation presets' claims hold
when their scenario runs headless with the page's sweep code."""

from __future__ import annotations

import dataclasses

import pytest

from playground.core.compare import (
    DEEP_SIGMOID,
    MAX_VARIANTS,
    OVERFITTING,
    PRESET_LIST,
    PRESETS,
    PRESETS_BY_KEY,
    REGULARISATION,
    ComparePreset,
    MeasuredClaim,
    Variant,
    describe_claim,
    differing_settings,
    find_preset,
    make_executor,
    measure_presets,
    preset_base,
    preset_configs,
    preset_variants,
)
from playground.core.config import COMPARE_PAGE, Config
from playground.core.data import make_toy_data

# The presets that claim a regulariser does what it is for; each must beat plain clearly.
CLAIM_KEYS = ("dropout", "l2", "max-norm", "batch-norm")
# Seeds for the claims test: the claims' own are 0-9 (benchmarks/presets.py runs them all);
# four at the claimed steps keep the test near 15 s on two cores.
TEST_SEEDS = range(4)


@pytest.mark.parametrize("preset", PRESET_LIST, ids=lambda preset: preset.key)
def test_every_scenario_is_a_setup_the_compare_page_takes_as_it_is(preset):
    base = preset.base
    assert Config.from_json(base.to_json()) == base
    assert COMPARE_PAGE.limit(base) == (base, [])
    assert preset_base(preset.name) == base
    # what the variants share is the base's, regularisation aside (the variants set it)
    assert all(getattr(base, name) == getattr(Config(), name) for name in REGULARISATION)
    assert 100 <= preset.steps <= 20_000


@pytest.mark.parametrize("preset", PRESET_LIST, ids=lambda preset: preset.key)
def test_the_variants_resolve_and_differ_only_in_regularisation(preset):
    configs = preset_configs(preset.name)
    assert 2 <= len(configs) <= MAX_VARIANTS
    assert len(set(configs)) == len(configs), "two variants are the same"
    assert set(differing_settings(configs)) <= set(REGULARISATION)
    for config in configs:
        assert Config.from_json(config.to_json()) == config
    assert configs[0] == preset.base  # A is the plain network
    assert [v.config(preset.base) for v in preset_variants(preset.name)] == configs
    assert all(isinstance(v, Variant) for v in preset_variants(preset.name))
    assert len(set(preset.labels)) == len(preset.labels)


@pytest.mark.parametrize("preset", PRESET_LIST, ids=lambda preset: preset.key)
def test_the_claims_name_the_presets_own_variants_steps_and_seeds(preset):
    assert preset.claims, f"{preset.name} has no measured claim"
    labels = preset.labels
    for claim in preset.claims:
        assert claim.variant in labels and claim.against in labels
        assert claim.variant != claim.against
        assert claim.steps == preset.steps and claim.seeds == 10
        assert claim.low <= claim.mean <= claim.high
        assert claim.holds(), "the stored interval is not on the claimed side of zero"
        assert claim == claim.rounded()  # stored to a tenth of a point
    assert len(preset.claim_words()) == len(preset.claims)


@pytest.mark.parametrize("key", CLAIM_KEYS)
def test_each_regulariser_preset_claims_it_beats_plain_with_an_interval_above_zero(key):
    preset = PRESETS_BY_KEY[key]
    (claim,) = preset.claims
    assert (claim.against, claim.variant) == tuple(preset.labels)
    assert claim.direction == 1 and claim.low >= 0.02  # at least two points clear of zero
    assert claim.test_b > claim.test_a


def test_the_overfitting_scenario_is_small_noisy_and_wide_enough_to_learn_noise_by_heart():
    data = make_toy_data(OVERFITTING.dataset, OVERFITTING.n_points, OVERFITTING.noise,
                         OVERFITTING.train_share, OVERFITTING.data_seed, OVERFITTING.features,
                         OVERFITTING.label_noise)  # fmt: skip
    assert len(data.y_train) <= 100 and len(data.y_test) >= 300
    assert 0.2 <= OVERFITTING.label_noise <= 0.3
    assert all(layer.units >= 64 for layer in OVERFITTING.hidden)
    # plain learns the flipped labels: its train accuracy is well above its test accuracy
    (dropout,) = PRESETS["Dropout?"].claims
    assert dropout.train_a - dropout.test_a >= 0.1
    for preset in PRESET_LIST:
        if preset.key != "batch-norm":
            assert preset.base == OVERFITTING


def test_batch_norm_is_shown_where_it_helps_a_deep_net_with_big_batches():
    preset = PRESETS["Batch norm?"]
    assert preset.base == DEEP_SIGMOID
    assert len(DEEP_SIGMOID.hidden) >= 4 and DEEP_SIGMOID.batch_size >= 32
    assert {layer.activation for layer in DEEP_SIGMOID.hidden} == {"sigmoid"}
    (claim,) = preset.claims
    assert claim.test_a < 0.6 < 0.95 < claim.test_b  # plain near chance, batch norm there


def test_a_preset_is_found_by_its_name_or_key_in_any_case():
    assert find_preset("Dropout?") is PRESETS["Dropout?"]
    assert find_preset("DROPOUT") is PRESETS["Dropout?"]
    assert find_preset("max norm") is find_preset("Max-norm?") is PRESETS_BY_KEY["max-norm"]
    assert find_preset("l2-VS-dropout") is PRESETS["L2 vs dropout"]
    assert find_preset("dropout + max-norm") is PRESETS["Dropout + max-norm"]
    assert find_preset("nothing") is None
    assert len({preset.key for preset in PRESET_LIST}) == len(PRESET_LIST)
    assert list(PRESETS) == [preset.name for preset in PRESET_LIST]


def test_a_preset_still_reads_as_the_names_of_its_variants():
    # as it did when a preset was a tuple of regulariser names (benchmarks/compare.py, pages)
    preset = PRESETS["All three"]
    assert len(preset) == 4
    assert preset[:2] == ("plain", "dropout 0.5")
    assert preset[3] == "dropout 0.5, max-norm 3, batch norm"
    named = ComparePreset("x", "x", "?", "", Config(), 100, ("plain", "dropout"))
    assert named.variants == (Variant.regulariser("plain"), Variant.regulariser("dropout"))
    with pytest.raises(ValueError):
        ComparePreset("x", "x", "?", "", Config(), 100, ("plain",))


def test_a_claim_in_words():
    claim = MeasuredClaim("dropout 0.5", "plain", mean=0.061, low=0.039, high=0.083, seeds=10,
                          steps=3000, direction=1, test_a=0.8, test_b=0.861, train_a=0.95,
                          train_b=0.8)  # fmt: skip
    assert describe_claim(claim) == (
        "measured: dropout 0.5 +6.1 points (95% CI +3.9 to +8.3) against plain, test accuracy "
        "80.0% → 86.1%, 10 seeds, 3,000 steps"
    )
    unclear = dataclasses.replace(claim, mean=0.001, low=-0.015, high=0.017, direction=0)
    assert "no clear difference (+0.1 points, 95% CI -1.5 to +1.7)" in describe_claim(unclear)
    assert unclear.holds() and claim.holds()
    assert not dataclasses.replace(claim, direction=-1).holds()


# -- the claims, measured -----------------------------------------------------------------


@pytest.fixture(scope="module")
def measured_claims():
    """The regularisation presets' scenarios, headless with the page's sweep code, over the
    test's seeds at the claimed steps (the runs plain shares between presets run once)."""
    presets = [PRESETS_BY_KEY[key] for key in CLAIM_KEYS]
    executor, _ = make_executor(2)
    with executor:
        return measure_presets(presets, list(TEST_SEEDS), executor)


@pytest.mark.parametrize("key", CLAIM_KEYS)
def test_the_regulariser_beats_plain_with_a_clear_interval_when_the_scenario_runs(
    key, measured_claims
):
    preset = PRESETS_BY_KEY[key]
    (stored,) = preset.claims
    (measured,) = measured_claims[preset.name]
    assert (measured.variant, measured.against) == (stored.variant, stored.against)
    assert measured.steps == stored.steps and measured.seeds == len(TEST_SEEDS)
    # the claimed direction with an interval clear of zero: low > 0 (would fail for a
    # variant without the regulariser: it is plain, and the difference exactly zero)
    assert measured.direction == stored.direction == 1, describe_claim(measured)
    assert measured.low > 0
    assert measured.test_b > measured.test_a

"""The one list of settings: URL and JSON round trips, lenient URLs, strict files."""

import json

import pytest

from playground.core.config import (
    LIVE_SETTINGS,
    SETTINGS,
    Config,
    ConfigError,
    HiddenLayer,
    format_hidden,
    parse_hidden,
)


def test_defaults_are_valid_and_round_trip_through_the_url():
    config = Config()
    again, notes = Config.from_query(config.to_query())
    assert again == config
    assert notes == []


def test_a_changed_config_round_trips_through_url_and_json():
    config = Config(
        dataset="moons",
        noise=0.25,
        hidden=((16, "relu"), (4, "sigmoid"), (2, "leaky_relu")),
        batch_norm=True,
        dropout=0.3,
        max_norm=2.5,
        optimizer="nesterov",
        lr=0.0123,
        weight_decay=3e-4,
        batch_size=33,
        seed=123456,
    )
    assert config.hidden[0] == HiddenLayer(16, "relu")
    url_text = {key: str(value) for key, value in config.to_query().items()}
    assert Config.from_query(url_text) == (config, [])
    assert Config.from_json(config.to_json()) == config
    # The JSON is plain: a person can read and edit it.
    assert json.loads(config.to_json())["hidden"][1] == {"units": 4, "activation": "sigmoid"}


@pytest.mark.parametrize(
    ("key", "raw", "words"),
    [
        ("lr", "fast", "Learning rate"),
        ("lr", "-1", "Learning rate"),
        ("lr", "nan", "Learning rate"),
        ("noise", "0.9", "Noise"),
        ("hidden", "0relu", "Hidden layers"),
        ("hidden", "8tanh,8tanh,8tanh,8tanh,8tanh,8tanh,8tanh", "Hidden layers"),
        ("hidden", "8swish", "Hidden layers"),
        ("optimizer", "lbfgs", "Optimizer"),
        ("batch_size", "2.5", "Batch size"),
        ("batch_norm", "maybe", "Batch norm"),
        ("max_norm", "0", "Max-norm"),
    ],
)
def test_a_bad_url_value_falls_back_to_its_default_with_a_note(key, raw, words):
    config, notes = Config.from_query({key: raw, "seed": "7"})
    assert getattr(config, key) == getattr(Config(), key)
    assert config.seed == 7  # the good values are kept
    assert len(notes) == 1
    assert words in notes[0] and repr(raw) in notes[0] and "default" in notes[0]


def test_repeated_url_parameters_take_the_last_value():
    config, notes = Config.from_query({"lr": ["0.1", "0.3"]})
    assert config.lr == 0.3 and notes == []


def test_strict_json_names_every_problem():
    with pytest.raises(ConfigError, match="Unknown setting: 'colour'"):
        Config.from_dict({"colour": "red"})
    with pytest.raises(ConfigError) as error:
        Config.from_json(json.dumps({"lr": 100, "dropout": -0.5}))
    assert "Learning rate" in str(error.value) and "Dropout" in str(error.value)
    with pytest.raises(ConfigError, match="not valid JSON"):
        Config.from_json("{lr: 0.1")
    with pytest.raises(ConfigError, match="JSON object"):
        Config.from_json("[1, 2]")


def test_hidden_text_form():
    layers = parse_hidden("8tanh, 16relu")
    assert layers == (HiddenLayer(8, "tanh"), HiddenLayer(16, "relu"))
    assert format_hidden(layers) == "8tanh,16relu"
    assert parse_hidden("none") == () and format_hidden(()) == "none"


def test_live_settings_do_not_need_a_reset_and_others_do():
    base = Config()
    assert LIVE_SETTINGS == {"dropout", "input_dropout", "max_norm", "weight_decay", "l1", "lr"}
    assert not Config(lr=0.3, dropout=0.5, max_norm=2.0, weight_decay=0.01).needs_reset(base)
    for changed in (
        Config(seed=1),
        Config(dataset="xor"),
        Config(hidden=((4, "relu"),)),
        Config(init="he"),
        Config(batch_norm=True),
    ):
        assert changed.needs_reset(base)


def test_every_setting_has_a_label_help_and_a_valid_default():
    for setting in SETTINGS:
        assert setting.label and setting.help
        assert setting.parse(setting.default) == setting.default


def test_choices_name_what_the_engine_and_data_sets_offer():
    from mlp.datasets import IMAGE_DATASETS, TOY_DATASETS
    from mlp.datasets.regression import REGRESSION_DATASETS
    from mlp.init import INITIALIZERS
    from mlp.network import ACTIVATIONS
    from playground.core.config import ACTIVATION_CHOICES, DATASET_CHOICES, INIT_CHOICES

    assert {name for name, _ in ACTIVATION_CHOICES} == set(ACTIVATIONS)
    assert {name for name, _ in INIT_CHOICES} == set(INITIALIZERS)
    assert [name for name, _ in DATASET_CHOICES] == [
        *TOY_DATASETS,
        *REGRESSION_DATASETS,
        "drawn",
        "csv",
        *IMAGE_DATASETS,
    ]

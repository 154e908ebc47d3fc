"""L1, learning-rate schedules and random shifts as settings of a run: the config, the link,
the live changes, and that a run at their defaults is the run it was before they existed."""

import numpy as np
import pytest

from mlp.constraints import MaxNorm
from mlp.optim import SGD, Adam
from mlp.schedules import make_schedule
from mlp.train import Trainer
from playground.charts.curves import Curve, curves_figure
from playground.core.config import (
    MNIST_PAGE,
    PLAYGROUND_PAGE,
    STEP_DECAY_GAMMA,
    WARMUP_START_FACTOR,
    Config,
    ConfigError,
)
from playground.core.data import ImageSet, make_toy_data
from playground.core.hints import regularisation_hint
from playground.core.inside import NEAR_ZERO, near_zero_text
from playground.core.links import read_link
from playground.core.session import TrainingSession, make_network, make_run


def toy_data(config: Config):
    return make_toy_data(
        config.dataset, config.n_points, config.noise, config.train_share, config.data_seed
    )


def image_set(n_train: int = 256, n_test: int = 100, side: int = 8) -> ImageSet:
    """Random 8 × 8 'images' of three classes: enough for shifts to matter."""
    rng = np.random.default_rng(7)
    pixels = side * side
    return ImageSet(
        name="mnist",
        source="sample",
        inputs_train=rng.random((n_train, pixels), dtype=np.float32),
        y_train=rng.integers(0, 3, n_train),
        inputs_test=rng.random((n_test, pixels), dtype=np.float32),
        y_test=rng.integers(0, 3, n_test),
        class_names=("a", "b", "c"),
        image_shape=(side, side),
        example_rows=np.arange(6),
    )


IMAGES = Config(dataset="mnist", hidden=((32, "relu"),), batch_size=16, optimizer="momentum",
                lr=0.05, dropout=0.2, max_norm=3.0, weight_decay=1e-4)  # fmt: skip
POINTS = Config(dataset="moons", noise=0.2, batch_norm=True, dropout=0.1, weight_decay=1e-3)


# -- the settings ---------------------------------------------------------------------------


def test_new_settings_round_trip_through_url_and_json():
    config = Config(dataset="mnist", l1=3e-5, schedule="cosine", schedule_steps=2500, shift=3)
    url_text = {key: str(value) for key, value in config.to_query().items()}
    assert Config.from_query(url_text) == (config, [])
    assert Config.from_json(config.to_json()) == config
    # A value between the slider's steps is kept exactly, like every number in a link.
    assert read_link({"l1": "0.000123", "schedule_steps": "777"}).config.l1 == 0.000123


@pytest.mark.parametrize(
    ("key", "raw", "label"),
    [
        ("l1", "0.5", "L1 penalty"),
        ("l1", "-1e-4", "L1 penalty"),
        ("l1", "nan", "L1 penalty"),
        ("l1", "inf", "L1 penalty"),
        ("schedule", "exponential", "Learning-rate schedule"),
        ("schedule", "<script>alert(1)</script>", "Learning-rate schedule"),
        ("schedule", "", "Learning-rate schedule"),
        ("schedule_steps", "0", "Schedule length"),
        ("schedule_steps", "2.5", "Schedule length"),
        ("schedule_steps", "1e300", "Schedule length"),
        ("schedule_steps", "١٠٠", "Schedule length"),
        ("shift", "5", "Random shifts"),
        ("shift", "-1", "Random shifts"),
        ("shift", "1.5", "Random shifts"),
        ("shift", "**2**", "Random shifts"),
    ],
)
@pytest.mark.parametrize("page", [PLAYGROUND_PAGE, MNIST_PAGE], ids=lambda page: page.name)
def test_hostile_values_fall_back_to_the_default_with_a_note(key, raw, label, page):
    link = read_link({key: raw}, page)
    assert getattr(link.config, key) == getattr(page.default, key)
    assert len(link.notes) == 1 and link.notes[0].startswith(label)


def test_shifts_on_points_fall_back_with_a_note_and_a_file_with_them_is_refused():
    link = read_link({"dataset": "spiral", "shift": "2"})
    assert link.config.shift == 0
    assert len(link.notes) == 1 and "2-D points are not images" in link.notes[0]
    assert read_link({"shift": "2"}, MNIST_PAGE).config.shift == 2
    with pytest.raises(ConfigError, match="Random shifts"):
        Config.from_dict({"dataset": "circle", "shift": 1})


def test_l1_is_live_and_the_others_restart_training():
    base = Config(dataset="mnist")
    assert not base.replace(l1=1e-3).needs_reset(base)
    for change in ({"schedule": "cosine"}, {"schedule_steps": 50}, {"shift": 1}):
        assert base.replace(**change).needs_reset(base)


def test_the_schedules_are_the_engines_with_the_fixed_constants():
    config = Config(lr=0.2, schedule_steps=40)
    assert config.make_schedule() is None
    expected = {
        "step": make_schedule("step", 0.2, step_size=40, gamma=STEP_DECAY_GAMMA),
        "cosine": make_schedule("cosine", 0.2, t_max=40),
        "warmup": make_schedule("warmup", 0.2, start_factor=WARMUP_START_FACTOR, total_steps=40),
    }
    for name, schedule in expected.items():
        made = config.replace(schedule=name).make_schedule()
        assert [made.lr(t) for t in range(130)] == [schedule.lr(t) for t in range(130)]
    assert STEP_DECAY_GAMMA == 0.5 and WARMUP_START_FACTOR == 0.1


# -- runs at their defaults are the runs of before ------------------------------------------


def trained_as_before(config: Config, data, steps: int) -> np.ndarray:
    """The run as the app built it before L1, schedules and shifts: the optimizer without an
    L1 argument, a Trainer without a schedule or an augmentation."""
    network = make_network(config, data.inputs_train.shape[1], len(data.class_names))
    optimizer = (SGD(lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
                 if config.optimizer == "momentum"
                 else Adam(lr=config.lr, weight_decay=config.weight_decay))  # fmt: skip
    trainer = Trainer(network, optimizer, data.inputs_train, data.y_train,
                      batch_size=config.batch_size, seed=config.seed,
                      max_norm=MaxNorm(config.max_norm) if config.max_norm else None,
                      keep_history=False)  # fmt: skip
    trainer.run(n_steps=steps)
    return network.param_vector.copy()


@pytest.mark.parametrize("config", [IMAGES, POINTS], ids=["images", "points"])
def test_defaults_train_bitwise_as_before(config):
    data = image_set() if config.is_images else toy_data(config)
    explicit = config.replace(l1=0.0, schedule="constant", schedule_steps=1000, shift=0)
    assert explicit == config  # they are the defaults
    run = make_run(explicit, data)
    assert run.trainer.lr_schedule is None and run.trainer.augment is None
    for _ in range(70):
        assert run.step()
    np.testing.assert_array_equal(run.network.param_vector, trained_as_before(config, data, 70))
    # Other schedule lengths change nothing while the schedule is constant.
    again = make_run(config.replace(schedule_steps=5), data)
    for _ in range(70):
        again.step()
    np.testing.assert_array_equal(again.network.param_vector, run.network.param_vector)


# -- live changes ---------------------------------------------------------------------------


def test_l1_changes_live_and_pulls_weights_to_zero():
    data = image_set()
    session = TrainingSession([IMAGES], data)
    session.step(5)
    run = session.runs[0]
    session.apply_live([IMAGES.replace(l1=0.01)])
    assert run.optimizer.l1 == 0.01 and run.trainer.step_count == 5  # no restart
    plain = make_run(IMAGES, data)
    for _ in range(5):
        plain.step()
    session.step(200)
    for _ in range(200):
        plain.step()
    near_zero = [np.mean(np.abs(r.network.dense_layers()[0].params["W"]) < 1e-3)
                 for r in (run, plain)]  # fmt: skip
    assert near_zero[0] > near_zero[1] + 0.05


@pytest.mark.parametrize("name", ["step", "cosine", "warmup"])
def test_each_step_uses_the_schedules_rate_and_a_live_rate_rescales_it(name):
    config = Config(dataset="moons", optimizer="sgd", lr=0.3, schedule=name, schedule_steps=7)
    run = make_run(config, toy_data(config))
    used = []
    step = run.trainer.step

    def recording_step():
        loss = step()
        used.append(run.optimizer.lr)
        return loss

    run.trainer.step = recording_step
    assert run.learning_rate == run.trainer.lr_schedule.lr(0)
    for _ in range(20):
        run.step()
    schedule = config.make_schedule()
    assert used == [schedule.lr(t) for t in range(20)]
    run.apply_live(config.replace(lr=0.03))
    for _ in range(10):
        run.step()
    rescaled = config.replace(lr=0.03).make_schedule()
    assert used[20:] == [rescaled.lr(t) for t in range(20, 30)]
    assert run.learning_rate == rescaled.lr(30)
    snapshot = run.snapshot()
    assert snapshot.learning_rate == rescaled.lr(30)
    np.testing.assert_array_equal(snapshot.lr_curve[1], used)  # 30 points: none merged yet


def test_a_constant_rate_is_shown_and_kept_off_the_curves():
    config = Config(dataset="moons")
    run = make_run(config, toy_data(config))
    run.step()
    run.apply_live(config.replace(lr=0.003))
    run.step()
    snapshot = run.snapshot()
    assert snapshot.learning_rate == 0.003 and len(snapshot.lr_curve[0]) == 0


# -- random shifts --------------------------------------------------------------------------


def test_shifts_change_training_but_neither_the_data_nor_the_order_nor_evaluation():
    data = image_set()
    train_before, test_before = data.inputs_train.copy(), data.inputs_test.copy()
    plain, shifted = make_run(IMAGES, data), make_run(IMAGES.replace(shift=2), data)
    np.testing.assert_array_equal(plain.trainer._order, shifted.trainer._order)
    np.testing.assert_array_equal(plain.network.param_vector, shifted.network.param_vector)
    for _ in range(40):
        plain.step()
        shifted.step()
    assert not np.array_equal(plain.network.param_vector, shifted.network.param_vector)
    # The same minibatches in the same order: the shuffling stream is not touched.
    np.testing.assert_array_equal(plain.trainer._order, shifted.trainer._order)
    np.testing.assert_array_equal(data.inputs_train, train_before)
    np.testing.assert_array_equal(data.inputs_test, test_before)
    # Evaluation sees the images as they are: the network's own forward pass on them.
    logits = shifted.network.forward(data.inputs_test, train=False)
    accuracy = float(np.mean(logits.argmax(axis=1) == data.y_test))
    assert shifted.trainer.evaluate(data.inputs_test, data.y_test)[1] == accuracy
    assert shifted.snapshot().test_accuracy == accuracy


def test_shifts_are_seeded_with_the_run():
    data = image_set()
    runs = [make_run(IMAGES.replace(shift=1, seed=seed), data) for seed in (3, 3, 4)]
    for run in runs:
        for _ in range(30):
            run.step()
    first, same, other = (run.network.param_vector for run in runs)
    np.testing.assert_array_equal(first, same)
    assert not np.array_equal(first, other)


# -- what the views show --------------------------------------------------------------------


def test_snapshots_hold_the_share_of_weights_near_zero_per_layer():
    data = image_set()
    run = make_run(IMAGES, data)
    dense = run.network.dense_layers()
    dense[0].params["W"][:10] = 0.0  # 10 of 64 input rows: 10 × 32 of 64 × 32 weights
    snapshot = run.snapshot()
    assert len(snapshot.near_zero) == len(dense)
    expected = np.mean(np.abs(dense[0].params["W"]) < NEAR_ZERO)
    assert snapshot.near_zero[0] == expected and expected >= 10 / 64
    assert near_zero_text(snapshot.near_zero).startswith(
        "Weights near zero (|w| < 0.001): Dense 1 "
    )


def test_the_learning_rate_in_words():
    assert Config(lr=0.01).learning_rate_text(0.01) == "Learning rate now: 0.01 (constant)."
    cosine = Config(lr=0.05, schedule="cosine", schedule_steps=10_000)
    assert cosine.learning_rate_text(0.0251) == (
        "Learning rate now: 0.0251 (cosine from 0.05 to 0 at step 10,000)."
    )
    warmup = Config(lr=0.1, schedule="warmup", schedule_steps=200)
    assert "warming up from 0.01 to 0.1 over 200 steps" in warmup.learning_rate_text(0.01)


def test_a_schedules_rate_is_drawn_dotted_against_its_own_axis():
    steps = np.arange(1.0, 101.0)
    loss = [Curve("Train loss", steps, 1 / steps)]
    plain = curves_figure(loss, y_title="Loss")
    assert len(plain.data) == 1 and "yaxis2" not in plain.to_plotly_json()["layout"]
    rate = Curve("Learning rate", steps, 0.1 * 0.5 ** (steps // 30), color="#666666")
    figure = curves_figure(loss, y_title="Loss", rate=rate)
    line = figure.data[1]
    assert line.yaxis == "y2" and line.line.dash == "dot"
    assert figure.layout.yaxis2.overlaying == "y" and figure.layout.yaxis2.side == "right"


def test_l1_where_nothing_overfits_gets_the_regularisation_hint():
    hint = regularisation_hint(Config(l1=0.001), 0.97, 0.965, 5000)
    assert hint is not None and "the L1 penalty has nothing to cure" in hint.text

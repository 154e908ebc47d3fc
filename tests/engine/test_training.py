"""The trainer: it learns, it is reproducible, it reacts to live changes, it survives divergence."""

import warnings

import numpy as np
import pytest

from mlp.constraints import MaxNorm
from mlp.layers import Dropout
from mlp.network import build_network
from mlp.optim import SGD, Adam
from mlp.train import EVAL_BATCH, Trainer


def two_arm_spiral(n_per_arm: int = 100, noise: float = 0.05, seed: int = 0):
    """Two interleaved spiral arms of one turn each, in [-1, 1]^2; labels 0 and 1."""
    rng = np.random.default_rng(seed)
    angle = np.sqrt(rng.uniform(0, 1, n_per_arm)) * 2 * np.pi
    arm = np.column_stack([angle * np.cos(angle), angle * np.sin(angle)]) / (2 * np.pi)
    X = np.concatenate([arm, -arm]) + rng.normal(0, noise, (2 * n_per_arm, 2))
    return X, np.repeat([0, 1], n_per_arm)


XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def test_learns_a_two_arm_spiral():
    X, y = two_arm_spiral()
    network = build_network(2, 2, [(16, "tanh"), (16, "tanh")], seed=0)
    trainer = Trainer(network, Adam(0.03), X, y, batch_size=32, seed=0)
    trainer.run(n_steps=3000)
    assert trainer.diverged is None
    assert trainer.evaluate(X, y)[1] >= 0.95
    assert trainer.history.epochs[-1]["train_accuracy"] >= 0.95


def test_learns_xor_with_the_whole_set_as_one_batch():
    network = build_network(2, 2, [(4, "tanh")], seed=1)
    trainer = Trainer(network, SGD(0.5, momentum=0.9), XOR_X, XOR_Y, batch_size=32)
    assert trainer.batch_size == 4 and trainer.batches_per_epoch == 1
    trainer.run(n_steps=500)
    assert np.array_equal(network.predict(XOR_X), XOR_Y)
    assert trainer.epoch == 500


@pytest.mark.parametrize(("batch_norm", "lr"), [(False, 1e4), (True, 1e8)])
def test_too_large_a_learning_rate_is_reported_and_leaves_parameters_as_they_were(batch_norm, lr):
    X, y = two_arm_spiral()
    network = build_network(2, 2, [(32, "relu"), (32, "relu")], batch_norm=batch_norm, seed=0)
    before_each_step = []

    def remember(trainer, event):
        if event == "step":
            before_each_step.append(
                ([p.copy() for p in network.params()], [s.copy() for s in network.running_stats()])
            )

    trainer = Trainer(network, SGD(lr, momentum=0.9), X, y, batch_size=16, callback=remember)
    before_each_step.append(
        ([p.copy() for p in network.params()], [s.copy() for s in network.running_stats()])
    )
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")  # no RuntimeWarning may escape either
        taken = trainer.run(n_steps=1000)

    assert trainer.diverged is not None
    assert 0 < taken < 1000 and trainer.step_count == taken
    assert f"Diverged at step {taken + 1}" in trainer.diverged
    assert "Lower the learning rate" in trainer.diverged
    params, stats = before_each_step[-1]
    current = network.params() + network.running_stats()
    for saved, now in zip(params + stats, current, strict=True):
        assert np.array_equal(saved, now)
    assert trainer.step() is None and trainer.step_count == taken


def test_an_overflowing_update_is_refused_before_it_is_applied():
    X, y = two_arm_spiral()
    network = build_network(2, 2, [(8, "tanh")], seed=0)
    start = network.param_vector.copy()
    trainer = Trainer(network, SGD(1e36), X, y)
    assert trainer.step() is None
    assert "update" in trainer.diverged and "Lower the learning rate" in trainer.diverged
    assert np.array_equal(network.param_vector, start)


def run_twice(seed: int, **options):
    X, y = two_arm_spiral()
    results = []
    for _ in range(2):
        network = build_network(2, 2, [(8, "relu"), (8, "tanh")], dropout=0.2, seed=seed)
        trainer = Trainer(network, Adam(0.01), X, y, batch_size=16, seed=seed, **options)
        trainer.run(n_steps=60)
        results.append((network.param_vector.copy(), list(trainer.history.step_loss)))
    return results


def test_same_seed_gives_bitwise_the_same_run():
    (params_a, losses_a), (params_b, losses_b) = run_twice(7)
    assert np.array_equal(params_a, params_b)
    assert losses_a == losses_b


def test_another_seed_gives_another_run():
    (params_7, _), _ = run_twice(7)
    (params_8, _), _ = run_twice(8)
    assert not np.array_equal(params_7, params_8)


def test_live_changes_take_effect_at_the_next_step():
    X, y = two_arm_spiral()
    network = build_network(2, 2, [(8, "tanh"), (8, "tanh")], seed=0)
    optimizer = SGD(0.5)
    trainer = Trainer(network, optimizer, X, y, batch_size=20)
    trainer.step()

    optimizer.lr = 0.0
    frozen = network.param_vector.copy()
    trainer.step()
    assert np.array_equal(network.param_vector, frozen)

    optimizer.lr = 0.5
    hidden_dropout = [layer for layer in network.layers if isinstance(layer, Dropout)][1:]
    network.set_dropout(0.5)
    trainer.step()
    assert all(layer.mask is not None and (layer.mask == 0).any() for layer in hidden_dropout)

    trainer.max_norm = MaxNorm(0.1)
    trainer.step()
    assert max(norms.max() for norms in network.weight_norms_per_unit()) <= 0.1 * (1 + 1e-6)

    trainer.max_norm = None
    optimizer.lr = 50.0
    trainer.step()
    assert max(norms.max() for norms in network.weight_norms_per_unit()) > 0.1


def test_epochs_history_and_callback_events():
    X, y = two_arm_spiral(n_per_arm=50)  # 100 samples, batch 30: 3 full batches, 10 dropped
    X_test, y_test = two_arm_spiral(n_per_arm=20, seed=1)
    events = []
    evaluations = []

    def on_event(trainer, event):
        events.append((event, trainer.step_count, trainer.epoch))
        if event == "epoch" and not evaluations:
            evaluations.extend([trainer.evaluate(X, y), trainer.evaluate(X_test, y_test)])

    network = build_network(2, 2, [(8, "tanh")])
    trainer = Trainer(
        network,
        SGD(0.1),
        X,
        y,
        X_test,
        y_test,
        batch_size=30,
        callback=on_event,
    )
    assert trainer.batches_per_epoch == 3
    trainer.run(n_steps=4)
    assert trainer.epoch == 1 and trainer.epoch_progress == pytest.approx(4 / 3)
    assert events == [
        ("step", 1, 0),
        ("step", 2, 0),
        ("step", 3, 0),
        ("epoch", 3, 1),
        ("step", 4, 1),
    ]
    assert trainer.history.step == [1, 2, 3, 4] and len(trainer.history.step_loss) == 4
    (record,) = trainer.history.epochs
    assert record["epoch"] == 1 and record["step"] == 3
    train_at_epoch_end, test_at_epoch_end = evaluations
    assert (record["train_loss"], record["train_accuracy"]) == train_at_epoch_end
    assert (record["test_loss"], record["test_accuracy"]) == test_at_epoch_end

    trainer.run(n_epochs=2)
    assert trainer.epoch == 3 and trainer.step_count == 9
    trainer.run(should_stop=lambda: trainer.step_count >= 11)
    assert trainer.step_count == 11


def test_epoch_records_without_a_test_set_have_no_test_values():
    X, y = two_arm_spiral(n_per_arm=10)
    trainer = Trainer(build_network(2, 2, [(4, "relu")]), SGD(0.1), X, y, batch_size=5)
    trainer.run(n_epochs=1)
    (record,) = trainer.history.epochs
    assert record["test_loss"] is None and record["test_accuracy"] is None
    steps, epochs = trainer.history.to_frame()
    assert list(steps["step"]) == [1, 2, 3, 4] and len(epochs) == 1


def test_evaluate_in_chunks_equals_evaluate_at_once():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((EVAL_BATCH * 2 + 37, 3))
    y = rng.integers(0, 3, X.shape[0])
    network = build_network(3, 3, [(6, "relu")], batch_norm=True, dtype=np.float64)
    trainer = Trainer(network, SGD(0.1), X, y)
    loss, accuracy = trainer.evaluate(X, y)
    logits = network.forward(X)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    assert loss == pytest.approx(-log_probabilities[np.arange(len(y)), y].mean(), rel=1e-12)
    assert accuracy == np.mean(logits.argmax(axis=1) == y)


def test_refuses_labels_the_network_cannot_output():
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        Trainer(build_network(2, 2, [(4, "relu")]), SGD(0.1), XOR_X, np.array([0, 1, 2, 0]))


def test_without_history_only_the_last_epoch_is_kept():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 2)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    kept = Trainer(build_network(2, 2, [(4, "tanh")], seed=0), SGD(0.1), X, y, batch_size=10)
    lean = Trainer(
        build_network(2, 2, [(4, "tanh")], seed=0), SGD(0.1), X, y, batch_size=10,
        keep_history=False,
    )  # fmt: skip
    kept.run(n_epochs=3)
    lean.run(n_epochs=3)
    assert len(kept.history.step) == 12 and len(kept.history.epochs) == 3
    assert lean.history.step == [] and lean.history.epochs == []
    assert lean.last_epoch == kept.history.epochs[-1] == kept.last_epoch


def test_a_new_training_set_is_used_from_the_next_step_with_the_same_network_and_optimizer():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 2)).astype(np.float32), np.arange(40) % 2
    network = build_network(2, 2, hidden=[(4, "tanh")], seed=1)
    trainer = Trainer(network, Adam(lr=0.01), X, y, batch_size=8, seed=2)
    for _ in range(7):
        trainer.step()
    optimizer = trainer.optimizer
    moments = [optimizer.state[0][name].copy() for name in ("m_sum", "v_sum")]
    steps = optimizer.step_count
    new_X, new_y = X[:3] * 2, np.array([1, 0, 1])
    trainer.set_training_data(new_X, new_y)
    assert trainer.batch_size == 3 and trainer.batches_per_epoch == 1
    assert trainer.step_count == 7 and trainer.epoch == 1 and trainer.epoch_progress == 1.0
    assert optimizer.step_count == steps
    for before, name in zip(moments, ("m_sum", "v_sum"), strict=True):
        np.testing.assert_array_equal(before, optimizer.state[0][name])
    # The next minibatch is the whole new set: its loss is the loss on the new set.
    expected, _ = trainer.evaluate(new_X, new_y)
    assert trainer.step() == pytest.approx(expected, rel=1e-6)
    assert trainer.step_count == 8 and trainer.epoch == 2
    with pytest.raises(ValueError, match="3 inputs"):
        trainer.set_training_data(np.zeros((4, 3), np.float32), np.zeros(4, int))
    with pytest.raises(ValueError, match="labels must lie in"):
        trainer.set_training_data(new_X, np.array([0, 1, 2]))


def test_a_regression_step_is_the_mean_squared_error_step_and_its_metric_is_r2():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(32, 2)).astype(np.float32)
    y = (X[:, 0] - 0.5 * X[:, 1]).astype(np.float32)
    network = build_network(2, 1, hidden=[(6, "tanh")], seed=4)
    reference = build_network(2, 1, hidden=[(6, "tanh")], seed=4)
    trainer = Trainer(network, SGD(lr=0.1), X, y, batch_size=32, seed=5, loss="mse")
    loss = trainer.step()
    # The same step by hand: L = mean((f(X) − y)²), ∂L/∂f = 2 (f(X) − y) / N, θ ← θ − η ∂L/∂θ
    rows = np.random.default_rng(5).permutation(32)  # the trainer's first epoch order
    predictions = reference.forward(X[rows], train=True)
    error = predictions - y[rows, None]
    assert loss == pytest.approx(float(np.mean(error**2)), rel=1e-6)
    reference.backward(2 * error / error.size, input_grad=False)
    reference.param_vector -= np.float32(0.1) * reference.grad_vector
    np.testing.assert_allclose(network.param_vector, reference.param_vector, rtol=1e-6, atol=1e-7)
    mse, r2 = trainer.evaluate(X, y)
    fitted = network.forward(X)[:, 0]
    assert mse == pytest.approx(float(np.mean((fitted - y) ** 2)), rel=1e-5)
    assert r2 == pytest.approx(
        1 - np.sum((fitted - y) ** 2) / np.sum((y - y.mean()) ** 2), rel=1e-5
    )
    for _ in range(300):
        trainer.step()
    assert trainer.evaluate(X, y)[1] > 0.98  # it learns the plane


def test_a_regression_needs_one_output_and_finite_targets():
    X = np.zeros((4, 2), np.float32)
    with pytest.raises(ValueError, match="needs 1 output"):
        Trainer(build_network(2, 2, hidden=[]), SGD(lr=0.1), X, np.zeros(4), loss="mse")
    with pytest.raises(ValueError, match="finite"):
        Trainer(build_network(2, 1, hidden=[]), SGD(lr=0.1), X, np.array([0, 1, np.nan, 2]),
                loss="mse")  # fmt: skip
    with pytest.raises(ValueError, match="loss must be one of"):
        Trainer(build_network(2, 1, hidden=[]), SGD(lr=0.1), X, np.zeros(4), loss="hinge")

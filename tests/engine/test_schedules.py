"""Learning-rate schedules: step by step equal to torch.optim.lr_scheduler's, and their limits."""

import math

import pytest

from mlp.schedules import (
    SCHEDULES,
    Constant,
    CosineAnnealing,
    LinearWarmup,
    StepDecay,
    make_schedule,
)

# (name, our settings, torch's scheduler from (lr_scheduler, optimizer), steps to compare)
CASES = [
    ("step", {"step_size": 3, "gamma": 0.5}, lambda s, o: s.StepLR(o, 3, 0.5), 20),
    ("step", {"step_size": 1, "gamma": 0.9}, lambda s, o: s.StepLR(o, 1, 0.9), 50),
    ("step", {"step_size": 100}, lambda s, o: s.StepLR(o, 100), 350),
    ("cosine", {"t_max": 10}, lambda s, o: s.CosineAnnealingLR(o, 10), 45),
    ("cosine", {"t_max": 1}, lambda s, o: s.CosineAnnealingLR(o, 1), 10),
    (
        "cosine",
        {"t_max": 7, "min_lr": 0.001},
        lambda s, o: s.CosineAnnealingLR(o, 7, eta_min=0.001),
        60,
    ),
    ("cosine", {"t_max": 500}, lambda s, o: s.CosineAnnealingLR(o, 500), 2200),
    ("warmup", {}, lambda s, o: s.LinearLR(o), 12),
    (
        "warmup",
        {"start_factor": 0.01, "total_steps": 100},
        lambda s, o: s.LinearLR(o, start_factor=0.01, total_iters=100),
        150,
    ),
    (
        "warmup",
        {"start_factor": 1.0, "end_factor": 0.1, "total_steps": 8},
        lambda s, o: s.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=8),
        20,
    ),
]


def torch_learning_rates(torch, make_scheduler, base_lr: float, n_steps: int) -> list[float]:
    """The learning rate torch's optimizer uses at each of n_steps steps, the scheduler
    stepped after every optimizer step."""
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=base_lr)
    scheduler = make_scheduler(torch.optim.lr_scheduler, optimizer)
    rates = []
    for _ in range(n_steps):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return rates


@pytest.mark.parametrize(
    ("name", "settings", "theirs", "n_steps"),
    CASES,
    ids=[f"{name}-{settings}" for name, settings, _, _ in CASES],
)
def test_every_step_equals_torch(name, settings, theirs, n_steps):
    torch = pytest.importorskip("torch")
    expected = torch_learning_rates(torch, theirs, 0.1, n_steps)
    schedule = make_schedule(name, 0.1, **settings)
    ours = [schedule.lr(step) for step in range(n_steps)]
    assert ours == pytest.approx(expected, rel=1e-9, abs=1e-300)


def test_constant_is_torch_without_a_scheduler_and_the_base_rate_forever():
    schedule = make_schedule("constant", 0.03)
    assert [schedule.lr(step) for step in (0, 1, 10**9)] == [0.03, 0.03, 0.03]


def test_the_formulas_at_their_landmarks():
    step = StepDecay(1.0, step_size=4, gamma=0.5)
    assert [step.lr(t) for t in (0, 3, 4, 7, 8, 12)] == [1.0, 1.0, 0.5, 0.5, 0.25, 0.125]
    cosine = CosineAnnealing(1.0, t_max=10, min_lr=0.1)
    assert cosine.lr(0) == 1.0 and cosine.lr(10) == pytest.approx(0.1)
    assert cosine.lr(5) == pytest.approx(0.55)
    # Past t_max the cosine goes on, as torch's: back up to base_lr at 2 t_max.
    assert cosine.lr(15) == pytest.approx(0.55) and cosine.lr(20) == pytest.approx(1.0)
    assert cosine.lr(30) == pytest.approx(0.1)
    warmup = LinearWarmup(0.5, start_factor=0.2, total_steps=4)
    assert [warmup.lr(t) for t in (0, 2, 4, 100)] == pytest.approx([0.1, 0.3, 0.5, 0.5])


def test_the_rate_is_a_function_of_the_step_alone():
    schedule = make_schedule("cosine", 0.1, t_max=50)
    later_first = [schedule.lr(t) for t in (40, 3, 40)]
    assert later_first[0] == later_first[2] == schedule.lr(40)
    assert later_first[1] == pytest.approx(0.1 * (1 + math.cos(math.pi * 3 / 50)) / 2)


def test_schedules_lists_every_schedule_with_a_description():
    assert list(SCHEDULES) == ["constant", "step", "cosine", "warmup"]
    for name, description in SCHEDULES.items():
        assert description.endswith(".") and len(description) < 80, name
    types = {"constant": Constant, "step": StepDecay, "cosine": CosineAnnealing}
    settings = {"step": {"step_size": 2}, "cosine": {"t_max": 5}}
    for name, kind in types.items():
        assert type(make_schedule(name, 0.1, **settings.get(name, {}))) is kind


def test_reprs():
    assert repr(make_schedule("constant", 0.1)) == "Constant(base_lr=0.1)"
    assert repr(StepDecay(0.1, 30)) == "StepDecay(base_lr=0.1, step_size=30, gamma=0.1)"
    assert repr(CosineAnnealing(0.1, 100)) == "CosineAnnealing(base_lr=0.1, t_max=100, min_lr=0)"
    assert repr(LinearWarmup(0.1)) == (
        "LinearWarmup(base_lr=0.1, start_factor=0.333333, end_factor=1, total_steps=5)"
    )


@pytest.mark.parametrize(
    ("name", "settings", "message"),
    [
        ("exponential", {}, "choose one of: constant, step, cosine, warmup"),
        ("step", {"step_size": 0}, "step_size"),
        ("step", {"step_size": 2.5}, "step_size"),
        ("step", {"step_size": 2, "gamma": 0.0}, "gamma"),
        ("step", {"step_size": 2, "t_max": 3}, "'step' schedule takes step_size, gamma; got t_max"),
        ("constant", {"gamma": 0.5}, "takes no settings"),
        ("cosine", {"t_max": 0}, "t_max"),
        ("cosine", {"t_max": 5, "min_lr": -1.0}, "min_lr"),
        ("warmup", {"start_factor": 0.0}, "start_factor"),
        ("warmup", {"end_factor": 1.5}, "end_factor"),
        ("warmup", {"total_steps": 0}, "total_steps"),
    ],
)
def test_invalid_settings_are_refused_with_a_message(name, settings, message):
    with pytest.raises(ValueError, match=message):
        make_schedule(name, 0.1, **settings)


def test_negative_steps_and_rates_are_refused():
    with pytest.raises(ValueError, match="from 0"):
        make_schedule("constant", 0.1).lr(-1)
    with pytest.raises(ValueError, match="learning rate"):
        make_schedule("constant", -0.1)

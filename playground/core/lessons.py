"""Lessons as data: a question, a page set up to answer it, a live goal, hints, the answer.

Each lesson starts a page on `setup` (with the controls it does not need hidden) and asks
for `goal`; `solution` is a setup that meets it. The lesson's claim is that the setup as
given does not meet the goal and the solution does: `measure` checks it headless with the
pages' own sweep code (`benchmarks/lessons.py` over several seeds, a test over a few), and
`measured` holds the figures the answer quotes, which the benchmark re-measures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from types import SimpleNamespace

import numpy as np

from playground.core.compare import OVERFITTING, TaskResult, Variant, run_sweep, sweep_tasks
from playground.core.config import MNIST_PAGE, Config, HiddenLayer
from playground.core.goals import Goal
from playground.core.links import View, link_query

__all__ = ["LESSONS", "LESSONS_BY_KEY", "Lesson", "Measured", "lesson_query", "measure"]

PAGE_FILES = {"playground": "pages/playground.py", "compare": "pages/compare.py",
              "mnist": "pages/mnist.py"}  # fmt: skip
PAGE_NAMES = {"playground": "Playground", "compare": "Compare", "mnist": "MNIST"}


@dataclass(frozen=True)
class Measured:
    """What a lesson's scenario gave headless: over `seeds` seeds (0, 1, …) at `steps`
    steps, the goal's metric at the end (mean) and how many seeds met the goal."""

    seeds: int
    setup_value: float
    solution_value: float
    setup_met: int
    solution_met: int
    worse: int = 0  # seeds where the solution ended worse than the setup

    @property
    def holds(self) -> bool:
        """The claim: the setup as given meets the goal in no seed, the solution in all."""
        return self.setup_met == 0 and self.solution_met == self.seeds


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    question: str
    page: str  # "playground", "compare" or "mnist"
    setup: Config
    hide: tuple[str, ...]
    try_this: tuple[str, ...]
    goal: Goal
    hints: tuple[str, ...]
    answer: str
    solution: Config
    solution_words: str  # what the solution changed, for the measured line
    steps: int  # where the claim is measured
    measured: Measured
    variants: tuple[str, ...] = ()  # a Compare lesson's variants, as link values
    # Where one seed's run says more than the effect holds: the same over more seeds, which
    # the answer quotes too (the goal's claim is then made for the lesson's own seed only).
    spread: Measured | None = None

    @property
    def live_goal(self) -> Goal:
        """The goal as the lesson's link carries it: with the lesson's key, for progress."""
        return replace(self.goal, lesson=self.key)

    def measured_words(self) -> str:
        """The answer's figures: "Measured over 5 seeds at 1,000 steps: …"."""
        measure_ = self.goal.measure
        m = self.measured
        seeds = "with seed 0" if m.seeds == 1 else f"over {m.seeds} seeds"
        words = (f"Measured {seeds} at {self.steps:,} steps: as set up, "
                 f"{measure_.label} {measure_.format(m.setup_value)} (goal met in "
                 f"{m.setup_met} of {m.seeds}); {self.solution_words}, "
                 f"{measure_.format(m.solution_value)} (met in {m.solution_met} of "
                 f"{m.seeds}).")  # fmt: skip
        if self.spread is not None:
            s = self.spread
            words += (f" Over {s.seeds} seeds: as set up {measure_.format(s.setup_value)} "
                      f"(met in {s.setup_met}), {self.solution_words} "
                      f"{measure_.format(s.solution_value)} (met in {s.solution_met}, worse "
                      f"in {s.worse}).")  # fmt: skip
        return words


def lesson_query(lesson: Lesson) -> dict[str, str | list[str]]:
    """The link parameters that open the lesson's page on its setup, hidden controls and goal."""
    view = View(hidden=frozenset(lesson.hide), goal=lesson.live_goal)
    query: dict[str, str | list[str]] = dict(link_query(lesson.setup, view))
    if lesson.variants:
        query["variant"] = list(lesson.variants)
    return query


def _as_snapshot(result: TaskResult) -> SimpleNamespace:
    """A sweep's result as the goal reads a snapshot: the end's figures and the curves."""
    curves = {f"{name}_curve": (result.curve_steps[: len(values)], values)
              for name, values in result.curves.items()}  # fmt: skip
    return SimpleNamespace(step=result.steps, train_accuracy=result.train_accuracy,
                           test_accuracy=result.test_accuracy, train_loss=result.train_loss,
                           test_loss=result.test_loss, **curves)  # fmt: skip


def measure(
    lesson: Lesson,
    seeds: Sequence[int] = range(5),
    steps: int | None = None,
    executor: Executor | None = None,
) -> Measured:
    """Run the lesson's setup and solution with each seed for `steps` (the lesson's own by
    default) and count where the goal was met, with the pages' sweep code."""
    steps = steps or lesson.steps
    tasks = sweep_tasks([lesson.setup, lesson.solution], seeds, steps)
    results = list(run_sweep(tasks, executor))
    values: tuple[dict[int, float], dict[int, float]] = ({}, {})
    met = [0, 0]
    for result in results:
        config = (lesson.setup, lesson.solution)[result.variant]
        snapshot = _as_snapshot(result)
        value = lesson.goal.measure.value_of(snapshot)
        values[result.variant][result.seed] = math.nan if value is None else value
        met[result.variant] += lesson.goal.check(config, snapshot).met
    better = 1 if lesson.goal.measure.higher_is_better else -1
    worse = sum(better * (values[1][seed] - values[0][seed]) < 0 for seed in values[0])
    return Measured(len(values[0]), float(np.mean(list(values[0].values()))),
                    float(np.mean(list(values[1].values()))), met[0], met[1], worse)  # fmt: skip


def _layers(spec: str) -> tuple[HiddenLayer, ...]:
    """ "8tanh,8tanh" as layers (the link's own form)."""
    from playground.core.config import parse_hidden

    return parse_hidden(spec)


# -- the lessons, in the order of a course --------------------------------------------------

_XOR = Config(dataset="xor", noise=0.0, hidden=(), lr=0.03)
_CIRCLE_LINE = Config(dataset="circle", noise=0.0, hidden=(), features=("x1", "x2"), lr=0.03)
_LR = Config(dataset="circle", noise=0.1, optimizer="sgd", lr=10.0,
             hidden=_layers("8tanh,8tanh"))  # fmt: skip
_BATCH_NORM = Config(dataset="circle", noise=0.1, optimizer="sgd", lr=0.1, batch_size=32,
                     hidden=_layers(",".join(["16sigmoid"] * 5)))  # fmt: skip
_DEEP_SMALL = Config(dataset="circle", noise=0.1, init="small", lr=0.01,
                     hidden=_layers(",".join(["16tanh"] * 6)))  # fmt: skip
_DEAD = Config(dataset="circle", noise=0.1, optimizer="adam", lr=1.0,
               hidden=_layers("8relu,8relu"))  # fmt: skip
_RACE = Config(dataset="circle", noise=0.1, optimizer="sgd", lr=0.01,
               hidden=_layers("8tanh,8tanh"))  # fmt: skip
# Few noisy points and a wide network (the Compare presets' scenario): it learns the flipped
# labels by heart.
_OVERFIT = OVERFITTING
_OVERFIT_SMALL = _OVERFIT.replace(hidden=_layers("4tanh"))
_MNIST = MNIST_PAGE.default

_REGULARISE_HIDE = ("data", "network", "training", "dropout", "max_norm", "weight_decay",
                    "l1", "batch_norm", "input_dropout")  # fmt: skip


def _showing(*names: str) -> tuple[str, ...]:
    """The regularisation lessons hide every group but the one control they are about."""
    return tuple(name for name in _REGULARISE_HIDE if name not in names)


LESSONS: tuple[Lesson, ...] = (
    Lesson(
        key="line",
        title="A line is not enough",
        question="Why does a network without hidden layers fail on XOR?",
        page="playground",
        setup=_XOR,
        hide=("data", "regularisation", "training"),
        try_this=(
            "Press Play: the boundary is a straight line, and test accuracy stays near 50%.",
            "Add one hidden layer of 4 tanh units under Network, and press Play again.",
        ),
        goal=Goal("test_accuracy", 0.9, max_units=8, max_steps=1000),
        hints=(
            "A network without hidden layers draws one straight line between the classes. "
            "Can one line separate XOR's four corners?",
            "A hidden layer gives the network several lines to combine.",
            "Four tanh units in one hidden layer are enough.",
        ),
        answer="XOR's classes sit in opposite corners, so no single line separates them. "
        "Each hidden unit draws a line of its own, and the output combines them into a bent "
        "boundary.",
        solution=_XOR.replace(hidden=_layers("4tanh")),
        solution_words="with one hidden layer of 4 tanh units",
        steps=1000,
        measured=Measured(5, 0.4928, 0.9944, 0, 5),
    ),
    Lesson(
        key="features",
        title="Features versus depth",
        question="Can a network without hidden layers learn the circle?",
        page="playground",
        setup=_CIRCLE_LINE,
        hide=("data", "regularisation", "training"),
        try_this=(
            "Press Play: with only x₁ and x₂ the boundary is a line, and the circle defeats it.",
            "Keep no hidden layer, and add the input features x₁² and x₂² under Network.",
        ),
        goal=Goal("test_accuracy", 0.9, max_layers=0, max_steps=1000),
        hints=(
            "The goal allows no hidden layer. What else can change what the network sees?",
            "The circle's boundary is x₁² + x₂² = r²: a sum of squares.",
            "Switch on x₁² and x₂² in Input features.",
        ),
        answer="Given x₁² and x₂², the circle's boundary is a straight line in those inputs, "
        "so a network without hidden layers separates it. Good features can replace depth; a "
        "hidden layer learns such features itself when nobody hands them over.",
        solution=_CIRCLE_LINE.replace(features=("x1", "x2", "x1sq", "x2sq")),
        solution_words="with x₁² and x₂² added",
        steps=1000,
        measured=Measured(5, 0.4616, 1.0, 0, 5),
    ),
    Lesson(
        key="learning-rate",
        title="The learning rate",
        question="What does the learning rate do, and what happens when it is too high or too low?",
        page="playground",
        setup=_LR,
        hide=(
            "data",
            "network",
            "regularisation",
            "optimizer",
            "schedule",
            "schedule_steps",
            "batch_size",
            "seed",
        ),
        try_this=(
            "Press Play with SGD at learning rate 10: the loss swings and the boundary jumps.",
            "Try 0.001: it barely moves. Then try values in between.",
        ),
        goal=Goal("test_accuracy", 0.95, max_steps=1000),
        hints=(
            "Each step moves every weight by the learning rate times its gradient. Too far, "
            "and it jumps over the valley it is looking for.",
            "Divide the learning rate by ten a few times and watch the loss curve.",
            "Somewhere between 0.1 and 1 works well here.",
        ),
        answer="Too high a learning rate overshoots, so the loss swings or blows up; too low "
        "a one crawls. In between, SGD reaches the goal in a few hundred steps. "
        "At 0.001 the test accuracy was 61% after 1,000 steps (5 seeds).",
        solution=_LR.replace(lr=0.3),
        solution_words="at learning rate 0.3",
        steps=1000,
        measured=Measured(5, 0.536, 0.998, 0, 5),
    ),
    Lesson(
        key="overfitting",
        title="Overfitting",
        question="What happens when a network can memorise its training data?",
        page="playground",
        setup=_OVERFIT_SMALL,
        hide=("data", "regularisation", "training"),
        try_this=(
            "Show the test data, and press Play: 80 training points, one in five with a wrong "
            "label, and a network of 4 tanh units.",
            "Make the network wide: two hidden layers of 64 ReLU units. Press Play, and watch "
            "the boundary carve islands around the mislabelled points.",
        ),
        goal=Goal("gap", 0.08, min_steps=3000),
        hints=(
            "A small network cannot follow every point; a wide one can.",
            "Compare train and test accuracy: the gap is what the network learned that is not "
            "true.",
            "Two hidden layers of 64 ReLU units.",
        ),
        answer="With few noisy points, a wide network learns many of the flipped labels by "
        "heart: train accuracy climbs past what the true pattern allows while test accuracy "
        "stays low. The islands in the boundary are the memorised mistakes. The small "
        "network cannot follow single points, so its test accuracy is even above its train "
        "accuracy (on noisy labels).",
        solution=_OVERFIT,
        solution_words="with two hidden layers of 64 ReLU units",
        steps=3000,
        measured=Measured(5, -0.1672, 0.1324, 0, 5),
    ),
    Lesson(
        key="l2",
        title="L2 weight decay cures it",
        question="Can a penalty on large weights stop the network memorising?",
        page="playground",
        setup=_OVERFIT,
        hide=_showing("weight_decay"),
        try_this=(
            "Press Play once as it is, to see the overfit boundary and its test accuracy.",
            "Raise L2 weight decay under Regularisation, press Reset and Play.",
        ),
        goal=Goal("test_accuracy", 0.88, min_steps=3000),
        hints=(
            "Weight decay pulls every weight towards zero at each step.",
            "Small weights make smooth boundaries: islands need large ones.",
            "Try 0.01.",
        ),
        answer="Weight decay adds λ·w to each gradient, so only weights that many points "
        "support stay large. The islands around single mislabelled points need large weights, "
        "and they fade.",
        solution=_OVERFIT.replace(weight_decay=0.01),
        solution_words="with weight decay 0.01",
        steps=3000,
        measured=Measured(5, 0.8226, 0.9898, 0, 5),
    ),
    Lesson(
        key="dropout",
        title="Dropout cures it",
        question="Can switching units off at random stop the network memorising?",
        page="playground",
        setup=_OVERFIT,
        hide=_showing("dropout"),
        try_this=(
            "Press Play once as it is, to see the overfit boundary and its test accuracy.",
            "Raise Dropout under Regularisation (it changes while training runs).",
        ),
        goal=Goal("test_accuracy", 0.88, min_steps=3000),
        hints=(
            "Dropout switches off each hidden unit at each step with probability p.",
            "A unit that may vanish at any step cannot be the one that remembers a point.",
            "Try 0.5.",
        ),
        answer="With dropout no unit can count on another being there, so the network cannot "
        "build the fragile, point-by-point features that memorise noise.",
        solution=_OVERFIT.replace(dropout=0.5),
        solution_words="with dropout 0.5",
        steps=3000,
        measured=Measured(5, 0.8226, 0.945, 0, 5),
    ),
    Lesson(
        key="max-norm",
        title="Max-norm",
        question="What if each unit's weights may not grow past a radius?",
        page="playground",
        setup=_OVERFIT,
        hide=_showing("max_norm"),
        try_this=(
            "Press Play once as it is, and look at the weight norms below: they grow.",
            "Switch on Max-norm and choose a radius c; watch the norms stop at the dashed line.",
        ),
        goal=Goal("test_accuracy", 0.88, min_steps=3000),
        hints=(
            "Max-norm rescales a unit's incoming weights whenever their length passes c.",
            "The weight-norm histogram shows where the norms would like to go.",
            "Try c = 2.",
        ),
        answer="Max-norm caps each unit's weight vector at length c after every step, so no "
        "unit can grow the large weights that carve islands around single points.",
        solution=_OVERFIT.replace(max_norm=2.0),
        solution_words="with max-norm c = 2",
        steps=3000,
        measured=Measured(5, 0.8226, 0.9112, 0, 5),
    ),
    Lesson(
        key="batch-norm",
        title="Batch norm",
        question="Why does a deep sigmoid network train so slowly, and what does batch norm "
        "change?",
        page="playground",
        setup=_BATCH_NORM,
        hide=("data", "regularisation", "training", "features", "init"),
        try_this=(
            "Press Play: five sigmoid layers with SGD hardly move in a thousand steps.",
            "Switch on Batch norm under Network, and press Play again.",
        ),
        goal=Goal("test_accuracy", 0.9, max_steps=1000),
        hints=(
            "Look at the gradient histograms: how large are the first layer's gradients?",
            "Batch norm rescales each layer's inputs to mean 0 and spread 1 on every batch.",
            "Switch on Batch norm.",
        ),
        answer="Each sigmoid layer shrinks the gradient that passes back through it, so the "
        "first layers hardly learn. Batch norm keeps every layer's inputs in the range where "
        "the sigmoid is steep, and the same network trains in a few hundred steps. (It needs "
        "batches of 32 or so: with 10 points a batch its statistics are too noisy.)",
        solution=_BATCH_NORM.replace(batch_norm=True),
        solution_words="with batch norm",
        steps=1000,
        measured=Measured(5, 0.534, 0.99, 0, 5),
    ),
    Lesson(
        key="init",
        title="Initialisation and vanishing gradients",
        question="Why does a deep network with tiny first weights not learn at all?",
        page="playground",
        setup=_DEEP_SMALL,
        hide=("data", "regularisation", "training", "features", "batch_norm"),
        try_this=(
            "Press Play: six tanh layers with weights drawn at 0.01, and the loss does not move.",
            "Look at the gradient histograms of Inside the network: each layer's are smaller.",
            "Change Weight init to Xavier and press Play again.",
        ),
        goal=Goal("test_accuracy", 0.95, max_steps=600),
        hints=(
            "With weights of 0.01 each layer multiplies its signal by about 0.01 × 16.",
            "Xavier draws weights with variance 2 / (inputs + outputs), which keeps the "
            "signal's size from layer to layer.",
            "Weight init: Xavier (normal).",
        ),
        answer="Tiny weights shrink the signal at every layer on the way forward and the "
        "gradient at every layer on the way back: after six layers almost nothing reaches the "
        "first ones. Xavier initialisation keeps both about the same size through the depth.",
        solution=_DEEP_SMALL.replace(init="xavier"),
        solution_words="with Xavier initialisation",
        steps=600,
        measured=Measured(5, 0.5, 0.996, 0, 5),
    ),
    Lesson(
        key="dead-relu",
        title="Dead ReLUs",
        question="Why does a ReLU network stop learning at a high learning rate?",
        page="playground",
        setup=_DEAD,
        hide=(
            "data",
            "regularisation",
            "features",
            "init",
            "batch_size",
            "seed",
            "optimizer",
            "schedule",
            "schedule_steps",
        ),  # fmt: skip
        try_this=(
            "Press Play at learning rate 1: the loss stalls near a guess.",
            "Read the health lines of Inside the network: how many ReLUs are dead?",
            "Lower the learning rate, press Reset and Play.",
        ),
        goal=Goal("test_accuracy", 0.95, max_steps=1000),
        hints=(
            "A ReLU whose input is negative for every point outputs 0 and gets no gradient: "
            "it is dead for good.",
            "One big step can push a unit's bias so far that it never fires again.",
            "Try a learning rate of 0.01.",
        ),
        answer="At learning rate 1, Adam's first steps push whole layers of ReLUs to where "
        "they never fire: the second layer was 100% dead in 5 of 5 seeds. At 0.01 the units "
        "stay alive and the circle is learned. Leaky ReLU keeps a small gradient alive, but "
        "at learning rate 0.5 it still failed in 1 of 5 seeds.",
        solution=_DEAD.replace(lr=0.01),
        solution_words="at learning rate 0.01",
        steps=1000,
        measured=Measured(5, 0.5, 0.999, 0, 5),
    ),
    Lesson(
        key="optimizers",
        title="Optimizers raced",
        question="Do momentum and Adam really train faster than plain SGD?",
        page="compare",
        setup=_RACE,
        hide=("data", "network", "training"),
        try_this=(
            "Three variants share the network, the data and the first weights: SGD, SGD with "
            "momentum and Adam, all at learning rate 0.01.",
            "Press Play and watch the accuracy curves race. Then run a seed sweep.",
        ),
        goal=Goal("test_accuracy", 0.95, max_steps=300),
        hints=(
            "Which curve rises first? Step slowly with Step to see the first hundred steps.",
            "Momentum keeps a running sum of past gradients; Adam also scales each weight's "
            "step by how large its gradients have been.",
            "The goal is met by the first variant to 95% within 300 steps.",
        ),
        answer="At the same learning rate, momentum and Adam reach 95% within 300 steps; plain "
        "SGD is still near 70%. Momentum adds up gradients that point the same way, and Adam "
        "also gives each weight a step of about the learning rate whatever its gradient's "
        "scale.",
        solution=_RACE.replace(optimizer="adam"),
        solution_words="Adam",
        steps=300,
        measured=Measured(5, 0.711, 0.996, 0, 5),
        variants=("optimizer:sgd", "optimizer:momentum", "optimizer:adam"),
    ),
    Lesson(
        key="mnist-dropout",
        title="Dropout on real digits",
        question="Does dropout help a network of 2 × 256 ReLU units on the MNIST sample, and "
        "how would you know?",
        page="mnist",
        setup=_MNIST,
        hide=(
            "data",
            "network",
            "training",
            "max_norm",
            "weight_decay",
            "l1",
            "shift",
            "input_dropout",
        ),
        try_this=(
            "The offline sample has 4,000 training digits: press Play and watch train "
            "accuracy reach 100% while test accuracy stops near 95%.",
            "Set Dropout to 0.5, press Reset and Play again, for 3,000 steps each.",
            "Then ask whether one run is enough to tell: open Compare and run a seed sweep.",
        ),
        goal=Goal("test_accuracy", 0.955, min_steps=3000),
        hints=(
            "The gap between the train and test curves is the overfitting.",
            "Dropout makes each step train a thinned network, so it needs more steps.",
            "Dropout 0.5, and let it run to step 3,000.",
        ),
        answer="With the lesson's seed, dropout lifts test accuracy after 3,000 steps past "
        "the goal and the plain network stays below it. But the gain is small and noisy: "
        "over 5 seeds dropout ended 0.6 points higher on average on the sample's test digits "
        "and lower in 1 of the 5; scored on the real MNIST test set (10,000 digits) it was "
        "0.16 points higher, in 5 of 5 seeds. One run can mislead; a seed sweep tells.",
        solution=_MNIST.replace(dropout=0.5),
        solution_words="with dropout 0.5",
        steps=3000,
        measured=Measured(1, 0.944, 0.959, 0, 1),
        spread=Measured(5, 0.9534, 0.9596, 3, 4, worse=1),
    ),
)
LESSONS_BY_KEY = {lesson.key: lesson for lesson in LESSONS}


def lesson_variants(lesson: Lesson) -> list[Config]:
    """A Compare lesson's variants as configurations (the setup alone elsewhere)."""
    if not lesson.variants:
        return [lesson.setup]
    return [Variant.from_text(text)[0].config(lesson.setup) for text in lesson.variants]

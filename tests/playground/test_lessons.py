"""Lessons are data that must be true: each opens a valid page, asks a goal its setup does
not meet and its solution does, and covers what a course needs."""

import pytest

from playground.core.compare import make_executor
from playground.core.config import COMPARE_PAGE, MNIST_PAGE, PLAYGROUND_PAGE
from playground.core.goals import read_goal
from playground.core.lessons import LESSONS, PAGE_FILES, lesson_query, lesson_variants, measure
from playground.core.links import read_hidden, read_link

PAGES = {"playground": PLAYGROUND_PAGE, "compare": COMPARE_PAGE, "mnist": MNIST_PAGE}
# The lessons whose scenarios train in about a second: their claims run here. The overfitting
# lessons (wide networks, 3,000 steps) and the MNIST one run in benchmarks/lessons.py.
QUICK = ("line", "features", "learning-rate", "batch-norm", "init", "dead-relu", "optimizers")


def test_a_course_of_at_least_ten_lessons_in_order():
    keys = [lesson.key for lesson in LESSONS]
    assert len(keys) >= 10 and len(set(keys)) == len(keys)
    topics = (
        "line",
        "features",
        "learning-rate",
        "overfitting",
        "l2",
        "dropout",
        "max-norm",
        "batch-norm",
        "init",
        "dead-relu",
        "optimizers",
        "mnist-dropout",
    )
    for topic in topics:
        assert topic in keys
    # A course order: the line before features, overfitting before its cures.
    assert keys.index("line") < keys.index("features") < keys.index("overfitting")
    assert all(keys.index("overfitting") < keys.index(cure) for cure in ("l2", "dropout"))


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.key)
def test_each_lesson_opens_its_page_without_a_note(lesson):
    assert lesson.page in PAGE_FILES and lesson.hints and lesson.try_this and lesson.answer
    link = read_link(lesson_query(lesson), PAGES[lesson.page])
    assert link.notes == ()  # every setting within the page's limits, every hidden name known
    assert link.config == lesson.setup
    assert link.view.goal == lesson.live_goal and link.view.goal.lesson == lesson.key
    hidden, notes = read_hidden(",".join(lesson.hide))
    assert notes == [] and link.view.hidden == hidden
    assert read_goal(lesson.live_goal.to_text()) == (lesson.live_goal, [])
    assert PAGES[lesson.page].limit(lesson.solution)[1] == []  # the solution fits the page too
    assert len(lesson_variants(lesson)) == max(1, len(lesson.variants))


@pytest.fixture(scope="module")
def executor():
    pool, _ = make_executor(2)
    yield pool
    pool.shutdown(cancel_futures=True)


@pytest.mark.parametrize("key", QUICK)
def test_the_setup_misses_the_goal_and_the_solution_meets_it(key, executor):
    """Two seeds (the benchmark runs each lesson's own count): a lesson that teaches
    something false is the worst defect this product can have."""
    lesson = next(lesson for lesson in LESSONS if lesson.key == key)
    measured = measure(lesson, range(2), executor=executor)
    assert measured.setup_met == 0, measured
    assert measured.solution_met == 2, measured
    # The answer quotes these figures: the first two seeds agree with them in direction.
    metric = lesson.goal.measure
    better = measured.solution_value > measured.setup_value
    assert better == metric.higher_is_better


def test_the_answer_quotes_its_measurement():
    for lesson in LESSONS:
        words = lesson.measured_words()
        seeds = "seed 0" if lesson.measured.seeds == 1 else f"{lesson.measured.seeds} seeds"
        assert seeds in words and f"{lesson.steps:,} steps" in words
        if lesson.measured.seeds == 1:  # one seed's claim comes with what more seeds say
            assert lesson.spread is not None and f"Over {lesson.spread.seeds} seeds" in words

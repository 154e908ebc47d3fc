"""The Lessons page: lessons in a course's order, each a question, a page set up to answer
it in one click, what to try, a live goal, hints one at a time, and the answer with the
figures measured for it. Which goals this browser session has met shows as ticks."""

from __future__ import annotations

import streamlit as st

from playground.core.lessons import LESSONS, LESSONS_BY_KEY, PAGE_FILES, PAGE_NAMES, Lesson
from playground.core.lessons import lesson_query as query_of
from playground.ui import keys
from playground.ui.common_views import goal_met
from playground.ui.settings_panel import forget_panel_state

__all__ = ["lessons_page"]

PAGE_PREFIXES = {"playground": keys.PLAYGROUND, "mnist": keys.MNIST, "compare": keys.COMPARE}
CHOSEN = "lesson"  # the chosen lesson's key, in the page's link


def _label(lesson: Lesson) -> str:
    number = LESSONS.index(lesson) + 1
    return f"{number}. {lesson.title}" + ("  ✓" if goal_met(lesson.live_goal) else "")


def _set_up(lesson: Lesson) -> None:
    """The lesson's page on its setup: the page forgets its own setup first, as it reads a
    link only when it has none."""
    forget_panel_state(PAGE_PREFIXES[lesson.page])
    st.switch_page(PAGE_FILES[lesson.page], query_params=query_of(lesson))


def _more_hints(shown_key: str) -> None:
    st.session_state[shown_key] = st.session_state.get(shown_key, 0) + 1


def _hints(lesson: Lesson) -> None:
    shown_key = f"{keys.LESSON_HINTS.of(keys.LESSONS)}_{lesson.key}"
    shown = st.session_state.get(shown_key, 0)
    for number, hint in enumerate(lesson.hints[:shown], 1):
        st.markdown(f"**Hint {number}.** {hint}")
    if shown < len(lesson.hints):
        st.button(f"Show a hint ({shown + 1} of {len(lesson.hints)})",
                  icon=":material/lightbulb:", key=f"{keys.LESSONS}hint_{lesson.key}",
                  on_click=_more_hints, args=(shown_key,))  # fmt: skip


def _lesson(lesson: Lesson) -> None:
    number = LESSONS.index(lesson) + 1
    st.header(f"{number}. {lesson.title}")
    st.markdown(f"*{lesson.question}*")
    label = f"Set up on the {PAGE_NAMES[lesson.page]} page"
    if st.button(label, type="primary", icon=":material/play_lesson:",
                 key=f"{keys.LESSONS}setup_{lesson.key}"):  # fmt: skip
        _set_up(lesson)
    steps = (f"{number}. {step}" for number, step in enumerate(lesson.try_this, 1))
    st.markdown("**Try this**\n\n" + "\n".join(steps))
    met = goal_met(lesson.live_goal)
    goal = f"**Goal:** {lesson.goal.describe()}."
    if met:
        st.success(f"{goal} Met in this session.", icon=":material/check_circle:")
    else:
        st.info(f"{goal} The page you set up checks it while it trains.",
                icon=":material/flag:")  # fmt: skip
    _hints(lesson)
    with st.expander("The answer", icon=":material/visibility:"):
        st.markdown(lesson.answer)
        st.caption(lesson.measured_words() + " Re-measured by benchmarks/lessons.py.")


def lessons_page(query_params) -> None:
    """The page: progress, the list of lessons, and the chosen one."""
    met = sum(goal_met(lesson.live_goal) for lesson in LESSONS)
    st.caption(f"{len(LESSONS)} lessons, each a question answered by a page set up for it. "
               "Set up opens the page with only the controls the lesson needs and its goal, "
               "checked live while the network trains.")  # fmt: skip
    st.progress(met / len(LESSONS), text=f"Goals met in this browser session: {met} of "
                                         f"{len(LESSONS)}")  # fmt: skip
    chosen = LESSONS_BY_KEY.get(str(query_params.get(CHOSEN, "")), LESSONS[0])
    list_column, lesson_column = st.columns([2, 5], gap="large")
    with list_column:
        key = st.radio("Lessons", [lesson.key for lesson in LESSONS],
                       index=LESSONS.index(chosen), key=f"{keys.LESSONS}chosen",
                       format_func=lambda key: _label(LESSONS_BY_KEY[key]),
                       label_visibility="collapsed")  # fmt: skip
    lesson = LESSONS_BY_KEY[key]
    if query_params.get(CHOSEN) != lesson.key:
        query_params[CHOSEN] = lesson.key  # a refresh or a shared link opens the same lesson
    with lesson_column:
        _lesson(lesson)

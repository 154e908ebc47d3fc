"""The Lessons page opens clean, and each lesson's Set up link opens its page on the lesson's
setup with its goal shown and checked, without a note or an error."""

import pytest
from streamlit.testing.v1 import AppTest

from playground.core.lessons import LESSONS, PAGE_FILES, lesson_query
from tests.app.messages import message_text, messages
from tests.app.test_app import APP, release_workers  # noqa: F401 (fixture)

PREFIXES = {"playground": "", "mnist": "mnist_", "compare": "compare_"}


def open_lessons(query: dict | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params.update(query or {})
    app.switch_page("pages/lessons.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_the_lessons_page_lists_every_lesson_and_shows_the_first():
    app = open_lessons()
    (chooser,) = app.radio
    assert chooser.options == [f"{n}. {lesson.title}" for n, lesson in enumerate(LESSONS, 1)]
    assert app.header[0].value == f"1. {LESSONS[0].title}"
    assert "Goals met in this browser session: 0 of" in app.get("progress")[0].proto.text
    assert not messages(app, "warning") and not messages(app, "error")


def test_a_link_opens_a_lesson_and_hints_come_one_at_a_time():
    lesson = LESSONS[2]
    app = open_lessons({"lesson": lesson.key})
    assert app.header[0].value.endswith(lesson.title)
    assert not [m for m in app.markdown if m.value.startswith("**Hint")]
    hint = next(b for b in app.button if b.key == f"lessons_hint_{lesson.key}")
    hint.click().run()
    shown = [m.value for m in app.markdown if m.value.startswith("**Hint")]
    assert shown == [f"**Hint 1.** {lesson.hints[0]}"]
    assert any(b.label.startswith(f"Show a hint (2 of {len(lesson.hints)})") for b in app.button)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.key)
def test_set_up_opens_the_page_with_the_goal_and_no_note(lesson):
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params.update(lesson_query(lesson))
    if lesson.page != "playground":
        app.switch_page(PAGE_FILES[lesson.page])
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert not messages(app, "warning") and not messages(app, "error")
    assert f"{lesson.goal.describe()}. Not yet" in message_text(app, "info")
    session = app.session_state[f"{PREFIXES[lesson.page]}session"]
    assert session.configs[0] == lesson.setup

"""Make this a challenge: a goal set on the Playground goes into the link; a link with a goal
shows it with its live check, and any text in it as plain characters."""

from streamlit.testing.v1 import AppTest

from playground.core.goals import read_goal
from tests.app.messages import message_text, messages
from tests.app.sections import open_sections
from tests.app.test_app import APP, release_workers  # noqa: F401 (fixture)


def open_playground(query: dict) -> AppTest:
    app = open_sections(AppTest.from_file(APP, default_timeout=60))
    app.query_params.update(query)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_a_goal_set_on_the_page_goes_into_the_link_and_is_checked():
    app = open_playground({"dataset": "xor"})
    app.sidebar.selectbox(key="challenge_metric").set_value("test_accuracy")
    app.sidebar.number_input(key="challenge_threshold").set_value(85.0)
    app.sidebar.checkbox(key="challenge_max_steps_on").check()
    app.run()
    app.sidebar.number_input(key="challenge_max_steps").set_value(500)
    app.sidebar.text_input(key="challenge_title").input("XOR in 500 steps")
    next(b for b in app.sidebar.button if b.key == "challenge_set").click().run()
    goal, notes = read_goal(app.query_params["goal"])
    assert notes == [] and goal.threshold == 0.85 and goal.max_steps == 500
    assert goal.title == "XOR in 500 steps"
    banner = message_text(app, "info")
    assert "XOR in 500 steps: Test accuracy ≥ 85.0% within 500 steps. Not yet" in banner
    app.session_state["session"].step(400)
    app.run()
    assert "Goal met" in message_text(app, "success")
    next(b for b in app.sidebar.button if b.key == "challenge_remove").click().run()
    assert "goal" not in app.query_params and not messages(app, "success")


def test_a_goal_link_with_hostile_text_shows_it_as_plain_characters():
    title = "[free answers](https://example.com) <img src=x onerror=alert(1)> :smile:"
    app = open_playground({"goal": f"test_accuracy>=0.9;title={title}"})
    (banner,) = messages(app, "info")
    assert banner.startswith(f"{title}: Test accuracy ≥ 90.0%")
    body = next(e.proto.body for e in app.get("html") if "plain-info" in e.proto.body)
    assert "<img" not in body and "&lt;img" in body


def test_a_bad_goal_in_a_link_is_left_out_with_a_note():
    app = open_playground({"goal": "accuracy>=lots"})
    assert "Goal: there is no metric" in message_text(app, "warning")
    assert not messages(app, "info") or "Not yet" not in message_text(app, "info")

"""Faults inside training: a step that raises reaches the page as a message, never as a
traceback, and Reset recovers the session."""

from __future__ import annotations

import time

from playground.core.session import Run
from playground.ui import resources
from tests.app.messages import message_text, messages
from tests.app.run_buttons import click_run_button
from tests.app.test_app import release_workers, start  # noqa: F401 (fixture)

WAIT_SECONDS = 20
original_step = Run.step


def broken_step(self) -> bool:
    raise RuntimeError("the network fell over")


def errors_of(app) -> str:
    return message_text(app, "error")


def test_a_worker_that_raises_shows_the_error_and_reset_recovers(monkeypatch):
    """In the page's own thread (`MLP_TRAINING_PROCESSES=0`), where a patched step reaches;
    a failure in a training process: tests/playground/test_training_pool.py."""
    monkeypatch.setattr(resources, "training_pool", lambda: None)
    app = start()
    monkeypatch.setattr(Run, "step", broken_step)
    click_run_button(app, "play")
    session = app.session_state["session"]
    deadline = time.monotonic() + WAIT_SECONDS
    while session.error is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert session.error == "RuntimeError: the network fell over"
    assert not session.playing
    app.run()
    assert not app.exception
    assert "Training stopped by an unexpected error: RuntimeError: the network fell over" in (
        errors_of(app)
    )

    monkeypatch.setattr(Run, "step", original_step)
    click_run_button(app, "reset")
    assert not app.exception
    assert not messages(app, "error")
    assert app.session_state["session"] is not session
    click_run_button(app, "step")
    assert app.metric[0].value == "1"
    assert not messages(app, "error")


def test_a_step_button_whose_step_raises_shows_the_error_not_a_traceback(monkeypatch):
    app = start()
    monkeypatch.setattr(Run, "step", broken_step)
    click_run_button(app, "step")
    assert not app.exception
    assert "RuntimeError: the network fell over" in errors_of(app)
    assert app.metric[0].value == "0"

    monkeypatch.setattr(Run, "step", original_step)
    click_run_button(app, "reset")
    click_run_button(app, "step")
    assert not app.exception
    assert not messages(app, "error")
    assert app.metric[0].value == "1"

"""The Playground in a real headless Chromium against `streamlit run` on 127.0.0.1.

What only a browser shows: the live fragment redrawing while the worker trains, buttons
answering through their callbacks, the URL carrying the setup to a new tab.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from appdriver.page import offered, press, run_button, settle
from tests.app.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 60_000


def open_app(page, url: str) -> None:
    """Open the Playground at `url` and wait until it is all there: the views below the fold
    (the weight norms among them) come in the run the page asks for once its top is shown."""
    page.goto(url)
    page.wait_for_selector(".st-key-run_controls button", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=LOAD_TIMEOUT_MS)
    page.wait_for_selector(".st-key-norms_chart", state="attached", timeout=LOAD_TIMEOUT_MS)
    settle(page)


def step_counter(page) -> int:
    """The Step metric. Read while Streamlit swaps the page's elements (a full rerun), the
    first metric can for a moment be empty or another one, so an odd reading is read again."""
    for _ in range(10):
        text = page.locator('[data-testid="stMetricValue"]').first.inner_text()
        if text.replace(",", "").isdigit():
            return int(text.replace(",", ""))
        time.sleep(0.2)
    raise AssertionError(f"the step counter shows {text!r}")


def loss_points(page) -> int:
    """How many points the loss chart's training-loss line holds in the browser."""
    return page.evaluate(
        """() => {
            const plot = document.querySelector('.st-key-loss_chart .js-plotly-plot');
            if (!plot || !plot._fullData) return -1;
            // _fullData holds the decoded arrays (data keeps the base64 form Plotly sent).
            return Math.max(...plot._fullData.map(trace => (trace.x ? trace.x.length : 0)));
        }"""
    )


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def click(page, action: str) -> None:
    """Click Step ("step") or Reset ("reset")."""
    run_button(page, action).click()


# The status line's own words, case and all: a text filter given as a string ignores case, and
# while training the sidebar's Model section says "...the weights of the moment you paused."
PAUSED_STATUS = re.compile(r"\bPaused\.")


def server_says_paused(page) -> bool:
    """The status line the server draws says "Paused." (the button changes at the click,
    before the server has it: on a busy machine a second or two earlier)."""
    return page.locator('[data-testid="stCaptionContainer"]', has_text=PAUSED_STATUS).count() > 0


def assert_no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]'
    ).first.inner_text()


def assert_counter_still(page, seconds: float, when: str = "") -> int:
    """Nothing trains: the page goes `seconds` without a change (five redraws of the live
    views while training, see `playground.ui.views`) and the step counter is where it was.
    Returns the count."""
    before = step_counter(page)
    try:
        settle(page, quiet=seconds)
    except TimeoutError as error:
        raise AssertionError(f"{when}: the page kept changing ({before} -> "
                             f"{step_counter(page)}): {error}") from None  # fmt: skip
    after = step_counter(page)
    assert after == before, f"{when}: the counter went {before} -> {after}"
    return after


def test_play_pause_step_reset(playground):
    page = playground
    assert_no_exception(page)
    # The Model section open, so that its "...you paused." is on the page while training.
    download = page.locator('[data-testid="stSidebar"] [data-testid="stDownloadButton"]')
    if download.count() == 0:  # (the tab is shared: another test may have opened it)
        page.locator('[data-testid="stSidebar"] summary', has_text="Model").click()
    download.first.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert step_counter(page) == 0
    points_before = loss_points(page)

    press(page, "Play")
    assert wait_for(lambda: step_counter(page) > 200), "Play did not advance the step counter"
    assert wait_for(lambda: loss_points(page) > max(points_before, 1)), "loss chart did not grow"
    first = step_counter(page)
    assert wait_for(lambda: step_counter(page) > first), "the counter stopped while playing"
    assert not server_says_paused(page)  # the sidebar's "...you paused." is not the status

    press(page, "Pause")
    assert wait_for(lambda: "Play" in offered(page))
    assert wait_for(lambda: server_says_paused(page)), "the server never said Paused."
    settle(page)
    paused_at = assert_counter_still(page, 1.0, "after Pause")

    click(page, "step")
    assert wait_for(lambda: step_counter(page) == paused_at + 1)
    assert assert_counter_still(page, 0.5, "after Step") == paused_at + 1, "Step is one step"

    click(page, "reset")
    assert wait_for(lambda: step_counter(page) == 0), "Reset did not return to step 0"
    assert_no_exception(page)


def test_shared_url_reproduces_the_setup(page, browser, app_server):
    open_app(page, app_server + "/?dataset=xor&hidden=4relu,3tanh&optimizer=sgd&lr=0.3&seed=4")
    assert_no_exception(page)
    link = page.url
    query = parse_qs(urlparse(link).query)
    assert query["dataset"] == ["xor"] and query["hidden"] == ["4relu,3tanh"]
    assert query["lr"] == ["0.3"] and query["seed"] == ["4"]
    for done in range(1, 4):  # each Step answered before the next, as a person clicks
        click(page, "step")
        assert wait_for(lambda done=done: step_counter(page) == done), (done, step_counter(page))
    settle(page)
    loss_here = page.locator('[data-testid="stMetricValue"]').nth(2).inner_text()

    # The link, opened in a fresh tab (a new session), gives the same numbers.
    other = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    try:
        open_app(other, page.url)
        for done in range(1, 4):
            click(other, "step")
            assert wait_for(lambda done=done: step_counter(other) == done), (
                done, step_counter(other))  # fmt: skip
        settle(other)
        assert other.locator('[data-testid="stMetricValue"]').nth(2).inner_text() == loss_here
    finally:
        other.context.close()


def test_bad_url_shows_a_note_and_the_trained_page_is_captured(page, app_server, playground):
    open_app(page, app_server + "/?lr=fast&noise=3")
    assert_no_exception(page)
    notes = page.locator(".plain-message").all_inner_texts()  # (see the test below)
    assert any("Learning rate" in note for note in notes)
    assert any("Noise" in note for note in notes)

    page = playground  # the default page, trained for the README's screenshot
    press(page, "Play")
    assert wait_for(lambda: step_counter(page) > 3000, timeout=30), step_counter(page)
    press(page, "Pause")
    assert wait_for(lambda: server_says_paused(page)), "the server never said Paused."
    settle(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "playground-trained.png"))
    assert_no_exception(page)


CHART_KEYS = ("boundary_chart", "loss_chart", "accuracy_chart", "norms_chart")


def loss_last_step(page) -> float:
    """The last step the loss chart's minibatch-loss line reaches in the browser."""
    return page.evaluate(
        """() => {
            const trace = document.querySelector('.st-key-loss_chart .js-plotly-plot')._fullData[0];
            return trace.x[trace.x.length - 1];
        }"""
    )


def chart_places(page) -> dict:
    """Per live chart: whether its Plotly element is the one we marked, and where it sits."""
    return page.evaluate(
        """(keys) => Object.fromEntries(keys.map((key) => {
            const plot = document.querySelector(`.st-key-${key} .js-plotly-plot`);
            if (!plot) return [key, null];
            const box = plot.getBoundingClientRect();
            return [key, {marked: plot.__mark === true, top: Math.round(box.top),
                          left: Math.round(box.left), height: Math.round(box.height)}];
        }))""",
        list(CHART_KEYS),
    )


def test_charts_update_in_place_without_moving(playground):
    page = playground
    # Every chart drawn before Play: while training runs, one out of view waits (live_chart).
    assert wait_for(lambda: all(chart_places(page).values())), chart_places(page)
    press(page, "Play")
    assert wait_for(lambda: step_counter(page) > 500)
    page.evaluate(
        "() => document.querySelectorAll('.js-plotly-plot').forEach(p => p.__mark = true)"
    )
    before = chart_places(page)
    # Charts take turns to redraw (see live_chart): the loss line may lag the counter a little.
    assert wait_for(lambda: loss_last_step(page) is not None), "the loss chart was never drawn"
    last_step_drawn = loss_last_step(page)
    page.evaluate(COUNT_DRAWS_JS, ["loss_chart"])
    samples = []
    # Where the charts are, looked at between redraws until the loss chart (the one marked)
    # has been redrawn REDRAWS times: if it were rebuilt instead, its count would stop.
    while page.evaluate(DRAWS_JS, "loss_chart") < REDRAWS and len(samples) < 100:
        samples.append(chart_places(page))
        page.wait_for_timeout(100)
    samples.append(chart_places(page))
    assert page.evaluate(DRAWS_JS, "loss_chart") >= REDRAWS, "the loss chart was not redrawn"
    assert loss_last_step(page) > last_step_drawn, "the loss chart was redrawn with old data"
    press(page, "Pause")
    for sample in samples:
        for key in CHART_KEYS:
            # The same Plotly element all along (updated, not rebuilt), in the same place.
            assert sample[key] is not None and sample[key]["marked"], (key, sample[key])
            assert sample[key]["top"] == before[key]["top"], key
            assert sample[key]["left"] == before[key]["left"], key
            assert sample[key]["height"] == before[key]["height"], key


REDRAWS = 8  # of the loss chart, watched for charts that move or are rebuilt


def next_count(page, timeout: float = 10.0) -> int:
    """Wait for the step counter to change; its new value."""
    before = step_counter(page)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = step_counter(page)
        if value != before:
            return value
        page.wait_for_timeout(20)
    raise AssertionError(f"the step counter stayed at {before} for {timeout} s")


COUNT_DRAWS_JS = """(keys) => keys.forEach((key) => {
    const plot = document.querySelector(`.st-key-${key} .js-plotly-plot`);
    plot.__draws = 0;
    plot.on("plotly_afterplot", () => { plot.__draws += 1; });
})"""
DRAWS_JS = """(key) => document.querySelector(`.st-key-${key} .js-plotly-plot`).__draws"""
# Count the figures that reach a live chart: the component keeps the newest one it has not
# drawn yet in the chart's `__pending` (see `playground.ui.live_chart`).
COUNT_FIGURES_JS = """(key) => {
    const plot = document.querySelector(`.st-key-${key} .js-plotly-plot`);
    let pending = plot.__pending;
    plot.__figures = 0;
    Object.defineProperty(plot, "__pending", {
        configurable: true,
        get: () => pending,
        set: (value) => { if (value) plot.__figures += 1; pending = value; },
    });
}"""
FIGURES_JS = """(key) => document.querySelector(`.st-key-${key} .js-plotly-plot`).__figures"""


def test_a_chart_out_of_view_waits_while_training_and_catches_up_in_view(page, app_server):
    """While training runs, only the charts on the screen redraw (the browser stays free to
    answer clicks); one scrolled into view is brought up to date at once."""
    open_app(page, app_server + "/?dataset=spiral")
    assert wait_for(lambda: page.locator(".st-key-norms_chart .js-plotly-plot").count() == 1,
                    timeout=15), "the weight norms chart (out of view) was never drawn"  # fmt: skip
    page.evaluate(COUNT_DRAWS_JS, ["loss_chart", "norms_chart"])
    page.evaluate(COUNT_FIGURES_JS, "norms_chart")
    press(page, "Play")
    assert wait_for(lambda: step_counter(page) > 1000, timeout=30), "training did not start"
    # Several new figures of the weight norms (one a second) reach the browser...
    assert wait_for(lambda: page.evaluate(FIGURES_JS, "norms_chart") >= 3, timeout=30), (
        "no new figures of the weight norms came while training"
    )
    # ...and it draws none of them while the chart is out of view; the loss chart, in view,
    # is redrawn.
    assert page.evaluate(DRAWS_JS, "norms_chart") == 0, "a chart out of view redrew"
    assert page.evaluate(DRAWS_JS, "loss_chart") > 0, "the loss chart (in view) did not redraw"
    page.locator(".st-key-norms_chart").scroll_into_view_if_needed()
    assert wait_for(lambda: page.evaluate(DRAWS_JS, "norms_chart") > 0, timeout=10), (
        "the weight norms chart did not catch up when scrolled into view"
    )
    press(page, "Pause")
    assert_no_exception(page)


def test_slow_motion_trains_a_few_steps_a_second(page, app_server):
    """At 5 steps a second the counter goes up a step or two at a time, never in a burst (at
    full speed each redraw shows hundreds more). The rate itself: `benchmarks/app.py`."""
    open_app(page, app_server + "/?speed=5")
    press(page, "Play")
    assert wait_for(lambda: step_counter(page) >= 1)
    seen = [step_counter(page)]
    while len(seen) < 7:  # six changes: a second or more of slow motion
        seen.append(next_count(page))
    press(page, "Pause")
    steps = [seen[i + 1] - seen[i] for i in range(len(seen) - 1)]
    # A redraw the server or the browser holds up for a second shows ~5 steps at once; the
    # pace does not catch up in a burst after a hold-up (`TrainingSession.advance`).
    assert all(1 <= step <= 10 for step in steps), seen


def test_markdown_in_a_link_shows_as_plain_text(page, app_server):
    hostile = {
        "dataset": "[Click here for the answer key](https://example.com/evil)",
        "noise": "![t](https://example.com/t.png)",
        "hide": ":smile: $x^2$ <b>bold</b> www.example.com :material/home:",
    }
    open_app(page, app_server + "/?" + urlencode(hostile))
    assert_no_exception(page)
    alerts = page.locator(".plain-message")
    assert alerts.count() == 3
    # The notes: no live link, outside image, HTML, maths, emoji or icon in their text.
    assert alerts.locator("a, img, b, .katex, [data-testid='stIconMaterial']").count() == 0
    texts = alerts.all_inner_texts()
    assert not any("\u2060" in text for text in texts)  # no invisible characters either
    for value in hostile.values():
        assert any(value in text for text in texts), value
    # Selecting a note and copying it gives exactly its words: the icon is not among them.
    copied = page.evaluate(
        """() => {
            const note = document.querySelector('.plain-message');
            const range = document.createRange();
            range.selectNodeContents(note);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            return selection.toString();
        }"""
    )
    assert copied == texts[0] and "'" + hostile["dataset"] + "'" in copied

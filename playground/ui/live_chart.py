"""Plotly charts that change in place while training runs, instead of being rebuilt.

`st.plotly_chart` gives a chart a new identity whenever its figure changes, so at every redraw
the browser throws the old chart away and draws a new one: for a few frames the chart is
blank, at every redraw. This small component keeps one Plotly chart per key in the page
and hands each new figure to `Plotly.react`, which updates the existing chart in place (and
keeps the user's zoom through `layout.uirevision`). Charts take turns to redraw, and one out of
view (scrolled away, in a tab not shown) waits until it comes into view or training pauses,
so the browser spends its time on what is on the screen.

The component loads plotly.js once per page from the app's static folder (Streamlit's
`server.enableStaticServing`): Plotly's "cartesian" bundle, plotly.js 4.1.1 as published on npm
(`plotly.js-cartesian-dist-min`, MIT licence beside it). It holds the trace types this app draws
(`TRACE_TYPES`) and starts in 0.7-0.9 s of a browser's main thread where the full bundle that
ships with the plotly package took 1.9-2.0 s, on every page load. Where static serving is
switched off, or for a figure with a trace type outside that bundle, charts fall back to
`st.plotly_chart` (Streamlit's own, full plotly.js), which works the same apart from the
blinking. plotly.js is loaded only once the page's other elements are on the screen
(`pageSettled` in the script): with Chromium on one core, the run buttons and metrics of a
fresh Playground tab then showed after a median 7.1-7.6 s instead of 11.3 s, and the charts
after 8.6-9.3 s instead of 11.3 s.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import streamlit as st
from _plotly_utils.utils import convert_to_base64
from plotly.io.json import to_json_plotly

from playground.charts.style import for_projector
from playground.ui import projector
from playground.ui.first_paint import PAGE_SETTLED_JS

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"  # served as app/static/
PLOTLY_JS = "plotly-cartesian.min.js"
# The trace types of that bundle (its README): a figure of any other type draws nothing.
TRACE_TYPES = frozenset({
    "bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour",
    "image", "pie", "scatter", "scatterternary", "violin",
})  # fmt: skip

_JS = (
    f"const PLOTLY_JS = {PLOTLY_JS!r};\n"
    + PAGE_SETTLED_JS
    + """
// plotly.js waits for the page's own controls (pageSettled). Evaluating plotly.js and drawing
// the first charts takes a browser's main thread for a second or more, and started at once it
// held up the run buttons, the metrics and the sidebar, which came on the screen after the
// charts.
function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__mlpPlotlyLoading) {
    window.__mlpPlotlyLoading = pageSettled().then(() => new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL("app/static/" + PLOTLY_JS, document.baseURI).href;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { window.__mlpPlotlyLoading = null; reject(new Error("plotly.js")); };
      document.head.appendChild(script);
    }));
  }
  return window.__mlpPlotlyLoading;
}

// Redraws leave the page room: live charts take turns, and after each redraw the next one
// waits as long again, so at most half of the browser's main thread goes to Plotly and a click
// (Pause) is answered at once even on a slow machine, where figures arrive faster than they
// are drawn. Three queues, served in this order:
//   first:   a chart in view that has never been drawn (the page appears at full speed);
//   waiting: a chart in view with a newer figure, first come first served;
//   later:   a chart out of view (scrolled away, in a tab not shown). It is drawn once no new
//            figure has come for a second (training paused), or at once when it comes into
//            view; while training runs, the charts nobody looks at cost nothing.
const MIN_VISIBLE_PX = 60;  // "in view": this much of its height inside the window (or half)
const QUIET_MS = 1000;  // out-of-view charts catch up after this long without a new figure

function turns() {
  if (!window.__mlpTurns) {
    window.__mlpTurns = {
      first: [], waiting: [], later: [], busy: false, quietUntil: 0, lastFigure: 0,
      timer: null, timerAt: 0,
    };
  }
  return window.__mlpTurns;
}

function shown(chart) {
  // Laid out (not in a hidden tab), as the observer last reported: asking the element itself
  // would make the browser lay the page out at every turn.
  return chart.isConnected && chart.__laidOut === true;
}

function nextTurn() {
  const state = turns();
  if (state.busy) return;
  // A chart that came into view no longer waits with the ones out of sight.
  for (const entry of state.later.filter((e) => e.chart.__inView)) {
    state.later.splice(state.later.indexOf(entry), 1);
    (entry.chart.__drawn ? state.waiting : state.first).push(entry);
  }
  state.later = state.later.filter((e) => e.chart.isConnected);  // removed from the page
  let entry = state.first.shift();
  const catchUp = state.later.some((e) => shown(e.chart));
  if (!entry && (state.waiting.length || catchUp)) {
    const now = performance.now();
    const until = state.waiting.length
      ? state.quietUntil
      : Math.max(state.quietUntil, state.lastFigure + QUIET_MS);
    if (until > now) {
      if (!state.timer || state.timerAt > until) {
        clearTimeout(state.timer);
        state.timerAt = until;
        state.timer = setTimeout(() => { state.timer = null; nextTurn(); }, until - now);
      }
      return;
    }
    entry = state.waiting.length
      ? state.waiting.shift()
      : state.later.splice(state.later.findIndex((e) => shown(e.chart)), 1)[0];
  }
  if (entry) {
    state.busy = true;
    entry.go(performance.now());
  }
}

function takeTurn(chart) {
  return new Promise((go) => {
    const state = turns();
    const queue = !chart.__inView ? state.later : chart.__drawn ? state.waiting : state.first;
    queue.push({ chart, go });
    nextTurn();
  });
}

function endTurn(started) {
  const state = turns();
  const now = performance.now();
  state.quietUntil = now + (now - started);
  state.busy = false;
  nextTurn();
}

function enoughInView(top, bottom) {
  // Some of a chart's height in the window: its edge alone (a title) does not count.
  const visible = Math.min(bottom, window.innerHeight) - Math.max(top, 0);
  return visible >= Math.min(MIN_VISIBLE_PX, (bottom - top) / 2);
}

function watchView(chart) {
  if (chart.__observer) return;
  // Out of view until the observer's first report, which comes once the page is laid out
  // (while Streamlit is still adding elements above it, a chart may look in view for a moment).
  chart.__inView = false;
  chart.__observer = new IntersectionObserver((entries) => {
    const entry = entries[entries.length - 1];
    const box = entry.boundingClientRect;
    chart.__laidOut = box.width > 0 || box.height > 0;
    chart.__inView = entry.isIntersecting
      && enoughInView(entry.boundingClientRect.top, entry.boundingClientRect.bottom);
    nextTurn();  // it may go ahead now, or catch up (a tab just shown)
  }, { threshold: Array.from({ length: 21 }, (_, i) => i / 20) });
  chart.__observer.observe(chart);
}

function mousePixels(chart, event) {
  // The click's position in pixels of the plot area, or null.
  const layout = chart._fullLayout;
  const mouse = event.event;
  if (!layout || !layout.xaxis || !layout.yaxis || !mouse || typeof mouse.clientX !== "number") {
    return null;
  }
  const box = chart.getBoundingClientRect();
  return [mouse.clientX - box.left - layout.xaxis._offset,
          mouse.clientY - box.top - layout.yaxis._offset];
}

function planeCoordinates(chart, event, point) {
  // Where the mouse was, in the axes' units: a heatmap's point is the centre of its cell,
  // up to half a cell away from the click.
  const pixels = mousePixels(chart, event);
  if (pixels) {
    const x = chart._fullLayout.xaxis.p2c(pixels[0]);
    const y = chart._fullLayout.yaxis.p2c(pixels[1]);
    if (Number.isFinite(x) && Number.isFinite(y)) return [x, y];
  }
  return [point.x, point.y];
}

const MARKER_PICK_PX = 8;  // a click this close to a marker's centre is a click on it

function markerAt(chart, pixels) {
  // The customdata of the marker under the mouse, or null. Found from the traces themselves
  // rather than from Plotly's event, which reports the point of the last hover: while a chart
  // redraws several times a second that may be stale, or gone.
  const layout = chart._fullLayout;
  let best = null;
  let bestDistance = MARKER_PICK_PX;
  for (const trace of chart._fullData || []) {
    if (trace.visible !== true || !trace.customdata || !String(trace.mode).includes("markers")) {
      continue;
    }
    for (let i = 0; i < trace.x.length; i += 1) {
      const distance = Math.hypot(layout.xaxis.c2p(trace.x[i]) - pixels[0],
                                  layout.yaxis.c2p(trace.y[i]) - pixels[1]);
      if (distance <= bestDistance) {
        best = trace.customdata[i];
        bestDistance = distance;
      }
    }
  }
  return best;
}

const CLICK_SESSION = Math.random().toString(36).slice(2);
let clickCount = 0;

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let chart = parentElement.querySelector(".mlp-live-chart");
  if (!chart) {
    chart = document.createElement("div");
    chart.className = "mlp-live-chart";
    parentElement.appendChild(chart);
  }
  watchView(chart);
  turns().lastFigure = performance.now();
  // A click on a point with customdata is sent to Python once (see `live_chart`'s on_click),
  // and with clickPlane a click anywhere else on the plot as ["plane", x, y].
  // Each click carries an id of its own: Streamlit was seen to hand one click to two reruns
  // in a row (a fragment's timed rerun beside the click's), which added a drawn point twice.
  chart.__sendClick = data.clickable
    ? (name, value) => {
        clickCount += 1;
        setTriggerValue(name, { id: `${CLICK_SESSION}-${clickCount}`, value });
      }
    : null;
  chart.__clickPlane = Boolean(data.clickPlane);
  // Figures can arrive faster than they are drawn: draw only the newest one.
  chart.__pending = data;
  if (chart.__drawing) return;
  chart.__drawing = true;
  loadPlotly()
    .then(async (Plotly) => {
      while (chart.__pending) {
        const started = await takeTurn(chart);
        try {
          const next = chart.__pending;
          chart.__pending = null;
          // A trace whose text did not change keeps its old object: Plotly.react then sees
          // the same object and skips redrawing it (the data points under a changing boundary).
          const previous = chart.__traces || [];
          const traces = next.traces.map((text, index) =>
            previous[index] && previous[index].text === text
              ? previous[index].trace
              : JSON.parse(text));
          chart.__traces = next.traces.map((text, index) => ({ text, trace: traces[index] }));
          await Plotly.react(chart, traces, JSON.parse(next.layout), next.config);
        } finally {
          endTurn(started);  // a failed drawing must not keep the other charts waiting
        }
        chart.__drawn = true;
        if (!chart.__listening && chart.on) {
          chart.__listening = true;
          chart.on("plotly_click", (event) => {
            const point = event && event.points && event.points[0];
            if (!chart.__sendClick || !point) return;
            if (chart.__clickPlane) {
              const pixels = mousePixels(chart, event);
              const marker = pixels ? markerAt(chart, pixels) : point.customdata;
              chart.__sendClick("click", marker != null
                ? marker : ["plane", ...planeCoordinates(chart, event, point)]);
            } else if (point.customdata != null) {
              chart.__sendClick("click", point.customdata);
            }
          });
        }
      }
    })
    .catch((error) => console.error("MLP Playground: a chart could not be drawn", error))
    .finally(() => { chart.__drawing = false; });
}
"""
)

_CSS = ".mlp-live-chart { width: 100%; }"
# While a redraw is under way Streamlit fades the elements it is about to replace. At several
# redraws a second that fading reads as flicker, so live views keep full opacity.
STEADY_CSS = """<style>
.stElementContainer[data-stale="true"], .stElementContainer[data-stale="true"] * {
  opacity: 1 !important; transition: none !important;
}
</style>"""


IN_PLACE = bool(st.get_option("server.enableStaticServing")) and (STATIC_DIR / PLOTLY_JS).is_file()
_component = st.components.v2.component("mlp_live_chart", js=_JS, css=_CSS, isolate_styles=False)


def live_chart(
    figure: go.Figure,
    key: str,
    height: int,
    toolbar: bool = True,
    on_click: Callable[[Any], None] | None = None,
    click_plane: bool = False,
) -> None:
    """Draw `figure` under `key`; later calls with the same key update it in place.

    height is the figure's height in pixels (the component keeps that space reserved, so the
    page does not move while the chart loads). With `on_click`, a click on a point that has
    `customdata` calls `on_click(customdata)` before the rerun it causes (of the caller's
    fragment), so that rerun already draws what the click chose (once per click). With
    `click_plane`, a click anywhere else on the plot calls `on_click(["plane", x, y])` in the
    axes' units (the plot needs a trace there that takes clicks, such as a heatmap with
    hoverinfo "none").
    """
    config = {"displaylogo": False, "responsive": True}
    if not toolbar:
        config.update(displayModeBar=False, staticPlot=on_click is None)
    projector_mode = projector.on()
    if projector_mode:
        height = round(height * projector.HEIGHT_SCALE)
        figure.layout.height = height
    if not IN_PLACE or not {trace.type or "scatter" for trace in figure.data} <= TRACE_TYPES:
        if projector_mode:
            figure = go.Figure(for_projector(figure.to_dict()), _validate=False)
        # Static serving is off, or the bundle this component loads cannot draw the figure.
        if on_click is None:
            st.plotly_chart(figure, key=key, theme=None, config=config)
        else:
            st.plotly_chart(figure, key=key, theme=None, config=config, selection_mode="points",
                            on_select=lambda: on_click(_selected_point(key)))  # fmt: skip
        return
    figure_dict = figure.to_dict()
    if projector_mode:
        for_projector(figure_dict)
    convert_to_base64(figure_dict)  # numpy arrays as typed base64 (in place)
    callbacks = {} if on_click is None else {"on_click_change": lambda: _take_click(key, on_click)}
    _component(
        key=key,
        data={
            "traces": [to_json_plotly(trace) for trace in figure_dict.get("data", [])],
            "layout": to_json_plotly(figure_dict.get("layout", {})),
            "config": config,
            "clickable": on_click is not None,
            "clickPlane": click_plane,
        },
        height=height,
        **callbacks,
    )


def _clicked(key: str) -> Any:
    """What the live chart `key` sent for the click just made: {"id": ..., "value": the
    customdata of the point, or ["plane", x, y]} (None if none)."""
    state = st.session_state.get(key)
    return state.get("click") if isinstance(state, Mapping) else getattr(state, "click", None)


def _take_click(key: str, on_click: Callable[[Any], None]) -> None:
    """`on_click(value)` once per click: a click whose id was taken already is left alone."""
    clicked = _clicked(key)
    if not isinstance(clicked, Mapping) or "id" not in clicked:
        return
    seen_key = f"{key}__click_taken"
    if st.session_state.get(seen_key) == clicked["id"]:
        return
    st.session_state[seen_key] = clicked["id"]
    on_click(clicked.get("value"))


def _selected_point(key: str) -> Any:
    """The customdata of the point just selected in the `st.plotly_chart` `key`."""
    points = st.session_state[key].selection.points
    return points[0].get("customdata") if points else None

"""Draw a digit and see what the network makes of it: a small drawing pad of our own.

The pad is a canvas in the page. While you draw, and when you lift the pen, it sends what is
drawn as a grey image of `PAD_PIXELS` × `PAD_PIXELS` ink values (0 paper, 255 ink; base64 of
the bytes, row by row) with an id that rises with every drawing sent, so the page never takes
an older drawing for a newer one. Clear sends an empty image. The page turns the drawing into
an MNIST image (`digits.mnist_like`) and shows the current network's class probabilities.

Everything lives in a fragment: drawing reruns the fragment only, not the page.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from playground.core.digits import SIZE, mnist_like
from playground.core.session import TrainingSession
from playground.ui import keys
from playground.ui.live_chart import live_chart
from playground.ui.resources import page_fragment

__all__ = ["Drawing", "decode_drawing", "digit_pad", "probabilities_figure"]

PAD_PIXELS = 112  # the image sent: 4 × 28, enough to crop and scale as MNIST did
CANVAS_PIXELS = 224  # the pad on screen
PEN_WIDTH = 16  # canvas pixels: about 2 MNIST pixels once a digit is scaled to 20 pixels
SEND_EVERY_MS = 250  # while drawing, at most this often
BARS_HEIGHT = 230

_JS = (
    f"""
const PAD = {PAD_PIXELS}, CANVAS = {CANVAS_PIXELS}, PEN = {PEN_WIDTH}, EVERY = {SEND_EVERY_MS};
"""
    + """
function nextId() {
  const id = Math.max(Date.now(), (window.__mlpLastDrawingId || 0) + 1);
  window.__mlpLastDrawingId = id;
  return id;
}

function encode(canvas) {
  const small = document.createElement("canvas");
  small.width = PAD; small.height = PAD;
  const context = small.getContext("2d");
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = "high";
  context.drawImage(canvas, 0, 0, PAD, PAD);
  const rgba = context.getImageData(0, 0, PAD, PAD).data;
  let text = "";
  for (let i = 3; i < rgba.length; i += 4) text += String.fromCharCode(rgba[i]);
  return btoa(text);  // the alpha channel: how much ink covers each pixel
}

export default function (component) {
  const { parentElement, setStateValue } = component;
  let root = parentElement.querySelector(".mlp-digit-pad");
  if (!root) {
    root = document.createElement("div");
    root.className = "mlp-digit-pad";
    root.innerHTML =
      `<canvas width="${CANVAS}" height="${CANVAS}" aria-label="Drawing pad"></canvas>` +
      '<button type="button">Clear</button>';
    parentElement.appendChild(root);
    const canvas = root.querySelector("canvas");
    const context = canvas.getContext("2d");
    context.lineCap = "round"; context.lineJoin = "round";
    context.lineWidth = PEN; context.strokeStyle = "#000";
    let drawing = false, last = null, lastSent = 0, timer = null;
    const send = () => {
      lastSent = Date.now();
      timer = null;
      root.__send("drawing", { id: nextId(), size: PAD, pixels: encode(canvas) });
    };
    const sendSoon = () => {
      if (timer) return;
      timer = setTimeout(send, Math.max(0, EVERY - (Date.now() - lastSent)));
    };
    const point = (event) => {
      const box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * CANVAS / box.width,
              (event.clientY - box.top) * CANVAS / box.height];
    };
    canvas.addEventListener("pointerdown", (event) => {
      drawing = true; last = point(event);
      canvas.setPointerCapture(event.pointerId);
      context.beginPath(); context.arc(last[0], last[1], PEN / 2, 0, 2 * Math.PI);
      context.fillStyle = "#000"; context.fill();
      sendSoon();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      const next = point(event);
      context.beginPath(); context.moveTo(last[0], last[1]); context.lineTo(next[0], next[1]);
      context.stroke();
      last = next;
      sendSoon();
    });
    const stop = () => {
      if (!drawing) return;
      drawing = false;
      if (timer) { clearTimeout(timer); }
      send();
    };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    root.querySelector("button").addEventListener("click", () => {
      context.clearRect(0, 0, CANVAS, CANVAS);
      if (timer) { clearTimeout(timer); timer = null; }
      send();
    });
  }
  root.__send = setStateValue;
}
"""
)

_CSS = f"""
.mlp-digit-pad {{ display: flex; flex-direction: column; gap: 0.5rem; width: {CANVAS_PIXELS}px; }}
.mlp-digit-pad canvas {{
  width: {CANVAS_PIXELS}px; height: {CANVAS_PIXELS}px; touch-action: none; cursor: crosshair;
  background: #fff; border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  border-radius: var(--st-base-radius, 0.5rem);
}}
.mlp-digit-pad button {{
  align-self: flex-start; padding: 0.25rem 0.75rem; cursor: pointer;
  font-family: var(--st-font, inherit); color: var(--st-text-color, #31333f);
  background: var(--st-background-color, #fff);
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  border-radius: var(--st-base-radius, 0.5rem);
}}
.mlp-digit-pad button:hover {{ border-color: var(--st-primary-color, #ff4b4b); }}
"""

_component = st.components.v2.component("mlp_digit_pad", js=_JS, css=_CSS, isolate_styles=False)


@dataclass(frozen=True)
class Drawing:
    """What the pad sent: ink (H, W) float in [0, 1] and the id of the sending."""

    ink: np.ndarray
    id: float


def decode_drawing(value: object) -> Drawing | None:
    """The pad's value as a Drawing; None for anything malformed (a value is never trusted:
    the size must match the pixels sent)."""
    if not isinstance(value, Mapping):
        return None
    size, pixels, drawing_id = value.get("size"), value.get("pixels"), value.get("id")
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 1024:
        return None
    if isinstance(drawing_id, bool) or not isinstance(drawing_id, int | float):
        return None
    if not math.isfinite(drawing_id) or not isinstance(pixels, str):
        return None
    try:
        raw = base64.b64decode(pixels, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != size * size:
        return None
    ink = np.frombuffer(raw, dtype=np.uint8).reshape(size, size).astype(np.float32) / 255.0
    return Drawing(ink=ink, id=float(drawing_id))


def probabilities_figure(probabilities: np.ndarray, class_names: tuple[str, ...]) -> go.Figure:
    """Bars of the class probabilities (K,), the most likely class highlighted."""
    best = int(np.argmax(probabilities))
    colors = ["#ff4b4b" if k == best else "#8fa3bf" for k in range(len(probabilities))]
    figure = go.Figure(
        go.Bar(
            x=list(class_names),
            y=probabilities,
            marker_color=colors,
            text=[f"{p:.0%}" for p in probabilities],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
        )
    )
    figure.update_layout(
        height=BARS_HEIGHT,
        margin={"l": 45, "r": 10, "t": 30, "b": 30},
        yaxis={"range": [0, 1.1], "tickformat": ".0%", "showgrid": True},
        xaxis={"type": "category", "title": None},
        title={
            "text": f"The network says {class_names[best]} ({probabilities[best]:.0%})",
            "font": {"size": 14},
            "x": 0.02,
        },  # fmt: skip
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
    )
    return figure


def _ignore_change() -> None:
    """The drawing is read in the fragment itself; Streamlit needs a callback to accept it."""


def digit_pad(prefix: str, session: TrainingSession) -> None:
    """The pad, what the network sees (the MNIST-style 28 × 28 image) and its probabilities,
    redrawn as you draw and, while training runs, as the network learns."""
    session_key = keys.SESSION.of(prefix)

    @page_fragment(1.0 if session.training_now else None)
    def pad() -> None:
        current = st.session_state.get(session_key)
        if current is not session:
            return
        pad_column, seen_column, bars_column = st.columns([5, 3, 8], gap="medium")
        with pad_column:
            result = _component(
                key=f"{prefix}digit_pad",
                default={"drawing": None},
                on_drawing_change=_ignore_change,
                height=CANVAS_PIXELS + 50,
            )
        drawing = decode_drawing(getattr(result, "drawing", None))
        image = None if drawing is None else mnist_like(drawing.ink)
        with seen_column:
            st.caption("What the network sees (28 × 28)")
            shown = np.zeros((SIZE, SIZE)) if image is None else image.reshape(SIZE, SIZE)
            # Each pixel a 4 × 4 block, ink dark on white as drawn.
            big = np.kron(255 - np.round(shown * 255), np.ones((4, 4))).astype(np.uint8)
            st.image(big, width=SIZE * 4, alt="The drawing as the network sees it: 28 by 28 pixels")
        with bars_column:
            if image is None:
                st.info("Draw a digit in the box: the network's guess appears here as you "
                        "draw.", icon=":material/draw:")  # fmt: skip
                return
            with session.lock:  # the worker may be training this very network
                probabilities = session.runs[0].network.predict_proba(image[None, :])[0]
            live_chart(probabilities_figure(probabilities, session.data.class_names),
                       key=f"{prefix}digit_bars", height=BARS_HEIGHT, toolbar=False)  # fmt: skip

    pad()

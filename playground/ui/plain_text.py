"""Text that came from a person, a file or a link, shown as exactly the characters it holds.

Streamlit renders every message (`st.warning`, `st.error`, `st.caption`, `st.markdown`, a
progress bar's text) as Markdown, with links, images, HTML, emoji and icon shortcodes, colour
directives and LaTeX. A note that quotes a link's value must not turn that value into a live
link or an image fetched from elsewhere, and a person who copies a message must get the
characters shown. So such text is never given to Markdown: `message` draws it, HTML-escaped,
in a box that looks like Streamlit's own alert, and `caption` and `line` draw it through
`st.text`, which renders neither Markdown nor HTML.

The icon (a Material Symbols name) sits in a CSS `::before`, so selecting and copying the
message copies its words only.
"""

from __future__ import annotations

import html
from typing import Literal

import streamlit as st

__all__ = ["MESSAGE_CSS", "caption", "line", "message"]

Kind = Literal["info", "success", "warning", "error"]
# Icons by their name in the Material Symbols font that Streamlit ships for its own icons.
ICONS = {"info": "info", "success": "check_circle", "warning": "warning", "error": "error",
         "link": "link", "hint": "lightbulb", "compare": "compare_arrows",
         "goal": "flag"}  # fmt: skip

# Streamlit's alert colours (light theme) and shape, so a plain message looks like st.warning.
MESSAGE_CSS = """
.plain-message{display:flex;gap:0.75rem;align-items:flex-start;padding:1rem;
  border-radius:0.5rem;font-size:1rem;line-height:1.6;white-space:pre-wrap;
  overflow-wrap:anywhere;margin:0}
.plain-message::before{content:attr(data-icon);flex:none;user-select:none;
  font-family:"Material Symbols Rounded";font-size:1.25rem;line-height:1.6rem;
  font-feature-settings:"liga";-webkit-font-feature-settings:"liga"}
.plain-info{background:rgba(28,131,225,0.1);color:rgb(0,66,128)}
.plain-success{background:rgba(33,195,84,0.1);color:rgb(23,114,51)}
.plain-warning{background:rgba(255,189,69,0.2);color:rgb(122,89,4)}
.plain-error{background:rgba(255,43,43,0.09);color:rgb(125,53,59)}
.plain-caption{font-size:0.875rem;color:rgba(49,51,63,0.8);margin:0;overflow-wrap:anywhere}
"""


def one_line(text: object) -> str:
    """`text` on one line: control characters (a newline, a tab, an escape) as spaces."""
    return "".join(c if c.isprintable() else " " for c in str(text)).strip()


def message_html(text: object, kind: Kind = "warning", icon: str | None = None) -> str:
    """The markup of `message`: `text` on one line, every character HTML would read
    escaped, so the browser shows exactly `text`."""
    symbol = ICONS[icon or kind]
    return (f'<div class="plain-message plain-{kind}" role="alert" data-icon="{symbol}">'
            f"{html.escape(one_line(text))}</div>")  # fmt: skip


def message(text: object, kind: Kind = "warning", icon: str | None = None) -> None:
    """`text` in an alert box of `kind`, as plain characters; `icon` is a key of `ICONS`
    (the kind's own icon by default)."""
    st.html(message_html(text, kind, icon))


def caption_html(text: object) -> str:
    return f'<p class="plain-caption">{html.escape(one_line(text))}</p>'


def caption(text: object) -> None:
    """`text` small and grey under a control, as plain characters."""
    st.html(caption_html(text))


def line(text: object) -> None:
    """`text` as a line of the page's body text, as plain characters."""
    st.text(one_line(text))

"""What a page says, as a person reads it: its messages, captions and lines of text.

Text that came from a person, a file or a link is drawn by `playground.ui.plain_text` as
HTML-escaped characters in an `st.html` element; the page's own words are Streamlit's alerts,
captions and Markdown. These helpers read both, so a test asks for "the warnings" and gets
every warning a person sees, in the characters they see.
"""

from __future__ import annotations

import html
import re

PLAIN = re.compile(r'<(?:div|p) class="plain-(message plain-)?(\w+)"[^>]*>(.*?)</(?:div|p)>', re.S)
KINDS = ("info", "warning", "error", "success")


def _plain(node, kind: str) -> list[str]:
    found = []
    for element in node.get("html"):
        for match in PLAIN.finditer(element.proto.body):
            if match.group(2) == kind:
                found.append(html.unescape(match.group(3)))
    return found


def messages(node, kind: str) -> list[str]:
    """The alerts of `kind` ("info", "warning", "error", "success") under `node` (an AppTest
    or one of its blocks, e.g. `app.sidebar`): Streamlit's own and the plain ones."""
    assert kind in KINDS, kind
    return [element.value for element in node.get(kind)] + _plain(node, kind)


def message_text(node, kind: str) -> str:
    return " ".join(messages(node, kind))


LINK_NOTE = re.compile(
    r'<div class="plain-message plain-warning"[^>]*data-icon="link">(.*?)</div>', re.S
)


def link_notes(node) -> list[str]:
    """The notes on what a link held that the page could not use (not the hints beside
    them, which are warnings too)."""
    return [html.unescape(match.group(1)) for element in node.get("html")
            for match in LINK_NOTE.finditer(element.proto.body)]  # fmt: skip


def captions(node) -> list[str]:
    return [element.value for element in node.get("caption")] + _plain(node, "caption")


def lines(node) -> list[str]:
    """Markdown and plain text lines under `node`."""
    return [element.value for element in node.get("markdown")] + [
        element.value for element in node.get("text")
    ]

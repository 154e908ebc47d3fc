"""Text for the page: what a person typed shown as plain text, and numbers that read well.

Streamlit renders every message (`st.warning`, `st.error`, captions) as Markdown, with links,
images, HTML, emoji and icon shortcodes, colour directives and LaTeX. A note that quotes a
link's value must not turn that value into a live link or an image fetched from elsewhere, so
every text that may hold a person's input goes through `plain` first.
"""

from __future__ import annotations

import math
import re
import string

__all__ = ["format_number", "plain"]

# Every ASCII punctuation character as a numeric character reference ("[" as "&#91;"). Markdown
# decodes references into plain text after it has found its constructs, so none of them starts
# a link, an image, emphasis, HTML, a list or a heading, and Streamlit's own extras find no
# ":shortcode:", ":material/icon:", ":colour[...]" or "$maths$" in the source. Backslash escapes
# are not enough. GitHub-flavoured Markdown also finds "www.", "https://" and "name@host" in
# the decoded text and links them, so an invisible word joiner (U+2060) comes before each ".",
# ":" and "@": the words read the same and no longer form an address.
_WORD_JOINER = "\u2060"
_REFERENCES = str.maketrans(
    {c: (_WORD_JOINER if c in ".:@" else "") + f"&#{ord(c)};" for c in string.punctuation}
)

# "1.2e-07" reads as "1.2e-7": the exponent without its leading zeros.
_SHORT_EXPONENT = re.compile(r"e([+-])0*(\d)")


def plain(text: str) -> str:
    """`text` as Markdown that shows exactly `text`, on one line, as plain words."""
    printable = "".join(c if c.isprintable() else " " for c in str(text))
    return printable.strip().translate(_REFERENCES)


def format_number(value: float | None, percent: bool = False) -> str:
    """A metric for a tile: "0.693", "3.1e-5" (not 0.000), "5.46e+30" (not 31 digits),
    "97.5%", "–" when there is none, and "not a number" or "∞" where training blew up."""
    if value is None:
        return "–"
    if math.isnan(value):
        return "not a number"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if percent:
        return f"{value:.1%}"
    # Rounded first, so 9999.9996 is not shown as "10000.000".
    if value != 0 and not 0.01 <= abs(round(value, 3)) < 10_000:
        scientific = f"{value:.2g}" if abs(value) < 0.01 else f"{value:.3g}"
        return _SHORT_EXPONENT.sub(r"e\1\2", scientific)
    return f"{value:.3f}"

"""Numbers that read well on a metric tile. (Text a person typed is shown by
`playground.ui.plain_text`, as plain characters.)"""

from __future__ import annotations

import math
import re

__all__ = ["format_number"]

# "1.2e-07" reads as "1.2e-7": the exponent without its leading zeros.
_SHORT_EXPONENT = re.compile(r"e([+-])0*(\d)")


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

"""What the pages add to Streamlit's own elements so that an accessibility check (axe-core,
run on every page by `tests/app/test_accessibility_browser.py`) finds nothing to fault.

- Text contrast: Streamlit draws captions and the labels of disabled widgets in light greys
  (#828180 and #acabaa on white: 3.9:1 and 2.3:1); body text needs 4.5:1 (WCAG 2.1, 1.4.3).
  They are drawn darker here (about 6:1), still lighter than the body text.
- The chosen pills of a choice (the input features) are labelled in a darker red.
- With `prefers-reduced-motion: reduce`, nothing on the page animates.
- The file uploader's drop zone has `role="presentation"` but is focusable and labelled,
  which contradicts itself; the role is taken off, so it reads as the labelled region it is.
"""

from __future__ import annotations

import streamlit as st

__all__ = ["ACCESSIBLE_CSS", "accessibility_fixes"]

# rgba(49, 51, 63, 0.8) on white is #5a5c65: 6.5:1.
CAPTION_COLOR = "rgba(49, 51, 63, 0.8)"

ACCESSIBLE_CSS = (
    # Streamlit fades a caption with opacity 0.6 besides its grey: both give way to one colour
    f'[data-testid="stCaptionContainer"]{{opacity:1;color:{CAPTION_COLOR}}}'
    f'[data-testid="stCaptionContainer"] p{{color:{CAPTION_COLOR}}}'
    # the label of a disabled widget (the look-back slider before a run has a past)
    f'.stElementContainer:has([aria-disabled="true"], :disabled) [data-testid="stWidgetLabel"] p'
    f"{{color:{CAPTION_COLOR}}}"
    # the chosen pills (the input features): #c53948 on #f3e5e6 was 4.2:1, this is about 6:1
    '[data-testid="stButtonGroup"] button[aria-pressed="true"] p{color:#a32b3a}'
    ".st-key-mlp_accessibility{display:none}"
    # A viewer who asked their system for less motion gets none: no animated transitions
    "@media (prefers-reduced-motion: reduce){*,*::before,*::after{"
    "animation-duration:0.01ms !important;animation-iteration-count:1 !important;"
    "transition-duration:0.01ms !important;scroll-behavior:auto !important}}"
)

_JS = """
const DROP_ZONE = '[data-testid="stFileUploaderDropzone"][role="presentation"]';

function fix() {
  for (const zone of document.querySelectorAll(DROP_ZONE)) zone.removeAttribute("role");
}

export default function () {
  if (window.__mlpAccessibility) return;  // one watcher per tab, across reruns and pages
  window.__mlpAccessibility = true;
  let queued = false;
  const later = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; fix(); });
  };
  fix();
  new MutationObserver(later).observe(document.body, { subtree: true, childList: true });
}
"""

_component = st.components.v2.component("mlp_accessibility", js=_JS)


def accessibility_fixes() -> None:
    """Install, once per browser tab, what fixes Streamlit's own elements (a hidden element)."""
    _component(key="mlp_accessibility", data={})

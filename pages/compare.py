"""Compare: two to four variants of one network side by side, trained in lockstep on the same
data from the same first weights with the same minibatches, and seed sweeps that say whether a
difference is real.

The sidebar sets what the variants share (opened from the Playground, it starts from the
Playground's setup); the presets and each variant's editor set what differs.
"""

import streamlit as st

from playground.core.compare import preset_base, what_differs
from playground.core.config import COMPARE_PAGE
from playground.core.links import View
from playground.ui import (
    common_views,
    compare_views,
    keys,
    plain_text,
    resources,
    settings_panel,
)

resources.run_through_entry()
PREFIX = keys.COMPARE

state = st.session_state
playground_config = keys.CONFIG.of(keys.PLAYGROUND)
if keys.CONFIG.of(PREFIX) not in state and not st.query_params:
    if playground_config in state:
        # Opened from the Playground: start from its setup (what this page offers of it);
        # the presets offer their own scenarios in one click.
        base, notes = COMPARE_PAGE.limit(state[playground_config])
    else:
        # Opened directly: the default preset's own scenario, where its answer shows.
        base, notes = preset_base(compare_views.DEFAULT_PRESET), []
    for key, value in ((keys.CONFIG, base), (keys.VIEW, View()), (keys.NOTES, notes)):
        state[key.of(PREFIX)] = value
variant_notes = compare_views.read_variants(PREFIX, st.query_params)

panel = settings_panel.SettingsPanel(PREFIX, COMPARE_PAGE)
base = panel.show(write_url=False)
if base.is_images and base.source != "sample":
    base = base.replace(source="sample")  # the offline sample: four networks at once

common_views.page_style()
st.title("Compare")
for note in variant_notes:
    plain_text.message(note, "warning", icon="link")
configs, names = compare_views.variant_editor(PREFIX, base)
panel.write_url(compare_views.variant_query(PREFIX))
plain_text.message(what_differs(configs), "info", icon="compare")

data = resources.data_for(base, panel.upload)
if data is None:
    resources.pause_session(PREFIX)
    st.stop()
session = resources.current_session(PREFIX, configs, data, panel.view.speed)
settings_panel.run_controls(panel, session)
on_screen = common_views.page_on_screen(PREFIX)
compare_views.live_compare(PREFIX, session, names, on_screen, panel.view.goal)
if common_views.below_the_fold(PREFIX):  # the boundaries, norms and sweeps once the top is shown
    st.divider()
    csv = panel.upload.getvalue() if base.dataset == "csv" and panel.upload is not None else None
    compare_views.sweep_section(PREFIX, session, configs, names, data, csv)

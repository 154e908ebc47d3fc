"""The Playground: build a network, press Play, watch it learn a toy 2-D data set.

A thin page: the sidebar builds a `Config`, the session trains it, the views draw it. The
whole setup lives in the URL, so a copied address reproduces the same run.
"""

import streamlit as st

from playground.core.config import PLAYGROUND_PAGE
from playground.ui import (
    challenge_views,
    common_views,
    keys,
    model_views,
    playground_views,
    point_editor,
    resources,
    settings_panel,
)

resources.run_through_entry()
PREFIX = keys.PLAYGROUND

panel = settings_panel.SettingsPanel(PREFIX, PLAYGROUND_PAGE)
config = panel.settle()  # the sidebar is drawn after the run controls and views: see settle

common_views.page_style()
st.title("MLP Playground")
data = resources.data_for(config, panel.upload, draws_points=True)
if data is None:
    if config.dataset == "drawn":  # no point drawn yet
        point_editor.empty_plane(PREFIX, playground_views.BOUNDARY_HEIGHT)
    panel.draw_sidebar()
    resources.pause_session(PREFIX)
    st.stop()
session = resources.current_session(PREFIX, [config], data, panel.view.speed)
model_views.apply_loaded_model(PREFIX, session)
settings_panel.run_controls(panel, session)
playground_views.live_views(PREFIX, session, panel.view)
panel.draw_sidebar()
with st.sidebar:
    model_views.model_section(panel, session)
    if not config.is_regression:  # its goals are accuracies
        challenge_views.challenge_section(panel)

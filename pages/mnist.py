"""MNIST: the same network, regularisation and optimizer controls as the Playground, on real
handwritten digits (or Fashion-MNIST clothes), trained live: curves, the training speed, test
images with the network's probabilities, what it gets wrong (confusion matrix, most confident
mistakes) and what its first layer looks for.

Paper presets set up a classic experiment (dropout, batch norm, Xavier initialisation) in one
click, show what the paper reports beside the live result, and open the Compare page with the
paper's variants. On MNIST a drawing pad asks the network about your own digits.

Opens on the offline MNIST sample (5,000 digits, no download); the full sets are read from the
data folder or downloaded once. Its widgets live under their own key prefix, so the Playground
keeps its setup while this page is open.
"""

import streamlit as st

from playground.core.config import MNIST_PAGE
from playground.ui import (
    common_views,
    drawing_pad,
    keys,
    mnist_views,
    model_views,
    preset_views,
    resources,
    settings_panel,
)

resources.run_through_entry()
PREFIX = keys.MNIST
# Each redraw evaluates a 784-input network on thousands of images: once a second leaves the
# worker most of the time to train.
REDRAW_SECONDS = 1.0

panel = settings_panel.SettingsPanel(PREFIX, MNIST_PAGE, omit={"show_test"})
config = panel.settle()  # the sidebar is drawn after the run controls and views: see settle

common_views.page_style()
st.title("MNIST")
data = resources.data_for(config, None)
if data is None:
    panel.draw_sidebar()
    resources.pause_session(PREFIX)
    st.stop()
st.caption(f"{len(data.y_train):,} training and {len(data.y_test):,} test images.")
session = resources.current_session(PREFIX, [config], data, panel.view.speed)
model_views.apply_loaded_model(PREFIX, session)
preset_views.paper_presets(PREFIX, session, config, panel.view, REDRAW_SECONDS)
preset_views.quick_starts(PREFIX, config, panel.view)
settings_panel.run_controls(panel, session)
mnist_views.live_views(PREFIX, session, panel.view, REDRAW_SECONDS)
panel.draw_sidebar()
if config.dataset == "mnist" and common_views.page_on_screen(PREFIX):
    st.header("Draw a digit")
    drawing_pad.digit_pad(PREFIX, session)
with st.sidebar:
    model_views.model_section(panel, session)

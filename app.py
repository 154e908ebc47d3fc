"""MLP Playground: build a multilayer perceptron, press Play, watch it learn.

The entry only: page configuration, the process-wide BLAS thread limit, and the navigation
(its run counts as page work, which training gives way to).
Each page lives in `pages/`; what pages share lives in `playground/`; the engine in `mlp/`.
"""

import streamlit as st

from playground.ui.resources import limit_blas_threads, page_work

st.set_page_config(page_title="MLP Playground", page_icon="🧠", layout="wide")
limit_blas_threads()
navigation = st.navigation(
    [
        st.Page("pages/playground.py", title="Playground", icon=":material/scatter_plot:",
                default=True),
        st.Page("pages/mnist.py", title="MNIST", icon=":material/draw:", url_path="mnist"),
        st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:",
                url_path="compare"),
        st.Page("pages/lessons.py", title="Lessons", icon=":material/school:",
                url_path="lessons"),
    ]
)  # fmt: skip
with page_work():
    navigation.run()

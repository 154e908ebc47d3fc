"""MLP Playground: build a multilayer perceptron, press Play, watch it learn.

The entry only: page configuration, the process-wide BLAS thread limit, and the navigation
(its run counts as page work, which training gives way to).
Each page lives in `pages/`; what pages share lives in `playground/`; the engine in `mlp/`.
"""

# pandas before any page runs: Plotly tells data frames apart by looking for pandas in
# `sys.modules` (`_plotly_utils.optional_imports.get_module`), and a first import of it in one
# session's thread (at its first Play, through `playground.core.compare`) showed another
# session's chart a half-made module ("partially initialized module 'pandas' has no
# attribute 'Series'").
import pandas  # noqa: F401
import streamlit as st

from playground.ui.resources import limit_blas_threads, page_work


def main() -> None:
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


# Streamlit runs this file as `__main__`. A process that multiprocessing starts with "spawn" (a
# sweep's pool, a training process, a Dask worker) first reads its parent's `__main__` file as
# `__mp_main__`: it must draw nothing, nor start processes of its own.
if __name__ == "__main__":
    main()

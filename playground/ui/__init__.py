"""Streamlit lives here and only here: the pieces the pages in `pages/` are built from."""

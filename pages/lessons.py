"""Lessons: questions a course asks about neural networks, each answered on a page set up for
it, with a live goal, hints one at a time and the answer with its measured figures."""

import streamlit as st

from playground.ui import common_views, lessons_views, resources

resources.run_through_entry()

common_views.page_style()
st.title("Lessons")
lessons_views.lessons_page(st.query_params)

"""Plotly figures: arrays and snapshots in, `go.Figure` out. No Streamlit here."""

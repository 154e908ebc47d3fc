"""What the pages of MLP Playground share, in three layers that import only downwards:

- `playground.ui`: Streamlit: the settings panel, run controls, in-place charts, resources
  shared by sessions, and one view module per page.
- `playground.charts`: Plotly figure builders: arrays and snapshots in, figures out.
- `playground.core`: neither Streamlit nor Plotly: settings, links, data, training sessions,
  comparisons, presets, model files and the command line.

The engine and the data sets live in `mlp/` (NumPy only). `tests/test_layering.py` keeps the
layers apart.
"""

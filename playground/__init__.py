"""What the pages of MLP Playground share: Streamlit and Plotly live here, the maths in `mlp`.

- `config`: every setting once (`SETTINGS`, `VIEW_SETTINGS`), `Config`, the optimizer table.
- `links`: the setup in the URL, read leniently with notes and written back exactly.
- `data`: the data protocol a run trains on, 2-D point sets and their input features (x₁²,
  sin x₁, …), one fixed-subset helper.
- `session`: runs in lockstep (`TrainingSession`), their snapshots, the `Worker` thread.
- `timeline`: a bounded record of a run's past snapshots (doubling gaps plus the newest).
- `history`: bounded training curves. `boundary`: the decision boundary as uint8 codes.
- `figures`: Plotly figure builders; `live_chart`: charts updated in place.
- `image_figures`: the MNIST page's figures: guesses with class bars, confusion, weight images.
- `widgets`: the sidebar, layer editor and run controls of a configuration, under a key prefix.
- `controls`: Play/Pause, Step and Reset, each click carrying its own id and acted on once.
- `views`: the live views of a session. `resources`: shared data, the worker, the BLAS limit.
- `text`: a person's input shown as plain text, numbers that read well.
- `inside`, `inside_figures`: each hidden unit's map over the plane, layer health, hints.
- `scheduler`: the server-wide cap on sessions training at once, and its queue.
- `compare`, `compare_ui`, `compare_figures`: variants, paired seed statistics, sweeps on
  any executor, and the Compare page's views.
- `model_io`, `model_ui`: trained models as `.npz` files (no pickle), saved and loaded.
- `presets`, `preset_ui`: the classic papers' experiments on the MNIST page.
- `digits`, `drawing_pad`: a digit drawn in the browser, prepared the way MNIST digits are.
- `train`: the headless command, `python -m playground.train config.json`.
"""

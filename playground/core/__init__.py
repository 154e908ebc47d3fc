"""The product's logic without a page: neither Streamlit nor Plotly, so it runs in a test, a
script, a worker process or on a Dask worker.

- `config`: every setting once (`SETTINGS`, `VIEW_SETTINGS`), `Config`, the optimizer table.
- `links`: the setup in the URL, read leniently with notes and written back exactly.
- `data`: the data a run trains on: 2-D point sets with their input features, image sets.
- `session`: runs in lockstep (`TrainingSession`), their snapshots, the `Worker` thread.
- `timeline`: a bounded record of a run's past snapshots. `history`: bounded training curves.
- `boundary`: the decision boundary as uint8 codes. `inside`: each hidden unit's map, health.
- `scheduler`: the server-wide cap on sessions training at once, and its queue.
- `compare`: variants, paired seed statistics, sweeps on any executor, the `Comparison` record.
- `presets`: the classic papers' experiments. `digits`: a drawn digit prepared like MNIST's.
- `model_io`: trained models as `.npz` files (no pickle). `text`: numbers that read well.
- `cli`: the headless command, `python -m playground.train config.json`.
"""

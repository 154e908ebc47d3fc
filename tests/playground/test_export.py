"""Take the code with you: the exported plain NumPy script and notebook reproduce the run the
app trains (same configuration, same seed: the same evaluation numbers, step by step), and the
PyTorch twin loads the trained weights and predicts what the app predicts."""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mlp import datasets
from playground.core import cli, export
from playground.core.config import MNIST_PAGE, PLAYGROUND_PAGE, Config, HiddenLayer
from playground.core.data import ImageSet, make_image_set, make_toy_data
from playground.core.model_io import load_model
from playground.core.session import make_run

STEPS = 200
LINE = re.compile(
    r"step +(?P<step>\d+)  epoch +(?P<epoch>[\d.]+)  train loss (?P<train_loss>\S+)  "
    r"train accuracy (?P<train_accuracy>[\d.]+)%  test loss (?P<test_loss>\S+)  "
    r"test accuracy (?P<test_accuracy>[\d.]+)%"
)
SMALL = (HiddenLayer(8, "tanh"), HiddenLayer(6, "tanh"))

# Between them: every activation, dropout on the inputs and the hidden units, max-norm, batch
# norm, L2, L1, every optimizer, each learning-rate schedule (cosine in the bitwise test below),
# a toy set with extra input features, a CSV set, the MNIST sample with random shifts.
CONFIGS = {
    "relu-dropout-sgd-l2": Config(hidden=(HiddenLayer(8, "relu"), HiddenLayer(8, "relu")),
                                  dropout=0.3, optimizer="sgd", lr=0.3, weight_decay=0.001),
    "leaky-maxnorm-momentum": Config(hidden=(HiddenLayer(8, "leaky_relu"),), max_norm=1.0,
                                     optimizer="momentum", lr=0.1, batch_size=16),
    "sigmoid-batchnorm-nesterov": Config(hidden=(HiddenLayer(6, "sigmoid"),
                                                 HiddenLayer(5, "tanh")),
                                         batch_norm=True, optimizer="nesterov", lr=0.03),
    "tanh-adagrad-features": Config(dataset="circle", hidden=SMALL, optimizer="adagrad",
                                    lr=0.1, features=("x1", "x2", "x1sq", "x2sq", "sinx1")),
    "batchnorm-adam-maxnorm": Config(hidden=SMALL, batch_norm=True, max_norm=1.5, lr=0.03,
                                     label_noise=0.1, init="he"),
    "csv-rmsprop-input-dropout": Config(dataset="csv", hidden=SMALL, optimizer="rmsprop",
                                       lr=0.01, input_dropout=0.2, init="xavier_uniform"),
    "elu-gelu-silu-sine-linear": Config(dataset="circle", hidden=(
        HiddenLayer(6, "elu"), HiddenLayer(5, "gelu"), HiddenLayer(5, "silu"),
        HiddenLayer(4, "sine"), HiddenLayer(3, "linear")), optimizer="momentum", lr=0.05),
    "mnist-sample-adam": Config(dataset="mnist", source="sample",
                                hidden=(HiddenLayer(32, "relu"),), dropout=0.2, lr=0.001,
                                batch_size=64, init="small"),
    "l1-l2-step-decay-sgd": Config(dataset="moons", hidden=SMALL, optimizer="sgd", lr=0.3,
                                   l1=0.001, weight_decay=1e-4, schedule="step",
                                   schedule_steps=60),
    "mnist-sample-shifts-warmup": Config(dataset="mnist", source="sample",
                                         hidden=(HiddenLayer(32, "relu"),), shift=2,
                                         optimizer="momentum", lr=0.05, batch_size=64,
                                         schedule="warmup", schedule_steps=100, init="he"),
}  # fmt: skip
BITWISE = {
    "batchnorm-adam-maxnorm": CONFIGS["batchnorm-adam-maxnorm"],
    "l1-cosine-adam": Config(hidden=SMALL, l1=3e-4, schedule="cosine", schedule_steps=150,
                             lr=0.03),
    "mnist-sample-shifts-warmup": CONFIGS["mnist-sample-shifts-warmup"],
    # Drawn points: no test set, standardised on the plane rather than on the points.
    "drawn-xor-product-feature": Config(
        dataset="drawn", hidden=SMALL, features=("x1", "x2", "x1x2"), lr=0.03,
        points=tuple((x, y, int(x * y > 0)) for x in (-4.5, -1.25, 2.0, 5.0)
                     for y in (-5.0, -0.5, 3.75))),
}  # fmt: skip


@pytest.fixture(scope="module")
def points_csv(tmp_path_factory) -> Path:
    """A CSV of 3 classes of 2-D points, as a person would upload it."""
    X, y = datasets.toy("gauss", 300, 0.2, 5)
    path = tmp_path_factory.mktemp("points") / "points.csv"
    labels = "abc"
    rows = ["x,y,label"] + [
        f"{a:.5f},{b:.5f},{labels[k]}" for (a, b), k in zip(X, (y * 2) % 3, strict=True)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def app_curves(config: Config, folder: Path, points: Path | None, *extra: str) -> list[dict]:
    """The evaluation rows `python -m playground.train --save-curves` writes for `config`."""
    folder.mkdir(parents=True, exist_ok=True)
    config_file, curves = folder / "config.json", folder / "curves.csv"
    config_file.write_text(config.to_json(), encoding="utf-8")
    args = [str(config_file), "--steps", str(STEPS), "--save-curves", str(curves), *extra]
    if points is not None:
        args += ["--points", str(points)]
    err = io.StringIO()
    assert cli.main(args, out=io.StringIO(), err=err) == 0, err.getvalue()
    with open(curves, encoding="utf-8") as file:
        return list(csv.DictReader(file))


def printed_rows(stdout: str) -> list[dict[str, str]]:
    return [match.groupdict() for line in stdout.splitlines() if (match := LINE.search(line))]


def assert_same_numbers(printed: list[dict], expected: list[dict]) -> None:
    assert [int(row["step"]) for row in printed] == [int(row["step"]) for row in expected]
    assert len(printed) >= 3  # the start, at least one epoch, the end
    for got, want in zip(printed, expected, strict=True):
        for name in ("train_loss", "test_loss"):
            assert float(got[name]) == pytest.approx(float(want[name]), rel=1e-5), (got, want)
        for name in ("train_accuracy", "test_accuracy"):
            # printed as a percentage with two decimals: exact for the sets' sizes here
            assert float(got[name]) / 100 == pytest.approx(float(want[name]), abs=5e-5)
        assert float(got["epoch"]) == pytest.approx(float(want["epoch"]), abs=1e-4)


def one_blas_thread() -> dict[str, str]:
    # The command trains with one BLAS thread; so does the exported program here.
    return dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")


@pytest.mark.parametrize("name", CONFIGS)
def test_the_exported_script_and_notebook_print_the_numbers_of_the_app(
    name, tmp_path, points_csv, monkeypatch
):
    config = CONFIGS[name]
    points = points_csv if config.dataset == "csv" else None
    script, notebook_file = tmp_path / "run.py", tmp_path / "run.ipynb"
    expected = app_curves(config, tmp_path, points, "--export-script", str(script),
                          "--export-notebook", str(notebook_file))  # fmt: skip
    source = script.read_text(encoding="utf-8")
    ast.parse(source)
    assert "out=" not in source  # written to be read: no buffers
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300, env=one_blas_thread(), cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert_same_numbers(printed_rows(done.stdout), expected)

    printed, charts = run_notebook(notebook_file, monkeypatch)
    assert_same_numbers(printed_rows(printed), expected)
    titles = [chart["layout"]["title"]["text"] for chart in charts]
    assert titles == (["Loss"] if config.is_images else ["Loss", "Decision boundary"])
    if not config.is_images:
        boundary = charts[1]["data"][0]
        assert boundary["type"] == "heatmap"
        z = boundary["z"]  # a list of rows, or Plotly's binary form with its shape
        assert (z["shape"] == "100, 100") if isinstance(z, dict) else len(z) == 100


def run_notebook(path: Path, monkeypatch) -> tuple[str, list[dict]]:
    """Execute a notebook as Jupyter would, top to bottom, in a fresh kernel: (what it
    printed, the Plotly charts it drew). Fails on any cell's error."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.cells[0].cell_type == "markdown"
    assert notebook.cells[0].source.startswith("# An MLP from scratch, in NumPy")
    for name, value in one_blas_thread().items():  # the kernel inherits the environment
        monkeypatch.setenv(name, value)
    resources = {"metadata": {"path": str(path.parent)}}
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources=resources)  # fmt: skip
    client.execute()
    printed, charts = [], []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", output
            if output.output_type == "stream":
                printed.append(output.text)
            if "application/vnd.plotly.v1+json" in output.get("data", {}):
                charts.append(output.data["application/vnd.plotly.v1+json"])
    return "".join(printed), charts


def test_the_export_holds_only_what_the_network_uses():
    data = make_toy_data("spiral", 100, 0.0, 0.5, 0)
    plain = export.export_script(Config(hidden=SMALL, optimizer="sgd"), data, 10)
    assert "class Tanh" in plain and "class Dense" in plain
    for absent in ("class ReLU", "class Sigmoid", "class Dropout", "class BatchNorm",
                   "apply_max_norm", "WEIGHT_DECAY", "BETA1", "MOMENTUM", "L1", "SHIFT",
                   "learning_rate(", "SCHEDULE_STEPS"):  # fmt: skip
        assert absent not in plain, absent
    everything = export.export_script(
        Config(hidden=(HiddenLayer(4, "relu"), HiddenLayer(4, "sigmoid")), batch_norm=True,
               dropout=0.2, max_norm=2.0, weight_decay=0.01, optimizer="adam"),
        data, 10,
    )  # fmt: skip
    for present in ("class ReLU", "class Sigmoid", "class Dropout", "class BatchNorm",
                    "apply_max_norm", "WEIGHT_DECAY", "BETA1"):  # fmt: skip
        assert present in everything, present
    assert "class Tanh" not in everything


def test_a_number_on_the_command_line_trains_that_many_steps(tmp_path):
    data = make_toy_data("xor", 120, 0.1, 0.5, 3)
    script = tmp_path / "run.py"
    script.write_text(export.export_script(Config(hidden=SMALL), data, 500), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), "7"], capture_output=True, text=True,
                          timeout=120, env=one_blas_thread())  # fmt: skip
    assert done.returncode == 0, done.stderr
    per_epoch = len(data.y_train) // Config().batch_size  # 60 training points: 6 an epoch
    assert [row["step"] for row in printed_rows(done.stdout)] == ["0", str(per_epoch), "7"]


@pytest.mark.parametrize("name", BITWISE)
def test_the_exported_run_is_the_apps_run_to_the_last_bit(name, tmp_path, monkeypatch):
    """Batch norm with Adam is the touchy case: the bias before a batch norm has a gradient
    of pure rounding noise, which Adam turns into full steps. Bitwise equal weights after
    the run show the export computes what the engine computes, not just close to it: also
    the L1 term, each step's learning rate of a schedule and the shifted images."""
    config = BITWISE[name]
    data = cli.load_data(config)
    script = tmp_path / "run.py"
    script.write_text(export.export_script(config, data, STEPS), encoding="utf-8")
    monkeypatch.setattr(sys, "argv", [str(script)])
    exported = runpy.run_path(str(script))
    run = make_run(config, data)
    while run.trainer.step_count < STEPS:
        assert run.step()
    mine = [theta for theta, _ in exported["parameters"]()]
    engine = run.network.params()
    assert len(mine) == len(engine)
    for a, b in zip(mine, engine, strict=True):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_array_equal(a, b)
    norms = [layer for layer in exported["network"] if type(layer).__name__ == "BatchNorm"]
    statistics = [array for layer in norms for array in (layer.running_mean, layer.running_var)]
    for a, b in zip(statistics, run.network.running_stats(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_points_survive_the_text_of_the_export_exactly():
    values = np.random.default_rng(0).standard_normal(5000).astype(np.float32) * 1e3
    values[:4] = [np.float32(0.1), np.float32(-0.0), np.float32(3.4e38), np.float32(1e-38)]
    texts = export._float32_text(values)
    back = np.array([float(text) for text in texts]).astype(np.float32)
    np.testing.assert_array_equal(back.view(np.uint32), values.view(np.uint32))


def test_the_command_line_refuses_a_torch_twin_without_weights(tmp_path):
    config_file = tmp_path / "config.json"
    config_file.write_text(Config(hidden=SMALL).to_json(), encoding="utf-8")
    err = io.StringIO()
    code = cli.main([str(config_file), "--steps", "5", "--export-torch", str(tmp_path / "t.py")],
                    out=io.StringIO(), err=err)  # fmt: skip
    assert code == cli.EXIT_USAGE
    assert "--save-weights" in err.getvalue() and "Traceback" not in err.getvalue()


@pytest.mark.parametrize(
    "config",
    [
        Config(hidden=(HiddenLayer(8, "leaky_relu"), HiddenLayer(5, "sigmoid")), batch_norm=True,
               dropout=0.2, input_dropout=0.1, features=("x1", "x2", "x1x2")),
        Config(dataset="mnist", source="sample", hidden=(HiddenLayer(24, "tanh"),),
               batch_norm=True, batch_size=64),
        Config(hidden=(HiddenLayer(6, "elu"), HiddenLayer(5, "gelu"), HiddenLayer(5, "silu"),
                       HiddenLayer(4, "sine"), HiddenLayer(3, "linear")), lr=0.03),
    ],
    ids=["points", "mnist-sample", "elu-gelu-silu-sine-linear"],
)  # fmt: skip
def test_the_pytorch_twin_predicts_what_the_app_predicts(config, tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    # One thread for torch, as the app predicts with one BLAS thread: with several, torch's
    # BLAS may split a 784-long sum differently from run to run under load, and the float32
    # rounding of a few probabilities then moved by 2e-5 (seen in 3 of about 30 runs).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        twin_matches_app(config, tmp_path, monkeypatch)
    finally:
        torch.set_num_threads(threads)


def twin_matches_app(config: Config, tmp_path: Path, monkeypatch) -> None:
    weights, twin = tmp_path / "model.npz", tmp_path / "twin.py"
    app_curves(config, tmp_path, None, "--save-weights", str(weights),
               "--export-torch", str(twin))  # fmt: skip
    source = twin.read_text(encoding="utf-8")
    assert "import torch" in source and "model.npz" in source
    monkeypatch.chdir(tmp_path)
    exported = runpy.run_path(str(twin))
    data = cli.load_data(config)
    page = MNIST_PAGE if config.is_images else PLAYGROUND_PAGE
    model = load_model(weights.read_bytes(), page)
    run = make_run(model.config, data)
    model.apply_to(run.network)
    expected = run.network.predict_proba(data.inputs_test)
    assert exported["probabilities"].shape == expected.shape
    np.testing.assert_allclose(exported["probabilities"], expected, atol=1e-5)


def test_the_data_path_is_a_variable_the_user_can_change():
    config = Config(dataset="fashion-mnist", source="full", hidden=SMALL)
    data = ImageSet(name="fashion-mnist", source="full",
                    inputs_train=np.zeros((6, 784), np.float32), y_train=np.arange(6) % 2,
                    inputs_test=np.zeros((4, 784), np.float32), y_test=np.arange(4) % 2,
                    class_names=tuple(datasets.CLASS_NAMES["fashion-mnist"]),
                    image_shape=(28, 28), example_rows=np.arange(4))  # fmt: skip
    script = export.export_script(config, data, 10, data_path="my-data/fashion-mnist")
    assert "DATA_DIR = Path('my-data/fashion-mnist')" in script
    for name in ("train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        assert name in script
    tree = ast.parse(script)
    assert any(isinstance(node, ast.FunctionDef) and node.name == "read_idx"
               for node in ast.walk(tree))  # fmt: skip


def test_the_full_set_reader_reads_the_real_files(tmp_path, monkeypatch):
    """The exported IDX reader, run on the real Fashion-MNIST files, reads what the app
    reads."""
    root = os.environ.get("MLP_TEST_DATA_DIR")
    folder = Path(root, "fashion-mnist") if root else None
    if folder is None or not folder.is_dir():
        pytest.skip("needs the real Fashion-MNIST files (set MLP_TEST_DATA_DIR)")
    config = Config(dataset="fashion-mnist", source="full", hidden=SMALL)
    data = make_image_set(datasets.load_images("fashion-mnist", "full", folder.parent))
    script = export.export_script(config, data, 0, data_path=str(folder))
    data_code = script.split("# The layers\n")[0]
    namespace: dict = {}
    monkeypatch.setattr(sys, "argv", ["run.py"])
    exec(compile(data_code, "run.py", "exec"), namespace)  # noqa: S102 - our own export
    np.testing.assert_array_equal(namespace["inputs_test"], data.inputs_test)
    np.testing.assert_array_equal(namespace["y_train"], data.y_train)
    assert json.dumps(namespace["CLASS_NAMES"]) == json.dumps(list(data.class_names))

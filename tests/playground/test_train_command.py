"""The headless command: `python -m playground.train CONFIG.json` trains a configuration as the
pages do, prints the final metrics, writes the weights (.npz, no pickle) and the curves (CSV),
and answers a bad configuration with one line and exit code 2, never a traceback."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import threadpoolctl

from playground.core import cli
from playground.core.cli import CURVE_COLUMNS, main
from playground.core.config import PLAYGROUND_PAGE, Config, HiddenLayer
from playground.core.data import make_toy_data
from playground.core.model_io import load_model
from playground.core.session import Run

REPO_ROOT = Path(__file__).resolve().parents[2]
TOY = Config(n_points=200, hidden=(HiddenLayer(8, "tanh"), HiddenLayer(6, "relu")), batch_size=16)


def run_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "playground.train", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def run_main(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def metric(stdout: str, name: str) -> str:
    line = next(line for line in stdout.splitlines() if line.strip().startswith(name))
    return line.strip()[len(name) :].strip()


@pytest.fixture
def toy_file(tmp_path: Path) -> Path:
    path = tmp_path / "toy.json"
    path.write_text(TOY.to_json(), encoding="utf-8")
    return path


def test_trains_a_toy_config_and_writes_weights_and_curves(toy_file, tmp_path):
    weights, curves = tmp_path / "model.npz", tmp_path / "curves.csv"
    result = run_command(str(toy_file), "--steps", "60", "--save-weights", str(weights),
                         "--save-curves", str(curves))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "step 60/60" in result.stderr  # the progress bar, on stderr only
    for name in ("train loss", "train accuracy", "test loss", "test accuracy", "samples/s"):
        assert metric(result.stdout, name)
    assert metric(result.stdout, "steps") == "60"
    assert metric(result.stdout, "epochs") == "10.00"  # 100 training points: 6 batches of 16
    # The speed is the 60 × 16 = 960 samples over the seconds printed (those to 2 decimals,
    # the speed to a whole number, so each may be off by half its last digit).
    seconds = float(metric(result.stdout, "seconds"))
    speed = float(metric(result.stdout, "samples/s").replace(",", ""))
    assert 960 / (seconds + 0.005) - 0.5 <= speed
    assert seconds <= 0.005 or speed <= 960 / (seconds - 0.005) + 0.5
    # The same configuration trained here for the same 60 steps (one BLAS thread, as the
    # command trains) is the same network: its accuracy on all 100 test points, and its
    # curves, are what the command printed and wrote.
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        run = Run(TOY, make_toy_data("spiral", 200, 0.0, 0.5, 0))
        for _ in range(60):
            run.step()
        data = run.data
        _, test_accuracy = run.trainer.evaluate(data.inputs_test, data.y_test)
    assert metric(result.stdout, "test accuracy") == f"{test_accuracy:.2%}"

    with np.load(weights, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    assert {name: arrays[name].shape for name in arrays if name not in ("config", "shape")} == {
        "hidden1.W": (2, 8), "hidden1.b": (8,), "hidden2.W": (8, 6), "hidden2.b": (6,),
        "output.W": (6, 2), "output.b": (2,),
    }  # fmt: skip
    assert Config.from_json(str(arrays["config"])) == TOY
    assert load_model(weights.read_bytes(), PLAYGROUND_PAGE).config == TOY  # the pages load it

    with open(curves, newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert tuple(rows[0]) == CURVE_COLUMNS
    assert [int(row["step"]) for row in rows] == [0, 6, 12, 18, 24, 30, 36, 42, 48, 54, 60]
    assert float(rows[-1]["epoch"]) == 10.0
    # each an evaluation at the end of an epoch, the same as the run above recorded
    expected = run.curves["test_accuracy"]
    assert list(expected.x) == [int(row["step"]) for row in rows]
    assert [float(row["test_accuracy"]) for row in rows] == list(expected.y)


def test_same_configuration_same_weights_as_a_page_run(toy_file, tmp_path):
    weights = tmp_path / "model.npz"
    code, _, _ = run_main(str(toy_file), "--steps", "25", "--save-weights", str(weights))
    assert code == 0
    run = Run(TOY, make_toy_data("spiral", 200, 0.0, 0.5, 0))
    for _ in range(25):
        run.step()
    dense = run.network.dense_layers()
    with np.load(weights, allow_pickle=False) as archive:
        assert np.array_equal(archive["hidden1.W"], dense[0].params["W"])
        assert np.array_equal(archive["output.b"], dense[-1].params["b"])


def test_batch_norm_layers_keep_their_parameters_and_statistics(tmp_path):
    path = tmp_path / "bn.json"
    path.write_text(TOY.replace(batch_norm=True).to_json(), encoding="utf-8")
    weights = tmp_path / "model.npz"
    code, _, _ = run_main(str(path), "--steps", "5", "--save-weights", str(weights))
    assert code == 0
    with np.load(weights, allow_pickle=False) as archive:
        for key in ("gamma", "beta", "running_mean", "running_var"):
            assert archive[f"hidden2.{key}"].shape == (6,)
        assert not np.array_equal(archive["hidden1.running_mean"], np.zeros(8))


def test_a_mid_epoch_stop_ends_the_curves_at_the_last_step(toy_file, tmp_path):
    curves = tmp_path / "curves.csv"
    code, _, _ = run_main(str(toy_file), "--steps", "8", "--save-curves", str(curves))
    assert code == 0
    with open(curves, newline="", encoding="utf-8") as file:
        steps = [int(row["step"]) for row in csv.DictReader(file)]
    assert steps == [0, 6, 8]


def test_epochs_and_seconds_budgets(toy_file, monkeypatch):
    code, out, _ = run_main(str(toy_file), "--epochs", "2")
    assert code == 0 and metric(out, "steps") == "12"
    # A clock for the command that moves 1/8 s with each training step: a 1-second budget
    # allows exactly 8 steps (the steps begun at 0, 1/8, ..., 7/8 s), whatever the step limit.
    now = [0.0]
    step = Run.step

    def timed_step(run):
        now[0] += 0.125
        return step(run)

    monkeypatch.setattr(Run, "step", timed_step)
    monkeypatch.setattr(cli, "time", SimpleNamespace(perf_counter=lambda: now[0]))
    code, out, _ = run_main(str(toy_file), "--steps", "100000000", "--seconds", "1")
    assert code == 0
    assert metric(out, "steps") == "8"
    assert metric(out, "seconds") == "1.00"
    assert metric(out, "samples/s") == "128"  # 8 steps × 16 samples in 1 s


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "not valid JSON"),
        ('{"dropout": 2}', "Dropout"),
        ('{"learning_rate": 0.1}', "Unknown setting"),
        ("[1, 2]", "JSON object"),
        ('{"hidden": "9999relu"}', "Hidden layers"),
        ("\ud800", "not a text file"),
    ],
)
def test_a_bad_config_file_gives_one_line_and_exit_code_2(tmp_path, content, words):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8", errors="surrogatepass")
    result = run_command(str(path), "--steps", "5")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0]
    assert result.stdout == ""


def test_a_missing_or_binary_file_and_a_bad_command_line_exit_with_2(tmp_path):
    code, _, err = run_main(str(tmp_path / "missing.json"))
    assert code == 2 and "no such file" in err
    binary = tmp_path / "model.npz"
    binary.write_bytes(b"\x93NUMPY\xff\xfe")
    code, _, err = run_main(str(binary))
    assert code == 2 and "not a text file" in err
    code, _, err = run_main(str(tmp_path))
    assert code == 2 and "folder" in err
    result = run_command("config.json", "--steps", "5", "--epochs", "2")
    assert result.returncode == 2 and "not allowed with argument" in result.stderr
    result = run_command("config.json", "--steps", "0")
    assert result.returncode == 2 and "at least 1" in result.stderr


def test_outputs_are_checked_before_training(toy_file, tmp_path):
    code, out, err = run_main(str(toy_file), "--save-weights", str(tmp_path / "no" / "m.npz"))
    assert code == 2 and "does not exist" in err and out == ""


def test_csv_points_need_the_points_file(tmp_path):
    path = tmp_path / "csv.json"
    path.write_text(json.dumps({"dataset": "csv"}), encoding="utf-8")
    code, _, err = run_main(str(path))
    assert code == 2 and "--points" in err
    points = tmp_path / "points.csv"
    points.write_text("x,y,label\n" + "".join(f"{i},{i % 7},{i % 2}\n" for i in range(40)))
    code, out, _ = run_main(str(path), "--points", str(points), "--steps", "3")
    assert code == 0 and metric(out, "steps") == "3"


def test_the_command_needs_no_streamlit():
    code = "import sys, playground.core.cli; print('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                            text=True, check=True)  # fmt: skip
    assert result.stdout.strip() == "False"

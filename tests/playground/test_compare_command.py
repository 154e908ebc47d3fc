"""The headless comparison: `python -m playground.compare PRESET | SETUP.json --seeds N` runs
the page's own seed sweep, prints one line per variant (mean test accuracy ± sd, and the
paired difference from A in the page's words), and answers a bad argument with one line on
stderr and exit code 2, never a traceback."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.core.compare import PRESETS, Comparison, run_sweep, sweep_tasks
from playground.core.compare_cli import main
from playground.core.config import Config, HiddenLayer

REPO_ROOT = Path(__file__).resolve().parents[2]
SMALL = Config(n_points=100, hidden=(HiddenLayer(8, "tanh"),), batch_size=10)
LINE = re.compile(
    r"(?P<letter>[A-D]) · (?P<name>.+?): test accuracy (?P<mean>\d+\.\d\d)% ± (?P<sd>\d+\.\d\d) "
    r"over (?P<seeds>\d+) seeds(?:; (?P<difference>\S+ \(.+\) − A \(.+\): .+))?"
)


def run_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "playground.compare", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def run_main(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def parse(stdout: str) -> list[dict]:
    """The variant lines; every line of stdout must be one."""
    rows = []
    for line in stdout.strip().splitlines():
        match = LINE.fullmatch(line)
        assert match, f"not a variant line: {line!r}"
        rows.append(match.groupdict())
    return rows


def page_sweep(configs, seeds, steps) -> dict[tuple[int, int], float]:
    """The same sweep through the page's code in this process: test accuracy by (variant, seed)."""
    return {(r.variant, r.seed): r.test_accuracy
            for r in run_sweep(sweep_tasks(configs, seeds, steps))}  # fmt: skip


def test_a_preset_prints_one_line_per_variant_with_the_pages_figures():
    preset = PRESETS["Dropout?"]
    result = run_command("dropout", "--seeds", "2", "--steps", "150", "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    rows = parse(result.stdout)
    assert [(row["letter"], row["name"]) for row in rows] == [("A", "plain"), ("B", "dropout 0.5")]
    assert all(row["seeds"] == "2" for row in rows)
    assert rows[0]["difference"] is None
    assert rows[1]["difference"].startswith("B (dropout 0.5) − A (plain): ")
    assert "95% CI" in rows[1]["difference"]
    # the figures are the page's sweep of the preset's own scenario, seeds 0 and 1
    accuracy = page_sweep(preset.configs, [0, 1], 150)
    for index, row in enumerate(rows):
        values = [accuracy[index, seed] for seed in (0, 1)]
        assert float(row["mean"]) == pytest.approx(100 * np.mean(values), abs=0.006)
        assert float(row["sd"]) == pytest.approx(100 * np.std(values, ddof=1), abs=0.006)
    # what ran and the preset's stored claim, on stderr
    assert "circle, 400 points" in result.stderr and "4 runs" in result.stderr
    assert preset.claim_words()[0] in result.stderr


@pytest.mark.parametrize("name", ["Max-norm?", "MAX-NORM", "max norm"])
def test_a_preset_is_named_in_any_case_or_by_its_key(name):
    code, out, err = run_main(name, "--seeds", "2", "--steps", "20", "--workers", "1")
    assert code == 0, err
    assert [row["name"] for row in parse(out)] == ["plain", "max-norm 2"]


def test_a_preset_of_four_variants_compares_each_with_a():
    code, out, err = run_main("all three", "--seeds", "2", "--steps", "20", "--workers", "1")
    assert code == 0, err
    rows = parse(out)
    assert [row["letter"] for row in rows] == ["A", "B", "C", "D"]
    assert [row["difference"].split(" − ")[0] for row in rows[1:]] == [
        "B (dropout 0.5)", "C (dropout 0.5, max-norm 3)", "D (dropout 0.5, max-norm 3, batch norm)"
    ]  # fmt: skip


def test_a_setup_file_runs_its_variants_on_its_base(tmp_path):
    setup = tmp_path / "setup.json"
    setup.write_text(json.dumps({"base": SMALL.to_dict(), "steps": 40,
                                 "variants": ["base", "dropout:0.3;max_norm:2"]}))  # fmt: skip
    result = run_command(str(setup), "--seeds", "3", "--workers", "1")
    assert result.returncode == 0, result.stderr
    rows = parse(result.stdout)
    assert [row["name"] for row in rows] == ["plain", "dropout 0.3, max-norm 2"]
    configs = [SMALL, SMALL.replace(dropout=0.3, max_norm=2.0)]
    accuracy = page_sweep(configs, [0, 1, 2], 40)
    for index, row in enumerate(rows):
        mean = np.mean([accuracy[index, seed] for seed in range(3)])
        assert float(row["mean"]) == pytest.approx(100 * mean, abs=0.006)
    # --steps overrides the file's steps; "steps" may be left out (3,000 by default)
    code, out, _ = run_main(str(setup), "--seeds", "2", "--steps", "10", "--workers", "1")
    assert code == 0 and len(parse(out)) == 2


def test_a_comparison_the_page_exported_runs_again_with_its_seeds_and_gives_its_figures(
    tmp_path,
):
    configs = [SMALL, SMALL.replace(weight_decay=0.01), SMALL.replace(lr=0.1)]
    names = ["plain", "L2 0.01", "learning rate 0.1"]
    seeds, steps = [3, 5], 30
    results = list(run_sweep(sweep_tasks(configs, seeds, steps)))  # as the page ran them
    exported = Comparison(configs, names, seeds, steps, results, "this process")
    path = tmp_path / "comparison.json"
    path.write_text(exported.to_json())
    code, out, err = run_main(str(path), "--workers", "1")
    assert code == 0, err
    rows = parse(out)
    summary = exported.summary()
    assert [row["name"] for row in rows] == names
    assert [f"{row['mean']}% ± {row['sd']}" for row in rows] == list(summary["Test accuracy"])
    assert [row["difference"] for row in rows[1:]] == exported.differences()  # the page's words


BAD_COMMAND_LINES = [
    (["nothing-like-a-preset"], "neither a preset nor a file"),
    (["missing.json"], "no such file"),
    (["dropout", "--seeds", "1"], "--seeds: must be from 2 to 20, not 1"),
    ([], "required"),
]


@pytest.mark.parametrize(("args", "words"), BAD_COMMAND_LINES)
def test_a_bad_command_line_is_one_line_and_exit_code_2(args, words):
    result = run_command(*args)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert words in lines[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        *BAD_COMMAND_LINES,
        (["dropout", "--seeds", "21"], "--seeds: must be from 2 to 20, not 21"),
        (["dropout", "--seeds", "many"], "not a whole number"),
        (["dropout", "--steps", "0"], "--steps"),
        (["dropout", "--steps", "20001"], "--steps"),
        (["dropout", "--workers", "0"], "--workers"),
        (["dropout", "--colour"], "unrecognized arguments"),
        (["dropout", "--points", "p.csv"], "--points"),
    ],
)
def test_every_bad_command_line_is_one_line_in_process_too(args, words):
    code, out, err = run_main(*args)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], err


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", '"base"'),
        (json.dumps({"base": {"dataset": "nowhere"}, "variants": ["base", "base"]}), "base:"),
        (json.dumps({"base": {}, "variants": ["base"]}), "2 to 4"),
        (json.dumps({"base": {}, "variants": ["base"] * 5}), "2 to 4"),
        (json.dumps({"base": {}, "variants": ["base", "seed:3"]}), "variant B"),
        (json.dumps({"base": {}, "variants": ["base", "dropout:7"]}), "variant B"),
        (json.dumps({"base": {}, "variants": ["base", 3]}), "list of texts"),
        (json.dumps({"base": {}, "variants": ["base", "base"], "steps": 0}), '"steps"'),
        (json.dumps({"base": {}, "variants": ["base", "base"], "seeds": 3}), "Unknown key"),
        (json.dumps({"kind": "mlp-playground-comparison", "configs": []}), "cannot be used"),
        (json.dumps({"base": {"dataset": "csv"}, "variants": ["base", "base"]}), "--points"),
    ],
)
def test_a_bad_setup_file_is_one_line_and_exit_code_2(tmp_path, content, words):
    path = tmp_path / "setup.json"
    path.write_text(content)
    code, out, err = run_main(str(path), "--workers", "1")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], err


def test_a_folder_is_not_a_setup_file(tmp_path):
    result = run_command(str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path}: is a folder, not a setup "
                                                  "file."]  # fmt: skip

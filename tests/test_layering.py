"""The layers point one way: pages → playground → mlp. The engine and data sets import NumPy
(pooch only inside the download function) and nothing of Streamlit, Plotly or the UI."""

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import mlp

ROOT = Path(__file__).resolve().parents[1]
UI_MODULES = ("streamlit", "plotly", "pandas", "playground", "pooch", "threadpoolctl")


def test_mlp_and_every_module_in_it_import_no_ui():
    modules = ["mlp"] + [
        info.name for info in pkgutil.walk_packages(mlp.__path__, prefix="mlp.")
        if info.name != "mlp.datasets.__main__"  # the command line, run as a program
    ]  # fmt: skip
    assert "mlp.datasets.images" in modules and "mlp.layers" in modules
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout)
    offending = [m for m in loaded if m.split(".")[0] in UI_MODULES]
    assert offending == [], offending


def test_the_engine_does_not_mention_the_ui_packages():
    for path in (ROOT / "mlp").rglob("*.py"):
        text = path.read_text()
        for package in ("streamlit", "plotly", "playground"):
            assert f"import {package}" not in text and f"from {package}" not in text, path

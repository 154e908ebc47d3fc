"""The layers point one way: pages → playground.ui → playground.charts → playground.core → mlp.
The engine and data sets import NumPy (pooch only inside the download function) and nothing of
Streamlit, Plotly or the UI; the core imports neither Streamlit nor Plotly; the charts no
Streamlit; the pages hold no maths."""

import importlib
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI_MODULES = ("streamlit", "plotly", "pandas", "playground", "pooch", "threadpoolctl")


def test_mlp_and_every_module_in_it_import_no_ui():
    loaded = _imports_of("mlp")
    assert "mlp.datasets.images" in loaded and "mlp.layers" in loaded
    offending = [m for m in loaded if m.split(".")[0] in UI_MODULES]
    assert offending == [], offending


def test_the_engine_does_not_mention_the_ui_packages():
    for path in (ROOT / "mlp").rglob("*.py"):
        text = path.read_text()
        for package in ("streamlit", "plotly", "playground"):
            assert f"import {package}" not in text and f"from {package}" not in text, path


def _imports_of(package: str) -> list[str]:
    """Every module a fresh interpreter has loaded after importing each module of `package`
    (a package's `__main__`, a command line run as a program, left out)."""
    root = importlib.import_module(package)
    modules = [package] + [
        info.name for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}.")
        if not info.name.endswith(".__main__")
    ]  # fmt: skip
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def _top_level(modules: list[str]) -> set[str]:
    return {module.split(".")[0] for module in modules}


def test_core_imports_neither_streamlit_nor_plotly():
    loaded = _imports_of("playground.core")
    assert "playground.core.session" in loaded and "playground.core.cli" in loaded
    assert not {"streamlit", "plotly"} & _top_level(loaded)
    assert not [m for m in loaded if m.startswith(("playground.charts", "playground.ui"))]


def test_charts_import_plotly_but_not_streamlit_nor_the_ui():
    loaded = _imports_of("playground.charts")
    assert "plotly" in _top_level(loaded) and "playground.charts.style" in loaded
    assert "streamlit" not in _top_level(loaded)
    assert not [m for m in loaded if m.startswith("playground.ui")]


def test_every_module_of_the_package_sits_in_a_layer():
    """Only the sub-packages and the command lines' entries (`python -m playground.train`,
    `python -m playground.compare`) sit at the top, and an entry only hands over to core."""
    top = {path.name for path in (ROOT / "playground").iterdir() if path.suffix == ".py"}
    assert top == {"__init__.py", "train.py", "compare.py"}
    for entry in ("train.py", "compare.py"):
        text = (ROOT / "playground" / entry).read_text()
        assert "from playground.core." in text and len(text.splitlines()) < 20, entry
    layers = {path.name for path in (ROOT / "playground").iterdir() if path.is_dir()}
    assert {"core", "charts", "ui"} <= layers


MATHS = re.compile(r"\bnp\.|\bnumpy\b|\bmath\.")


def test_pages_hold_no_numpy_maths():
    for page in (ROOT / "pages").glob("*.py"):
        text = page.read_text()
        assert not MATHS.search(text), page

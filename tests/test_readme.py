"""The README's engine example runs as printed and learns the spiral; the package installs
what the README's commands install."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def test_readme_engine_example_runs_and_learns(capsys):
    code = re.search(r"## The engine.*?```python\n(.*?)```", README.read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    last_epoch = namespace["trainer"].history.epochs[-1]
    assert last_epoch["test_accuracy"] >= 0.95
    assert "Network(" in capsys.readouterr().out


def test_the_package_needs_what_requirements_txt_installs():
    """`pip install .` (a cluster's machines) and `pip install -r requirements.txt` (the
    README's commands) install the same dependencies."""
    tomllib = pytest.importorskip("tomllib", reason="Python 3.11 or later reads TOML")

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = [
        line.split("#")[0].strip()
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.split("#")[0].strip()
    ]
    assert project["dependencies"] == listed
    distributed = [
        line.split("#")[0].strip()
        for line in (ROOT / "requirements-distributed.txt").read_text().splitlines()
        if line.split("#")[0].strip()
    ]
    assert project["optional-dependencies"]["distributed"] == distributed

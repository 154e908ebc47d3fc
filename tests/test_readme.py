"""The README's engine example runs as printed and learns the spiral."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_engine_example_runs_and_learns(capsys):
    code = re.search(r"## The engine.*?```python\n(.*?)```", README.read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    last_epoch = namespace["trainer"].history.epochs[-1]
    assert last_epoch["test_accuracy"] >= 0.95
    assert "Network(" in capsys.readouterr().out

"""A hint's one-click fix, through the page: the setup changes as the hint says, the hint goes,
and nothing else of the setup changes."""

from streamlit.testing.v1 import AppTest

from tests.app.messages import message_text
from tests.app.test_app import APP, config_of, release_workers  # noqa: F401 (fixture)


def test_each_fix_changes_only_what_its_hint_names():
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params.update({"batch_norm": "1", "hidden": "8tanh,8tanh", "dropout": "0.7",
                             "dataset": "moons", "lr": "0.03"})  # fmt: skip
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    hints = message_text(app, "warning")
    assert "Batch norm at batch size 10" in hints and "Dropout 0.7 keeps about 2.4" in hints
    before = config_of(app)
    next(b for b in app.button if b.label == "Use batch size 32").click().run()
    after = config_of(app)
    assert after == before.replace(batch_size=32)
    assert "Batch norm at batch size" not in message_text(app, "warning")
    next(b for b in app.button if b.label == "Use dropout 0.5").click().run()
    assert config_of(app) == after.replace(dropout=0.5)
    assert not message_text(app, "warning")

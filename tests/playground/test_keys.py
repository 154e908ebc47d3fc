"""The session-state keys are declared once, in `playground.ui.keys`, and spelled out nowhere
else: a page that wrote `f"{prefix}session"` by hand would break silently when the table
changes."""

import re
from pathlib import Path

from playground.ui import keys

ROOT = Path(__file__).resolve().parents[2]


def test_every_key_has_its_own_name_and_says_what_it_holds():
    names = [key.name for key in keys.KEYS]
    assert len(names) == len(set(names))
    declared = [value for value in vars(keys).values() if isinstance(value, keys.StateKey)]
    assert set(declared) == set(keys.KEYS)  # none declared and left out of the table
    assert all(key.holds for key in keys.KEYS)
    assert set(keys.KEPT_ON_NEW_SETUP) <= set(keys.KEYS)


def test_a_key_is_the_pages_prefix_then_its_name():
    assert keys.SESSION.of(keys.MNIST) == "mnist_session"
    assert keys.SESSION.of(keys.PLAYGROUND) == "session"
    assert len(set(keys.PREFIXES)) == len(keys.PREFIXES)
    assert keys.belongs_to("mnist_session", keys.MNIST)
    assert not keys.belongs_to("mnist_session", keys.PLAYGROUND)  # another page's
    assert keys.belongs_to("session", keys.PLAYGROUND)
    assert not keys.belongs_to(keys.GOALS_MET.of(keys.PLAYGROUND), keys.PLAYGROUND)


def test_no_module_spells_a_state_key_out_by_hand():
    names = "|".join(re.escape(key.name) for key in keys.KEYS)
    prefix = r"""f["']\{(?:prefix|self\.prefix|PREFIX)\}"""
    by_hand = re.compile(rf"""{prefix}(?:{names})["'{{]|state\[["'](?:{names})["']\]""")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("playground", "pages")
        for path in (ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if by_hand.search(line)
    ]
    assert offenders == []

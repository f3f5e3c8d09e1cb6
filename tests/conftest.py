"""Shared test set-up: Qt runs headless, Python keeps its bytecode cache, and every test starts
from the same random state."""
import os
import random
import sys

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Python's bytecode cache stays on for the tests even where PYTHONDONTWRITEBYTECODE turns it off
# (as on some CI images): the suite starts a hundred Python processes (the program worker, the
# app, the CLI), each of which would compile gradlab's 30,000 lines again, and pytest would
# rewrite every test module again in each of its workers.  The caches go where Python puts them
# by default (__pycache__, which git ignores).
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


@pytest.fixture(autouse=True)
def _seeded() -> None:
    random.seed(0)


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch) -> None:
    """Each test gets its own autosave folder: no test sees another's (or the user's) work."""
    monkeypatch.setenv("GRADLAB_HOME", str(tmp_path / "gradlab-home"))

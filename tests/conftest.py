"""Shared test set-up: Qt runs headless, and every test starts from the same random state."""
import os
import random

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _seeded() -> None:
    random.seed(0)


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch) -> None:
    """Each test gets its own autosave folder: no test sees another's (or the user's) work."""
    monkeypatch.setenv("GRADLAB_HOME", str(tmp_path / "gradlab-home"))

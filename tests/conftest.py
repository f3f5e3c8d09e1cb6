"""Shared test set-up: Qt runs headless, and every test starts from the same random state."""
import os
import random

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _seeded() -> None:
    random.seed(0)

"""Fixtures the UI tests share: each lab on screen at a desktop size (windows.shown puts any
other widget there the same way)."""

import pytest
from windows import shown

from gradlab.ui.expression.lab import ExpressionLab
from gradlab.ui.network.lab import NetworkLab


@pytest.fixture
def expression_lab(qtbot):
    """An expression lab on screen (offscreen), at a desktop size; no re-run outlives the test."""
    widget = shown(ExpressionLab(), qtbot, (1400, 850))
    yield widget
    qtbot.waitUntil(lambda: not widget.model.rerun_pending(), timeout=5000)


@pytest.fixture
def network_lab(qtbot):
    """A network lab on screen (offscreen), at a desktop size."""
    return shown(NetworkLab(), qtbot, (1480, 860))


@pytest.fixture(autouse=True)
def _lessons_offered(_private_home):
    """The window opens as for a returning learner: the first-launch lesson offer was made
    already (tests/ui/lessons asks for a first launch with its ``first_launch`` fixture)."""
    from gradlab.ui.lessons.store import LessonStore

    LessonStore().set_offered()

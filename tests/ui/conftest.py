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
def _private_settings(tmp_path):
    """Each test gets its own QSettings store (gradlab.ui.settings), never the user's, and opens
    the window as a returning learner: the first-launch lesson offer was made already
    (tests/ui/lessons asks for a first launch with its ``first_launch`` fixture)."""
    from PySide6.QtCore import QSettings

    from gradlab.ui.lessons.store import LessonStore

    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, str(tmp_path / "qt-settings"))
    LessonStore().set_offered()

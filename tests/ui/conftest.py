"""Fixtures the UI tests share: each lab on screen at a desktop size (windows.shown puts any
other widget there the same way)."""

import shutil

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


def _settings_in(folder) -> None:
    """gradlab.ui.settings' store (and any other QSettings of the user's) kept in ``folder``."""
    from PySide6.QtCore import QSettings

    for kind in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(kind, QSettings.Scope.UserScope, str(folder))


@pytest.fixture(scope="session")
def _returning_settings(tmp_path_factory):
    """A settings folder in which the first-launch lesson offer was made already, written once a
    session: QSettings writes through a lock file and an fsync (3 ms of CPU and 20 ms a write)."""
    from gradlab.ui.lessons.store import LessonStore

    folder = tmp_path_factory.mktemp("returning-learner") / "qt-settings"
    _settings_in(folder)
    LessonStore().set_offered()
    return folder


@pytest.fixture(autouse=True)
def _private_settings(private_folders, _returning_settings):
    """Each test gets its own QSettings store (gradlab.ui.settings), never the user's, and opens
    the window as a returning learner: the first-launch lesson offer was made already (a copy of
    ``_returning_settings``; tests/ui/lessons asks for a first launch with its ``first_launch``
    fixture)."""
    folder = private_folders.new("qt-settings")
    shutil.copytree(_returning_settings, folder)
    _settings_in(folder)

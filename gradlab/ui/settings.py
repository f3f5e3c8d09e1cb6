"""The app's QSettings: the one place that makes the object, so every part of gradlab reads and
writes the same file.

Qt keeps the settings where it keeps them for the application's name and organisation (both
``gradlab``: ``~/.config/gradlab/gradlab.conf`` on Linux). When ``$GRADLAB_HOME`` is set (the
tests set it to a folder of their own) they live in ``$GRADLAB_HOME/settings.ini`` instead, so a
test, or a second gradlab with a home of its own, never sees the user's settings.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QSettings

__all__ = ["ORGANISATION", "APPLICATION", "settings", "settings_path"]

ORGANISATION = "gradlab"
APPLICATION = "gradlab"


def settings_path() -> Path | None:
    """The settings file under ``$GRADLAB_HOME``, or None for Qt's usual place."""
    home = os.environ.get("GRADLAB_HOME")
    return Path(home) / "settings.ini" if home else None


def settings() -> QSettings:
    """The app's settings (a new QSettings on the same store each call: cheap, and always current)."""
    path = settings_path()
    if path is not None:
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(ORGANISATION, APPLICATION)

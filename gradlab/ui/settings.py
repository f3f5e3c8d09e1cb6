"""The app's QSettings: the one place that makes the object, so every part of gradlab reads and
writes the same store.

Qt keeps it where it keeps settings for the application's organisation and name (both
``gradlab``): ``~/.config/gradlab/gradlab.conf`` on Linux, the usual places on Windows and macOS.
Tests point it at a folder of their own with ``QSettings.setPath`` (tests/ui/conftest.py).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

__all__ = ["APPLICATION", "ORGANISATION", "settings"]

ORGANISATION = "gradlab"
APPLICATION = "gradlab"


def settings() -> QSettings:
    """The app's settings (a new QSettings on the same store each call: cheap, and always current)."""
    return QSettings(ORGANISATION, APPLICATION)

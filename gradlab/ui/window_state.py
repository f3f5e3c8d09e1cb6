"""What the window remembers between launches, in the app's settings (gradlab.ui.settings): its
geometry, the lab in front, the sizes of every splitter, and the file the work belonged to.
(The work itself, both labs with their data and settings, comes back through the autosaved
session; lesson progress through gradlab.ui.lessons.store.)  ``--reset-settings`` forgets all."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSplitter, QWidget

from gradlab.ui.settings import settings

GEOMETRY_KEY = "window/geometry"
LAB_KEY = "window/lab"
SPLITTERS_KEY = "window/splitters/"
FILE_KEY = "files/current"
UNSAVED_KEY = "files/unsaved"
#: the window's size where the screen has room for it; a smaller screen gets its available area
DEFAULT_SIZE = QSize(1480, 900)
#: what the window's frame (title bar, borders) takes beyond its size, kept free on a small screen
FRAME_ROOM = QSize(16, 40)


def window_geometry(available: QRect) -> QRect:
    """Where the window opens on a screen whose free area (less panels and docks) is
    ``available``: DEFAULT_SIZE, or as much as fits with its frame, centred."""
    size = DEFAULT_SIZE.boundedTo(available.size() - FRAME_ROOM)
    rect = QRect(0, 0, size.width(), size.height())
    rect.moveCenter(available.center())
    return rect


#: of a restored window, at least this much (pixels, each way) must be on a screen, or it is moved
ON_SCREEN = 120


def splitter_key(splitter: QSplitter, root: QWidget) -> str:
    """A name for ``splitter`` that is the same at every launch: its objectName, or its path of
    child indices under ``root`` when it has none."""
    if splitter.objectName():
        return splitter.objectName()
    path, w = [], splitter
    while w is not None and w is not root:
        parent = w.parentWidget()
        siblings = parent.findChildren(QSplitter) if parent is not None else []
        path.append(f"{type(w).__name__}{siblings.index(w) if w in siblings else 0}")
        w = parent
    return "/".join(reversed(path))


def save_splitters(root: QWidget, store: QSettings) -> None:
    """Keep the sizes of ``root``'s splitters in ``store`` (gradlab.ui.settings')."""
    for splitter in root.findChildren(QSplitter):
        sizes = splitter.sizes()
        if sum(sizes) > 0:
            store.setValue(SPLITTERS_KEY + splitter_key(splitter, root), [int(s) for s in sizes])


def restore_splitters(root: QWidget, within: QWidget | None = None) -> None:
    """Give ``root``'s splitters (only those inside ``within``, if given) their kept sizes."""
    store = settings()
    for splitter in (within or root).findChildren(QSplitter):
        value = store.value(SPLITTERS_KEY + splitter_key(splitter, root))
        try:
            sizes = [int(s) for s in value] if isinstance(value, list) else []
        except (TypeError, ValueError):
            continue  # a hand-edited or foreign value: the layout's own sizes stay
        if len(sizes) == splitter.count() and sum(sizes) > 0 and min(sizes) >= 0:
            splitter.setSizes(sizes)
            splitter.splitterMoved.emit(sizes[0], 1)  # as if dragged: a lab that keeps a share adopts it


def save_window_state(window) -> None:
    """Keep the window's geometry, lab in front, splitters and current file for the next launch."""
    store = settings()
    store.setValue(GEOMETRY_KEY, window.saveGeometry())
    store.setValue(LAB_KEY, "network" if window.tabs.currentWidget() is window.network_tab else "expression")
    path = window.documents.path
    store.setValue(FILE_KEY, str(path) if path is not None else "")
    store.setValue(UNSAVED_KEY, "true" if window.documents.dirty() else "false")
    save_splitters(window, store)  # in the same store: a second QSettings would write the file first
    store.sync()


def saved_lab() -> str | None:
    """The lab that was in front when gradlab last closed ("expression", "network"), or None."""
    lab = settings().value(LAB_KEY)
    return lab if lab in ("expression", "network") else None


def saved_file() -> tuple[Path | None, bool]:
    """The file the work belonged to when gradlab last closed (None: none, or it is gone), and
    whether that work had changes not saved to it."""
    store = settings()
    value = store.value(FILE_KEY, "")
    path = Path(value) if isinstance(value, str) and value and Path(value).is_file() else None
    return path, str(store.value(UNSAVED_KEY, "false")).lower() == "true"


def restore_geometry(window) -> bool:
    """Put the window where it last was (moved onto a screen if that place is off every screen
    now); False when nothing was kept."""
    value = settings().value(GEOMETRY_KEY)
    if not isinstance(value, (QByteArray, bytes)) or not window.restoreGeometry(QByteArray(value)):
        return False
    frame = window.frameGeometry()
    screens = [s.availableGeometry() for s in QGuiApplication.screens()]
    if screens and not any(_enough_on(frame, screen) for screen in screens):
        primary = QGuiApplication.primaryScreen()
        window.setGeometry(window_geometry(primary.availableGeometry() if primary else screens[0]))
    return True


def _enough_on(frame: QRect, screen: QRect) -> bool:
    common = frame.intersected(screen)
    return (common.width() >= min(ON_SCREEN, frame.width())
            and common.height() >= min(ON_SCREEN, frame.height()))


def reset_settings() -> None:
    """Forget everything kept in the settings (window, recent files, lesson progress and offer)."""
    store = settings()
    store.clear()
    store.sync()

"""The File menu's documents: New, Open, Open Recent, Save, Save As, and the window title that
names the file the work belongs to, with a mark while it has unsaved changes.

The work belongs to a session file (``.gradlab``: both labs, values, selection, lesson) or to a
program file (``.py``: Save writes the editor's text back to it), or to no file yet (Save asks
where).  "Unsaved" means the program's text, a slider's value or the network lab differ from
what was last opened or saved; opening or saving makes the work clean again."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from gradlab.files import FileError, write_atomically
from gradlab.session import Session, load_document, save_session
from gradlab.ui.common.text import elide
from gradlab.ui.settings import settings

#: how many files File > Open Recent lists
RECENT_COUNT = 10
RECENT_KEY = "files/recent"
#: the extension Save adds when the name typed has none
SESSION_SUFFIX = ".gradlab"
OPEN_FILTERS = "Programs and sessions (*.py *.txt *.gradlab *.json);;All files (*)"
SAVE_FILTERS = "gradlab session: both labs (*.gradlab);;Python program: the editor's text (*.py)"
UNTITLED = "untitled"


def recent_files() -> list[str]:
    """The files opened or saved last, newest first (as kept in the settings)."""
    value = settings().value(RECENT_KEY, [])
    if isinstance(value, str):  # QSettings gives a one-item list back as a plain string
        value = [value]
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and v][:RECENT_COUNT]


def remember(path: Path) -> None:
    """Put ``path`` first in the recent files."""
    entry = str(path.resolve())
    files = [entry] + [p for p in recent_files() if p != entry]
    store = settings()
    store.setValue(RECENT_KEY, files[:RECENT_COUNT])
    store.sync()


def forget(paths: list[str]) -> None:
    store = settings()
    store.setValue(RECENT_KEY, [p for p in recent_files() if p not in paths])
    store.sync()


class Documents:
    """The file the window's work belongs to (``path``: None for none yet), whether it has
    unsaved changes (``dirty()``), and the File menu's entries that open, save and start anew."""

    def __init__(self, window) -> None:
        self.window = window
        self.path: Path | None = None
        self._network_changes = 0  # network-lab changes made since the lab was built
        self._saved: tuple | None = None
        self._check = QTimer(window, singleShot=True, interval=150)
        self._check.timeout.connect(self.update_title)
        lab = window.expression_lab
        lab.editor.textChanged.connect(self._changed)
        lab.model.values_changed.connect(self._changed)
        window.network_tab.lab_built.connect(self._watch_network_lab)
        self.recent_menu: QMenu | None = None
        self.mark_clean()

    # -- the menu -----------------------------------------------------------------------------

    def build_menu(self, file: QMenu, action) -> None:
        """New, Open, Open Recent, Save and Save As in ``file``; ``action`` is the window's _action."""
        action(file, "&New", self.new, "Ctrl+N", "An empty program and the default network")
        action(file, "&Open…", self.open_dialog, "Ctrl+O", "Open a program (.py) or a session (.gradlab)")
        self.recent_menu = file.addMenu("Open &Recent")
        self.recent_menu.setObjectName("recentMenu")
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        file.addSeparator()
        action(file, "&Save", self.save, "Ctrl+S", "Save to the file the work came from (or ask where)")
        action(file, "Save &As…", self.save_as_dialog, "Ctrl+Shift+S",
               "Save as a session (.gradlab: both labs, values, selection) or a program (.py)")
        file.addSeparator()
        self.fill_recent()

    def fill_recent(self) -> None:
        """Open Recent's entries; files that are gone are dropped, with a note in the status bar."""
        menu = self.recent_menu
        for old in menu.actions():
            old.deleteLater()
        menu.clear()
        files = recent_files()
        missing = [p for p in files if not Path(p).is_file()]
        if missing:
            forget(missing)
            names = ", ".join(Path(p).name for p in missing)
            note = f"Removed from Open Recent (no longer there): {elide(names, 200)}"
            self.window.statusBar().showMessage(note, 10000)
        shown = [p for p in files if p not in missing]
        for k, p in enumerate(shown, start=1):
            item = QAction(f"&{k % 10} {elide(Path(p).name, 60)}", menu, toolTip=p, statusTip=p)
            item.setObjectName(f"recentFile{k}")
            item.triggered.connect(lambda _=False, p=p: self.open_path(p))
            menu.addAction(item)
        if not shown:
            empty = QAction("(no recent files)", menu, enabled=False)
            menu.addAction(empty)

    # -- unsaved changes and the title --------------------------------------------------------

    def _changed(self, *_payload) -> None:
        self._check.start()  # checked a moment later: a burst of changes is one check

    def _watch_network_lab(self, lab) -> None:
        def count(*_payload) -> None:
            self._network_changes += 1
            self._check.start()

        model = lab.model
        # connected after the lab's own restore (it follows lab_built at once): opening is no change
        QTimer.singleShot(0, lambda: [s.connect(count) for s in (
            model.data_changed, model.network_changed, model.config_changed, model.step_completed,
            model.parameters_changed)])

    def _fingerprint(self) -> tuple:
        lab = self.window.expression_lab
        overrides = tuple(sorted(lab.model.overrides.items()))
        return lab.editor.toPlainText(), overrides, self._network_changes

    def dirty(self) -> bool:
        return self._fingerprint() != self._saved

    def mark_clean(self, path: Path | None = None, keep_path: bool = False) -> None:
        """The work as it is now is what ``path`` holds (None: no file)."""
        if not keep_path:
            self.path = path
        self._saved = self._fingerprint()
        self.update_title()

    def resume(self, path: Path | None, unsaved: bool) -> None:
        """The work resumed from the last launch belonged to ``path``, with changes not saved to
        it if ``unsaved``."""
        self.mark_clean(path)
        if unsaved:
            self._saved = None  # nothing matches: the mark stays until the work is saved
            self.update_title()

    def update_title(self) -> None:
        name = self.path.name if self.path is not None else UNTITLED
        self.window.setWindowTitle(f"{elide(name, 80)}[*] — gradlab")
        self.window.setWindowModified(self.dirty())

    # -- New -----------------------------------------------------------------------------------

    def new(self) -> bool:
        """An empty program and the default network, after asking what to do with unsaved work
        (which is kept for File > Recover Previous Work in any case)."""
        if self.dirty() and not self._may_discard():
            return False
        w = self.window
        w.keeper.open_program("", wait=not w.isVisible())
        lab = w.network_tab.lab
        if lab is not None:
            from gradlab.labs.network import NetworkCore

            lab.model.load_state(NetworkCore().state_dict())
        w.tabs.setCurrentWidget(w.expression_lab)
        self.mark_clean(None)
        w.statusBar().showMessage("A new, empty program: type one, or pick one from Examples", 8000)
        return True

    def _may_discard(self) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, "gradlab", "Save the changes to your work first?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.window)
        box.setObjectName("unsavedChangesQuestion")
        box.setInformativeText("Without saving, File > Recover Previous Work still brings it back.")
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # -- Open ----------------------------------------------------------------------------------

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open", "", OPEN_FILTERS)
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path) -> bool:
        """Open a program or a session file; a message saying what went wrong if it cannot.
        The work it replaces is kept first (File > Recover Previous Work)."""
        w, path = self.window, Path(path)
        try:
            document = load_document(path)  # one reader: regular files only, bounded, UTF-8
        except FileError as err:
            return w.show_error(str(err))
        w.keeper.keep_current_work()
        if isinstance(document, Session):
            w.apply_session(document)
        else:  # on screen the program runs on the worker; a window being built shows it when it opens
            w.keeper.open_program(document, wait=not w.isVisible())
        remember(path)
        self.mark_clean(path)
        w.statusBar().showMessage(f"Opened {elide(str(path), 200)}", 8000)
        return True

    # -- Save ----------------------------------------------------------------------------------

    def save(self) -> bool:
        """Save to the file the work came from (a program file gets the editor's text); with
        none yet, ask where (Save As)."""
        if self.path is None:
            return self.save_as_dialog()
        return self.save_to(self.path) is not None

    def save_as_dialog(self) -> bool:
        start = str(self.path) if self.path is not None else "session.gradlab"
        path, chosen = QFileDialog.getSaveFileName(self.window, "Save As", start, SAVE_FILTERS)
        if not path:
            return False
        if not Path(path).suffix and chosen.startswith("Python"):
            path += ".py"
        return self.save_to(path) is not None

    def save_to(self, path: str | Path) -> Path | None:
        """Save a session (``.gradlab``, added when the name has none) or, to a ``.py`` or ``.txt``
        file, the program; the path written, or None after saying why it could not be."""
        path = Path(path)
        if path.suffix.lower() in (".py", ".txt"):
            written = self._save_program(path)
        else:
            written = self.save_session_to(path)
        if written is not None:
            remember(written)
            self.mark_clean(written)
        return written

    def _save_program(self, path: Path) -> Path | None:
        try:
            write_atomically(path, self.window.expression_lab.editor.toPlainText().encode("utf-8"))
        except OSError as err:
            self.window.show_error(f"Cannot save {path}: {err.strerror or err}")
            return None
        self.window.statusBar().showMessage(f"Saved the program to {elide(str(path), 200)}", 8000)
        return path

    def save_session_to(self, path: str | Path) -> Path | None:
        """Save the session to ``path`` (``.gradlab`` added when it has no extension); the path
        written, or None after saying why it could not be."""
        w, path = self.window, Path(path)
        if not path.suffix:
            path = path.with_name(path.name + SESSION_SUFFIX)  # else it would reopen as a program
        try:
            save_session(w.current_session(), path)
        except FileError as err:
            w.show_error(str(err))
            return None
        except OSError as err:
            w.show_error(f"Cannot save {path}: {err.strerror or err}")
            return None
        except Exception as err:  # noqa: BLE001 -- whatever it is, say it; the work stays open
            w.show_error(f"Cannot save {path.name}: {type(err).__name__}: {err}")
            return None
        w.statusBar().showMessage(f"Saved {elide(str(path), 200)}", 8000)
        return path

"""One undo history for the window: every change a learner makes to values, settings and text.

The labs say what a learner changed with their ``edited`` signal (what, the snapshot before,
the snapshot after, a merge key); the snapshots come from the Qt-free cores
(``gradlab.labs.input_history.InputValues``, ``gradlab.labs.network_history.NetworkSnapshot``),
which also give them back.  The program's text keeps the editor's own undo steps (typing grouped
as the editor groups it; a load is one step): each step the editor's document adds becomes one
command here that calls the editor's undo and redo, so the two never disagree.

Ctrl+Z, Ctrl+Shift+Z and Ctrl+Y go to this history whichever widget of the window has focus (a
filter on the focused widget takes them first); Edit's Cut, Copy, Paste and Select All act on the
focused text widget.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

__all__ = ["UNDO_LIMIT", "SnapshotCommand", "TextEditCommand", "UndoHistory", "install"]

#: the most steps the history keeps (the oldest go first)
UNDO_LIMIT = 200
#: QUndoCommand.id of every command that may merge with the one before (same merge key)
MERGEABLE = 1
#: what an editor's undo step is called in the Edit menu, unless the lab says (``text_edit_name``)
TYPING = "Typing"


def _nothing() -> None:
    pass


class SnapshotCommand(QUndoCommand):
    """A change already made: undo hands ``before`` to ``restore``, redo ``after`` (each first
    calls ``reveal``, which brings the lab to the front).  Consecutive commands with the same
    non-empty ``merge_key`` (one slider moved by keys) become one."""

    def __init__(self, text: str, restore: Callable[[object], None], before: object, after: object,
                 merge_key: str = "", reveal: Callable[[], None] = _nothing) -> None:
        super().__init__(text)
        self.restore, self.before, self.after, self.merge_key = restore, before, after, merge_key
        self.reveal = reveal
        self._made = True  # QUndoStack.push calls redo: the change is on screen already

    def redo(self) -> None:
        if self._made:
            self._made = False
            return
        self.reveal()
        self.restore(self.after)

    def undo(self) -> None:
        self.reveal()
        self.restore(self.before)

    def id(self) -> int:
        return MERGEABLE if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt override)
        if not isinstance(other, SnapshotCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        return True


class TextEditCommand(QUndoCommand):
    """One undo step of the editor's document: undo and redo are the editor's.  Undo also gives
    the inputs back the numbers they had before the edit (``values``, through ``restore``), once
    the old text has run again.  A step of a document that has since been replaced wholesale
    (``editor.history_generation`` moved on) does nothing."""

    def __init__(self, text: str, editor, values: object, restore: Callable[[object], None],
                 reveal: Callable[[], None] = _nothing) -> None:
        super().__init__(text)
        self.editor, self.values, self.restore, self.reveal = editor, values, restore, reveal
        self.generation = editor.history_generation
        self._made = True
        self._taken = False  # takes_back_nothing found the document's step already undone

    def current(self) -> bool:
        """The step belongs to the editor's document as it is (not one replaced wholesale since)."""
        return self.editor.history_generation == self.generation

    #: the last undo or redo changed no character (the editor's own steps include some that only
    #: format: the history takes the next one with it)
    unseen = False

    def redo(self) -> None:
        if self._made:
            self._made = False
        elif self.current():
            self.reveal()
            text = self.editor.toPlainText()
            self.editor.redo()
            self.unseen = self.editor.toPlainText() == text

    def takes_back_nothing(self) -> bool:
        """Undoing this step would change no character (it only formats): True, and the
        document's step is undone already; else the document is as it was."""
        text = self.editor.toPlainText()
        document = self.editor.document()
        document.undo()
        if self.editor.toPlainText() == text:
            self._taken = True
            return True
        document.redo()
        return False

    def undo(self) -> None:
        if self._taken:  # see takes_back_nothing
            self._taken, self.unseen = False, True
            return
        if not self.current():
            return
        self.reveal()
        text = self.editor.toPlainText()
        self.editor.undo()
        self.unseen = self.editor.toPlainText() == text
        if self.values is not None:
            self.restore(self.values)


def _undo_keys(event) -> str:
    """"undo", "redo" or "" for a key event."""
    if event.matches(QKeySequence.StandardKey.Undo):
        return "undo"
    ctrl_y = event.key() == Qt.Key.Key_Y and event.modifiers() == Qt.KeyboardModifier.ControlModifier
    return "redo" if ctrl_y or event.matches(QKeySequence.StandardKey.Redo) else ""


class UndoHistory(QObject):
    """The window's undo stack (``stack``) and the labs it listens to."""

    def __init__(self, window: QWidget, reveal: Callable[[QWidget], None] | None = None) -> None:
        super().__init__(window)
        self.window = window
        #: brings a lab (its tab) to the front, so an undone change is seen
        self.reveal = reveal or (lambda _widget: None)
        self.stack = QUndoStack(self)
        self.stack.setUndoLimit(UNDO_LIMIT)
        self._replaying = False  # a restore's own changes are not new steps
        self._before_replay: list[Callable[[], None]] = []  # what settles a lab first (a run ends)
        self._filtered: QWidget | None = None
        QApplication.instance().focusChanged.connect(self._on_focus_changed)

    # -- recording ------------------------------------------------------------------------------

    def push(self, command: QUndoCommand) -> None:
        """Add a change already made (nothing while an undo or redo is putting one back)."""
        if not self._replaying:
            self.stack.push(command)

    def undo(self) -> None:
        """Take back the last change (a training run going on ends first, and is that change)."""
        self._replay(undoing=True)

    def redo(self) -> None:
        """Make the last change taken back again."""
        self._replay(undoing=False)

    def _replay(self, undoing: bool) -> None:
        """The stack's undo (or redo), and the editor's steps that change no character with it:
        Qt's editor adds one before some edits (a new line at the end), which would otherwise
        take a Ctrl+Z of its own; and a step of a text since replaced wholesale does nothing."""
        for settle in self._before_replay:
            settle()
        s = self.stack
        self._replaying = True
        try:
            while s.canUndo() if undoing else s.canRedo():
                s.undo() if undoing else s.redo()
                done = s.command(s.index() if undoing else s.index() - 1)
                nxt = s.command(s.index() - 1 if undoing else s.index())  # None past either end
                if not (isinstance(done, TextEditCommand) and isinstance(nxt, TextEditCommand)):
                    break
                if not done.current():
                    continue  # nothing was taken back: take the next step
                if undoing and not (nxt.current() and nxt.takes_back_nothing()):
                    break  # the next step changes characters: it waits for its own Ctrl+Z
                if not undoing and not done.unseen:
                    break
        finally:
            self._replaying = False

    def show_in(self, undo: QAction, redo: QAction) -> None:
        """Keep ``undo`` and ``redo`` enabled when they can act, and naming what they would do."""
        self._actions = (undo, redo)
        for signal in (self.stack.canUndoChanged, self.stack.canRedoChanged, self.stack.undoTextChanged,
                       self.stack.redoTextChanged, self.stack.indexChanged):
            signal.connect(self._show_actions)
        self._show_actions()

    def _show_actions(self, *_args) -> None:
        s = self.stack
        for a, verb, can, said in zip(self._actions, ("&Undo", "&Redo"), (s.canUndo(), s.canRedo()),
                                      (s.undoText(), s.redoText()), strict=True):
            a.setEnabled(can)
            a.setText(f"{verb} {said}" if can and said else verb)

    # -- the labs -----------------------------------------------------------------------------

    def watch_expression_lab(self, lab) -> None:
        """Descend, Ascend, the sliders and number boxes (``lab.edited``), and the editor's steps."""
        restore = lab.model.restore_inputs
        reveal = lambda: self.reveal(lab)  # noqa: E731
        lab.edited.connect(lambda text, before, after, key: self.push(
            SnapshotCommand(text, restore, before, after, key, reveal)))
        editor = lab.editor

        def text_step() -> None:
            if lab.isVisible():  # the program a launch opens is where the history starts
                self.push(TextEditCommand(lab.text_edit_name or TYPING, editor, lab.model.input_values(),
                                          restore, reveal))

        editor.document().undoCommandAdded.connect(text_step)

    def watch_network_tab(self, tab) -> None:
        """The network lab, now if it is built, else when it is (its tab comes to the front when
        one of its changes is undone)."""
        if tab.lab is not None:
            self.watch_network_lab(tab.lab, tab)
        tab.lab_built.connect(lambda lab: self.watch_network_lab(lab, tab))

    def watch_network_lab(self, lab, shown_by: QWidget | None = None) -> None:
        """Training runs, steps, weights, points, settings and data (``lab.edited``)."""
        restore = lab.model.restore_snapshot
        reveal = lambda: self.reveal(shown_by or lab)  # noqa: E731
        lab.edited.connect(lambda text, before, after, key: self.push(
            SnapshotCommand(text, restore, before, after, key, reveal)))
        self._before_replay.append(lambda: lab.model.set_running(False))

    # -- keys from any widget -------------------------------------------------------------------

    def _on_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        """The focused widget of this window hands Ctrl+Z and Ctrl+Shift+Z to the history
        (a text field's own undo would change its text behind the history's back)."""
        if self._filtered is not None:
            try:
                self._filtered.removeEventFilter(self)
            except RuntimeError:  # deleted meanwhile
                pass
            self._filtered = None
        if new is not None and new.window() is self.window:
            new.installEventFilter(self)
            self._filtered = new

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        which = _undo_keys(event)
        if not which:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # the key comes to this filter as a key press, not to a shortcut
        else:
            self.undo() if which == "undo" else self.redo()
        return True


# -- the Edit menu ------------------------------------------------------------------------------

def _text_widget() -> QWidget | None:
    """The focused widget's text field (a spin box's or combo box's line edit), or None."""
    w = QApplication.focusWidget()
    if isinstance(w, QAbstractSpinBox | QComboBox):
        w = w.findChild(QLineEdit)
    return w if isinstance(w, QLineEdit | QPlainTextEdit | QTextEdit) else None


def _on_text(method: str) -> Callable[[], None]:
    def act() -> None:
        w = _text_widget()
        if w is not None:
            getattr(w, method)()
    return act


def install(window: QWidget, menu: QMenu, expression_lab, network_tab) -> UndoHistory:
    """The window's history, listening to both labs, and Edit's Undo, Redo, Cut, Copy, Paste and
    Select All at the top of ``menu``."""
    tabs = getattr(window, "tabs", None)

    def reveal(widget: QWidget) -> None:
        if tabs is not None and tabs.indexOf(widget) >= 0:
            tabs.setCurrentWidget(widget)

    history = UndoHistory(window, reveal)
    history.watch_expression_lab(expression_lab)
    history.watch_network_tab(network_tab)

    def action(text: str, slot, keys, name: str, tip: str) -> QAction:
        a = QAction(text, window, objectName=name, statusTip=tip, toolTip=tip)
        a.setShortcuts(keys)
        a.triggered.connect(slot)
        menu.addAction(a)
        return a

    undo = action("&Undo", history.undo, [QKeySequence(QKeySequence.StandardKey.Undo)], "undoAction",
                  "Take back the last change: a value, a setting, a training run or the program's text")
    redo = action("&Redo", history.redo, [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")],
                  "redoAction", "Make the change Undo took back again")
    history.show_in(undo, redo)
    menu.addSeparator()
    for text, method, key, tip in (("Cu&t", "cut", QKeySequence.StandardKey.Cut, "Cut the selected text"),
                                   ("&Copy", "copy", QKeySequence.StandardKey.Copy, "Copy the selected text"),
                                   ("&Paste", "paste", QKeySequence.StandardKey.Paste,
                                    "Paste the clipboard's text"),
                                   ("Select &All", "selectAll", QKeySequence.StandardKey.SelectAll,
                                    "Select all the text of the focused field")):
        action(text, _on_text(method), [QKeySequence(key)], f"{method}Action", tip)
    menu.addSeparator()
    expression_lab.editor.history_actions = (undo, redo)
    return history

"""The File menu's documents and what the window remembers, driven as a user would: menus,
shortcuts, the save and question dialogs answered by the test; quit and relaunch."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gradlab.app import build_window

SEED_OUTPUT = "g = 24.7041"


def launch(qtbot, *args: str):
    w = build_window(list(args))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def action(window, text: str) -> QAction:
    for a in window.findChildren(QAction):
        if a.text().replace("&", "") == text:
            return a
    raise AssertionError(f"no action {text!r}")


def type_line(qtbot, window, text: str) -> None:
    """A new last line typed into the editor (QTest types no newlines: Enter is a key)."""
    editor = window.expression_lab.editor
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClicks(editor, text)


def wait_modified(qtbot, window, modified: bool) -> None:
    qtbot.waitUntil(lambda: window.isWindowModified() == modified, timeout=3000)


def test_save_asks_where_once_then_saves_in_place(qtbot, tmp_path, monkeypatch):
    w = launch(qtbot)
    assert w.windowTitle().startswith("untitled") and not w.isWindowModified()
    type_line(qtbot, w, "h = g * 2")
    wait_modified(qtbot, w, True)
    target = tmp_path / "mine"
    chosen = (str(target), "gradlab session (*.gradlab)")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: chosen)
    qtbot.keyClick(w, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # no file yet: Save asks where
    assert (tmp_path / "mine.gradlab").is_file() and w.windowTitle().startswith("mine.gradlab")
    wait_modified(qtbot, w, False)
    type_line(qtbot, w, "k = h + 1")
    wait_modified(qtbot, w, True)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    action(w, "Save").trigger()  # the file is known now: no dialog
    wait_modified(qtbot, w, False)
    assert "k = h + 1" in (tmp_path / "mine.gradlab").read_text(encoding="utf-8")


def test_save_as_a_program_writes_the_editors_text(qtbot, tmp_path, monkeypatch):
    w = launch(qtbot)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "prog"), "Python program: the editor's text (*.py)"))
    action(w, "Save As…").trigger()
    assert (tmp_path / "prog.py").read_text(encoding="utf-8") == w.expression_lab.editor.toPlainText()
    assert w.windowTitle().startswith("prog.py")


def test_new_asks_about_unsaved_work_and_starts_empty(qtbot, monkeypatch):
    w = launch(qtbot)
    type_line(qtbot, w, "extra = g + 1")
    wait_modified(qtbot, w, True)
    answers = []

    def answer(box):
        answers.append(box.text())
        return QMessageBox.StandardButton.Cancel if len(answers) == 1 else QMessageBox.StandardButton.Discard

    monkeypatch.setattr(QMessageBox, "exec", answer)
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert "extra = g + 1" in w.expression_lab.editor.toPlainText()  # Cancel: nothing changed
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert answers == ["Save the changes to your work first?"] * 2
    assert w.expression_lab.editor.toPlainText() == "" and not w.isWindowModified()
    assert w.recover_previous()  # discarded, yet still recoverable
    assert "extra = g + 1" in w.expression_lab.editor.toPlainText()


def test_open_recent_lists_newest_first_and_prunes_missing_files(qtbot, tmp_path):
    w = launch(qtbot)
    first, second = tmp_path / "one.py", tmp_path / "two.py"
    first.write_text("a = Value(1.0)\nb = a * 3\n", encoding="utf-8")
    second.write_text("c = Value(2.0)\nd = c + 1\n", encoding="utf-8")
    assert w.open_path(first) and w.open_path(second)
    menu = w.documents.recent_menu
    menu.aboutToShow.emit()
    assert [a.toolTip() for a in menu.actions()] == [str(second.resolve()), str(first.resolve())]
    second.unlink()
    menu.aboutToShow.emit()
    assert [a.toolTip() for a in menu.actions()] == [str(first.resolve())]
    assert "two.py" in w.statusBar().currentMessage()
    menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: w.expression_lab.output_label.text() == "b = 3.0000", timeout=5000)
    assert w.windowTitle().startswith("one.py")


def test_quit_and_relaunch_restores_size_splitters_and_file(qtbot, tmp_path):
    w = launch(qtbot)
    w.resize(w.width(), 610)  # the offscreen screen is small: a height it has room for
    program = tmp_path / "kept.py"
    program.write_text("x = Value(3.0)\ny = x * x\n", encoding="utf-8")
    assert w.open_path(program)
    split = w.expression_lab._split  # editor | graph | inspector
    sizes = split.sizes()
    split.setSizes([sizes[0] + 30, sizes[1] - 30, *sizes[2:]])
    moved, kept = split.sizes(), w.size()
    w.close()
    again = launch(qtbot)
    assert again.size() == kept and again.tabs.currentWidget() is again.expression_lab
    qtbot.waitUntil(lambda: again.expression_lab._split.sizes() == moved, timeout=2000)
    assert again.windowTitle().startswith("kept.py") and not again.isWindowModified()


def test_relaunch_opens_the_lab_that_was_in_front(qtbot):
    w = launch(qtbot)
    w.show_network_lab()
    w.close()
    again = launch(qtbot)
    assert again.tabs.currentWidget() is again.network_tab and again.network_tab.lab is not None
    assert launch(qtbot, "--lab", "expression").tabs.currentWidget().objectName() != "networkLabTab"


def test_a_window_left_off_screen_comes_back_onto_one(qtbot):
    w = launch(qtbot)
    w.setGeometry(QRect(20000, 20000, 900, 600))
    w.close()
    again = launch(qtbot)
    screen = again.screen().availableGeometry()
    assert screen.intersects(again.frameGeometry()) and screen.contains(again.geometry().center())


def test_reset_settings_starts_clean(qtbot):
    w = launch(qtbot)
    w.resize(900, 560)
    w.show_network_lab()
    w.close()
    clean = launch(qtbot, "--reset-settings")
    assert clean.tabs.currentWidget() is clean.expression_lab
    assert (clean.width(), clean.height()) != (900, 560)
    clean.documents.recent_menu.aboutToShow.emit()
    assert [a.text() for a in clean.documents.recent_menu.actions()] == ["(no recent files)"]

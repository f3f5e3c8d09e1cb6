"""One undo history for the window, driven as a learner would: Descend and Ctrl+Z, a slider
dragged with the mouse, a number typed, the program typed or loaded, a training run, a step, a
weight typed, a point clicked in, new settings; the Edit menu's items and shortcuts."""

from __future__ import annotations

import PySide6  # noqa: F401  (before pyqtgraph, so it picks this binding)
import pytest
from helpers import SEED
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QContextMenuEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QSlider
from windows import open_window

LEFT = Qt.MouseButton.LeftButton
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(qtbot):
    w = open_window(qtbot)
    yield w
    qtbot.waitUntil(lambda: not w.expression_lab.model.rerun_pending(), timeout=5000)


def values(window) -> dict[str, float]:
    return window.expression_lab.model.input_values().values


def action(window, name: str) -> QAction:
    return window.findChild(QAction, name)


def press(qtbot, widget, key=Qt.Key.Key_Z, mods=CTRL) -> None:
    """A key pressed with ``widget`` focused, as the learner presses it."""
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    qtbot.keyClick(widget, key, mods)


def idle(qtbot, window) -> None:
    """Wait until the editor's text has run (typing paused, no run going on)."""
    lab = window.expression_lab
    qtbot.waitUntil(lambda: not lab._run_timer.isActive() and not lab.model.run_in_flight()
                    and not lab.model.rerun_pending(), timeout=10000)


def drag(qtbot, slider: QSlider, to_fraction: float) -> None:
    """Press the handle (the middle, where a new slider's value sits), move, release."""
    start = QPoint(slider.width() // 2, slider.height() // 2)
    qtbot.mousePress(slider, LEFT, pos=start)
    for k in range(1, 6):
        x = start.x() + (to_fraction * slider.width() - start.x()) * k / 5
        pos = QPointF(x, start.y())
        move = QMouseEvent(QMouseEvent.Type.MouseMove, pos, slider.mapToGlobal(pos), Qt.MouseButton.NoButton,
                           LEFT, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(slider, move)
    qtbot.mouseRelease(slider, LEFT, pos=QPoint(round(x), start.y()))


# -- the expression lab ---------------------------------------------------------------------------

def test_ctrl_z_after_descend_gives_back_the_values_and_keeps_the_program(qtbot, window):
    lab = window.expression_lab
    assert values(window) == {"a": -4.0, "b": 2.0}
    assert not action(window, "undoAction").isEnabled()  # the launch's program is not a step
    qtbot.mouseClick(lab.buttons["descendButton"], LEFT)
    descended = values(window)
    assert descended["a"] != -4.0
    assert action(window, "undoAction").text() == "&Undo Descend"
    press(qtbot, lab.editor)  # the editor has focus: its Ctrl+Z is the window's
    assert values(window) == {"a": -4.0, "b": 2.0}
    assert lab.editor.toPlainText() == SEED and lab.output_label.text() == "g = 24.7041"
    assert action(window, "redoAction").text() == "&Redo Descend"
    press(qtbot, lab.editor, Qt.Key.Key_Z, CTRL | SHIFT)
    assert values(window) == descended
    press(qtbot, lab.canvas, Qt.Key.Key_Z)  # from the graph too
    press(qtbot, lab.canvas, Qt.Key.Key_Y)  # Ctrl+Y redoes
    assert values(window) == descended and lab.editor.toPlainText() == SEED


def test_the_reported_sequence_example_descend_ctrl_z_keeps_the_example(qtbot, window):
    """Issue 21: Ctrl+Z after Descend undid the example's load and emptied the editor."""
    lab = window.expression_lab
    window.open_example("lecture")
    idle(qtbot, window)
    text, loaded = lab.editor.toPlainText(), values(window)
    qtbot.mouseClick(lab.buttons["descendButton"], LEFT)
    assert values(window) != loaded
    press(qtbot, lab.editor)
    assert values(window) == loaded and lab.editor.toPlainText() == text
    idle(qtbot, window)
    assert lab.model.graph is not None and "builds no Value" not in window.statusBar().currentMessage()
    assert action(window, "undoAction").text() == "&Undo Load Program"


def test_ascend_undoes_from_the_number_box_and_the_menu(qtbot, window):
    lab = window.expression_lab
    qtbot.mouseClick(lab.buttons["ascendButton"], LEFT)
    qtbot.mouseClick(lab.buttons["ascendButton"], LEFT)
    twice = values(window)
    press(qtbot, lab.sliders.rows["a"].box)  # a number box's own undo is the window's too
    assert values(window) != twice and action(window, "undoAction").text() == "&Undo Ascend"
    action(window, "undoAction").trigger()
    assert values(window) == {"a": -4.0, "b": 2.0}


def test_a_slider_drag_is_one_step(qtbot, window):
    lab = window.expression_lab
    slider = lab.sliders.rows["a"].slider
    drag(qtbot, slider, 0.8)
    moved = values(window)["a"]
    assert moved > -4.0 and lab.model.graph.output.data != pytest.approx(24.7041, abs=1e-4)
    assert window.history.stack.count() == 1
    assert action(window, "undoAction").text() == "&Undo Drag a"
    press(qtbot, slider)
    assert values(window)["a"] == -4.0 and lab.sliders.rows["a"].box.value() == -4.0
    assert lab.output_label.text() == "g = 24.7041"
    press(qtbot, slider, Qt.Key.Key_Z, CTRL | SHIFT)
    assert values(window)["a"] == moved


def test_slider_keys_make_one_step_and_a_typed_number_another(qtbot, window):
    lab = window.expression_lab
    row = lab.sliders.rows["b"]
    row.slider.setFocus()
    for _ in range(3):
        qtbot.keyClick(row.slider, Qt.Key.Key_Right)
    assert values(window)["b"] > 2.0 and window.history.stack.count() == 1
    row.box.setFocus()
    row.box.selectAll()
    qtbot.keyClicks(row.box, "0.5")
    qtbot.keyClick(row.box, Qt.Key.Key_Return)
    assert values(window)["b"] == 0.5 and window.history.stack.count() == 2
    assert action(window, "undoAction").text() == "&Undo Set b"
    press(qtbot, row.box)
    assert values(window)["b"] > 2.0 and row.box.value() == values(window)["b"]
    press(qtbot, row.box)
    assert values(window)["b"] == 2.0


def test_typing_is_undone_as_the_editor_groups_it_and_gives_back_the_values_it_replaced(qtbot, window):
    lab = window.expression_lab
    qtbot.mouseClick(lab.buttons["descendButton"], LEFT)
    descended = values(window)
    lab.editor.moveCursor(lab.editor.textCursor().MoveOperation.End)
    press(qtbot, lab.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)
    qtbot.keyClicks(lab.editor, "zz = a * 2")
    idle(qtbot, window)
    assert "zz = a * 2" in lab.model.source and values(window)["a"] == -4.0  # an edit runs the text
    assert action(window, "undoAction").text() == "&Undo Typing"
    press(qtbot, lab.editor)  # the typed words
    press(qtbot, lab.editor)  # the new line (and the step Qt's editor adds before it)
    assert lab.editor.toPlainText() == SEED
    assert window.history.stack.index() == 1 and action(window, "undoAction").text() == "&Undo Descend"
    idle(qtbot, window)
    assert values(window) == descended  # as before the edit
    press(qtbot, lab.editor)  # Descend
    assert values(window) == {"a": -4.0, "b": 2.0}
    press(qtbot, lab.editor, Qt.Key.Key_Z, CTRL | SHIFT)
    press(qtbot, lab.editor, Qt.Key.Key_Z, CTRL | SHIFT)
    assert values(window) == descended and lab.editor.toPlainText() == SEED + "\n"


def test_loading_an_example_is_one_step_and_undo_brings_the_program_back(qtbot, window):
    lab = window.expression_lab
    window.open_example("lecture")
    idle(qtbot, window)
    assert lab.model.graph.output.data == -8.0
    assert action(window, "undoAction").text() == "&Undo Load Program"
    press(qtbot, lab.editor)
    assert lab.editor.toPlainText() == SEED
    idle(qtbot, window)
    assert lab.output_label.text() == "g = 24.7041"
    assert not action(window, "undoAction").isEnabled()
    press(qtbot, lab.editor, Qt.Key.Key_Y)
    idle(qtbot, window)
    assert lab.model.graph.output.data == -8.0


def test_the_editors_context_menu_undoes_through_the_history(qtbot, window):
    lab = window.expression_lab
    qtbot.mouseClick(lab.buttons["descendButton"], LEFT)
    at = QPoint(40, 40)
    click = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, lab.editor.mapToGlobal(at))
    lab.editor.contextMenuEvent(click)
    menu = next(m for m in QApplication.topLevelWidgets() if isinstance(m, QMenu) and m.isVisible())
    first = menu.actions()[0]
    assert first is action(window, "undoAction") and first.text() == "&Undo Descend"
    assert "edit-undo" not in [a.objectName() for a in menu.actions()]  # Qt's own is replaced
    first.trigger()
    menu.close()
    assert values(window) == {"a": -4.0, "b": 2.0}


# -- the Edit menu --------------------------------------------------------------------------------

def test_the_edit_menu_has_undo_redo_cut_copy_paste_and_select_all_with_their_keys(qtbot, window):
    edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    names = [a.text() for a in edit.actions() if not a.isSeparator()][:6]
    assert names == ["&Undo", "&Redo", "Cu&t", "&Copy", "&Paste", "Select &All"]
    keys = {a.objectName(): [k.toString() for k in a.shortcuts()] for a in edit.actions()}
    assert keys["undoAction"] == ["Ctrl+Z"] and keys["redoAction"] == ["Ctrl+Shift+Z", "Ctrl+Y"]
    assert keys["cutAction"] == ["Ctrl+X"] and keys["copyAction"] == ["Ctrl+C"]
    assert keys["pasteAction"] == ["Ctrl+V"] and keys["selectAllAction"] == ["Ctrl+A"]
    editor = window.expression_lab.editor
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    action(window, "selectAllAction").trigger()
    action(window, "copyAction").trigger()
    assert QApplication.clipboard().text() == SEED
    action(window, "cutAction").trigger()
    assert editor.toPlainText() == ""
    action(window, "pasteAction").trigger()
    assert editor.toPlainText() == SEED
    assert action(window, "undoAction").text() == "&Undo Typing"  # cut and paste are steps too
    action(window, "undoAction").trigger()
    assert editor.toPlainText() == ""


def test_copy_and_paste_act_on_the_focused_number_field(qtbot, window):
    box = window.expression_lab.sliders.rows["a"].box
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    action(window, "selectAllAction").trigger()
    action(window, "copyAction").trigger()
    assert QApplication.clipboard().text() == "-4.0"


# -- the network lab ------------------------------------------------------------------------------

def network(qtbot, window):
    lab = window.show_network_lab()
    qtbot.waitExposed(lab)
    return lab


def test_a_step_click_undoes_and_redoes_with_the_same_weights(qtbot, window):
    lab = network(qtbot, window)
    first = lab.model.trainer.parameters()
    qtbot.mouseClick(lab.step_button, LEFT)
    stepped = lab.model.trainer.parameters()
    assert lab.model.step_count == 1 and stepped != first
    assert action(window, "undoAction").text() == "&Undo Step"
    press(qtbot, lab.step_button)
    assert lab.model.step_count == 0 and lab.model.trainer.parameters() == first
    assert lab.loss_plot.point_count() == 0 and len(lab.model.history) == 0
    press(qtbot, lab.step_button, Qt.Key.Key_Z, CTRL | SHIFT)
    assert lab.model.step_count == 1 and lab.model.trainer.parameters() == stepped


def test_a_play_pause_run_is_one_step_and_undo_returns_to_the_weights_before_it(qtbot, window):
    lab = network(qtbot, window)
    qtbot.mouseClick(lab.step_button, LEFT)
    before = lab.model.trainer.parameters()
    qtbot.mouseClick(lab.play_button, LEFT)
    qtbot.waitUntil(lambda: lab.model.step_count >= 6, timeout=10000)
    qtbot.mouseClick(lab.play_button, LEFT)
    after, steps = lab.model.trainer.parameters(), lab.model.step_count
    assert window.history.stack.count() == 2
    assert action(window, "undoAction").text() == f"&Undo Training ({steps - 1} steps)"
    press(qtbot, lab.play_button)
    assert lab.model.step_count == 1 and lab.model.trainer.parameters() == before
    assert len(lab.model.history) == 1
    press(qtbot, lab.play_button, Qt.Key.Key_Y)
    assert lab.model.step_count == steps and lab.model.trainer.parameters() == after


def test_ctrl_z_while_training_pauses_and_undoes_the_run(qtbot, window):
    lab = network(qtbot, window)
    qtbot.mouseClick(lab.play_button, LEFT)
    qtbot.waitUntil(lambda: lab.model.step_count >= 3, timeout=10000)
    press(qtbot, lab.play_button)
    assert not lab.model.running and lab.model.step_count == 0
    assert action(window, "redoAction").text().startswith("&Redo Training (")


def test_a_weight_typed_by_hand_undoes(qtbot, window):
    from ui.network.test_network_at_a_glance import click_weight

    lab = network(qtbot, window)
    index = click_weight(qtbot, lab)
    old = lab.model.trainer.parameters()[index]
    field: QLineEdit = lab.weight_input
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "2.5")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert lab.model.trainer.parameters()[index] == 2.5
    label = lab.model.trainer.parameter_labels()[index]
    assert action(window, "undoAction").text() == f"&Undo Set {label}"
    press(qtbot, field)
    assert lab.model.trainer.parameters()[index] == old
    press(qtbot, field, Qt.Key.Key_Z, CTRL | SHIFT)
    assert lab.model.trainer.parameters()[index] == 2.5


def test_a_point_added_with_the_mouse_and_new_settings_undo_in_turn(qtbot, window):
    from ui.network.test_network_lab import click_plot

    lab = network(qtbot, window)
    count = len(lab.model.dataset)
    x0, x1, y0, y1 = lab.model.bounds()
    click_plot(qtbot, lab, x0 + 0.05 * (x1 - x0), y1 - 0.05 * (y1 - y0))  # an empty corner
    assert len(lab.model.dataset) == count + 1
    rate = lab.editor.learning_rate
    rate.lineEdit().selectAll()
    qtbot.keyClicks(rate.lineEdit(), "0.25")
    qtbot.keyClick(rate.lineEdit(), Qt.Key.Key_Return)
    assert lab.model.cfg.learning_rate == 0.25
    assert action(window, "undoAction").text() == "&Undo Change Network Settings"
    press(qtbot, rate)
    assert lab.model.cfg.learning_rate == 1.0 and rate.value() == 1.0
    assert action(window, "undoAction").text() == "&Undo Add Point"
    press(qtbot, rate)
    assert len(lab.model.dataset) == count
    press(qtbot, rate, Qt.Key.Key_Z, CTRL | SHIFT)
    assert len(lab.model.dataset) == count + 1
    x, y = lab.model.dataset.X[0]
    click_plot(qtbot, lab, x, y, Qt.MouseButton.RightButton)  # a right click removes a point
    assert len(lab.model.dataset) == count
    assert action(window, "undoAction").text() == "&Undo Remove Point"
    press(qtbot, rate)
    assert len(lab.model.dataset) == count + 1 and (lab.model.dataset.X[0] == (x, y)).all()


def test_one_history_across_both_labs(qtbot, window):
    lab = window.expression_lab
    qtbot.mouseClick(lab.buttons["descendButton"], LEFT)
    net = network(qtbot, window)
    qtbot.mouseClick(net.step_button, LEFT)
    press(qtbot, net.step_button)
    assert net.model.step_count == 0 and window.tabs.currentWidget() is window.network_tab
    press(qtbot, net.step_button)
    assert values(window) == {"a": -4.0, "b": 2.0}
    assert window.tabs.currentWidget() is lab  # the lab whose change was undone comes to the front
    press(qtbot, lab.canvas, Qt.Key.Key_Y)
    press(qtbot, lab.canvas, Qt.Key.Key_Y)
    assert net.model.step_count == 1 and window.tabs.currentWidget() is window.network_tab


def test_another_dataset_and_a_reset_undo_and_redo(qtbot, window):
    lab = network(qtbot, window)
    qtbot.mouseClick(lab.step_button, LEFT)
    trained = lab.model.trainer.parameters()
    combo = lab.data_panel.dataset_combo
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # the next dataset, as the arrow key picks it
    assert lab.model.data_settings.name != "moons"
    assert action(window, "undoAction").text() == "&Undo Change Data"
    press(qtbot, combo)
    assert lab.model.data_settings.name == "moons" and combo.currentText().lower().startswith("moons")
    assert lab.model.trainer.parameters() == trained and lab.model.step_count == 1
    qtbot.mouseClick(lab.reset_button, LEFT)
    assert lab.model.step_count == 0
    assert action(window, "undoAction").text() == "&Undo Reset Network"
    press(qtbot, lab.reset_button)
    assert lab.model.trainer.parameters() == trained
    press(qtbot, lab.reset_button, Qt.Key.Key_Y)
    assert lab.model.step_count == 0 and lab.model.trainer.parameters() != trained

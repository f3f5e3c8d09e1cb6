"""Menus and shortcuts act on the lab in front of the learner (issue 17.8): the expression lab's
commands bring it to the front first; Export writes the lab in front.  Driven by keys and menus."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QTabBar
from windows import open_window


def show_network_tab(qtbot, w) -> None:
    bar = w.tabs.findChild(QTabBar)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert w.tabs.currentWidget() is w.network_tab


def menu_action(w, menu: str, text: str):
    for top in w.menuBar().actions():
        if top.text().replace("&", "") == menu:
            for action in top.menu().actions():
                if action.text().replace("&", "").rstrip("…") == text:
                    return action
    raise LookupError(text)


def test_an_example_picked_on_the_network_tab_opens_in_front(qtbot):
    w = open_window(qtbot)
    show_network_tab(qtbot, w)
    menu_action(w, "Examples", "The lecture's first graph: L = (a*b + c) * f, which is -8.0").trigger()
    assert w.tabs.currentWidget() is w.expression_lab
    qtbot.waitUntil(lambda: w.expression_lab.model.graph is not None
                    and w.expression_lab.output_label.text() == "L = -8.0000", timeout=5000)
    # the status bar speaks of the graph the learner now sees
    assert w.statusBar().currentMessage().startswith("7 values in the graph")


def test_f10_on_the_network_tab_steps_backprop_where_the_learner_sees_it(qtbot):
    w = open_window(qtbot)
    show_network_tab(qtbot, w)
    qtbot.keyClick(w, Qt.Key.Key_F10)
    assert w.tabs.currentWidget() is w.expression_lab
    assert w.expression_lab.model.backprop_step == 0 and w.expression_lab.canvas.step_banner.isVisible()
    assert "expression lab" in w.statusBar().currentMessage()
    qtbot.keyClick(w, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    assert w.expression_lab.model.backprop_step == -1


def test_export_writes_the_lab_in_front(qtbot, tmp_path, monkeypatch):
    w = open_window(qtbot)
    asked = []

    def save_as(parent, title, name, kinds):
        asked.append(title)
        return str(tmp_path / name), kinds

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    qtbot.keyClick(w, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["Export graph"] and (tmp_path / "graph.png").exists()
    show_network_tab(qtbot, w)
    qtbot.keyClick(w, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert asked[-1] == "Export network lab" and w.tabs.currentWidget() is w.network_tab
    image = QImage(str(tmp_path / "network-lab.png"))
    assert image.width() == w.network_tab.width() and image.height() == w.network_tab.height()

"""File > Export, Copy Image and Import Weights, driven through the menu as a user would (the
file dialog answered by the test); every file written is read back by what people open it with:
SVG by Qt's SVG reader, CSV by csv, GraphML by networkx, weights by Import Weights."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QImage
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QFileDialog, QToolButton
from windows import open_window

from gradlab.training.exports import HISTORY_COLUMNS

LEFT = Qt.MouseButton.LeftButton
PLOTTING = ("import matplotlib.pyplot as plt\nxs = [0, 1, 2, 3]\nplt.plot(xs, [x * x for x in xs])\n"
            "a = Value(2.0)\nb = a * a\nb.backward()\n")


def export_through_menu(qtbot, window, monkeypatch, name: str, path) -> None:
    """Open File > Export, pick the entry ``name`` and answer the save dialog with ``path``."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    window.exports.menu.aboutToShow.emit()  # the menu fills itself for the lab in front
    action = window.exports.menu.findChild(QAction, name)
    assert action is not None and action.isEnabled(), action and action.toolTip()
    action.trigger()


def check_image(path) -> None:
    if path.suffix == ".svg":
        assert QSvgRenderer(str(path)).isValid() and b"<svg" in path.read_bytes()
    else:
        assert not QImage(str(path)).isNull() and QImage(str(path)).width() > 50


@pytest.fixture
def window(qtbot):
    return open_window(qtbot, "--size", "1280x720")


def test_the_expression_lab_exports_its_graph_graphml_and_plots(qtbot, window, monkeypatch, tmp_path):
    lab = window.expression_lab
    lab.load_source(PLOTTING, wait=True)
    for name, file in (("exportGraphAction", "g.png"), ("exportGraphAction", "g.svg"),
                       ("exportProgramPlotsAction", "p.png"), ("exportProgramPlotsAction", "p.svg")):
        export_through_menu(qtbot, window, monkeypatch, name, tmp_path / file)
        check_image(tmp_path / file)
    export_through_menu(qtbot, window, monkeypatch, "exportGraphmlAction", tmp_path / "g.graphml")
    g = nx.read_graphml(tmp_path / "g.graphml")
    labels = {d.get("label") for _, d in g.nodes(data=True) if d["kind"] == "value"}
    assert labels == {"a", "b"} and g.nodes["value0"]["grad"] == 4.0
    assert g.number_of_edges() == 2  # a * a: one edge a -> *, as draw_dot draws it


def test_an_export_with_nothing_to_export_is_greyed_and_says_why(qtbot, window):
    window.expression_lab.load_source("a = Value(2.0)\nb = a + 1\n", wait=True)
    window.exports.menu.aboutToShow.emit()
    plots = window.exports.menu.findChild(QAction, "exportProgramPlotsAction")
    assert not plots.isEnabled() and "draws no plot" in plots.toolTip()


def test_the_network_lab_exports_pictures_history_and_weights_and_imports_them(qtbot, window, monkeypatch,
                                                                              tmp_path):
    lab = window.show_network_lab()
    step = lab.findChild(QToolButton, "stepButton")
    for _ in range(3):
        qtbot.mouseClick(step, LEFT)
    for name in ("exportDecisionAction", "exportNetworkViewAction", "exportLossPlotAction"):
        for ext in ("png", "svg"):
            path = tmp_path / f"{name}.{ext}"
            export_through_menu(qtbot, window, monkeypatch, name, path)
            check_image(path)
    export_through_menu(qtbot, window, monkeypatch, "exportHistoryAction", tmp_path / "h.csv")
    rows = list(csv.reader(io.StringIO((tmp_path / "h.csv").read_text())))
    assert tuple(rows[0]) == HISTORY_COLUMNS and [r[0] for r in rows[1:]] == ["0", "1", "2"]
    assert float(rows[-1][1]) == lab.model.history[-1].loss
    export_through_menu(qtbot, window, monkeypatch, "exportWeightsAction", tmp_path / "w.json")
    saved = lab.model.trainer.parameters()
    assert json.loads((tmp_path / "w.json").read_text())["parameters"] == saved
    qtbot.mouseClick(lab.findChild(QToolButton, "resetButton"), LEFT)
    assert lab.model.trainer.parameters() != saved
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "w.json"), ""))
    window.exports.import_action.trigger()
    assert lab.model.trainer.parameters() == saved and lab.model.trainer.step_count == 3
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the import is one undo step
    assert lab.model.trainer.parameters() != saved and lab.model.trainer.step_count == 0


def test_a_broken_weights_file_is_refused_with_its_reason(qtbot, window, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"parameters": [1, 2]', encoding="utf-8")
    assert window.exports.import_weights(str(bad)) is False
    assert "not JSON" in window.statusBar().currentMessage()
    bad.write_text('{"config": {}, "parameters": [1, 2]}', encoding="utf-8")
    assert window.exports.import_weights(str(bad)) is False
    assert "Cannot import bad.json" in window.statusBar().currentMessage()


def test_copy_image_puts_the_picture_in_front_on_the_clipboard(qtbot, window):
    QApplication.clipboard().clear()
    window.activateWindow()
    mods = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_C, mods)
    image = QApplication.clipboard().image()
    canvas = window.expression_lab.canvas
    assert not image.isNull() and (image.width(), image.height()) == (canvas.width(), canvas.height())

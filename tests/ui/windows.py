"""Putting widgets on screen for the UI tests: one lab, panel or canvas (``shown``, which the
fixtures in conftest.py use), or the real window as the app opens it, for tests that look at
what a learner sees first (``open_window``); and what several UI tests share (typing into the
editor, measuring boxes on the canvas)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtWidgets import QApplication

from gradlab.app import build_window

PANEL_SIZE = (500, 420)


def shown(widget, qtbot, size=PANEL_SIZE):
    """``widget`` on screen (offscreen) at ``size``, exposed; qtbot closes it after the test."""
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def open_window(qtbot, *args: str):
    """``gradlab *args``'s window, shown, once its canvas has its size and has opened the
    graph for it (as the window does by itself, RELAYOUT_DELAY_MS after its last resize)."""
    w = build_window(list(args))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    settle(qtbot, w.expression_lab.canvas)
    return w


def settle(qtbot, canvas) -> None:
    """``canvas`` at its size with the drawing for it: what it lays out by itself
    RELAYOUT_DELAY_MS after its last resize, done now (a test need not idle through the delay)."""
    qtbot.waitUntil(lambda: canvas.width() > 100)
    QApplication.processEvents()  # resizes still queued restart the delay
    timer = canvas._relayout_timer
    while timer.isActive():
        timer.stop()
        canvas._relayout_for_size()
        QApplication.processEvents()


def whole_graph_in_view(canvas, margin: float = 0.05) -> bool:
    """Every node and edge of the canvas's drawing (less ``margin`` drawing units) is in view."""
    x0, y0, x1, y1 = canvas.drawing.extent()
    whole = QRectF(x0, y0, x1 - x0, y1 - y0).adjusted(margin, margin, -margin, -margin)
    return canvas.view_box.viewRect().contains(whole)


def node_rects_in_canvas(canvas) -> list[QRectF]:
    """Every box and op circle's rectangle, in the canvas widget's pixels."""
    view = canvas._view
    rects = []
    for (x, y), (hx, hy) in zip(canvas._pos.tolist(), canvas._half_max.tolist(), strict=True):
        corners = [view.mapFromScene(canvas.view_box.mapViewToScene(QPointF(x + sx * hx, y + sy * hy)))
                   for sx, sy in ((-1, -1), (1, 1))]
        top_left = view.viewport().mapTo(canvas, corners[0])
        bottom_right = view.viewport().mapTo(canvas, corners[1])
        rects.append(QRectF(QPointF(top_left), QPointF(bottom_right)))
    return rects


def paste(qtbot, expression_lab, text: str) -> None:
    """Replace the editor's text by pasting, as a learner would."""
    QApplication.clipboard().setText(text)
    expression_lab.editor.setFocus()
    qtbot.keyClick(expression_lab.editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(expression_lab.editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def run_key(qtbot, expression_lab) -> None:
    qtbot.keyClick(expression_lab.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

"""Putting widgets on screen for the UI tests: one lab, panel or canvas (``shown``, which the
fixtures in conftest.py use), or the real window as the app opens it, for tests that look at
what a learner sees first (``open_window``)."""

from __future__ import annotations

from PySide6.QtCore import QRectF

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
    canvas = w.expression_lab.canvas
    qtbot.waitUntil(lambda: canvas.width() > 100 and not canvas._relayout_timer.isActive())
    return w


def whole_graph_in_view(canvas, margin: float = 0.05) -> bool:
    """Every node and edge of the canvas's drawing (less ``margin`` drawing units) is in view."""
    x0, y0, x1, y1 = canvas.drawing.extent()
    whole = QRectF(x0, y0, x1 - x0, y1 - y0).adjusted(margin, margin, -margin, -margin)
    return canvas.view_box.viewRect().contains(whole)

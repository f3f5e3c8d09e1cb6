"""Outlines round the widgets a lesson step names, so the learner finds them at once.

Each outline is a frame drawn over its widget, transparent to the mouse, on the window itself (a
child of the widget's own parent could be taken in by it: a QSplitter makes every child a pane);
it follows the widget as it moves, resizes, shows and hides, and the widget's look is left alone.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

__all__ = ["HIGHLIGHT_COLOUR", "Highlighter", "Outline"]

#: the outline's colour: a teal no fill, edge or path of either lab uses
HIGHLIGHT_COLOUR = QColor("#00a39a")
_PAD = 3  # pixels between the widget and its outline


def _seen_rect(widget: QWidget, root: QWidget) -> QRect:
    """The part of ``widget`` its ancestors up to ``root`` leave in view, in ``root``'s pixels
    (a scroll area's viewport cuts off what is scrolled away)."""
    rect = QRect(widget.mapTo(root, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        rect &= QRect(parent.mapTo(root, QPoint(0, 0)), parent.size())
        parent = parent.parentWidget()
    return rect


class Outline(QWidget):
    """A rounded outline round ``target``, drawn on ``root`` (the window) above everything."""

    def __init__(self, target: QWidget, root: QWidget) -> None:
        super().__init__(root)
        self.setObjectName("lessonHighlight")
        self.target = target
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        target.installEventFilter(self)
        self.follow()

    def follow(self) -> None:
        """Sit round the target, shown only while some of it is (not behind a tab, not
        scrolled away)."""
        t = self.target
        seen = _seen_rect(t, self.parentWidget()) if t.isVisible() else QRect()
        if not seen.isEmpty():
            self.setGeometry(seen.adjusted(-_PAD, -_PAD, _PAD, _PAD))
            self.raise_()
        self.setVisible(not seen.isEmpty())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide):
            QTimer.singleShot(0, self, self.follow)  # once the layout has placed everything
        return False

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(HIGHLIGHT_COLOUR, 3))
        p.drawRoundedRect(QRect(1, 1, self.width() - 2, self.height() - 2), 5, 5)

    def remove(self) -> None:
        self.target.removeEventFilter(self)
        self.hide()
        self.deleteLater()


class Highlighter:
    """Outlines the widgets of ``root`` (a window) named by objectName; one set at a time."""

    def __init__(self, root: QWidget) -> None:
        self.root = root
        self.outlines: list[Outline] = []

    def show(self, names: tuple[str, ...] | list[str]) -> list[str]:
        """Outline the widgets called ``names`` (replacing the outlines before); the names no
        widget has (yet: the network lab may not be built) are returned."""
        self.clear()
        missing = []
        for name in names:
            found = [w for w in self.root.findChildren(QWidget, name) if not w.isWindow()]
            if not found:
                missing.append(name)
            self.outlines.extend(Outline(w, self.root) for w in found)
        return missing

    def names(self) -> list[str]:
        """The objectNames outlined now."""
        return [o.target.objectName() for o in self.outlines]

    def clear(self) -> None:
        for outline in self.outlines:
            outline.remove()
        self.outlines = []

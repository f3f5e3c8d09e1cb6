"""Outlines round the widgets a lesson step names, so the learner finds them at once.

Each outline is a frame drawn over its widget (a sibling on top of it, transparent to the mouse),
following it as it moves, resizes, shows and hides; the widget's own look is left alone.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

__all__ = ["HIGHLIGHT_COLOUR", "Highlighter", "Outline"]

#: the outline's colour: the lesson panel's accent, unlike any fill of the graph's
HIGHLIGHT_COLOUR = QColor("#d81b60")
_PAD = 3  # pixels between the widget and its outline


class Outline(QWidget):
    """A rounded outline round ``target``, drawn on ``target``'s parent above it."""

    def __init__(self, target: QWidget) -> None:
        super().__init__(target.parentWidget())
        self.setObjectName("lessonHighlight")
        self.target = target
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        target.installEventFilter(self)
        self.follow()

    def follow(self) -> None:
        """Sit round the target, shown only while it is."""
        t = self.target
        self.setGeometry(t.geometry().adjusted(-_PAD, -_PAD, _PAD, _PAD))
        self.setVisible(t.isVisible())
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide):
            self.follow()
        return False

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(HIGHLIGHT_COLOUR, 2.5))
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
            found = [w for w in self.root.findChildren(QWidget, name) if w.parentWidget() is not None]
            if not found:
                missing.append(name)
            self.outlines.extend(Outline(w) for w in found)
        return missing

    def names(self) -> list[str]:
        """The objectNames outlined now."""
        return [o.target.objectName() for o in self.outlines]

    def clear(self) -> None:
        for outline in self.outlines:
            outline.remove()
        self.outlines = []

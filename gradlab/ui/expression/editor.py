"""The program editor: a QPlainTextEdit with line numbers, highlighting and an error mark."""

from __future__ import annotations

import keyword
import re

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontDatabase,
    QPainter,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from gradlab import ops


def _op_names() -> tuple[str, ...]:
    """The names highlighted as the engine's: every op of gradlab.ops, backward, _backward, print."""
    return (*ops.UNARY, "backward", "_backward", "print")


def _fmt(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    f = QTextCharFormat()
    f.setForeground(QColor(color))
    if bold:
        f.setFontWeight(QFont.Weight.Bold)
    f.setFontItalic(italic)
    return f


class PythonHighlighter(QSyntaxHighlighter):
    """Keywords, numbers, strings, comments, ``Value`` and the engine's methods, each in a colour
    that reads at 4.5:1 on the editor's white (WCAG)."""

    RULES = [
        (re.compile(r"\b(" + "|".join(keyword.kwlist) + r")\b"), _fmt("#8959a8", bold=True)),
        (re.compile(r"\bValue\b"), _fmt("#2b7a80", bold=True)),
        (None, _fmt("#4271ae")),  # the op names: filled in per highlighter from the op table
        (re.compile(r"\.(data|grad|label)\b"), _fmt("#c82829")),
        (re.compile(r"\b\d+\.?\d*(?:[eE][-+]?\d+)?\b"), _fmt("#b35400")),
        (re.compile(r"(?:[fFrRbB]{0,2})(\"[^\"\n]*\"|'[^'\n]*')"), _fmt("#5b7000")),
        (re.compile(r"#[^\n]*"), _fmt("#6a6f73", italic=True)),
    ]

    def __init__(self, document) -> None:
        super().__init__(document)
        ops_rule = re.compile(r"\b(" + "|".join(map(re.escape, _op_names())) + r")\b")
        self.rules = [(pattern or ops_rule, fmt) for pattern, fmt in self.RULES]

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        for pattern, fmt in self.rules:
            for m in pattern.finditer(text):
                self.setFormat(m.start(), m.end() - m.start(), fmt)


class _LineNumberArea(QWidget):
    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.editor.line_number_width(), 0)

    def paintEvent(self, event) -> None:  # noqa: N802
        self.editor.paint_line_numbers(event)


class CodeEditor(QPlainTextEdit):
    """The editor (objectName ``expressionEditor``); Ctrl+Enter asks to run now."""

    #: Ctrl+Enter or Ctrl+Return was pressed (no payload)
    run_requested = Signal()

    ERROR_BACKGROUND = QColor("#fde2e1")
    LINKED_BACKGROUND = QColor("#dbeafe")  # the line that made the node selected in the graph

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("expressionEditor")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSize(max(font.pointSize(), 10))
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 4)
        self.setPlaceholderText("Type a micrograd program, e.g.\na = Value(2.0)\nb = a * a + 1")
        self.setToolTip("The program: micrograd-style Python. It re-runs when you stop typing "
                        "(or press Ctrl+Enter).")
        self._highlighter = PythonHighlighter(self.document())
        self._numbers = _LineNumberArea(self)
        self._error_line = 0
        self._linked_line = 0
        #: counts the times the text was replaced wholesale (setPlainText), which forgets the
        #: document's undo steps: an undo history's step of an older count is gone
        self.history_generation = 0
        #: (Undo, Redo) actions of a history the editor's steps belong to (gradlab.ui.undo): the
        #: context menu shows them in place of the document's own; None: the document's
        self.history_actions = None
        self.blockCountChanged.connect(self._update_margin)
        self.updateRequest.connect(self._on_update_request)
        self._update_margin()

    # -- error mark -------------------------------------------------------------------------

    def mark_error(self, line: int) -> None:
        """Tint line ``line`` (1-based; 0 clears the mark)."""
        self._error_line = line
        self._apply_marks()

    def mark_linked(self, line: int) -> None:
        """Tint line ``line``, the one that made the node selected in the graph (0: none), and
        scroll it into view; the cursor stays where it is."""
        self._linked_line = line
        self._apply_marks()
        block = self.document().findBlockByNumber(line - 1) if line > 0 else None
        if block is not None and block.isValid():
            top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
            if not 0 <= top <= self.viewport().height() - self.fontMetrics().height():
                self.verticalScrollBar().setValue(block.blockNumber() - 2)

    def linked_line(self) -> int:
        return self._linked_line

    def cursor_line(self) -> int:
        """The 1-based line the cursor is on."""
        return self.textCursor().blockNumber() + 1

    def _apply_marks(self) -> None:
        selections = []
        marks = ((self._linked_line, self.LINKED_BACKGROUND), (self._error_line, self.ERROR_BACKGROUND))
        for line, colour in marks:
            block = self.document().findBlockByNumber(line - 1) if line > 0 else None
            if block is not None and block.isValid():
                sel = QTextEdit.ExtraSelection()
                sel.format.setBackground(colour)
                sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
                sel.cursor = self.textCursor()
                sel.cursor.setPosition(block.position())
                sel.cursor.clearSelection()
                selections.append(sel)
        self.setExtraSelections(selections)
        self._numbers.update()

    def error_line(self) -> int:
        return self._error_line

    # -- undo -------------------------------------------------------------------------------------

    def setPlainText(self, text: str) -> None:  # noqa: N802 (Qt override)
        self.history_generation += 1
        super().setPlainText(text)

    def contextMenuEvent(self, event) -> None:  # noqa: N802 (Qt override)
        menu = self.createStandardContextMenu(event.pos())
        if self.history_actions is not None:  # the window's Undo and Redo, not the document's
            for name, mine in zip(("edit-undo", "edit-redo"), self.history_actions, strict=True):
                own = menu.findChild(QAction, name)
                if own is not None:
                    menu.insertAction(own, mine)
                    menu.removeAction(own)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())

    # -- keys -----------------------------------------------------------------------------------

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.run_requested.emit()
            return
        super().keyPressEvent(event)

    # -- line numbers -----------------------------------------------------------------------

    def line_number_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 12 + self.fontMetrics().horizontalAdvance("9") * max(2, digits)

    def _update_margin(self, *_: object) -> None:
        self.setViewportMargins(self.line_number_width(), 0, 0, 0)

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self._numbers.scroll(0, dy)
        else:
            self._numbers.update(0, rect.y(), self._numbers.width(), rect.height())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        cr = self.contentsRect()
        self._numbers.setGeometry(QRect(cr.left(), cr.top(), self.line_number_width(), cr.height()))

    def paint_line_numbers(self, event) -> None:
        painter = QPainter(self._numbers)
        painter.fillRect(event.rect(), QColor("#f4f5f7"))
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                is_error = number + 1 == self._error_line
                painter.setPen(QColor("#c82829") if is_error else QColor("#6a6f73"))
                painter.drawText(0, top, self._numbers.width() - 6, height,
                                 Qt.AlignmentFlag.AlignRight, str(number + 1))
            block = block.next()
            top = bottom
            bottom = top + round(self.blockBoundingRect(block).height())
            number += 1
        painter.end()

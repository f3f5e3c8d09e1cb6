"""Text from a program is text: cut to a readable length, and never read as HTML.

A program chooses its labels (``Value(1.0, label='W' * 290000)``,
``label='<img src=...>'``); every widget that shows one goes through ``elide``
and shows it as plain text (``plain_label``, or ``html.escape`` where a sentence
needs bold), so a label can neither freeze a layout nor load a file.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

#: how many characters of a name a widget shows before the ellipsis
NAME_CHARS = 40
ELLIPSIS = "…"
#: a wrapping label may break a word without spaces after this many characters
BREAK_EVERY = 12
ZWSP = "\u200b"
_RUN = re.compile(rf"\S{{{BREAK_EVERY + 1},}}")


def elide(text: str, limit: int = NAME_CHARS) -> str:
    """``text`` cut to at most ``limit`` characters, ending in an ellipsis when it was cut."""
    text = str(text)
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS


def breakable(text: str, every: int = BREAK_EVERY) -> str:
    """``text`` with a zero-width space inside every run of more than ``every`` characters
    without a space, so a word-wrapping label can wrap ``WWWW…`` instead of growing with it."""
    return _RUN.sub(lambda m: ZWSP.join(m.group()[k:k + every] for k in range(0, len(m.group()), every)),
                    text)


def escaped(text: str, limit: int = NAME_CHARS) -> str:
    """``text`` elided, breakable and escaped, ready to sit inside a rich-text sentence."""
    return html.escape(breakable(elide(text, limit)), quote=False)


def plain_label(text: str = "", name: str = "") -> QLabel:
    """A QLabel that shows ``text`` as plain text, whatever it looks like."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    if name:
        label.setObjectName(name)
    return label


#: the colour of a quiet explanation (why a slider is off, why a panel is empty)
NOTE_COLOUR = "#5c636a"  # quiet, yet 4.5:1 on the window (WCAG)


def note_label(text: str = "", name: str = "") -> QLabel:
    """A quiet, wrapped, plain-text label: an explanation beside or instead of a control."""
    label = plain_label(text, name)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {NOTE_COLOUR};")
    return label


def tip(text: str) -> str:
    """A tooltip that shows ``text`` literally: Qt reads a tooltip that looks like HTML as HTML."""
    return "<qt>" + html.escape(text, quote=False).replace("\n", "<br>") + "</qt>"

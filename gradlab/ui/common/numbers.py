"""Number boxes that read what a person types: ``.`` and the locale's decimal point both, and
text that could mean two numbers (``1,5`` in an English locale) refused with a message, never
guessed.  The reading itself is gradlab.numfmt.read_number; here it meets the widget's locale."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox, QToolTip, QWidget

from gradlab.numfmt import read_number

#: what a box may hold while a number is half typed (``-``, ``1e``, ``2.``): not yet a mistake
_PARTIAL = ("", "-", "+", ".", ",")


def read_typed(widget: QWidget, text: str) -> float:
    """The number ``text`` means in ``widget``'s locale; ValueError with a message if none."""
    locale = widget.locale()
    return read_number(text, locale.decimalPoint(), locale.groupSeparator())


def say_refused(widget: QWidget, message: str) -> None:
    """Show why a box refused its text, at the box (a tooltip that stays until the next move)."""
    widget.setToolTip(message)
    QToolTip.showText(widget.mapToGlobal(QPoint(0, widget.height())), message, widget)


class _TypedNumber:
    """What NumberSpinBox and WholeSpinBox share: typed text read with read_typed.  Unreadable or
    out-of-range text stays in the box while it is typed; when the edit ends it is refused:
    ``refused`` (the message) is emitted, the message shows at the box, and the box keeps its last
    good value.  ``problem`` holds the last refusal ("" once a value is taken)."""

    problem = ""

    def __init__(self, parent: QWidget | None = None, **props) -> None:
        super().__init__(parent, **props)
        self.setKeyboardTracking(False)  # the value is taken when the edit ends, or refused whole
        self.valueChanged.connect(self._clear_problem)

    def _read(self, text: str) -> float:
        special = self.specialValueText()
        if special and text.strip() == special:  # "off", "full": the box's minimum, by its name
            return self.minimum()
        value = read_typed(self, self._bare(text))
        if self._whole and value != int(value):
            raise ValueError(f"'{text.strip()}' is not a whole number: this box counts")
        return value

    def valueFromText(self, text: str):  # noqa: N802 (Qt override)
        try:
            value = self._read(text)
        except (ValueError, OverflowError):
            return self.value()
        return int(value) if self._whole else value

    def validate(self, text: str, pos: int):
        """Acceptable: a number in range; Intermediate otherwise, so typing is never blocked and
        ``fixup`` can say what is wrong when the edit ends."""
        try:
            value = self._read(text)
        except (ValueError, OverflowError):
            return QValidator.State.Intermediate, text, pos
        ok = self.minimum() <= value <= self.maximum()
        return (QValidator.State.Acceptable if ok else QValidator.State.Intermediate), text, pos

    def fixup(self, text: str) -> str:
        bare = self._bare(text)
        if bare in _PARTIAL:
            return text
        try:
            value = self._read(text)
        except (ValueError, OverflowError) as err:
            self._refuse(str(err))
        else:
            low, high = self.textFromValue(self.minimum()), self.textFromValue(self.maximum())
            self._refuse(f"{value:g} is outside what this box takes ({low} to {high})")
        return text

    def _bare(self, text: str) -> str:
        text = text.strip()
        for affix in (self.prefix(), self.suffix()):
            if affix.strip():
                text = text.replace(affix.strip(), "")
        return text.strip()

    def _refuse(self, message: str) -> None:
        self.problem = message
        say_refused(self, message)
        self.refused.emit(message)

    def _clear_problem(self) -> None:
        self.problem = ""


class NumberSpinBox(_TypedNumber, QDoubleSpinBox):
    """A QDoubleSpinBox that reads ``.`` and the locale's decimal point (see _TypedNumber)."""

    refused = Signal(str)
    _whole = False


class WholeSpinBox(_TypedNumber, QSpinBox):
    """A QSpinBox that refuses ``1,5`` (never 15) and ``2.5`` with a message (see _TypedNumber)."""

    refused = Signal(str)
    _whole = True

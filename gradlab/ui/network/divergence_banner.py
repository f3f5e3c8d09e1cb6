"""``divergenceBanner``: training ran away, in words, with the fix one click away.

The banner shows the core's message (``gradlab.training.TrainingDiverged``: what happened,
the learning rate, half of it) and a button, ``halveRateButton``, that asks for half the rate
and a fresh start (``halve_requested``); ✕ (``closeDivergenceButton``) hides it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

__all__ = ["DivergenceBanner"]

STYLE = """
#divergenceBanner { background: #fdecea; border: 1px solid #e0a39d; border-radius: 4px; }
#divergenceBanner QLabel { color: #7a1c14; }
"""


class DivergenceBanner(QFrame):
    """Hidden until ``show_divergence``; says what happened and offers half the learning rate."""

    #: the user asked for half the learning rate (and a fresh start)
    halve_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("divergenceBanner")
        self.setStyleSheet(STYLE)
        self.title = QLabel(objectName="divergenceTitle")
        self.title.setStyleSheet("font-weight: bold;")
        self.text = QLabel(objectName="divergenceText")
        self.text.setWordWrap(True)
        self.halve_button = QPushButton(objectName="halveRateButton")
        self.halve_button.setToolTip("Halve the learning rate, then start again from fresh weights "
                                     "(the seed's): press Play to train")
        self.halve_button.clicked.connect(self.halve_requested)
        close = QToolButton(text="✕", objectName="closeDivergenceButton", toolTip="Hide this message")
        close.clicked.connect(self.hide)
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.title)
        words.addWidget(self.text)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        row.addLayout(words, 1)
        row.addWidget(self.halve_button)
        row.addWidget(close)
        self.hide()

    def show_divergence(self, message: str, learning_rate: float) -> None:
        """Show the core's ``message``; the button offers half of ``learning_rate``."""
        self.title.setText("⚠ Training paused: the loss is running away")
        self.text.setText(message[:1].upper() + message[1:])
        self.halve_button.setText(f"Halve the learning rate to {learning_rate / 2:g}")
        self.show()

    def message(self) -> str:
        """The message shown ("" when hidden)."""
        return self.text.text() if not self.isHidden() else ""

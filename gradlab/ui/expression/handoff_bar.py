"""Above the console, for a program that trained an ``MLP`` on lists of points (the lecture's loop):
"Open in the network lab" (``openInNetworkLabButton``) beside what opens ("n: MLP 2-4-4-1, 6
points"), or, disabled, with the reason under it ("the network lab draws 1 or 2 inputs; this MLP
takes 3").

The bar reads the program's ``trained`` descriptions (gradlab.lang.trained, made in the worker)
through ``gradlab.labs.handoff``; a program without an MLP hides it.  The main window answers
``open_requested`` (gradlab.ui.lab_handoff).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout

from gradlab.labs.handoff import Handoff, network_handoff
from gradlab.ui.common.text import elide

__all__ = ["HandoffBar"]


def _label(name: str) -> QLabel:
    label = QLabel(objectName=name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
    return label


class HandoffBar(QFrame):
    """``handoffBar``: the program's MLP and the button that opens it in the network lab."""

    #: the learner asked to open the program's MLP: the gradlab.labs.handoff.Handoff to open
    open_requested = Signal(object)

    def __init__(self, model) -> None:
        super().__init__(objectName="handoffBar")
        self.model = model
        self.handoff: Handoff | None = None
        self.setStyleSheet("#handoffBar { background: #eef4fb; border: 1px solid #c7d7ea; "
                           "border-radius: 4px; }")
        col = QVBoxLayout(self)
        col.setContentsMargins(6, 2, 2, 2)
        col.setSpacing(0)
        row = QHBoxLayout()
        self.note = _label("handoffNote")
        row.addWidget(self.note, 1)
        self.button = QToolButton(objectName="openInNetworkLabButton", text="Open in the network lab")
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button.clicked.connect(self._on_clicked)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        col.addLayout(row)
        self.reason = _label("handoffReason")
        self.reason.setStyleSheet("color: #555;")
        col.addWidget(self.reason)
        model.program_changed.connect(self.show_program)
        self.hide()

    def show_program(self) -> None:
        """Offer the program's MLP (hidden when it left none)."""
        program = self.model.program
        self.handoff = handoff = network_handoff(program.trained) if program is not None else None
        self.setVisible(handoff is not None)
        if handoff is None:
            return
        ready = handoff.state is not None
        name = elide(handoff.name or "MLP", 40)
        self.button.setEnabled(ready)
        self.note.setText(f"{name}: {handoff.headline}" if ready else f"{name}: not for the network lab")
        self.reason.setText("" if ready else f"Why: {handoff.problem}.")
        self.reason.setVisible(not ready)
        tip = handoff.summary if ready else f"Why not: {handoff.problem}."
        for widget in (self.button, self.note, self.reason):
            widget.setToolTip(tip)

    def _on_clicked(self) -> None:
        if self.handoff is not None and self.handoff.state is not None:
            self.open_requested.emit(self.handoff)

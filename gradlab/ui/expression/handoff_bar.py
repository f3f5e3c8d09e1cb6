"""Above the console, for a program that trained an ``MLP`` on lists of points (the lecture's loop):
"Open in the network lab" (``openInNetworkLabButton``), with what opens, or why it cannot, beside it.

The bar reads the program's ``trained`` descriptions (gradlab.lang.trained, made in the worker)
through ``gradlab.labs.handoff``; a program without an MLP hides it.  The main window answers
``open_requested``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton

from gradlab.labs.handoff import Handoff, network_handoff

__all__ = ["HandoffBar"]


class HandoffBar(QFrame):
    """``handoffBar``: a note on the program's MLP and the button that opens it in the network lab."""

    #: the learner asked to open the program's MLP: the gradlab.labs.handoff.Handoff to open
    open_requested = Signal(object)

    def __init__(self, model) -> None:
        super().__init__(objectName="handoffBar")
        self.model = model
        self.handoff: Handoff | None = None
        self.setStyleSheet("#handoffBar { background: #eef4fb; border: 1px solid #c7d7ea; "
                           "border-radius: 4px; }")
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 2, 2, 2)
        self.note = QLabel(objectName="handoffNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(self.note, 1)
        self.button = QToolButton(objectName="openInNetworkLabButton", text="Open in the network lab")
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button.clicked.connect(self._on_clicked)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
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
        self.button.setEnabled(ready)
        name = handoff.name or "this MLP"
        self.note.setText(f"{name} is an MLP your program trained." if ready
                          else f"{name} cannot open in the network lab: {handoff.problem}.")
        tip = handoff.summary if ready else f"Why not: {handoff.problem}."
        self.button.setToolTip(tip)
        self.note.setToolTip(tip)

    def _on_clicked(self) -> None:
        if self.handoff is not None and self.handoff.state is not None:
            self.open_requested.emit(self.handoff)

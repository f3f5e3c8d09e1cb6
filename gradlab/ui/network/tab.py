"""The network lab's tab: it builds the lab the first time it is shown, so that the app's
start-up does not pay for it (importing and building the lab takes about half a second), and
holds a session's saved lab state until then."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

__all__ = ["NetworkLabTab"]


class NetworkLabTab(QWidget):
    """A placeholder that becomes the ``NetworkLab`` when first shown (or asked for)."""

    #: the lab was built: the NetworkLab
    lab_built = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkLabTab")
        self.lab = None
        self._pending: dict | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def ensure_lab(self):
        """The lab, built now if it was not yet (with any saved state restored into it)."""
        if self.lab is None:
            from gradlab.ui.network.lab import NetworkLab

            self.lab = NetworkLab(parent=self)
            self.layout().addWidget(self.lab)
            self.lab_built.emit(self.lab)
            self.lab.status_message.emit("Network lab: press Play (Space) to train, click a weight to probe "
                                         "it, click a data point to trace it (Help → Network Lab)", 15000)
            if self._pending is not None:
                state, self._pending = self._pending, None
                problem = self.lab.restore(state)
                if problem:
                    self.lab.status_message.emit(f"Network lab: {problem}", 15000)
        return self.lab

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.ensure_lab()
        super().showEvent(event)

    def state(self) -> dict | None:
        """What a session keeps of the lab: its state, or the saved one it has not opened yet."""
        return self.lab.state() if self.lab is not None else self._pending

    def restore(self, state: dict | None) -> str:
        """Restore ``state`` now if the lab exists, else when it is first shown; "" or the problem."""
        if state is None:
            return ""
        if self.lab is None:
            self._pending = state
            return ""
        return self.lab.restore(state)

"""The two labs joined, in the window: a program's trained MLP opens in the network lab
(``openInNetworkLabButton``), a traced point's graph opens in the expression lab as a program
(``showAsProgramButton``).  The target lab comes to the front; the work it replaces is kept first
(File > Recover Previous Work), as an open does.  What opens is gradlab.labs.handoff's."""

from __future__ import annotations

from PySide6.QtCore import QObject

from gradlab.ui.autosave import BUSY_RUNNING

__all__ = ["LabHandoff"]


class LabHandoff(QObject):
    """Answers both labs' handoff buttons for ``window`` (a MainWindow)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        window.expression_lab.handoff_bar.open_requested.connect(self.open_in_network_lab)
        window.network_tab.lab_built.connect(lambda lab: lab.program_requested.connect(self.show_as_program))

    def open_in_network_lab(self, handoff) -> bool:
        """A program's trained MLP (a gradlab.labs.handoff.Handoff) in the network lab; False after
        saying why it could not open."""
        w = self.window
        w.keeper.keep_current_work()
        problem = w.show_network_lab().restore({"model": handoff.state, "view": {}})
        if problem:
            return w.show_error(f"Cannot open {handoff.name} in the network lab: {problem}")
        w.statusBar().showMessage(f"Opened {handoff.name} from your program: {handoff.headline}. "
                                  f"{handoff.loss_note}", 15000)
        return True

    def show_as_program(self, source: str) -> None:
        """A traced point's graph as a program, run in the expression lab."""
        w = self.window
        w.keeper.keep_current_work()
        w.tabs.setCurrentWidget(w.expression_lab)
        w.keeper.opened_text = source
        with w.autosaver.marked(BUSY_RUNNING):
            w.expression_lab.load_source(source, wait=not w.isVisible())
        w.statusBar().showMessage("The traced point's graph as a program: the network lab's weights and "
                                  "numbers", 8000)

"""The network lab's traced point: a click on a data point shows its graph under the network
(``pointGraph``), with a caption of its loss; a click on a value there opens it in an inspector,
a right-click on a neuron collapses or expands it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt

from gradlab.labs.handoff import point_program
from gradlab.ui.network.lab_widgets import POINT_HINT
from gradlab.ui.network.point_trace import loss_meaning

__all__ = ["MAX_TRACE_PARAMETERS", "PointPane"]

#: a point graph has about three values per parameter; past this many parameters its layout
#: alone takes most of a second
MAX_TRACE_PARAMETERS = 2500


class PointPane(QObject):
    """Answers the traced point's widgets of a ``NetworkLab`` and its model's ``point_selected``."""

    def __init__(self, lab) -> None:
        super().__init__(lab)
        self.lab = lab
        lab.model.point_selected.connect(self.on_point_selected)
        lab.point_graph.node_clicked.connect(self.on_node_clicked)
        lab.point_graph.viewport_widget().installEventFilter(self)
        lab.collapse_check.toggled.connect(self.on_collapse_toggled)
        lab.trace.on_refresh = self.write_caption
        lab.show_program_button.clicked.connect(self.on_show_as_program)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        """Right-click on a neuron in the point graph collapses or expands it."""
        lab = self.lab
        if (event.type() == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.RightButton
                and watched is lab.point_graph.viewport_widget()):
            shown = lab.point_graph.node_at(event.position().toPoint())
            neuron = lab.trace.neuron_of(lab.trace.to_full(shown))
            if neuron >= 0:
                lab.trace.toggle(neuron)
                return True
        return super().eventFilter(watched, event)

    def on_node_clicked(self, shown: int) -> None:
        """A weight opens in the weight inspector (the training loss); any other value in the
        node inspector (this point's loss)."""
        lab = self.lab
        lab.point_graph.set_selected(shown)
        index = lab.trace.to_full(shown)
        parameter = lab.trace.parameter_of(index)
        if parameter >= 0:
            lab.probe_model.select(parameter)
            lab.inspector_tabs.setCurrentWidget(lab.inspector)
        elif index >= 0:
            lab.trace.model.select(index)
            lab.inspector_tabs.setCurrentWidget(lab.node_inspector)
            lab.status_message.emit(lab.trace.describe(index), 8000)

    def on_point_selected(self, index: int) -> None:
        """Trace point ``index`` (-1: none), unless its graph is too big to draw live."""
        lab = self.lab
        lab.decision_plot.set_selected_point(index)
        trainer = lab.model.trainer
        lab.show_program_button.setVisible(index >= 0 and trainer is not None)
        if index < 0 or trainer is None:
            lab.trace.clear()
            lab.point_caption.setText(POINT_HINT)
            lab.point_caption.setToolTip("")
            lab.panes.show()
            return
        count = len(trainer.parameters())
        if count > MAX_TRACE_PARAMETERS:
            lab.show_program_button.hide()  # its program would be as big as its graph
            lab.trace.clear()
            lab.point_caption.setText(f"Point {index}: this network has {count:,} parameters, and its point "
                                      f"graph would hold about {3 * count:,} values, too many to draw live. "
                                      f"Trace points of networks up to {MAX_TRACE_PARAMETERS:,} parameters.")
            lab.panes.show()
            return
        lab.panes.show(traced=True)
        with lab.model.lock:  # the trace copies the trainer's state
            lab.trace.show(trainer, index, collapse=lab.collapse_check.isChecked())
        self.write_caption()

    def write_caption(self) -> None:
        """Which point is traced, its loss and what that means (it changes as training goes)."""
        m, trace = self.lab.model, self.lab.trace
        if trace.graph is None or m.trainer is None:
            return
        train, caption = m.trainer.train_set, self.lab.point_caption
        where = ", ".join(f"{v:.2f}" for v in train.X[trace.index])
        what = "target" if m.kind == "regression" else "class"
        caption.setText(f"Point {trace.index} at ({where}), {what} {train.y[trace.index]:.4g}. "
                        f"{loss_meaning(m.cfg.loss, trace.loss)}")
        caption.setToolTip(f"This point's loss through the network: {len(trace):,} values. "
                           "Scroll to zoom, click a value to probe it, right-click a neuron to expand it.")

    def on_show_as_program(self) -> None:
        """The traced point's graph as a program, for the expression lab (``program_requested``)."""
        lab = self.lab
        index, trainer = lab.model.selected_point, lab.model.trainer
        if index < 0 or trainer is None:
            return
        with lab.model.lock:  # the weights as they are now, not half a step later
            source = point_program(trainer, index)
        lab.program_requested.emit(source)

    def on_collapse_toggled(self, on: bool) -> None:
        self.lab.trace.set_collapsed(self.lab.trace.neurons() if on else ())

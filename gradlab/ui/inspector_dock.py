"""The expression lab's inspector on demand: beside the canvas while a node is selected, hidden
while none is, so that the graph has the room (issue 9: readable at fit at 1280x720).

The graph holds still as the inspector opens and closes: the same drawing at the same scale,
the inspected node where it was on the screen (``GraphCanvas.hold_view``).  Closed, the canvas
has its width back; a view the learner has not moved is opened again, in the same drawing.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF
from PySide6.QtWidgets import QApplication, QSplitter, QWidget

from gradlab.ui.graph_canvas import GraphCanvas


class InspectorOnDemand(QObject):
    """Shows ``inspector`` (the last widget of ``split``, next to ``canvas``) while ``model``
    has a selection.  Construct it after the lab's own slots are connected: it acts after them."""

    def __init__(self, split: QSplitter, inspector: QWidget, canvas: GraphCanvas, model) -> None:
        super().__init__(split)
        self.split, self.inspector, self.canvas, self.model = split, inspector, canvas, model
        self.inspector_width = inspector.minimumWidth()  # as the learner last left it
        self._fresh_graph = False  # a new graph, not yet past its first selection_changed
        self._inspected = model.selected  # the node the inspector shows (-1: none)
        inspector.setHidden(model.selected < 0)
        model.program_changed.connect(self._on_program_changed)
        model.selection_changed.connect(self._on_selection_changed)

    def _on_program_changed(self) -> None:
        self._fresh_graph = True

    def _on_selection_changed(self, index: int) -> None:
        fresh, self._fresh_graph = self._fresh_graph, False
        if (index >= 0) == self.inspector.isHidden():
            self._show(index, fresh)
        self._inspected = index

    def _show(self, index: int, fresh: bool) -> None:
        """Open the inspector for node ``index`` or close it (-1), the graph holding still.
        Closed: a view the learner has not moved opens again, one that showed the whole graph
        fits again, in the same drawing; a ``fresh`` graph (not seen yet) takes the drawing
        that suits the canvas."""
        canvas = self.canvas
        held = canvas.isVisible() and canvas.graph is not None and not fresh
        moved = held and canvas.view_moved()
        whole = held and self._whole_graph_in_view()
        if held:  # closing: the node that was inspected stays put (if the editor grows back, say)
            canvas.hold_view(index if index >= 0 else self._inspected)
        if index >= 0:
            self.inspector.show()
            self.split.refresh()
            sizes, width = self.split.sizes(), max(self.inspector_width, self.inspector.minimumWidth())
            if sizes[-1] != width and self.split.isVisible():  # the splitter keeps it, unless collapsed
                self.split.setSizes([*sizes[:-2], max(sizes[-2] + sizes[-1] - width, 0), width])
        else:
            self.inspector_width = self.split.sizes()[-1] or self.inspector_width
            self.inspector.hide()
        # lay out now, the header's reflow too, so the canvas takes its new size under the hold
        self.split.refresh()
        for _ in range(3):  # the header's new row count asks for another layout: one round each
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        if fresh and canvas.graph is not None:
            canvas.open_view()
        elif held and index < 0:  # the canvas grew back
            if not moved and canvas.graph.drawing_for(*canvas.view_shape()) is canvas.drawing:
                canvas.open_view()  # as the graph opened
            elif whole or not moved and canvas.fit_scale() >= canvas.readable_scale():
                canvas.fit()

    def _whole_graph_in_view(self) -> bool:
        x0, y0, x1, y1 = self.canvas.drawing.extent()
        return self.canvas.view_box.viewRect().contains(QRectF(x0, y0, x1 - x0, y1 - y0))

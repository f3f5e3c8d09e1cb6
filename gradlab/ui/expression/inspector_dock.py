"""The expression lab's inspector on demand: beside the canvas while a node is selected, hidden
while none is, so that the graph has the room (issue 9: readable at fit at 1280x720).

The graph holds still as the inspector opens and closes: the same drawing at the same scale,
the inspected node where it was on the screen (``GraphCanvas.hold_view``), unless that would
hide the answer: the inspected node and the output both stay in view (``GraphCanvas.keep_in_view``:
a refit, else the least pan or zoom out), and closing puts the view opening moved back if the
learner has not moved it since.  Closed, the canvas has its width back; a view the learner has
not moved is opened again, in the same drawing.  The inspector opens at INSPECTOR_SHARE of the
width until the learner drags its edge.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF
from PySide6.QtWidgets import QApplication, QSplitter, QWidget

from gradlab.ui.common.graph_canvas import GraphCanvas

#: the inspector opens at this share of the lab's width (at least its minimum width), until the
#: learner drags its edge: then it opens as wide as they left it
INSPECTOR_SHARE = 0.27


class InspectorOnDemand(QObject):
    """Shows ``inspector`` (the last widget of ``split``, next to ``canvas``) while ``model``
    has a selection.  Construct it after the lab's own slots are connected: it acts after them."""

    def __init__(self, split: QSplitter, inspector: QWidget, canvas: GraphCanvas, model) -> None:
        super().__init__(split)
        self.split, self.inspector, self.canvas, self.model = split, inspector, canvas, model
        self.inspector_width = inspector.minimumWidth()  # as the learner last left it
        self._dragged = False  # the learner moved the inspector's edge: its width is theirs
        # the view before opening moved it to show the node and the output, and the learner's
        # move count then: closing puts that view back if the learner has not moved it since
        self._before_open = self._kept = None
        self._sizes_before, self._moves_at_open = None, 0  # the columns' widths before opening
        split.splitterMoved.connect(self._on_split_moved)
        self._fresh_graph = False  # a new graph, not yet past its first selection_changed
        self._inspected = model.selected  # the node the inspector shows (-1: none)
        inspector.setHidden(model.selected < 0)
        model.program_changed.connect(self._on_program_changed)
        model.selection_changed.connect(self._on_selection_changed)

    def _on_split_moved(self, _pos: int, index: int) -> None:
        self._sizes_before = None  # the learner set the columns' widths: closing keeps them
        if index == self.split.indexOf(self.inspector):
            self._dragged = True

    def _opening_width(self) -> int:
        if self._dragged:
            return max(self.inspector_width, self.inspector.minimumWidth())
        return max(round(INSPECTOR_SHARE * sum(self.split.sizes())), self.inspector.minimumWidth())

    def keep_width(self) -> None:
        """The lab was resized: an open inspector the learner has not resized keeps its share."""
        sizes = self.split.sizes()
        if self._dragged or self.inspector.isHidden() or not sizes[-1] or len(sizes) < 3:
            return
        width = self._opening_width()
        if abs(sizes[-1] - width) > 1 and sizes[-2] + sizes[-1] - width > 0:
            self.split.setSizes([*sizes[:-2], sizes[-2] + sizes[-1] - width, width])

    def _on_program_changed(self) -> None:
        self._fresh_graph = True

    def _on_selection_changed(self, index: int) -> None:
        fresh, self._fresh_graph = self._fresh_graph, False
        canvas = self.canvas
        live = canvas.graph is not None and canvas.isVisible()
        hidden = self.inspector.isHidden()
        opening, closing = index >= 0 and hidden, index < 0 and not hidden
        before = canvas.view_state() if opening and live and not fresh else None
        untouched = closing and live and not fresh and self._kept == canvas.user_moves
        if opening or closing:
            self._show(index, fresh)
        if closing:
            before, self._before_open, self._kept = self._before_open, None, None
            if untouched and before is not None:  # opening moved the view: it goes back
                canvas.restore_view(before)
                canvas.hold_view(self._inspected)
        self._inspected = index
        if index >= 0 and live:
            self._keep_answer(index, before)

    def _keep_answer(self, index: int, before) -> None:
        """The answer stays in sight: the inspected node and the output both show (the view moves
        only if one of them does not).  Opening moved the view: closing may move it back."""
        canvas = self.canvas
        shown = canvas.view_state()[0]
        canvas.keep_in_view([index, len(canvas.graph) - 1])
        now = canvas.view_state()[0]
        if now != shown:
            if before is not None:
                self._before_open = before
            canvas.hold_view(index)  # held as it is now, through the resizes still to come
        elif before is not None:
            self._before_open = None
        self._kept = canvas.user_moves if self._before_open is not None else None

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
            self._sizes_before, self._moves_at_open = self.split.sizes(), canvas.user_moves
            self.inspector.show()
            self.split.refresh()
            sizes, width = self.split.sizes(), self._opening_width()
            if sizes[-1] != width and self.split.isVisible():  # the splitter keeps it, unless collapsed
                self.split.setSizes([*sizes[:-2], max(sizes[-2] + sizes[-1] - width, 0), width])
        else:
            sizes = self.split.sizes()
            self.inspector_width = sizes[-1] or self.inspector_width
            self.inspector.hide()
            back, self._sizes_before = self._sizes_before, None
            if back and self.canvas.user_moves == self._moves_at_open:
                self.split.setSizes(back)  # an untouched view: the columns as they were, too
            elif sizes[-1]:  # the canvas takes the inspector's room; the editor keeps its width
                self.split.setSizes([*sizes[:-2], sizes[-2] + sizes[-1], 0])
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

"""How the graph canvas moves its view: the policies of ``gradlab.canvas_view`` (fit, open
readable, keep in view, zoom, pan, hold through a resize, what a settled resize does) applied
to the canvas's pyqtgraph ViewBox, and the overview map and key room that follow the view.

``ViewControl`` is a part of ``GraphCanvas`` (a mixin): its methods are the canvas's public
view methods; it reads the canvas's ``_vb`` (ViewBox), ``_view`` (GraphicsView),
``view_policy`` (CanvasView), ``painting`` (GraphPainting) and ``overlays``.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QTimer

from gradlab import canvas_view
from gradlab.canvas_view import EMPTY_VIEW

__all__ = ["ViewControl", "as_rect"]


def as_rect(r: QRectF) -> canvas_view.Rect:
    """A QRectF as canvas_view's (x, y, w, h)."""
    return r.x(), r.y(), r.width(), r.height()


class ViewControl:
    """The canvas's view methods (see the module's docstring)."""

    def _viewport_size(self) -> tuple[int, int]:
        size = self._view.viewport().size()
        return size.width(), size.height()

    def _current_scale(self) -> float:
        px = self._vb.viewPixelSize()[0]
        return 1.0 / px if px > 0 else 1.0

    def _key_room(self) -> int:
        """Pixels kept free at the bottom at fit, so the key covers no box: none when the plain fit
        leaves a corner of the view empty (the key moves there), else the key's height."""
        if not self.overlays.key_on or not self._n or self._free_key_corner() is not None:
            return 0
        return self.key.height() + 12

    def _free_key_corner(self) -> int | None:
        """The corner that the fitted drawing leaves empty for the key (see
        ``canvas_view.free_key_corner``), worked out again when the drawing, the view's size or
        the key's changes (``half_max`` is new with every drawing)."""
        w, h = self._viewport_size()
        half = self._half_max
        memo = (w, h, self.key.width(), self.key.height(), self._n)
        if self._corner_memo[0] is not half or self._corner_memo[1] != memo:
            corner = canvas_view.free_key_corner(
                self.drawing.extent(), self._pos - half, self._pos + half, (w, h),
                (self.key.width(), self.key.height())) if self._n else None
            self._corner_memo = (half, memo, corner)
        return self._corner_memo[2]

    def _update_overview(self) -> None:
        """The overview map shows while part of the graph is out of view."""
        whole = True
        if self._n and self.drawing is not None:
            x0, y0, x1, y1 = self.drawing.extent()
            r = self._vb.viewRect()
            whole = r.contains(QRectF(x0, y0, x1 - x0, y1 - y0).adjusted(0.2, 0.2, -0.2, -0.2))
            self.overview.set_view(r)
        self.overlays.overview_on = not whole
        self._place_overlays()

    # -- the view (policy: gradlab.canvas_view) --------------------------------------------------

    def view_shape(self) -> tuple[float | None, tuple[float, float] | None]:
        """The view's (aspect, room), as ``GraphModel.drawing_for`` takes them (see ``CanvasView``)."""
        return self.view_policy.view_shape(self._viewport_size())

    def view_moved(self) -> bool:
        """Whether the learner moved the view since it was opened or fitted."""
        return self.view_policy.moved

    def readable_scale(self) -> float:
        """Pixels per drawing unit at which a box's label, data and grad are READABLE_PX tall."""
        return canvas_view.readable_scale()

    def fit_scale(self) -> float:
        """Pixels per drawing unit when the whole graph fits (at most MAX_FIT_SCALE)."""
        if not self._n:
            return 0.0
        return self.view_policy.fit_scale(self.drawing.extent(), self._viewport_size(), self._key_room())

    def _set_view(self, rect, padding: float = 0.0) -> None:
        # from the shown rect: ViewBox.scaleBy/translateBy start from the requested range, which
        # the aspect lock makes differ from the shown one, and the scale drifts
        self._vb.setRange(QRectF(*rect), padding=padding)
        self._resize()  # now rather than at the next paint, so the sprite sizes are current

    def _resize(self) -> None:
        self.painting.resize(self._current_scale())

    def _on_view_changed(self) -> None:
        self._resize()
        self._update_overview()

    def _on_moved_by_user(self, *_args) -> None:
        self.view_policy.moved_by_user()

    def fit(self) -> None:
        """Show the whole graph."""
        if self._n:
            extent = self.drawing.extent()
            self._set_view(*self.view_policy.fit_rect(extent, self._viewport_size(), self._key_room()))
        else:
            self._set_view(EMPTY_VIEW)
        self.view_policy.fitted()

    def open_view(self) -> None:
        """Take the drawing that suits the canvas's shape; fit it if its text is readable so,
        else show the output (or the selection, and the output too) readably."""
        self._take_drawing_for_size()
        if not self._n or self.fit_scale() >= self.readable_scale():
            self.fit()
        else:
            selected = self.selected()
            self.show_readable(selected if selected >= 0 else self._n - 1)
            if selected >= 0:
                self.keep_in_view([selected, self._n - 1])
        self.view_policy.opened()

    def show_readable(self, index: int) -> None:
        """Show value node ``index`` at the readable scale: the output near the end data flows
        to (right, or bottom), with what feeds it in view; any other node in the middle."""
        self._set_view(self.view_policy.readable_rect(tuple(self._pos[index]), self._viewport_size(),
                                               index == self._n - 1, self.drawing.orientation))
        self.view_policy.mode = None

    def keep_in_view(self, indices) -> None:
        """Make every value node of ``indices`` show whole (the selection and the output, say):
        the view stays as it is if they do; else the whole graph is fitted if it reads so in this
        canvas; else the view pans (zooming out only as far as they need) by the least that shows
        them all, the drawing unchanged.  How the view was set (opened, fitted, moved by the
        learner) stays as it was: a resize treats it the same way."""
        rows = [i for i in indices if 0 <= i < self._n]
        if not rows or self.drawing is None:
            return
        lo = (self._pos[rows] - self._half_max[rows]).min(axis=0)
        hi = (self._pos[rows] + self._half_max[rows]).max(axis=0)
        rect = self.view_policy.keep_rect(as_rect(self._vb.viewRect()), lo, hi, self._vb.viewPixelSize()[0])
        if rect is None:
            return
        mode = self.view_policy.mode
        if self.fit_scale() >= self.readable_scale():
            self.fit()
        else:
            self._set_view(rect)
        self.view_policy.mode = mode

    def centre_on(self, point: QPointF) -> None:
        """Move the view, at its zoom, so that ``point`` (drawing coordinates) is in the middle."""
        self._set_view(self.view_policy.centre_rect(as_rect(self._vb.viewRect()), (point.x(), point.y())))
        self._on_moved_by_user()

    def zoom_by(self, factor: float) -> None:
        """Zoom about the view's centre; ``factor > 1`` zooms in."""
        self._set_view(self.view_policy.zoom_rect(as_rect(self._vb.viewRect()), factor))
        self._on_moved_by_user()

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the content by (dx, dy) widget pixels, as a drag does."""
        px = self._vb.viewPixelSize()[0]
        self._set_view(self.view_policy.pan_rect(as_rect(self._vb.viewRect()), dx, dy, px))
        self._on_moved_by_user()

    def view_state(self) -> tuple[QRectF, str | None]:
        """The view's rectangle (drawing units) and how it was set, for ``restore_view``."""
        return QRectF(self._vb.viewRect()), self.view_policy.mode

    def restore_view(self, state: tuple[QRectF, str | None]) -> None:
        """Show ``state``'s rectangle again, as it was set (the same drawing, the same size)."""
        self._set_view(as_rect(state[0]))
        self.view_policy.mode = state[1]

    def hold_view(self, index: int) -> None:
        """Keep the view through the resizes about to come (a panel opening or closing beside
        the canvas), until control returns to the event loop: the same drawing (no relayout)
        and scale, with value node ``index`` where it is on the screen, or just inside the view
        if it no longer fits there; -1 keeps the view's top left corner where it is."""
        if not self._n or not self.isVisible():
            return
        node = 0 <= index < self._n
        at = QPointF(*self._pos[index]) if node else self._vb.viewRect().topLeft()
        scene = self._vb.mapViewToScene(at)
        on_screen = self._view.viewport().mapToGlobal(self._view.viewportTransform().map(scene))
        px = tuple(self._vb.viewPixelSize())
        # pixels from the node's centre to the view's edge when it is just inside
        inside = (self._half_max[index] / px + 8).tolist() if node else None
        if self.view_policy.hold((at.x(), at.y()), on_screen, px, inside):
            QTimer.singleShot(0, self, self.view_policy.release)

    def _apply_held_view(self) -> None:
        local = self._view.viewport().mapFromGlobal(self.view_policy.held[1])
        rect = self.view_policy.held_rect((local.x(), local.y()), self._viewport_size())
        if rect is not None:
            self._set_view(rect)

    def _relayout_for_size(self) -> None:
        """The canvas changed shape: a view as it opened opens again (in the drawing that suits
        the new shape: the layout's cached orientations and foldings), a fitted one fits again;
        one the learner moved stays, unless the drawing changes."""
        if self.graph is None:
            return
        action = self.view_policy.after_resize(self.graph.drawing_for(*self.view_shape()) is not self.drawing)
        if action == "open":
            self.open_view()
        elif action == "fit":
            self.fit()
        if self.selected() >= 0:  # the selection and the output stay in sight at any size
            self.keep_in_view([self.selected(), self._n - 1])

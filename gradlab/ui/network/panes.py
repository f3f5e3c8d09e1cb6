"""Which of the network lab's panes take room: the inspector and the point graph open when they
show something and fold to a line when they do not; on a narrow window the settings column
makes way for the inspector (its main settings stay in the top bar)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QTimer

__all__ = ["Panes"]


class Panes:
    """Opens, folds and sizes a ``NetworkLab``'s panes (built by ``lab_widgets.build_layout``)."""

    def __init__(self, lab) -> None:
        self.lab = lab

    def show(self, traced: bool | None = None) -> None:
        """The inspector and the point graph take room only while they show something; until
        then each is one line saying what a click does. ``traced``: the point graph is about
        to show a point (its pane opens first, so that the graph opens fitted to its room)."""
        lab = self.lab
        inspecting = lab.probe_model.selected >= 0 or lab.trace.model.selected >= 0
        traced = lab.trace.graph is not None if traced is None else traced
        lab.inspector_hint.setVisible(not inspecting)
        if inspecting:  # again once the inspector has laid out what it shows now
            QTimer.singleShot(0, lab, self.refit)
        if inspecting != lab.inspector_tabs.isVisibleTo(lab):
            self._fit_columns(inspecting)
            lab.inspector_tabs.setVisible(inspecting)
            if inspecting:  # a third of the room right of the settings, as the lab opened with
                sizes = lab.split.sizes()
                room = sum(sizes[1:3])
                width = max(lab.inspector_tabs.minimumSizeHint().width(), room // 3)
                lab.split.setSizes([sizes[0], *(s * (room - width) // room for s in sizes[1:3]), width])
        if traced != lab.point_graph.isVisibleTo(lab):
            lab.point_graph.setVisible(traced)
            lab.collapse_check.setVisible(traced)
            total = sum(lab.middle.sizes())
            box = lab.middle.widget(1)
            box.layout().activate()
            low = total * 11 // 20 if traced else box.sizeHint().height()
            lab.middle.setSizes([total - low, low])
            lab.middle.setStretchFactor(1, 1 if traced else 0)

    def _fit_inspector(self) -> None:
        """The inspector's least width: its tabs and the content it shows now, whole."""
        lab = self.lab
        tabs = lab.inspector_tabs
        scrollbar = lab.style().pixelMetric(lab.style().PixelMetric.PM_ScrollBarExtent)
        content = max(i.layout().itemAt(0).widget().widget().minimumSizeHint().width()  # its scroll's
                      for i in (lab.inspector, lab.node_inspector))
        bar = tabs.tabBar().sizeHint().width() + lab.inspector_corner.sizeHint().width()
        tabs.setMinimumWidth(max(bar + 8, content + scrollbar + 8))

    def _fit_columns(self, inspecting: bool) -> None:
        """On a narrow window the settings column makes way for the inspector (the main
        settings stay in the top bar) and comes back when the inspector closes."""
        lab = self.lab
        if inspecting:
            self._fit_inspector()
        panes = (lab.settings_column, lab.middle, lab.split.widget(2), lab.inspector_tabs)
        need = sum(max(w.minimumWidth(), w.minimumSizeHint().width()) for w in panes)
        need += 3 * lab.split.handleWidth() + 8
        # the window's room, not the lab's own width: a lab wider than its minimum allows is cut off
        room = lab.window().width() - 2 * lab.mapTo(lab.window(), QPoint(0, 0)).x()
        show = not inspecting or room >= need
        if show != lab.settings_column.isVisibleTo(lab):
            lab.settings_column.setVisible(show)
            lab.split.refresh()

    def refit(self) -> None:
        """Fit the columns again while the inspector shows (its content or the window changed)."""
        if self.lab.inspector_tabs.isVisibleTo(self.lab):
            self._fit_columns(True)

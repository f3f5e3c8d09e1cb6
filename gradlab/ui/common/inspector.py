"""The node inspector: what the selected node is, and a nudge probe that checks its gradient.

The probe nudges the node by a step h, re-evaluates the output and compares the
slope it measures with the gradient backprop found, so a learner can see that
``grad`` really is "how much the output moves per unit nudge".
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QBoxLayout, QGroupBox, QScrollArea, QToolButton, QVBoxLayout, QWidget

from gradlab.probe import error_sweep, nudge_probe, response_curve
from gradlab.ui.common.inspector_boxes import NodeBox, ProbeBox, cell_number, selectable_label
from gradlab.ui.common.plots import ErrorPlot, ResponsePlot
from gradlab.ui.common.text import breakable, elide, escaped

__all__ = ["NodeInspector", "Probes"]

HINT = "Click a node in the graph to inspect it."
#: the two plots sit side by side in an inspector at least this wide (else one above the other)
SIDE_BY_SIDE_PX = 300
#: the secant is drawn for an h of at least this share of the plot's width: for a smaller h it
#: would lie on the tangent (the plot's key says which h it is drawn at)
SECANT_SHARE = 0.2
#: above this many nodes downstream of the selection, the plots (two vectorised passes over
#: everything downstream, plus the redraw) wait for a pause in a slider drag instead of
#: recomputing on every move
SYNC_PLOT_NODES = 2000
PLOT_DELAY_MS = 150
AXIS_CHARS = 16

CLOSE_STYLE = ("QToolButton { padding: 0 6px; border: none; background: transparent; color: #555;"
               " font-size: 15px; } QToolButton:hover { background: #eef4ff; }")


@dataclass(frozen=True)
class Probes:
    """How the inspector measures node ``i`` of its model's ``graph``: the expression lab's graph
    probes by default; the network lab passes probes of its trainer's parameters."""

    nudge: Callable = nudge_probe  # (graph, i, h) -> NudgeResult
    curve: Callable = response_curve  # (graph, i) -> (xs, ys)
    sweep: Callable = error_sweep  # (graph, i) -> ErrorSweep


def _short(x: float) -> str:
    return f"{x:#.4g}" if math.isfinite(x) else str(x)  # '#': 0.1390, not 0.139


class NodeInspector(QWidget):
    """Side panel showing the selected node of an ``ExpressionModel`` and its nudge probe."""

    def __init__(self, model, parent: QWidget | None = None, probes: Probes | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nodeInspector")
        self.model = model
        self.probes = probes or Probes()
        self._curve = None  # (xs, ys) of the last response curve, reused when only h changes
        self._plot_timer = QTimer(self, singleShot=True, interval=PLOT_DELAY_MS)
        self._plot_timer.timeout.connect(self._refresh_plots)

        # the scroll area is in place and showing its (empty) page before the boxes go in: a
        # widget put in a page already shown is styled at once (see gradlab.ui.expression.lab_layout)
        # and styled again each time the inspector moves; these are styled when the window shows
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # wrap, never clip
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        content = QWidget()
        scroll.setWidget(content)
        column = QVBoxLayout(content)
        column.setContentsMargins(6, 2, 6, 2)
        column.setSpacing(4)
        self.hint = selectable_label("inspectorHint", HINT,
                                     "Select a node to see its value, gradient and probe.")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("color: #666666; padding: 24px;")
        column.addWidget(self.hint)
        self.node_box = NodeBox(select=model.select)
        self.probe_box = ProbeBox(step_moved=model.set_step_size)
        self._build_plots()
        self.boxes = (self.node_box, self.probe_box, self.response_box, self.error_box)
        column.addWidget(self.node_box)
        column.addWidget(self.probe_box)
        column.addLayout(self.plots_row, 1)
        column.addStretch(0)

        model.selection_changed.connect(self._refresh)
        model.values_changed.connect(self._refresh)
        model.backprop_step_changed.connect(self._refresh)
        model.step_size_changed.connect(self._on_step_size_changed)
        # a new graph: new links (set_source follows this with selection_changed, which redraws)
        model.program_changed.connect(self.node_box.forget_links)
        self.probe_box.show_step(model.step_size)
        self._refresh()

    # the boxes' widgets, by the names the labs and the tests know them by
    node_label = property(lambda self: self.node_box.node_label)
    node_data = property(lambda self: self.node_box.node_data)
    node_grad = property(lambda self: self.node_box.node_grad)
    parent_links = property(lambda self: self.node_box.parent_links)
    child_links = property(lambda self: self.node_box.child_links)
    probe_labels = property(lambda self: self.probe_box.probe_labels)
    sentence = property(lambda self: self.probe_box.sentence)
    note = property(lambda self: self.probe_box.note)
    step_readout = property(lambda self: self.probe_box.step_readout)

    def _build_plots(self) -> None:
        """The two plot boxes, empty: their plots are made when a node is first selected (a lab
        that is never probed never pays for them; see ``_ensure_plots``)."""
        self._plots = None
        self.response_box = _boxed("Output vs value")
        self.best_h = selectable_label("probeBestH", "", "The h whose error is smallest in this sweep.")
        self.error_box = _boxed("Error vs h", self.best_h)
        # the plots side by side where the panel is wide enough: the numbers and both pictures
        # in one screenful (1280x720)
        self.plots_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.plots_row.setSpacing(4)
        self.plots_row.addWidget(self.response_box, 1)
        self.plots_row.addWidget(self.error_box, 1)

    def _ensure_plots(self) -> tuple[ResponsePlot, ErrorPlot]:
        """The response and error plots, made (and put in their boxes) on first use."""
        if self._plots is None:
            response, error = ResponsePlot(), ErrorPlot()
            error.plot_widget.setObjectName("errorPlot")
            response.plot_widget.setObjectName("responsePlot")
            self.response_box.layout().addWidget(response)
            self.error_box.layout().insertWidget(0, error)  # above best_h
            self._plots = (response, error)
        return self._plots

    response_plot = property(lambda self: self._ensure_plots()[0])
    error_plot = property(lambda self: self._ensure_plots()[1])

    def add_close_button(self, close: Callable[[], None]) -> QToolButton:
        """A small × at the panel's top right that calls ``close`` (a lab's deselect); it sits on
        the Node box's title line, beside the title, taking no row of its own."""
        button = QToolButton(self, objectName="inspectorCloseButton", toolTip="Close (Esc)", text="×")
        button.setStyleSheet(CLOSE_STYLE)
        button.clicked.connect(close)
        self.close_button = button
        self._place_close_button()
        return button

    def _place_close_button(self) -> None:
        button = getattr(self, "close_button", None)
        if button is not None:
            button.adjustSize()
            button.move(self.width() - button.width() - 22, 0)  # clear of the scroll bar
            button.raise_()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_close_button()
        wide = event.size().width() >= SIDE_BY_SIDE_PX
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.plots_row.direction() != direction:
            self.plots_row.setDirection(direction)

    # -- updates ---------------------------------------------------------------------------

    def _on_step_size_changed(self, h: float) -> None:
        self.probe_box.show_step(h)
        if self._selection() is None or self._stepping():
            return
        result = self._refresh_probe()
        if self._plot_timer.isActive() or self._curve is None:
            return  # the pending plot refresh will draw with the new h
        self._show_response(result)
        self.error_plot.set_h(h)

    def _selection(self) -> int | None:
        g, i = self.model.graph, self.model.selected
        return i if g is not None and 0 <= i < len(g) else None

    def _refresh(self, *_args) -> None:
        """Redraw everything for the current selection (values, grads or the selection moved)."""
        i = self._selection()
        if i is not None:
            self._ensure_plots()  # before the boxes show: they are never laid out empty
        self.hint.setVisible(i is None)
        for box in self.boxes:
            box.setVisible(i is not None)
        if i is None:
            self._plot_timer.stop()
            self._curve = None
            if self._plots is not None:
                for plot in self._plots:
                    plot.clear()
            return
        pending = getattr(self.model, "gradient_pending", None)
        self.node_box.show_node(self.model.graph, i, self._display_name(i), self._name,
                                pending is not None and pending(i))
        if self._stepping():
            self._pause_probe()
            return
        result = self._refresh_probe()
        if len(self.model.graph.downstream(i)) <= SYNC_PLOT_NODES:
            self._refresh_plots(result)
        else:
            self._plot_timer.start()  # restarts on every move of a drag: one sweep once it pauses

    def _display_name(self, i: int) -> str:
        """Node ``i``'s name as the graph shows it (``c₂``); a graph without display names (the
        network lab's parameters) gives its labels."""
        g = self.model.graph
        names = getattr(g, "names", None)
        return names[i] if names is not None else g.values[i].label

    def _name(self, i: int) -> str:
        v = self.model.graph.values[i]
        name = self._display_name(i)
        if name:
            return elide(name)
        return f"#{i} ({v._op})" if v._op else f"#{i} ({_short(v.data)})"

    def _refresh_probe(self):
        g, i, h = self.model.graph, self.model.selected, self.model.step_size
        r = self.probes.nudge(g, i, h)
        out = escaped(g.output.label or "the output")
        # non-breaking spaces keep the prediction on one line when the sentence wraps
        prediction = f"≈ grad × h = {_short(r.predicted_change)}".replace(" ", "&nbsp;")
        name = html.escape(breakable(self._name(i)), quote=False)
        sentence = (f"Nudging <b>{name}</b> by h = {h:.3g} moves <b>{out}</b> by "
                    f"{_short(r.actual_change)} {prediction}")
        note = ("The probe overrides this node's value directly; its parents stay as they are."
                if g.roles[i] == "intermediate" else "")
        self.probe_box.show_result(r, sentence, note)
        return r

    def _stepping(self) -> bool:
        """The probe is off: backprop is stepped through, or the graph can't be probed."""
        return bool(self._off_reason())

    def _off_reason(self) -> str:
        off = getattr(self.model, "probe_off_reason", None)  # the expression lab's model says why
        if off is not None:
            return off()
        return "Backprop is being stepped through: the probe resumes when it finishes." if (
            self.model.backprop_step >= 0) else ""

    def _pause_probe(self) -> None:
        """Blank the probe while backprop is stepped through.

        The probe functions call ``backward()``, which would fill in every gradient
        the learner is revealing one step at a time (and later steps would then add
        onto complete gradients), so the probe waits for the step-through to end.
        """
        self._plot_timer.stop()
        self._curve = None
        self.probe_box.show_paused(self._off_reason())
        stepping = self.model.backprop_step >= 0
        for plot in (self.response_plot, self.error_plot):
            plot.show_message("Paused while backprop is stepped through: the probe would fill in "
                              "every gradient." if stepping else "The probe is off here: see the note above.")
        self.best_h.setText("")

    def _plot_names(self, result) -> dict[str, str]:
        # the plot's axis titles do not wrap: shorter names there
        return {"output_label": elide(self.model.graph.output.label, AXIS_CHARS),
                "node_label": elide(self._name(result.index), AXIS_CHARS)}

    def _show_response(self, result) -> None:
        self.response_plot.show_probe(*self._curve, result, **self._plot_names(result),
                                      secant=self._visible_secant(result))

    def _visible_secant(self, result) -> tuple[float, float] | None:
        """(h, f(x + h)) for an h the response plot shows apart from the tangent (SECANT_SHARE of
        its width), when the probe's own h is smaller than that; None: the probe's own secant."""
        xs = np.asarray(self._curve[0], dtype=float)
        xs = xs[np.isfinite(xs)]
        visible = float(f"{SECANT_SHARE * float(xs.max() - xs.min()):.1g}") if xs.size else 0.0
        if not (math.isfinite(visible) and visible > 0) or result.h >= visible:
            return None
        return visible, float(self.probes.nudge(self.model.graph, result.index, visible).f_plus)

    def _refresh_plots(self, result=None) -> None:
        i = self._selection()
        if i is None:
            return
        g, h = self.model.graph, self.model.step_size
        result = result if result is not None else self.probes.nudge(g, i, h)
        self._curve = self.probes.curve(g, i)
        xs, ys = (np.asarray(a, dtype=float) for a in self._curve)
        if not np.isfinite(ys).any() or not np.isfinite(xs).any():
            output = cell_number(float(result.f0))
            self.response_plot.show_message(f"No curve: the output is {output} for every "
                                            f"value of {self._name(i)} tried.")
        elif not (math.isfinite(result.x)):
            self.response_plot.show_message(f"No curve: {self._name(i)} is {cell_number(float(result.x))}.")
        else:
            self._show_response(result)
        sweep = self.probes.sweep(g, i)
        errors = np.concatenate([np.asarray(e, float) for e in (sweep.forward_error, sweep.central_error)])
        if not np.isfinite(errors).any():
            self.error_plot.show_message("No errors to plot: the gradient or the output is not finite here.")
            self.best_h.setText("")
            return
        self.error_plot.show_sweep(sweep, h)
        fwd, cen = sweep.best_h
        self.best_h.setText(f"Smallest error at h ≈ {fwd:.0e} (forward), {cen:.0e} (central).")


def _boxed(title: str, *widgets: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(2, 4, 2, 2)
    layout.setSpacing(2)
    for w in widgets:
        layout.addWidget(w)
    return box

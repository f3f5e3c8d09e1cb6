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
from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import (
    QBoxLayout,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gradlab.numfmt import format_number
from gradlab.probe import error_sweep, nudge_probe, response_curve
from gradlab.ui.common.inspected_model import MAX_STEP, MIN_STEP
from gradlab.ui.common.plots import ErrorPlot, ResponsePlot
from gradlab.ui.common.text import NAME_CHARS, breakable, elide, escaped

__all__ = ["NodeInspector", "Probes"]

HINT = "Click a node in the graph to inspect it."
#: the step slider moves in quarter decades: position k means h = 10 ** (k / STEPS_PER_DECADE),
#: over the steps a model takes (InspectedModel's MIN_STEP to MAX_STEP)
STEPS_PER_DECADE = 4
MIN_EXPONENT, MAX_EXPONENT = round(math.log10(MIN_STEP)), round(math.log10(MAX_STEP))
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
#: a node with hundreds of children would bury the panel in buttons
MAX_LINKS = 12
#: a link button shows this much of a name (three sit side by side)
LINK_CHARS = 16
AXIS_CHARS = 16
LINK_STYLE = ("QPushButton { color: #1f5fa8; text-decoration: underline; border: none;"
              " padding: 1px 4px; text-align: left; }"
              "QPushButton:hover { background: #e8f0fb; }")

CLOSE_STYLE = ("QToolButton { padding: 0 6px; border: none; background: transparent; color: #555;"
               " font-size: 15px; } QToolButton:hover { background: #eef4ff; }")


@dataclass(frozen=True)
class Probes:
    """How the inspector measures node ``i`` of its model's ``graph``: the expression lab's graph
    probes by default; the network lab passes probes of its trainer's parameters."""

    nudge: Callable = nudge_probe  # (graph, i, h) -> NudgeResult
    curve: Callable = response_curve  # (graph, i) -> (xs, ys)
    sweep: Callable = error_sweep  # (graph, i) -> ErrorSweep


def _num(x: float) -> str:
    """A number for a table cell: 8 significant digits, nan and inf as they are."""
    return f"{x:.8g}" if math.isfinite(x) else str(x)


def _err(x: float) -> str:
    return f"{x:+.2e}" if math.isfinite(x) else str(x)


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
        self._links_for = -1  # the node whose parents and children the link buttons show
        self._plot_timer = QTimer(self, singleShot=True, interval=PLOT_DELAY_MS)
        self._plot_timer.timeout.connect(self._refresh_plots)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(6, 2, 6, 2)
        column.setSpacing(4)
        self.hint = self._label("inspectorHint", HINT, "Select a node to see its value, gradient and probe.")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("color: #666666; padding: 24px;")
        column.addWidget(self.hint)
        self.node_box = self._build_node_box()
        self.probe_box = self._build_probe_box()
        self.response_plot = ResponsePlot()
        self.error_plot = ErrorPlot()
        self.error_plot.plot_widget.setObjectName("errorPlot")
        self.response_plot.plot_widget.setObjectName("responsePlot")
        self.response_box = self._boxed("Output vs value", self.response_plot)
        self.best_h = self._label("probeBestH", "", "The h whose error is smallest in this sweep.")
        self.error_box = self._boxed("Error vs h", self.error_plot, self.best_h)
        self.boxes = (self.node_box, self.probe_box, self.response_box, self.error_box)
        column.addWidget(self.node_box)
        column.addWidget(self.probe_box)
        # the plots side by side where the panel is wide enough: the numbers and both pictures
        # in one screenful (1280x720)
        self.plots_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.plots_row.setSpacing(4)
        self.plots_row.addWidget(self.response_box, 1)
        self.plots_row.addWidget(self.error_box, 1)
        column.addLayout(self.plots_row, 1)
        column.addStretch(0)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # wrap, never clip
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        model.selection_changed.connect(self._refresh)
        model.values_changed.connect(self._refresh)
        model.backprop_step_changed.connect(self._refresh)
        model.step_size_changed.connect(self._on_step_size_changed)
        # a new graph: new links (set_source follows this with selection_changed, which redraws)
        model.program_changed.connect(self._forget_links)
        self._show_step(model.step_size)
        self._refresh()

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

    # -- construction ----------------------------------------------------------------------

    def _label(self, name: str, text: str = "", tip: str = "", rich: bool = False) -> QLabel:
        label = QLabel()
        # program text (labels, names) is shown as text; only sentences built here are rich
        label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        label.setText(text)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setToolTip(tip)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _boxed(self, title: str, *widgets: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(2, 4, 2, 2)
        layout.setSpacing(2)
        for w in widgets:
            layout.addWidget(w)
        return box

    def _build_node_box(self) -> QGroupBox:
        box = QGroupBox("Node")
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setContentsMargins(8, 4, 8, 4)
        form.setVerticalSpacing(1)
        self.node_label = self._label("nodeLabel", tip="The variable name bound to this node, if any.")
        self.node_op = self._label("nodeOp", tip="The operation that produced this node (none for a leaf).")
        self.node_role = self._label("nodeRole", tip="input, constant, intermediate or output.")
        self.node_data = self._label("nodeData", tip="The node's current value.")
        self.node_grad = self._label("nodeGrad")
        self.parent_links = QWidget(objectName="nodeParents", toolTip="The operands of this node's op.")
        self.child_links = QWidget(objectName="nodeChildren", toolTip="The nodes computed from this one.")
        for w in (self.parent_links, self.child_links):
            QGridLayout(w).setContentsMargins(0, 0, 0, 0)
        # two facts a row (the numbers and the links still a row each): a compact node section
        for name, w in (("label", self.node_label), ("op", self._pair(self.node_op, "role", self.node_role)),
                        ("data", self._pair(self.node_data, "grad", self.node_grad)),
                        ("parents", self.parent_links), ("children", self.child_links)):
            form.addRow(name, w)
        return box

    def _pair(self, first: QWidget, caption: str, second: QWidget) -> QWidget:
        """``first``, then ``caption`` and ``second`` beside it, in one row of the form."""
        pair = QWidget()
        row = QHBoxLayout(pair)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(first, 1)
        row.addWidget(QLabel(caption))
        row.addWidget(second, 1)
        return pair

    def _build_probe_box(self) -> QGroupBox:
        box = QGroupBox("Nudge probe")
        column = QVBoxLayout(box)
        column.setContentsMargins(8, 4, 8, 4)
        column.setSpacing(2)
        step_tip = (f"The nudge h added to this node's value, from {MIN_STEP:.0e} to {MAX_STEP:g}"
                    " (log scale).\n"
                    "Large h: the curve's bend spoils the slope. Tiny h: float rounding does.")
        self.step_slider = QSlider(Qt.Orientation.Horizontal, objectName="stepSizeInput", toolTip=step_tip)
        self.step_slider.setRange(MIN_EXPONENT * STEPS_PER_DECADE, MAX_EXPONENT * STEPS_PER_DECADE)
        self.step_slider.setPageStep(STEPS_PER_DECADE)
        self.step_slider.setTickInterval(STEPS_PER_DECADE)
        self.step_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.step_slider.valueChanged.connect(self._on_slider)
        self.step_readout = self._label("stepSizeLabel", tip=step_tip)
        self.step_readout.setMinimumWidth(72)
        self.step_readout.setWordWrap(False)
        row = QHBoxLayout()
        row.addWidget(QLabel("step", toolTip=step_tip))
        row.addWidget(self.step_slider, 1)
        row.addWidget(self.step_readout)
        column.addLayout(row)

        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(0)
        rows = (
            ("probeF0", "f(x)", "The output now."),
            ("probeFPlus", "f(x + h)", "The output with this node nudged up by h."),
            ("probeFMinus", "f(x − h)", "The output with this node nudged down by h."),
            ("probeForwardDiff", "(f(x+h) − f(x)) / h", "Forward difference: the slope of the secant."),
            ("probeCentralDiff", "(f(x+h) − f(x−h)) / 2h", "Central difference: more accurate, same h."),
            ("probeGrad", "backprop grad", "d(output)/d(node) as backward() computed it."),
            ("probeError", "forward − grad", "How far the forward difference is from the gradient."),
            ("probeCentralError", "central − grad", "How far the central difference is from the gradient."),
        )
        self.probe_labels: dict[str, QLabel] = {}
        self._probe_tips = {name: tip for name, _, tip in rows}
        for r, (name, caption, tip) in enumerate(rows):
            grid.addWidget(QLabel(caption, toolTip=tip), r, 0)
            value = self._label(name, tip=tip)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setStyleSheet("font-family: monospace;")
            grid.addWidget(value, r, 1)
            self.probe_labels[name] = value
        column.addLayout(grid)
        self.sentence = self._label("probeSentence", tip="Backprop's prediction against what a nudge does.",
                                    rich=True)
        self.sentence.setStyleSheet("padding-top: 2px;")
        self.note = self._label("probeNote")
        self.note.setStyleSheet("color: #8a5a00;")
        column.addWidget(self.sentence)
        column.addWidget(self.note)
        return box

    # -- updates ---------------------------------------------------------------------------

    def _on_slider(self, position: int) -> None:
        self.model.set_step_size(10.0 ** (position / STEPS_PER_DECADE))

    def _on_step_size_changed(self, h: float) -> None:
        self._show_step(h)
        if self._selection() is None or self._stepping():
            return
        result = self._refresh_probe()
        if self._plot_timer.isActive() or self._curve is None:
            return  # the pending plot refresh will draw with the new h
        self._show_response(result)
        self.error_plot.set_h(h)

    def _show_step(self, h: float) -> None:
        position = round(math.log10(h) * STEPS_PER_DECADE)
        with QSignalBlocker(self.step_slider):  # model -> widget: no echo back to the model
            self.step_slider.setValue(position)
        self.step_readout.setText(f"h = {h:.3g}")

    def _selection(self) -> int | None:
        g, i = self.model.graph, self.model.selected
        return i if g is not None and 0 <= i < len(g) else None

    def _refresh(self, *_args) -> None:
        """Redraw everything for the current selection (values, grads or the selection moved)."""
        i = self._selection()
        self.hint.setVisible(i is None)
        for box in self.boxes:
            box.setVisible(i is not None)
        if i is None:
            self._plot_timer.stop()
            self._curve = None
            self.response_plot.clear()
            self.error_plot.clear()
            return
        self._refresh_node(i)
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

    def _refresh_node(self, i: int) -> None:
        g = self.model.graph
        v = g.values[i]
        name = self._display_name(i)
        # names a graph makes itself (the network lab's "layer 1, neuron 3, from x1 (w0.2.0)") may
        # be longer than a program's labels are shown
        limit = getattr(g, "name_chars", NAME_CHARS)
        self.node_label.setText(breakable(elide(name, limit)) if name else "(unnamed)")
        lines = getattr(g, "lines", None)
        line = lines[i] if lines is not None else 0
        self.node_label.setToolTip(f"The variable name bound to this node; made on line {line}." if line
                                   else "The variable name bound to this node, if any.")
        self.node_op.setText(v._op or "— (leaf)")
        self.node_role.setText(g.roles[i])
        self.node_data.setText(format_number(v.data))
        self.node_data.setToolTip(f"The node's current value: {v.data!r}")
        pending = getattr(self.model, "gradient_pending", None)
        if pending is not None and pending(i):
            self.node_grad.setText("not computed yet")
            self.node_grad.setToolTip("Backprop is being stepped through and has not reached this node.")
        else:
            self.node_grad.setText(format_number(v.grad))
            self.node_grad.setToolTip(f"d(output)/d(node) = {v.grad!r}")
        if self._links_for != i:  # the structure is frozen: rebuild only for another node
            self._links_for = i
            self._fill_links(self.parent_links, g.parents[i])
            self._fill_links(self.child_links, g.children[i])

    def _forget_links(self) -> None:
        self._links_for = -1

    def _fill_links(self, holder: QWidget, indices) -> None:
        grid: QGridLayout = holder.layout()
        while grid.count():
            grid.takeAt(0).widget().deleteLater()  # deleteLater: the clicked button may be one of them
        unique = list(dict.fromkeys(indices))  # a + a: one link
        if not unique:
            grid.addWidget(QLabel("none"), 0, 0)
        for k, j in enumerate(unique[:MAX_LINKS]):
            button = QPushButton(elide(self._name(j), LINK_CHARS), objectName=f"nodeLink{j}", flat=True)
            button.setStyleSheet(LINK_STYLE)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setToolTip(f"Inspect node #{j} ({self.model.graph.roles[j]})")
            button.clicked.connect(lambda _=False, j=j: self.model.select(j))
            grid.addWidget(button, k // 3, k % 3)
        if len(unique) > MAX_LINKS:
            grid.addWidget(QLabel(f"… and {len(unique) - MAX_LINKS} more"), MAX_LINKS // 3, 0, 1, 3)

    def _refresh_probe(self):
        g, i, h = self.model.graph, self.model.selected, self.model.step_size
        r = self.probes.nudge(g, i, h)
        values = {"probeF0": r.f0, "probeFPlus": r.f_plus, "probeFMinus": r.f_minus,
                  "probeForwardDiff": r.forward_diff, "probeCentralDiff": r.central_diff, "probeGrad": r.grad,
                  "probeError": r.forward_error, "probeCentralError": r.central_error}
        for name, label in self.probe_labels.items():
            x = values[name]
            label.setText(_err(x) if name.endswith("Error") else _num(x))
            label.setToolTip(f"{self._probe_tips[name]}\nFull precision: {x!r}")
        out = escaped(g.output.label or "the output")
        # non-breaking spaces keep the prediction on one line when the sentence wraps
        prediction = f"≈ grad × h = {_short(r.predicted_change)}".replace(" ", "&nbsp;")
        name = html.escape(breakable(self._name(i)), quote=False)
        self.sentence.setText(f"Nudging <b>{name}</b> by h = {h:.3g} moves <b>{out}</b> by "
                              f"{_short(r.actual_change)} {prediction}")
        intermediate = g.roles[i] == "intermediate"
        self.note.setText("The probe overrides this node's value directly; its parents stay as they are."
                          if intermediate else "")
        self.note.setVisible(intermediate)
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
        for label in self.probe_labels.values():
            label.setText("—")
        self.sentence.setText("")
        self.note.setText(self._off_reason())
        self.note.setVisible(True)
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
            self.response_plot.show_message(f"No curve: the output is {_num(float(result.f0))} for every "
                                            f"value of {self._name(i)} tried.")
        elif not (math.isfinite(result.x)):
            self.response_plot.show_message(f"No curve: {self._name(i)} is {_num(float(result.x))}.")
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

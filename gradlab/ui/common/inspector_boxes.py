"""The node inspector's two boxes of numbers: the Node box and the Nudge probe box.

Each only shows what it is handed; ``NodeInspector`` decides what and when.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from gradlab.numfmt import format_number
from gradlab.ui.common.inspected_model import MAX_STEP, MIN_STEP
from gradlab.ui.common.text import NAME_CHARS, breakable, elide

__all__ = ["NodeBox", "ProbeBox", "cell_number", "selectable_label"]

#: the step slider moves in quarter decades: position k means h = 10 ** (k / STEPS_PER_DECADE),
#: over the steps a model takes (InspectedModel's MIN_STEP to MAX_STEP)
STEPS_PER_DECADE = 4
MIN_EXPONENT, MAX_EXPONENT = round(math.log10(MIN_STEP)), round(math.log10(MAX_STEP))
#: a node with hundreds of children would bury the panel in buttons
MAX_LINKS = 12
#: a link button shows this much of a name (three sit side by side)
LINK_CHARS = 16
LINK_STYLE = ("QPushButton { color: #1f5fa8; text-decoration: underline; border: none;"
              " padding: 1px 4px; text-align: left; }"
              "QPushButton:hover { background: #e8f0fb; }")
#: the probe's rows: (objectName of the value, caption, tooltip)
PROBE_ROWS = (
    ("probeF0", "f(x)", "The output now."),
    ("probeFPlus", "f(x + h)", "The output with this node nudged up by h."),
    ("probeFMinus", "f(x − h)", "The output with this node nudged down by h."),
    ("probeForwardDiff", "(f(x+h) − f(x)) / h", "Forward difference: the slope of the secant."),
    ("probeCentralDiff", "(f(x+h) − f(x−h)) / 2h", "Central difference: more accurate, same h."),
    ("probeGrad", "backprop grad", "d(output)/d(node) as backward() computed it."),
    ("probeError", "forward − grad", "How far the forward difference is from the gradient."),
    ("probeCentralError", "central − grad", "How far the central difference is from the gradient."),
)


def selectable_label(name: str, text: str = "", tip: str = "", rich: bool = False) -> QLabel:
    """A wrapping label the learner can select text in, named ``name``."""
    label = QLabel()
    # program text (labels, names) is shown as text; only sentences built here are rich
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setText(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setToolTip(tip)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def cell_number(x: float) -> str:
    """A number for a table cell: 8 significant digits, nan and inf as they are."""
    return f"{x:.8g}" if math.isfinite(x) else str(x)


def _err(x: float) -> str:
    return f"{x:+.2e}" if math.isfinite(x) else str(x)


class NodeBox(QGroupBox):
    """What the selected node is: label, op, role, value, gradient, and links to its operands
    and to the nodes computed from it (a click calls ``select`` with that node)."""

    def __init__(self, select: Callable[[int], None]) -> None:
        super().__init__("Node")
        self._select = select
        self._links_for = -1  # the node whose parents and children the link buttons show
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setContentsMargins(8, 4, 8, 4)
        form.setVerticalSpacing(1)
        self.node_label = selectable_label("nodeLabel", tip="The variable name bound to this node, if any.")
        self.node_op = selectable_label("nodeOp",
                                        tip="The operation that produced this node (none for a leaf).")
        self.node_role = selectable_label("nodeRole", tip="input, constant, intermediate or output.")
        self.node_data = selectable_label("nodeData", tip="The node's current value.")
        self.node_grad = selectable_label("nodeGrad")
        self.parent_links = QWidget(objectName="nodeParents", toolTip="The operands of this node's op.")
        self.child_links = QWidget(objectName="nodeChildren", toolTip="The nodes computed from this one.")
        for w in (self.parent_links, self.child_links):
            QGridLayout(w).setContentsMargins(0, 0, 0, 0)
        # two facts a row (the numbers and the links still a row each): a compact node section
        for name, w in (("label", self.node_label), ("op", _pair(self.node_op, "role", self.node_role)),
                        ("data", _pair(self.node_data, "grad", self.node_grad)),
                        ("parents", self.parent_links), ("children", self.child_links)):
            form.addRow(name, w)

    def show_node(self, g, i: int, name: str, name_of: Callable[[int], str], pending: bool) -> None:
        """Node ``i`` of graph ``g``, displayed as ``name``; ``name_of(j)`` names a linked node;
        ``pending``: its gradient is not computed yet (backprop is being stepped through)."""
        v = g.values[i]
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
        if pending:
            self.node_grad.setText("not computed yet")
            self.node_grad.setToolTip("Backprop is being stepped through and has not reached this node.")
        else:
            self.node_grad.setText(format_number(v.grad))
            self.node_grad.setToolTip(f"d(output)/d(node) = {v.grad!r}")
        if self._links_for != i:  # the structure is frozen: rebuild only for another node
            self._links_for = i
            self._fill_links(self.parent_links, g.parents[i], g.roles, name_of)
            self._fill_links(self.child_links, g.children[i], g.roles, name_of)

    def forget_links(self) -> None:
        """A new graph: the next node shown rebuilds its links."""
        self._links_for = -1

    def _fill_links(self, holder: QWidget, indices: Sequence[int], roles: Sequence[str],
                    name_of: Callable[[int], str]) -> None:
        grid: QGridLayout = holder.layout()
        while grid.count():
            grid.takeAt(0).widget().deleteLater()  # deleteLater: the clicked button may be one of them
        unique = list(dict.fromkeys(indices))  # a + a: one link
        if not unique:
            grid.addWidget(QLabel("none"), 0, 0)
        for k, j in enumerate(unique[:MAX_LINKS]):
            button = QPushButton(elide(name_of(j), LINK_CHARS), objectName=f"nodeLink{j}", flat=True)
            button.setStyleSheet(LINK_STYLE)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setToolTip(f"Inspect node #{j} ({roles[j]})")
            button.clicked.connect(lambda _=False, j=j: self._select(j))
            grid.addWidget(button, k // 3, k % 3)
        if len(unique) > MAX_LINKS:
            grid.addWidget(QLabel(f"… and {len(unique) - MAX_LINKS} more"), MAX_LINKS // 3, 0, 1, 3)


def _pair(first: QWidget, caption: str, second: QWidget) -> QWidget:
    """``first``, then ``caption`` and ``second`` beside it, in one row of a form."""
    pair = QWidget()
    row = QHBoxLayout(pair)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(first, 1)
    row.addWidget(QLabel(caption))
    row.addWidget(second, 1)
    return pair


class ProbeBox(QGroupBox):
    """The nudge probe's numbers: a step slider (log scale; moving it calls ``step_moved(h)``),
    f(x), f(x ± h), the differences, the gradient and their errors, and a sentence that reads them."""

    def __init__(self, step_moved: Callable[[float], None]) -> None:
        super().__init__("Nudge probe")
        self._step_moved = step_moved
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 4, 8, 4)
        column.setSpacing(2)
        column.addLayout(self._build_step_row())
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(0)
        self.probe_labels: dict[str, QLabel] = {}
        self._probe_tips = {name: tip for name, _, tip in PROBE_ROWS}
        for r, (name, caption, tip) in enumerate(PROBE_ROWS):
            grid.addWidget(QLabel(caption, toolTip=tip), r, 0)
            value = selectable_label(name, tip=tip)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setStyleSheet("font-family: monospace;")
            grid.addWidget(value, r, 1)
            self.probe_labels[name] = value
        column.addLayout(grid)
        self.sentence = selectable_label("probeSentence", rich=True,
                                         tip="Backprop's prediction against what a nudge does.")
        self.sentence.setStyleSheet("padding-top: 2px;")
        self.note = selectable_label("probeNote")
        self.note.setStyleSheet("color: #8a5a00;")
        column.addWidget(self.sentence)
        column.addWidget(self.note)

    def _build_step_row(self) -> QHBoxLayout:
        step_tip = (f"The nudge h added to this node's value, from {MIN_STEP:.0e} to {MAX_STEP:g}"
                    " (log scale).\n"
                    "Large h: the curve's bend spoils the slope. Tiny h: float rounding does.")
        self.step_slider = QSlider(Qt.Orientation.Horizontal, objectName="stepSizeInput", toolTip=step_tip)
        self.step_slider.setRange(MIN_EXPONENT * STEPS_PER_DECADE, MAX_EXPONENT * STEPS_PER_DECADE)
        self.step_slider.setPageStep(STEPS_PER_DECADE)
        self.step_slider.setTickInterval(STEPS_PER_DECADE)
        self.step_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.step_slider.valueChanged.connect(self._on_slider_moved)
        self.step_readout = selectable_label("stepSizeLabel", tip=step_tip)
        self.step_readout.setMinimumWidth(72)
        self.step_readout.setWordWrap(False)
        row = QHBoxLayout()
        row.addWidget(QLabel("step", toolTip=step_tip))
        row.addWidget(self.step_slider, 1)
        row.addWidget(self.step_readout)
        return row

    def _on_slider_moved(self, position: int) -> None:
        self._step_moved(10.0 ** (position / STEPS_PER_DECADE))

    def show_step(self, h: float) -> None:
        position = round(math.log10(h) * STEPS_PER_DECADE)
        with QSignalBlocker(self.step_slider):  # model -> widget: no echo back to the model
            self.step_slider.setValue(position)
        self.step_readout.setText(f"h = {h:.3g}")

    def show_result(self, r, sentence: str, note: str) -> None:
        """A ``NudgeResult``'s numbers, the rich-text ``sentence`` that reads them, and ``note``
        (hidden when empty)."""
        values = {"probeF0": r.f0, "probeFPlus": r.f_plus, "probeFMinus": r.f_minus,
                  "probeForwardDiff": r.forward_diff, "probeCentralDiff": r.central_diff, "probeGrad": r.grad,
                  "probeError": r.forward_error, "probeCentralError": r.central_error}
        for name, label in self.probe_labels.items():
            x = values[name]
            label.setText(_err(x) if name.endswith("Error") else cell_number(x))
            label.setToolTip(f"{self._probe_tips[name]}\nFull precision: {x!r}")
        self.sentence.setText(sentence)
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def show_paused(self, reason: str) -> None:
        """Dashes for every number, and ``reason`` in the note."""
        for label in self.probe_labels.values():
            label.setText("—")
        self.sentence.setText("")
        self.note.setText(reason)
        self.note.setVisible(True)

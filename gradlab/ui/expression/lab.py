"""The expression lab: a program, its live graph, the inspector with the nudge probe, sliders."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (
    QBoxLayout,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gradlab.backprop_steps import node_name
from gradlab.numfmt import format_number
from gradlab.ui.common.graph_canvas import GraphCanvas
from gradlab.ui.common.inspector import NodeInspector
from gradlab.ui.common.text import breakable, elide
from gradlab.ui.expression.editor import CodeEditor
from gradlab.ui.expression.inspector_dock import InspectorOnDemand
from gradlab.ui.expression.model import ExpressionModel
from gradlab.ui.expression.program_plots import ProgramPlots
from gradlab.ui.expression.sliders import SliderPanel

#: quiet time after the last keystroke before the program re-runs
RUN_DELAY_MS = 350
#: a run still going after this long says so in the output line (a fast run never flickers)
RUNNING_NOTE_MS = 150
RUNNING_TEXT = "Running…"
#: an error message longer than this (a hostile name in it) is cut
ERROR_CHARS = 300
#: the share of the editor column's height the plot panel takes when a program first draws
PLOT_SHARE = 0.42
#: characters the editor may replace by loads before it starts a fresh document (see load_source)
UNDO_TEXT_BUDGET = 2_000_000
INSPECTOR_MIN_WIDTH, EDITOR_MIN_WIDTH = 270, 150
#: the editor column's share of the lab's width until the learner drags its splitter handle (then
#: the share they left it at): it grows with the window, so comments and print lines fit
EDITOR_SHARE = 0.25
NO_VALUES = ("This program builds no Value, so there is no graph to draw.\n"
             "Make one, e.g.  a = Value(2.0)  then  b = a * a + 1")


def step_text(graph, step: int, total: int, last) -> str:
    """``Backprop step 2 of 3`` and what the step did, the chain rule with its numbers
    (``last``: the step's gradlab.backprop_steps.Step; None at step 0)."""
    head = f"Backprop step {step} of {total}"
    out = node_name(graph, len(graph) - 1)
    if last is None:
        return (f"{head}: backward() starts at the output, {out}.grad = 1 (d{out}/d{out}). "
                f"Each Step runs one node's _backward(), passing its grad to its operands.")
    v, name = graph.values[last.node], node_name(graph, last.node)
    text = f"{head}: {name} ({v._op}) passes its grad back:  " + ";  ".join(last.lines)
    if step == total:
        text += ".  That was the last step: every gradient is in (Step again or Finish ends it)."
    return text


def _button(text: str, tip: str, name: str, slot) -> QToolButton:
    b = QToolButton()
    b.setText(text)
    b.setToolTip(tip)
    b.setObjectName(name)
    b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    b.clicked.connect(slot)
    return b


class _Splitter(QSplitter):
    """A splitter that calls ``after_resize`` once it has laid out its widgets for a new size."""

    after_resize = None

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.after_resize is not None:
            self.after_resize()


class _Header(QWidget):
    """The output value, then the controls: on one row, or on two when the lab is narrow."""

    def __init__(self, output: QLabel, controls: QWidget) -> None:
        super().__init__()
        self.output, self.controls = output, controls
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.addWidget(output, 1)
        self.box.addWidget(controls)

    def minimumSizeHint(self):  # noqa: N802 -- narrow enough for two rows
        hint = super().minimumSizeHint()
        hint.setWidth(max(self.output.minimumSizeHint().width(), self.controls.sizeHint().width()))
        return hint

    def resizeEvent(self, event) -> None:  # noqa: N802
        wide = event.size().width() >= self.output.sizeHint().width() + self.controls.sizeHint().width() + 12
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.box.direction() != direction:
            self.box.setDirection(direction)
        super().resizeEvent(event)


class ExpressionLab(QWidget):
    """Editor and console | output, graph canvas and sliders | node inspector (while a node is
    selected: ``InspectorOnDemand``)."""

    #: the program held unrun (see hold) runs now, or another one replaced it
    hold_released = Signal()

    def __init__(self, model: ExpressionModel | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("expressionLab")
        self.model = model or ExpressionModel(self)
        self.editor = CodeEditor()
        self.error_label = QLabel()
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b3261e; padding: 2px 4px;")
        self.error_label.hide()
        self.console = QPlainTextEdit()
        self.console.setObjectName("console")
        self.console.setReadOnly(True)
        self.console.setMaximumBlockCount(2000)
        self.console.setPlaceholderText("print() output appears here")
        self.console.setToolTip("What the program printed")
        self.console.setFont(self.editor.font())
        self.canvas = GraphCanvas()
        self.inspector = NodeInspector(self.model)
        self.sliders = SliderPanel(self.model)
        self.plots = ProgramPlots()
        self.gradients_label = QLabel(objectName="gradientsNote")
        self.gradients_label.setTextFormat(Qt.TextFormat.PlainText)
        self.gradients_label.setStyleSheet("color: #666; padding: 0 4px;")
        self.gradients_label.setWordWrap(True)
        self.output_label = QLabel("no output yet")
        self.output_label.setTextFormat(Qt.TextFormat.PlainText)
        self.output_label.setObjectName("outputLabel")
        self.output_label.setToolTip("The output node: the value backward() starts from")
        font = QFont(self.output_label.font())
        font.setPointSize(font.pointSize() + 4)
        font.setBold(True)
        self.output_label.setFont(font)
        self._held_run: Callable[[], object] | None = None  # see hold
        self.restore_banner = self._build_banner()
        self._build_layout()
        self.inspector.add_close_button(self.deselect)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.deselect,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._replaced_chars = 0  # characters replaced by loads since the document was fresh
        self._cursor_line = 0  # the editor line whose nodes the canvas highlights

        self._run_timer = QTimer(self, singleShot=True, interval=RUN_DELAY_MS)
        self._run_timer.timeout.connect(self.start_run)
        self.editor.textChanged.connect(self._on_text_changed)
        self.editor.run_requested.connect(self.start_run)
        self._running_timer = QTimer(self, singleShot=True, interval=RUNNING_NOTE_MS)
        self._running_timer.timeout.connect(self._show_output)
        self.canvas.node_clicked.connect(self.model.select)
        self.editor.cursorPositionChanged.connect(self._on_cursor_moved)
        m = self.model
        m.program_changed.connect(self._on_program_changed)
        m.values_changed.connect(self._on_values_changed)
        m.selection_changed.connect(self.canvas.set_selected)
        m.selection_changed.connect(self._on_selection_changed)
        m.error_changed.connect(self._on_error_changed)
        m.backprop_step_changed.connect(self._on_backprop_step)
        m.backprop_step_changed.connect(self._show_gradients_note)
        m.run_started.connect(self._on_run_started)
        m.run_finished.connect(self._on_run_finished)
        # while nothing is selected the canvas has the inspector's room (after the slots above)
        self.inspector_dock = InspectorOnDemand(self._split, self.inspector, self.canvas, m)

    def _build_layout(self) -> None:
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.editor)
        left.addWidget(self.error_label)
        left.addWidget(self.console)
        left.addWidget(self.plots)  # plt.plot and the training curve, beside what print wrote
        left.setStretchFactor(0, 4)
        left.setStretchFactor(2, 1)
        left.setStretchFactor(3, 2)
        self._left = left

        centre = QWidget()
        col = QVBoxLayout(centre)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self._build_toolbar())
        col.addWidget(self.gradients_label)
        body = _Splitter(Qt.Orientation.Vertical)
        body.addWidget(self.canvas)
        body.addWidget(self.sliders)
        body.setStretchFactor(0, 1)
        body.setStretchFactor(1, 0)
        body.setSizes([640, 110])  # room for three sliders before the panel scrolls
        col.addWidget(body, 1)

        split = _Splitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(centre)
        split.addWidget(self.inspector)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 870, 270])
        self._split = split
        self.editor_share = EDITOR_SHARE
        split.splitterMoved.connect(self._on_split_moved)
        split.after_resize = self._on_columns_resized
        body.after_resize = self.sliders.fit_height  # the sliders' share of a taller column grows
        # at the window's minimum width (1024 px) the inspector keeps room to reflow its text
        # rather than clip it; the editor keeps room for a line of code
        self.inspector.setMinimumWidth(INSPECTOR_MIN_WIDTH)
        left.setMinimumWidth(EDITOR_MIN_WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.restore_banner)
        layout.addWidget(split, 1)

    def _build_banner(self) -> QFrame:
        """Above the lab, while a program is held unrun (see hold): a sentence and a Run button."""
        banner = QFrame(objectName="restoreBanner")
        banner.setStyleSheet("#restoreBanner { background: #fff4ce; border: 1px solid #e0c36a; "
                             "border-radius: 4px; }")
        row = QHBoxLayout(banner)
        row.setContentsMargins(8, 4, 4, 4)
        self.restore_text = QLabel(objectName="restoreBannerText")
        self.restore_text.setTextFormat(Qt.TextFormat.PlainText)
        self.restore_text.setWordWrap(True)
        row.addWidget(self.restore_text, 1)
        run = QPushButton("Run", objectName="restoreRunButton")
        run.setToolTip("Run the program now")
        run.clicked.connect(self._run_held)
        row.addWidget(run)
        banner.hide()
        return banner

    def _on_columns_resized(self) -> None:
        self._keep_editor_share()
        if hasattr(self, "inspector_dock"):  # made last in __init__
            self.inspector_dock.keep_width()

    def _on_split_moved(self, _pos: int, index: int) -> None:
        """A drag of the editor's handle: the share it leaves is the learner's from now on."""
        sizes = self._split.sizes()
        if index == 1 and sum(sizes) > 0:
            self.editor_share = sizes[0] / sum(sizes)

    def _keep_editor_share(self) -> None:
        """The editor column at ``editor_share`` of the width; the canvas gives or takes the rest."""
        sizes = self._split.sizes()
        total = sum(sizes)
        want = max(round(self.editor_share * total), self._left.minimumWidth())
        if total <= 0 or sizes[0] == 0 or abs(sizes[0] - want) <= 1:  # collapsed by the learner: kept
            return
        sizes[1] += sizes[0] - want
        sizes[0] = want
        if sizes[1] >= 0:
            self._split.setSizes(sizes)

    def _build_toolbar(self) -> QWidget:
        controls = QWidget()
        bar = QHBoxLayout(controls)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addStretch(1)
        bar.addWidget(QLabel("Backprop:"))
        bar.addWidget(_button("Step", "Run the next node's _backward(), walking the graph backwards (F10)",
                              "backpropStepButton", self.model.step_backprop))
        bar.addWidget(_button("Finish", "Run the rest of backward() at once", "backpropFinishButton",
                              self.model.finish_backprop))
        bar.addSpacing(12)
        bar.addWidget(QLabel("Rate:"))
        self.rate_input = QDoubleSpinBox()
        self.rate_input.setObjectName("learningRateInput")
        self.rate_input.setDecimals(4)
        self.rate_input.setRange(0.0001, 10.0)
        self.rate_input.setSingleStep(0.01)
        self.rate_input.setValue(0.01)
        self.rate_input.setToolTip("How far a gradient step moves each input: rate × grad")
        bar.addWidget(self.rate_input)
        bar.addWidget(_button("Descend", "Move every input by −rate × grad: the output falls",
                              "descendButton", lambda: self.model.step_inputs(self.rate_input.value())))
        bar.addWidget(_button("Ascend", "Move every input by +rate × grad: the output rises",
                              "ascendButton", lambda: self.model.step_inputs(-self.rate_input.value())))
        return _Header(self.output_label, controls)

    # -- program ------------------------------------------------------------------------------

    def load_source(self, source: str, wait: bool = True) -> bool:
        """Put ``source`` in the editor and run it: now (``wait``; False if it has an error),
        or off the UI thread, the window live meanwhile (True: the result comes later).

        The replacement is one undoable edit: Ctrl+Z brings back what was there (older edits
        are forgotten then).  While undo is on, Qt keeps every character a document ever held,
        so once ``UNDO_TEXT_BUDGET`` characters have been replaced the editor starts afresh
        instead: that load cannot be undone, and the memory comes back.
        """
        self.release_hold()
        old = self.editor.document().characterCount()
        if self._replaced_chars + old + len(source) > UNDO_TEXT_BUDGET:
            self._replaced_chars = 0
            self.editor.setPlainText(source)
        else:
            self._replaced_chars += old + len(source)
            self.editor.document().clearUndoRedoStacks()
            cursor = self.editor.textCursor()
            cursor.select(cursor.SelectionType.Document)
            cursor.insertText(source)
        self.editor.moveCursor(QTextCursor.MoveOperation.Start)
        if not wait:
            self.start_run()
            return True
        return self.run_now()

    def hold(self, source: str, message: str, run: Callable[[], object] | None = None) -> None:
        """Put ``source`` in the editor without running it, with a banner saying ``message`` and a
        Run button; edits do not run it either.  The button (or Run, Ctrl+Enter) calls ``run``
        (default: run_now), once, and the lab runs edits again as usual."""
        self._held_run = run or self.run_now
        self.editor.setPlainText(source)
        self._replaced_chars = 0
        self._run_timer.stop()
        self.restore_text.setText(message)
        self.restore_banner.show()

    def is_held(self) -> bool:
        """The editor holds a program that has not been run (see hold)."""
        return self._held_run is not None

    def _run_held(self) -> None:
        run = self._held_run
        self.release_hold()
        if run is not None:
            run()

    def release_hold(self) -> None:
        """Drop the hold without running anything (another program replaces it)."""
        if self._held_run is None:
            return
        self._held_run = None
        self.restore_banner.hide()
        self.hold_released.emit()

    def _on_text_changed(self) -> None:
        if self._held_run is None:
            self._run_timer.start()

    def run_now(self) -> bool:
        """Run the editor's program here and now (a run in flight is dropped); False on an error."""
        if self._held_run is not None:
            self._run_held()
            return self.model.error is None
        self._run_timer.stop()
        self.model.view_shape = self.canvas.view_shape()
        return self.model.set_source(self.editor.toPlainText())

    def start_run(self) -> None:
        """Run the editor's program off the UI thread (a pause in typing, Ctrl+Enter): its graph
        replaces this one when it is ready, and a newer edit stops it."""
        if self._held_run is not None:
            self._run_held()
            return
        self._run_timer.stop()
        self.model.request_source(self.editor.toPlainText(), self.canvas.view_shape())

    def _on_run_started(self) -> None:
        if not self._running_timer.isActive() and RUNNING_TEXT not in self.output_label.text():
            self._running_timer.start()

    def _on_run_finished(self) -> None:
        self._running_timer.stop()
        self._show_output()

    # -- model to views -----------------------------------------------------------------------

    def _on_program_changed(self) -> None:
        self.canvas.set_graph(self.model.graph)
        self.canvas.set_message("" if self.model.graph is not None else NO_VALUES)
        self.canvas.set_step_text("")
        self.console.setPlainText("\n".join(self.model.program.printed))
        self._on_cursor_moved(force=True)
        self._show_plots()
        mirrored = self.model.program.mirrored
        for name in ("backpropStepButton", "backpropFinishButton", "descendButton", "ascendButton"):
            button = self.findChild(QToolButton, name)
            button.setEnabled(not mirrored)
        self._show_output()

    def _on_values_changed(self, changed: list[int]) -> None:
        self.canvas.refresh_values(changed)
        self._show_output()
        self._show_gradients_note()

    def _on_error_changed(self, err) -> None:
        self.editor.mark_error(err.line if err is not None else 0)
        self.error_label.setText(breakable(elide(str(err), ERROR_CHARS)) if err is not None else "")
        self.error_label.setVisible(err is not None)
        shown = "the last graph that ran" if self.model.graph is not None else "no graph"
        self.canvas.set_stale(f"Line {err.line}: {err.message}\nThe program stops there; this is {shown}, "
                              "until it runs again." if err is not None else "")

    def _on_backprop_step(self, step: int) -> None:
        m = self.model
        last = m.last_step
        self.canvas.set_active(m.backprop_current(), last.parents if last is not None else ())
        self.canvas.set_pending(m.pending_gradients())
        stepping = step >= 0 and m.graph is not None
        self.canvas.set_step_text(step_text(m.graph, step, len(m.backprop_order), last) if stepping else "")

    def _on_cursor_moved(self, force: bool = False) -> None:
        """Highlight the nodes the cursor's line made; typing along a line repaints nothing."""
        graph = self.model.graph
        line = self.editor.cursor_line()
        if line == self._cursor_line and not force:
            return
        self._cursor_line = line
        self.canvas.set_line_nodes(graph.nodes_on_line(line) if graph is not None else [])

    def _on_selection_changed(self, index: int) -> None:
        graph = self.model.graph
        self.editor.mark_linked(graph.lines[index] if graph is not None and index >= 0 else 0)

    def deselect(self) -> None:
        """Drop the selection (Esc, the inspector's ×): the inspector closes."""
        self.model.select(-1)

    def _show_output(self) -> None:
        """The output's value; "Running…" beside it once an edit's run has taken a while."""
        graph = self.model.graph
        self._show_gradients_note()
        out = graph.output if graph is not None else None
        text = (f"{elide(out.label or 'output')} = {format_number(out.data)}" if out is not None
                else "no output yet")
        if self.model.run_in_flight() and not self._running_timer.isActive():
            text = f"{text}    {RUNNING_TEXT}"
        self.output_label.setText(text)

    def _show_gradients_note(self, *_args) -> None:
        """Whose gradients the graph shows: the program's, or gradlab's own (see the model)."""
        note = self.model.gradients_note()
        self.gradients_label.setText(note)
        self.gradients_label.setVisible(bool(note))

    def _show_plots(self) -> None:
        """Draw the program's plots; when the panel appears, give it room to be read."""
        was_shown = self.plots.has_plots()
        self.plots.show_program(self.model.program)
        if self.plots.has_plots() and not was_shown:
            sizes = self._left.sizes()
            total = sum(sizes)
            if total > 0 and sizes[3] < PLOT_SHARE * total:
                plots = int(PLOT_SHARE * total)
                console = min(sizes[2], int(0.15 * total))
                self._left.setSizes([max(total - plots - console - sizes[1], 0), sizes[1], console, plots])

"""The expression lab: a program, its live graph, the inspector with the nudge probe, sliders."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import QWidget

from gradlab.backprop_steps import node_name
from gradlab.numfmt import format_number
from gradlab.ui.common.text import breakable, elide
from gradlab.ui.expression.inspector_dock import InspectorOnDemand
from gradlab.ui.expression.lab_layout import (
    EDITOR_SHARE,
    INSPECTOR_MIN_WIDTH,
    ExpressionLabLayout,
)
from gradlab.ui.expression.model import ExpressionModel

# the layout's numbers, read here by the window and the tests
__all__ = ["EDITOR_SHARE", "ERROR_CHARS", "INSPECTOR_MIN_WIDTH", "RUNNING_TEXT",
           "ExpressionLab", "step_text"]

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
    op = "a call: every node inside it at once" if graph.group_of(last.node) >= 0 else v._op
    text = f"{head}: {name} ({op}) passes its grad back:  " + ";  ".join(last.lines)
    if step == total:
        text += ".  That was the last step: every gradient is in (Step again or Finish ends it)."
    return text



class ExpressionLab(ExpressionLabLayout):
    """Editor and console | output, graph canvas and sliders | node inspector (while a node is
    selected: ``InspectorOnDemand``): the widgets of ExpressionLabLayout, wired to the model."""

    #: the program held unrun (see hold) runs now, or another one replaced it
    hold_released = Signal()
    #: the learner changed the inputs' values (gradlab.ui.undo records it): what ("Descend"), the
    #: InputValues before and after, and a merge key ("": a step of its own)
    edited = Signal(str, object, object, str)

    def __init__(self, model: ExpressionModel | None = None, parent: QWidget | None = None) -> None:
        super().__init__(model, parent)
        self._held_run: Callable[[], object] | None = None  # see hold
        self._replaced_chars = 0  # characters replaced by loads since the document was fresh
        self._cursor_line = 0  # the editor line whose nodes the canvas highlights
        #: what the editor's next undo step is (a load's name while one replaces the text; "": typing)
        self.text_edit_name = ""
        self._wire_controls()
        self._wire_model()
        # while nothing is selected the canvas has the inspector's room (after the model's slots)
        self.inspector_dock = InspectorOnDemand(self._split, self.inspector, self.canvas, self.model)

    def _wire_controls(self) -> None:
        """The learner's side: the editor, the buttons, a click on the canvas, Esc."""
        m, buttons = self.model, self.buttons
        self.restore_run.clicked.connect(self._run_held)
        buttons["backpropStepButton"].clicked.connect(m.step_backprop)
        buttons["backpropFinishButton"].clicked.connect(m.finish_backprop)
        buttons["backpropStepIntoButton"].clicked.connect(m.step_into)
        buttons["descendButton"].clicked.connect(lambda: self.step_inputs("Descend", self.rate_input.value()))
        buttons["ascendButton"].clicked.connect(lambda: self.step_inputs("Ascend", -self.rate_input.value()))
        self.sliders.edited.connect(self.edited)
        self.inspector.add_close_button(self.deselect)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._on_escape,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.stop_button.clicked.connect(self.stop_run)
        self._run_timer = QTimer(self, singleShot=True, interval=RUN_DELAY_MS)
        self._run_timer.timeout.connect(self._on_typing_paused)
        self.editor.textChanged.connect(self._on_text_changed)
        self.editor.run_requested.connect(self.start_run)
        self._running_timer = QTimer(self, singleShot=True, interval=RUNNING_NOTE_MS)
        self._running_timer.timeout.connect(self._show_output)
        self._run_started = time.monotonic()
        self._elapsed_timer = QTimer(self, interval=1000)  # "Running… 3 s" counts the seconds
        self._elapsed_timer.timeout.connect(self._show_output)
        self.canvas.node_clicked.connect(m.click_node)  # a collapsed call expands
        self.editor.cursorPositionChanged.connect(self._on_cursor_moved)

    def _wire_model(self) -> None:
        """The model's side: each change redraws the views that show it."""
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

    # -- program ------------------------------------------------------------------------------

    def step_inputs(self, what: str, rate: float) -> None:
        """Move every input by ``-rate * grad`` (Descend; Ascend with a negative rate), one step
        of the undo history called ``what``."""
        before = self.model.input_values()
        moved = self.model.step_inputs(rate)
        if before is not None and moved:
            self.edited.emit(what, before, before.moved(moved), "")

    def load_source(self, source: str, wait: bool = True, name: str = "Load Program") -> bool:
        """Put ``source`` in the editor and run it: now (``wait``; False if it has an error),
        or off the UI thread, the window live meanwhile (True: the result comes later).

        The replacement is one undoable edit (called ``name`` in the Edit menu): Ctrl+Z brings
        back what was there.  While undo is on, Qt keeps every character a document ever held,
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
            cursor = self.editor.textCursor()
            cursor.select(cursor.SelectionType.Document)
            self.text_edit_name = name
            try:
                cursor.insertText(source)
            finally:
                self.text_edit_name = ""
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

    def _on_typing_paused(self) -> None:
        """Run the edited program, unless the text is the one shown and nothing else runs (an
        edit undone at once): running it again would put the inputs back to its numbers."""
        m = self.model
        if self.editor.toPlainText() == m.source and m.error is None and not m.run_in_flight():
            return
        self.start_run()

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
        self._run_started = time.monotonic()
        self.stop_button.setEnabled(True)
        self._elapsed_timer.start()
        if not self._running_timer.isActive() and RUNNING_TEXT not in self.output_label.text():
            self._running_timer.start()

    def _on_run_finished(self) -> None:
        self._running_timer.stop()
        self._elapsed_timer.stop()
        self._show_output()

    def stop_run(self) -> bool:
        """Stop the edited program's run (Stop, Esc): it ends at the line it reached, the error
        line says so, and the last good graph stays.  False if no run was going on."""
        if not self.model.stop_run():
            return False
        self.stop_button.setEnabled(False)  # until the run has ended (within a fraction of a second)
        return True

    def _on_escape(self) -> None:
        """Esc stops a run going on; else it drops the selection."""
        if not self.stop_run():
            self.deselect()

    # -- model to views -----------------------------------------------------------------------

    def _on_program_changed(self) -> None:
        self.canvas.set_graph(self.model.graph)
        self.canvas.set_message("" if self.model.graph is not None else NO_VALUES)
        self.canvas.set_step_text("")
        self.console.setPlainText("\n".join(self.model.program.console_lines()))
        self._on_cursor_moved(force=True)
        self._show_plots()
        mirrored = self.model.program.mirrored
        for button in self.buttons.values():
            button.setEnabled(not mirrored)
        into = self.buttons["backpropStepIntoButton"]  # there while calls are collapsed
        into.setVisible(self.model.graph is not None and bool(self.model.graph.collapsed))
        into.setEnabled(not mirrored and self.model.next_step_call() >= 0)
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
        self.buttons["backpropStepIntoButton"].setEnabled(m.next_step_call() >= 0)
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
        """The output's value; "Running…" and Stop beside it once an edit's run has taken a while."""
        graph = self.model.graph
        self._show_gradients_note()
        out = graph.output if graph is not None else None
        text = (f"{elide(out.label or 'output')} = {format_number(out.data)}" if out is not None
                else "no output yet")
        note = self._running_note()
        if note:
            text = f"{text}    {note}"
        self.output_label.setText(text)
        self.stop_button.setVisible(bool(note))

    def _running_note(self) -> str:
        """"Running…" once an edit's run has taken RUNNING_NOTE_MS, and from a second on for how
        long; "" otherwise."""
        if not self.model.run_in_flight() or self._running_timer.isActive():
            return ""
        seconds = int(time.monotonic() - self._run_started)
        return f"{RUNNING_TEXT} {seconds} s" if seconds >= 1 else RUNNING_TEXT

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

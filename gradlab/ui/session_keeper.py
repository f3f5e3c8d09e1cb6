"""The work in the main window as one ``Session``, kept as the learner works.

``SessionKeeper`` reads the session from the two labs (what an autosave, Save Session and
Recover Previous Work write), shows a session read back (its program held unrun under a
banner when the launch before died with it: ``HELD_TEXT``), keeps the work an open is about to
replace (File > Recover Previous Work), and tells the autosaver of every change and of every
run (the busy marker). The window only wires its menus to it.
"""

from __future__ import annotations

from collections.abc import Callable

from gradlab.files import FileError
from gradlab.session import ExpressionLabState, NetworkLabState, Session, load_session
from gradlab.ui.autosave import BUSY_RESTORING, BUSY_RUNNING, Autosaver

__all__ = ["HELD_TEXT", "NO_PREVIOUS_TEXT", "SessionKeeper"]

#: the banner over a program held unrun because the launch before died (see Autosaver.interrupted)
HELD_TEXT = {
    BUSY_RESTORING: "gradlab closed unexpectedly while it was reopening this program, so it is shown "
                    "without running it: press Run when you are ready.",
    BUSY_RUNNING: "gradlab closed unexpectedly while this program was running, so it is shown without "
                  "running it: press Run when you are ready.",
}
NO_PREVIOUS_TEXT = ("There is no previous work to recover: gradlab keeps the work in the window when a "
                    "file, a session or an example replaces it.")


class SessionKeeper:
    """The session of ``expression_lab`` and ``network_tab``, kept through ``autosaver``;
    ``show_error(text, objectName)`` and ``show_status(text, ms)`` are the window's."""

    def __init__(self, expression_lab, network_tab, autosaver: Autosaver,
                 show_error: Callable[..., bool], show_status: Callable[[str, int], None]) -> None:
        self.expression_lab, self.network_tab, self.autosaver = expression_lab, network_tab, autosaver
        self._show_error, self._show_status = show_error, show_status
        #: the text an example or a program file put in the editor (None: the learner's work,
        #: restored or recovered): while the editor holds it unchanged, there is nothing to keep
        self.opened_text: str | None = ""
        self._held_state: ExpressionLabState | None = None  # a restored program held unrun
        self._run_marked = False  # the busy marker set around a run made here
        self._autosave_was_failing = False
        #: the open lesson's part of a session, and how to show a session's (``lesson_hooks``)
        self._lesson_state: Callable[[], dict | None] = lambda: None
        self._restore_lesson: Callable[[dict], str] = lambda state: ""
        model = expression_lab.model
        model.run_started.connect(self._on_run_started)
        model.run_finished.connect(self._on_run_finished)
        expression_lab.hold_released.connect(self._on_hold_released)
        autosaver.save_failed.connect(self._on_autosave_failed)
        autosaver.saved.connect(self._on_autosaved)
        # every change is worth keeping: edits (before they run), runs, sliders, selection, h
        expression_lab.editor.textChanged.connect(autosaver.schedule)
        for signal in (model.program_changed, model.values_changed, model.selection_changed,
                       model.step_size_changed, model.error_changed):
            signal.connect(autosaver.schedule)

    def watch_network_lab(self, lab) -> None:
        """The network lab's work is kept like the expression lab's: data, settings, weights, history."""
        model = lab.model
        for signal in (model.data_changed, model.network_changed, model.config_changed,
                       model.step_completed, model.parameters_changed):
            signal.connect(self.autosaver.schedule)

    def lesson_hooks(self, state: Callable[[], dict | None], restore: Callable[[dict], str]) -> None:
        """Sessions keep the open lesson: ``state()`` gives its part (None: no lesson), and
        ``restore(part)`` shows a session's ("" or why it cannot)."""
        self._lesson_state, self._restore_lesson = state, restore

    # -- the session, both ways -----------------------------------------------------------

    def current_session(self) -> Session:
        model = self.expression_lab.model
        overrides = {}
        held = self._held_state if self.expression_lab.is_held() else None
        if held is not None:  # a program not run yet: its slider values and selection as saved
            overrides = dict(held.overrides)
        elif model.program is not None and model.graph is not None:
            for name in model.program.inputs:
                v = model.program.values[name]
                overrides[name] = v.data
        graph, i = model.graph, model.selected
        selected = graph.values[i].label if graph is not None and 0 <= i < len(graph) else ""
        if held is not None:
            selected = held.selected
        # the editor's text, not the last run's: what was typed a moment ago is kept too
        source = self.expression_lab.editor.toPlainText()
        return Session(ExpressionLabState(source, selected, model.step_size, overrides),
                       NetworkLabState.of(self.network_tab.state()), self._lesson_state())

    def apply_session(self, session: Session, hold: str = "") -> None:
        """Show ``session``; with ``hold`` (why: BUSY_RESTORING, BUSY_RUNNING) its program is put in
        the editor unrun, under a banner with a Run button that runs it (see ExpressionLab.hold)."""
        state = session.expression_lab
        model = self.expression_lab.model
        self.opened_text = None  # a session is work to keep, wherever it came from
        if hold:
            self._held_state = state
            self.autosaver.hold(hold)  # until it runs, every launch holds it
            self.expression_lab.hold(state.source, HELD_TEXT.get(hold, HELD_TEXT[BUSY_RESTORING]),
                                     lambda: self._run_restored(state))
        else:
            with self.autosaver.marked(BUSY_RUNNING):
                self.expression_lab.load_source(state.source)
                self._restore_values(state)
        model.set_step_size(state.step_size)
        lab_state = session.network_lab
        problem = self.network_tab.restore(lab_state.state())
        if lab_state.problem:  # the loader left out the part of the lab that holds a bad field
            problem = f"{lab_state.problem}: that part was left out, the rest of the session is open"
        if problem:
            self._show_error(f"Network lab: {problem}")
        if session.lesson is not None:
            problem = self._restore_lesson(session.lesson)
            if problem:
                self._show_error(f"Lesson: {problem}; the rest of the session is open", "lessonErrorMessage")

    def _restore_values(self, state: ExpressionLabState) -> None:
        """The sliders' values and the selection of ``state``, on the program that just ran."""
        model = self.expression_lab.model
        if model.graph is not None and model.program is not None:
            index, values = model.graph.index, model.program.values
            model.set_values({index[id(values[name])]: value for name, value in state.overrides.items()
                              if name in values and id(values[name]) in index})
            found = model.graph.find(state.selected) if state.selected else None
            model.select(found if found is not None else -1)

    def _run_restored(self, state: ExpressionLabState) -> None:
        """The Run of a held program: run what the editor holds, then put its slider values back."""
        with self.autosaver.marked(BUSY_RUNNING):
            self.expression_lab.run_now()
            self._restore_values(state)

    def _on_hold_released(self) -> None:
        self._held_state = None
        self.autosaver.hold("")

    def _on_run_started(self) -> None:
        if not self._run_marked:
            self._run_marked = True
            self.autosaver.mark(BUSY_RUNNING)

    def _on_run_finished(self) -> None:
        if self._run_marked:
            self._run_marked = False
            self.autosaver.unmark(BUSY_RUNNING)

    # -- previous work ------------------------------------------------------------------------

    def keep_current_work(self) -> None:
        """Before an open replaces the work in the window, keep it for Recover Previous Work
        (not when there is nothing of the learner's: an empty editor, an unchanged example or
        program file)."""
        text = self.expression_lab.editor.toPlainText()
        made = self.network_tab.state() is not None or (text.strip() and text != self.opened_text)
        if not made:
            return
        try:
            problem = self.autosaver.keep_previous(self.current_session())
        except Exception as err:  # noqa: BLE001 -- the open goes on; say why nothing was kept
            problem = f"Your previous work could not be kept: {type(err).__name__}: {err}"
        if problem:
            self._show_error(problem, "previousWorkMessage")

    def open_program(self, source: str, wait: bool) -> None:
        """Put ``source`` (an example's, a lesson step's) in the expression lab and run it: here
        and now (``wait``) or off the UI thread; the work it replaces is kept first."""
        self.keep_current_work()
        self.opened_text = source
        with self.autosaver.marked(BUSY_RUNNING):
            self.expression_lab.load_source(source, wait=wait)

    def recover_previous(self) -> bool:
        """File > Recover Previous Work: bring back the work the last open replaced; what is in
        the window now becomes the previous work (recovering again swaps back)."""
        path = self.autosaver.previous_path
        if not path.exists():
            self._show_status(NO_PREVIOUS_TEXT, 15000)
            return False
        try:
            previous = load_session(path)
        except FileError as err:
            return self._show_error(str(err))
        problem = self.autosaver.keep_previous(self.current_session())
        if problem:  # what is open now would be lost: leave things as they are
            return self._show_error(problem, "previousWorkMessage")
        self.apply_session(previous)
        self.autosaver.schedule()
        self._show_status("Recovered your previous work; what was open is kept in its place "
                          "(Recover Previous Work again swaps back).", 15000)
        return True

    # -- autosave's news -----------------------------------------------------------------------

    def _on_autosave_failed(self, message: str) -> None:
        self._autosave_was_failing = True
        self._show_error(message, "autosaveFailedMessage")

    def _on_autosaved(self, path) -> None:
        if self._autosave_was_failing:
            self._autosave_was_failing = False
            self._show_status(f"Autosave works again: your work is saved in {path}", 10000)

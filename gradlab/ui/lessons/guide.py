"""The lesson guide: opens a lesson in the lesson panel, puts each step into the labs, tells the
lesson what the labs show after every change (its ``done_when``), outlines what a step names,
and keeps the progress (the app's settings, and the session).

The window makes one guide and wires its menus to it; the guide talks to the window only
through what the window offers every part of it: ``expression_lab``, ``network_tab``, ``tabs``,
``show_network_lab``, ``show_error``, the status bar, and its session ``keeper`` (whose
``open_program`` keeps the work a step's program replaces) and ``autosaver``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QDockWidget, QFileDialog, QWidget

from gradlab.lessons import LabState, Lesson, LessonError, LessonProgress, builtin, find_lesson, load_lesson
from gradlab.ui.lessons.apply import apply_network, select_label
from gradlab.ui.lessons.dialog import LessonsDialog, minutes_for
from gradlab.ui.lessons.highlight import Highlighter
from gradlab.ui.lessons.lab_state import read_lab_state
from gradlab.ui.lessons.panel import LessonPanel
from gradlab.ui.lessons.store import LessonStore

__all__ = ["LessonGuide"]

#: the panel's width: this share of the window's, within these bounds (pixels)
PANEL_SHARE, PANEL_MIN, PANEL_MAX = 0.22, 280, 420


class LessonGuide(QObject):
    """Lessons in ``window`` (the main window): one lesson open at a time, or none."""

    #: a lesson was opened: the Lesson
    lesson_opened = Signal(object)
    #: the progress changed (an answer, a step done, a move): worth saving
    progress_changed = Signal()

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.store = LessonStore()
        self.progress: LessonProgress | None = None
        self.dock: QDockWidget | None = None
        self.panel: LessonPanel | None = None
        self.highlighter = Highlighter(window)
        self._pending_select: str | None = None
        # one look at the labs per turn of the event loop, however many changes it brought
        self._check = QTimer(self)
        self._check.setSingleShot(True)
        self._check.setInterval(0)
        self._check.timeout.connect(self.check_now)
        model = window.expression_lab.model
        for signal in (model.program_changed, model.values_changed, model.selection_changed,
                       model.step_size_changed, model.backprop_step_changed):
            signal.connect(self.schedule_check)
        # the step's program has run: select its node (not at program_changed: the lab then puts
        # the selection before the run back on the new graph)
        model.run_finished.connect(self._select_pending)
        window.tabs.currentChanged.connect(self.schedule_check)
        window.network_tab.lab_built.connect(self._watch_network_lab)
        # sessions (saved and autosaved) keep the open lesson, and each change of progress
        window.keeper.lesson_hooks(self.session_state, self.restore_session)
        self.progress_changed.connect(window.autosaver.schedule)

    # -- the panel ---------------------------------------------------------------------------------

    def ensure_panel(self) -> LessonPanel:
        """The lesson panel, docked at the window's right (made the first time it is needed)."""
        if self.panel is None:
            self.panel = LessonPanel()
            self.dock = QDockWidget("Lesson", self.window)
            self.dock.setObjectName("lessonDock")
            self.dock.setTitleBarWidget(QWidget())  # the panel has its own title and Close
            self.dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
            self.dock.setWidget(self.panel)
            self.panel.setMinimumWidth(PANEL_MIN - 20)
            self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
            self.panel.step_changed.connect(lambda _i: self.apply_step())
            self.panel.progress_changed.connect(self._on_progress_changed)
            self.panel.next_lesson_requested.connect(self.open_next_lesson)
            self.panel.close_requested.connect(self.close)
            self.panel.offer_answered.connect(self._on_offer_answered)
        return self.panel

    def _show_dock(self) -> None:
        self.dock.show()
        width = int(min(max(self.window.width() * PANEL_SHARE, PANEL_MIN), PANEL_MAX))
        self.window.resizeDocks([self.dock], [width], Qt.Orientation.Horizontal)

    def is_open(self) -> bool:
        """A lesson is open in a visible panel."""
        return self.progress is not None and self.dock is not None and not self.dock.isHidden()

    def close(self) -> None:
        """Close the panel; the lesson's progress stays kept (Help > Lessons goes on from there)."""
        if self.dock is not None:
            self.dock.hide()
        self.highlighter.clear()
        self.progress = None
        self.progress_changed.emit()

    # -- opening lessons -----------------------------------------------------------------------------

    def open_lesson(self, lesson: Lesson, saved: dict | None = None, apply: bool = True) -> None:
        """Show ``lesson`` in the panel: at ``saved`` progress, else where the learner left it
        (a complete lesson starts again), and put its step into the labs (unless not ``apply``)."""
        if saved is None:
            kept = self.store.saved(lesson.name)
            saved = kept if kept and not kept.get("complete") else None
        self.progress = LessonProgress(lesson, saved) if saved else LessonProgress(lesson)
        self.ensure_panel().set_progress(self.progress, self._next_title())
        self._show_dock()
        self.store.set_offered()  # a learner who opened a lesson knows where lessons are
        if apply:
            self.apply_step(resume=True)
        else:
            self._highlight()
            self.schedule_check()
        self.lesson_opened.emit(lesson)
        self._on_progress_changed()

    def open_named(self, name_or_path: str) -> bool:
        """Open a built-in lesson by name, number or title, or a lesson file; say why not."""
        try:
            lesson = find_lesson(name_or_path)
        except LessonError as err:
            return self.window.show_error(str(err), "lessonErrorMessage")
        self.open_lesson(lesson)
        return True

    def open_file(self, path: str | Path) -> bool:
        """File > Open Lesson: a teacher's lesson file; a bad one is named, with its line."""
        try:
            lesson = load_lesson(path)
        except LessonError as err:
            return self.window.show_error(f"Cannot open the lesson {Path(path).name}: {err}",
                                          "lessonErrorMessage")
        self.open_lesson(lesson)
        return True

    def show_lessons(self) -> QDialog:
        """Help > Lessons: the built-in lessons with their progress; Start opens one."""
        dialog = LessonsDialog(self._builtin(), self.store.all(), self.open_lesson, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open lesson", "",
                                              "Lessons (*.toml);;All files (*)")
        if path:
            self.open_file(path)

    def _builtin(self) -> list[Lesson]:
        try:
            return builtin()
        except LessonError as err:  # a broken course file: say so, the app goes on
            self.window.show_error(f"The built-in lessons cannot be read: {err}", "lessonErrorMessage")
            return []

    def _next_lesson(self) -> Lesson | None:
        lessons = self._builtin()
        names = [lesson.name for lesson in lessons]
        if self.progress is None or self.progress.lesson.name not in names:
            return None
        k = names.index(self.progress.lesson.name) + 1
        return lessons[k] if k < len(lessons) else None

    def _next_title(self) -> str:
        following = self._next_lesson()
        return following.title if following is not None else ""

    def open_next_lesson(self) -> None:
        following = self._next_lesson()
        if following is not None:
            self.open_lesson(following)

    # -- the first launch ----------------------------------------------------------------------------

    def offer_first_lesson(self) -> bool:
        """At a first launch, offer the first lesson in the panel (once: never again unless asked)."""
        if self.store.offered() or self.progress is not None:
            return False
        lessons = self._builtin()
        if not lessons:
            return False
        self.ensure_panel().show_offer(lessons[0].title, minutes_for(lessons[0]))
        self._show_dock()
        self.store.set_offered()  # made once: ignored or answered, never again unless asked
        return True

    def _on_offer_answered(self, start: bool) -> None:
        if start:
            lessons = self._builtin()
            if lessons:
                self.open_lesson(lessons[0])
                return
        self.dock.hide()

    # -- a step in the labs ----------------------------------------------------------------------------

    def apply_step(self, resume: bool = False) -> None:
        """Put the current step into the labs: its network, its program, its node; outline what
        it names. A step with neither program nor network leaves the labs as they are; with
        ``resume`` (a lesson opened at a later step) the labs get the program and the network the
        lesson last opened up to this step, so that the step finds what it talks about."""
        p, w = self.progress, self.window
        step = p.step
        opened = list(enumerate(p.lesson.steps[: p.index + 1])) if resume else [(p.index, step)]
        network = [(i, 0, s) for i, s in opened if s.network is not None][-1:]
        program = [(i, 1, s) for i, s in opened if s.program is not None][-1:]
        for _i, is_program, s in sorted(network + program, key=lambda a: a[:2]):  # in the lesson's order
            if is_program:
                self._open_program(s.program, step.select if step.select is not None else s.select)
            else:
                self._open_network(s.network)
        if not program and step.select:
            w.tabs.setCurrentWidget(w.expression_lab)
            select_label(w.expression_lab.model, step.select)
        self._highlight()
        self.schedule_check()

    def _open_network(self, network) -> None:
        problem = apply_network(self.window.show_network_lab().model, network)
        if problem:
            self.window.show_error(f"This step's network: {problem}", "lessonErrorMessage")

    def _open_program(self, program: str, select: str | None) -> None:
        """``program`` in the expression lab (the work it replaces kept); ``select`` once it ran."""
        w = self.window
        self._pending_select = select
        ran_here = not w.isVisible()  # a window not on screen yet runs it at once
        w.tabs.setCurrentWidget(w.expression_lab)
        w.keeper.open_program(program, wait=ran_here)
        w.statusBar().showMessage(f"Lesson: {self.progress.lesson.title}", 8000)
        if ran_here:
            self._select_pending()

    def _select_pending(self) -> None:
        label, model = self._pending_select, self.window.expression_lab.model
        self._pending_select = None
        if label:
            select_label(model, label)

    def _highlight(self) -> None:
        step = self.progress.step if self.progress is not None else None
        self.highlighter.show(tuple(step.highlight) if step is not None else ())

    # -- what the labs show -------------------------------------------------------------------------

    def _watch_network_lab(self, lab) -> None:
        m = lab.model
        for signal in (m.data_changed, m.network_changed, m.config_changed, m.step_completed,
                       m.parameters_changed):
            signal.connect(self.schedule_check)
        self._highlight()  # a step may name a widget of the lab just built

    def schedule_check(self, *_args) -> None:
        """Look at the labs once the current event is handled (many changes: one look)."""
        if self.progress is not None and self.progress.step.done_when is not None:
            self._check.start()

    def lab_state(self) -> LabState:
        """The LabState the current step's ``done_when`` sees now."""
        w = self.window
        front = "network" if w.tabs.currentWidget() is w.network_tab else "expression"
        lab = w.network_tab.lab
        return read_lab_state(front, w.expression_lab.model, lab.model if lab is not None else None)

    def check_now(self) -> bool:
        """Evaluate the current step's ``done_when``; True if that made the step done."""
        if not self.is_open():
            return False
        made_done = self.progress.update(self.lab_state())
        if made_done:
            self.panel.step_done()
        return made_done

    # -- keeping the progress -------------------------------------------------------------------------

    def _on_progress_changed(self) -> None:
        p = self.progress
        if p is not None:
            self.store.save(p.lesson.name, p.to_dict(), p.complete())
        self.progress_changed.emit()

    def session_state(self) -> dict | None:
        """What a session keeps of the open lesson (None when none is open): its progress, and
        the file of a teacher's lesson."""
        if not self.is_open():
            return None
        lesson = self.progress.lesson
        state = dict(self.progress.to_dict(), lesson=lesson.name)
        if lesson.path is not None:
            state["path"] = str(lesson.path)
        return state

    def restore_session(self, state: dict | None) -> str:
        """Show the lesson a session kept, at its step, without touching the labs (the session
        holds them as they were); "" or why it cannot be shown."""
        if not state:
            return ""
        name, path = str(state.get("lesson", "")), state.get("path")
        try:
            has_file = isinstance(path, str) and Path(path).is_file()
            lesson = load_lesson(path) if has_file else find_lesson(name)
            LessonProgress(lesson, state)  # a progress that does not fit the lesson is refused here
        except (LessonError, ValueError, KeyError, TypeError, IndexError) as err:
            return f"the lesson {name!r} of this session cannot be shown: {err}"
        self.open_lesson(lesson, saved=state, apply=False)
        return ""

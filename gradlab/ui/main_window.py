"""The main window: menus, tabs and the status bar. It only wires."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from gradlab import resources
from gradlab.session import Session
from gradlab.ui import help as help_menu
from gradlab.ui import undo, window_state
from gradlab.ui.autosave import Autosaver
from gradlab.ui.common.text import elide
from gradlab.ui.documents import Documents
from gradlab.ui.exports import ExportMenu
from gradlab.ui.expression.lab import ERROR_CHARS, ExpressionLab
from gradlab.ui.help import SHORTCUTS  # noqa: F401 -- kept at its old import path
from gradlab.ui.lab_handoff import LabHandoff
from gradlab.ui.lessons import LessonGuide
from gradlab.ui.network.tab import NetworkLabTab
from gradlab.ui.session_keeper import HELD_TEXT, NO_PREVIOUS_TEXT, SessionKeeper  # noqa: F401 -- as above
from gradlab.ui.window_state import DEFAULT_SIZE, window_geometry  # noqa: F401 -- kept at their old import path


def _add_action(window: QWidget, menu, text: str, slot, shortcut: str | None = None,
                tip: str = "") -> QAction:
    """An action of ``window`` in ``menu`` that calls ``slot``; ``tip`` in the status bar and tooltip."""
    action = QAction(text, window)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.setStatusTip(tip)
    action.setToolTip(tip)
    action.triggered.connect(slot)
    menu.addAction(action)
    return action


class MainWindow(QMainWindow):
    """Both labs in tabs, the menus that drive them, the status bar; the session both make is
    kept by ``keeper`` (gradlab.ui.session_keeper), the Help menu's windows are gradlab.ui.help."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        screen = self.screen()
        if screen is not None:
            self.setGeometry(window_geometry(screen.availableGeometry()))
        else:
            self.resize(DEFAULT_SIZE)
        # the tabs are in the window before the labs are made in them, so that no built lab is
        # moved into the window (re-styling each of its widgets: gradlab.ui.expression.lab_layout)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("labTabs")
        self.setCentralWidget(self.tabs)
        self.expression_lab = ExpressionLab(parent=self.tabs.findChild(QStackedWidget))  # the tabs' pages
        self.tabs.addTab(self.expression_lab, "Expression lab")
        self.tabs.setTabToolTip(0, "Type a program, see its graph, nudge its nodes")
        self.network_tab = NetworkLabTab()  # builds the network lab when first shown
        self.network_tab.lab_built.connect(self._on_network_lab_built)
        self.tabs.addTab(self.network_tab, "Network lab")
        self.tabs.setTabToolTip(1, "Build an MLP, train it live, probe any weight")
        self.documents = Documents(self)  # the file the work belongs to, and the title that names it
        self._build_menus()
        model = self.expression_lab.model
        model.error_changed.connect(self._on_error_changed)
        model.program_changed.connect(self._on_program_changed)
        self.autosaver = Autosaver(self.current_session, self)
        # the session both labs make, kept as the learner works (and its busy marker around runs)
        self.keeper = SessionKeeper(self.expression_lab, self.network_tab, self.autosaver, self.show_error,
                                    self.statusBar().showMessage)
        self.lessons = LessonGuide(self)  # the lesson panel; its progress kept in the session too
        self.handoff = LabHandoff(self)  # "Open in the network lab", "Show as a program"
        self.statusBar().showMessage("Ready: type a program or pick one from Examples")

    # -- menus --------------------------------------------------------------------------

    _action = _add_action  # self._action(menu, text, slot, ...): an action of this window

    def _build_menus(self) -> None:
        lab = self.expression_lab
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self.documents.build_menu(file, self._action)  # New, Open, Open Recent | Save, Save As
        self._action(file, "&Export Image…", self.export_dialog, "Ctrl+E",
                     "Save the lab in front as a picture: the graph as PNG or SVG, the network lab as PNG")
        self.exports = ExportMenu(self, file)  # Export ▸ (the lab in front), Copy Image | Import Weights
        self._action(file, "Import &Data…", self.import_data_dialog,
                     tip="Train the network lab on a CSV file of x1, x2, label rows (or x, y)")
        file.addSeparator()
        self._action(file, "Open &Lesson…", lambda: self.lessons.open_dialog(), tip="A lesson file (.toml)")
        self._action(file, "&Recover Previous Work", self.recover_previous,
                     tip="Bring back the work a file, session or example replaced (again: swap back)")
        file.addSeparator()
        self._action(file, "&Quit", self.close, "Ctrl+Q", "Close gradlab")
        edit = bar.addMenu("&Edit")
        self.history = undo.install(self, edit, lab, self.network_tab)  # Undo, Redo, Cut, Copy, Paste...
        # the expression lab's commands: from the network lab they bring the expression lab to the front
        on = self._in_expression_lab
        self._action(edit, "&Run Program", on(lab.start_run), "Ctrl+Return", "Run the program now")
        self._action(edit, "S&top Program", on(lab.stop_run),
                     tip="Stop the program running, at the line it reached (Esc in the lab)")
        self._action(edit, "&Reset Values", on(lab.start_run), "Ctrl+R",
                     "Put every input back to the program's value")
        self._action(edit, "Backprop &Step", on(lab.model.step_backprop), "F10",
                     "Run the next node's _backward()")
        self._action(edit, "Backprop &Finish", on(lab.model.finish_backprop), "Shift+F10",
                     "Finish backward()")
        view = bar.addMenu("&View")
        self._action(view, "&Fit Graph", on(lab.canvas.fit), "Ctrl+0", "Fit the whole graph in view")
        self._action(view, "Zoom &In", on(lambda: lab.canvas.zoom_by(1.25)), "Ctrl++", "Zoom the graph in")
        self._action(view, "Zoom &Out", on(lambda: lab.canvas.zoom_by(0.8)), "Ctrl+-", "Zoom the graph out")
        legend = on(lambda: lab.canvas.set_legend_visible(self.legend_action.isChecked()))
        self.legend_action = self._action(view, "&Legend", legend,
                                          tip="What every fill and outline in the graph means")
        self.legend_action.setCheckable(True)
        examples = bar.addMenu("E&xamples")
        for ex in resources.examples():
            self._action(examples, ex.title, lambda _=False, n=ex.name: self.open_example(n), tip=ex.title)
        help_ = bar.addMenu("&Help")
        self._action(help_, "L&essons…", lambda: self.lessons.show_lessons(), tip="Guided lessons")
        self._action(help_, "&Language Reference", self.show_reference, "F1", "What programs may contain")
        self._action(help_, "&Network Lab", self.show_network_help,
                     tip="What the network lab shows and does")
        self._action(help_, "&Keyboard Shortcuts", self.show_shortcuts, tip="Every shortcut")
        self._action(help_, "&About gradlab", self.show_about, tip="About gradlab")

    def _in_expression_lab(self, slot):
        """``slot`` as a command of the expression lab: from the network lab's tab it first
        brings the expression lab to the front, so the learner sees what the command did."""

        def command() -> None:
            if self.tabs.currentWidget() is not self.expression_lab:
                self.tabs.setCurrentWidget(self.expression_lab)
                self.statusBar().showMessage("Switched to the expression lab: that command acts on it", 5000)
            slot()

        return command

    # -- opening and saving -------------------------------------------------------------

    def open_example(self, name: str) -> None:
        """Load example ``name`` into the expression lab, brought to the front."""
        ex = resources.example(name)
        self.tabs.setCurrentWidget(self.expression_lab)
        self.keeper.open_program(ex.source(), wait=not self.isVisible())
        self.documents.mark_clean(None)  # a fresh example belongs to no file yet
        self.statusBar().showMessage(f"Example: {ex.title}", 8000)

    def open_path(self, path: str | Path) -> bool:
        """Open a program or a session file (gradlab.ui.documents); False after saying why not."""
        return self.documents.open_path(path)

    def open_at_launch(self, session: Session | None, file: str | None = None,
                       example: str | None = None) -> None:
        """What a launch shows: ``file`` or ``example`` if given, else the autosaved ``session``
        (held unrun if the launch before died restoring or running it), else the seed example.
        An opened file or example never destroys the autosaved work: it becomes the previous
        work (File > Recover Previous Work); a file that is refused leaves the work as it was."""
        if file or example:
            if example:
                self.open_example(example)
            if example or self.open_path(file):
                if session is not None:
                    problem = self.autosaver.keep_previous(session)
                    if problem:
                        self.show_error(problem, "previousWorkMessage")
                return
        if session is not None:
            self.resume(session, hold=self.autosaver.interrupted)
        else:
            self.open_example("seed")

    def apply_session(self, session: Session, hold: str = "") -> None:
        """Show ``session``; with ``hold`` (why: BUSY_RESTORING, BUSY_RUNNING) its program is put in
        the editor unrun, under a banner with a Run button that runs it (see ExpressionLab.hold)."""
        self.keeper.apply_session(session, hold)

    # -- the session (gradlab.ui.session_keeper) ------------------------------------------------

    def recover_previous(self) -> bool:
        """File > Recover Previous Work: bring back the work the last open replaced; what is in
        the window now becomes the previous work (recovering again swaps back)."""
        return self.keeper.recover_previous()

    def current_session(self) -> Session:
        return self.keeper.current_session()

    # -- the network lab --------------------------------------------------------------------

    def show_network_lab(self):
        """Bring the network lab's tab to the front; the lab."""
        self.tabs.setCurrentWidget(self.network_tab)
        return self.network_tab.ensure_lab()

    def _on_network_lab_built(self, lab) -> None:
        window_state.restore_splitters(self, within=lab)  # as the learner left them last time
        lab.status_message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        self.keeper.watch_network_lab(lab)

    def import_data_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import data", "",
                                              "CSV files (*.csv *.txt);;All files (*)")
        if path:
            self.import_data(path)

    def import_data(self, path: str | Path) -> bool:
        """Train the network lab on a CSV file's points; a bad file gets the reason in a dialog."""
        problem = self.show_network_lab().import_data(str(path))
        return self.show_error(f"Cannot import {Path(path).name}: {problem}") if problem else True

    def save_session_to(self, path: str | Path) -> Path | None:
        """Save a session (or, to a .py file, the program) to ``path``: see Documents.save_to."""
        return self.documents.save_to(path)

    def export_dialog(self) -> None:
        """File > Export Image (Ctrl+E): the lab in front's main picture (gradlab.ui.exports)."""
        self.exports.export_image_dialog()

    def start_autosave(self) -> tuple[Session | None, str]:
        """Claim this window's autosave slot (see gradlab.ui.autosave) and read what it holds:
        (the session, "") or (None, a message for the user if the file was unreadable and moved)."""
        self.autosaver.claim()
        return self.autosaver.restore()

    def resume(self, session: Session, hold: str = "") -> None:
        """Reopen the work that was open when gradlab last closed (held unrun: see apply_session)."""
        self.apply_session(session, hold)
        self.statusBar().showMessage("Welcome back: this is where you left off "
                                     + ("(not run yet: press Run above the editor)" if hold
                                        else "(Examples has fresh programs)"), 10000)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Keep the user's work for next time; a failure to save must not stop the quit."""
        try:
            self.autosaver.save_now()  # never raises; reports a failure once
            window_state.save_window_state(self)
        finally:
            self.autosaver.release()
            super().closeEvent(event)

    # -- messages -------------------------------------------------------------------------

    def show_error(self, text: str, name: str = "errorMessage") -> bool:
        """Say what went wrong without blocking (the user keeps working); returns False."""
        text = elide(text, 1000)  # a message may quote a hostile name or path
        self.statusBar().showMessage(text, 15000)
        box = QMessageBox(QMessageBox.Icon.Warning, "gradlab", text, QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setObjectName(name)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return False

    def _on_error_changed(self, err) -> None:
        if err is not None:
            self.statusBar().showMessage(f"Error: {elide(str(err), ERROR_CHARS)} "
                                         "(the last good graph stays on screen)")

    def _on_program_changed(self) -> None:
        graph = self.expression_lab.model.graph
        if graph is None:
            self.statusBar().showMessage("This program builds no Value: there is no graph to draw.", 10000)
            return
        if graph.collapsed:  # a graph folded by call (gradlab.call_groups)
            self.statusBar().showMessage(f"{len(graph.full)} values in the graph, each dashed box a call "
                                         "collapsed: click it to open it, click it again to close it.", 10000)
            return
        self.statusBar().showMessage(f"{len(graph)} values in the graph. Click a node to inspect it; "
                                     "scroll on the graph to zoom in on its numbers, drag to pan.", 10000)

    def show_reference(self) -> QDialog:
        return help_menu.show_reference(self)

    def show_network_help(self) -> QDialog:
        return help_menu.show_network_help(self)

    def show_shortcuts(self) -> QDialog:
        return help_menu.show_shortcuts(self)

    def show_about(self) -> QDialog:
        return help_menu.show_about(self)

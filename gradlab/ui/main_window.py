"""The main window: menus, tabs and the status bar. It only wires."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gradlab import resources
from gradlab.files import FileError
from gradlab.session import ExpressionLabState, NetworkLabState, Session, load_document, save_session
from gradlab.ui.autosave import Autosaver
from gradlab.ui.expression_lab import ERROR_CHARS, ExpressionLab
from gradlab.ui.network_tab import NetworkLabTab
from gradlab.ui.text import elide

#: the extension Save Session adds when the name typed has none
SESSION_SUFFIX = ".gradlab"

SHORTCUTS = [
    ("Ctrl+Enter", "Run the program now (it also runs when you stop typing)"),
    ("F10", "Backprop: fill in the next gradient"),
    ("Shift+F10", "Backprop: finish"),
    ("Ctrl+R", "Reset every input to the program's values"),
    ("Ctrl+0", "Fit the graph in view (or double-click empty space)"),
    ("Ctrl++ / Ctrl+-", "Zoom the graph in / out (or use the mouse wheel; drag to pan)"),
    ("Ctrl+O / Ctrl+S", "Open a program or session / save the session"),
    ("Ctrl+E", "Export the graph as PNG or SVG"),
    ("Esc", "Close the inspector (drop the selection)"),
    ("F1", "The language reference"),
    ("Space", "Network lab: play / pause training"),
]


class MainWindow(QMainWindow):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("gradlab")
        self.resize(1480, 900)
        self.expression_lab = ExpressionLab()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("labTabs")
        self.tabs.addTab(self.expression_lab, "Expression lab")
        self.tabs.setTabToolTip(0, "Type a program, see its graph, nudge its nodes")
        self.network_tab = NetworkLabTab()  # builds the network lab when first shown
        self.network_tab.lab_built.connect(self._on_network_lab_built)
        self.tabs.addTab(self.network_tab, "Network lab")
        self.tabs.setTabToolTip(1, "Build an MLP, train it live, probe any weight")
        self.setCentralWidget(self.tabs)
        self._build_menus()
        model = self.expression_lab.model
        model.error_changed.connect(self._on_error_changed)
        model.program_changed.connect(self._on_program_changed)
        self.autosaver = Autosaver(self.current_session, self)
        self.autosaver.save_failed.connect(self._on_autosave_failed)
        self.autosaver.saved.connect(self._on_autosaved)
        self._autosave_was_failing = False
        # every change is worth keeping: edits (before they run), runs, sliders, selection, h
        self.expression_lab.editor.textChanged.connect(self.autosaver.schedule)
        for signal in (model.program_changed, model.values_changed, model.selection_changed,
                       model.step_size_changed, model.error_changed):
            signal.connect(self.autosaver.schedule)
        self.statusBar().showMessage("Ready: type a program or pick one from Examples")

    # -- menus --------------------------------------------------------------------------

    def _action(self, menu, text: str, slot, shortcut: str | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        lab = self.expression_lab
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&Open…", self.open_dialog, "Ctrl+O",
                     "Open a program (.py) or a session (.gradlab)")
        self._action(file, "&Save Session As…", self.save_dialog, "Ctrl+S",
                     "Save program, values and selection")
        self._action(file, "&Export Graph Image…", self.export_dialog, "Ctrl+E",
                     "Save the graph as PNG or SVG")
        self._action(file, "Import &Data…", self.import_data_dialog,
                     tip="Train the network lab on a CSV file of x1, x2, label rows (or x, y)")
        file.addSeparator()
        self._action(file, "&Quit", self.close, "Ctrl+Q", "Close gradlab")
        edit = bar.addMenu("&Edit")
        self._action(edit, "&Run Program", lab.run_now, "Ctrl+Return", "Run the program now")
        self._action(edit, "&Reset Values", lab.run_now, "Ctrl+R",
                     "Put every input back to the program's value")
        self._action(edit, "Backprop &Step", lab.model.step_backprop, "F10", "Fill in the next gradient")
        self._action(edit, "Backprop &Finish", lab.model.finish_backprop, "Shift+F10", "Finish backward()")
        view = bar.addMenu("&View")
        self._action(view, "&Fit Graph", lab.canvas.fit, "Ctrl+0", "Fit the whole graph in view")
        self._action(view, "Zoom &In", lambda: lab.canvas.zoom_by(1.25), "Ctrl++", "Zoom the graph in")
        self._action(view, "Zoom &Out", lambda: lab.canvas.zoom_by(0.8), "Ctrl+-", "Zoom the graph out")
        self.legend_action = self._action(view, "&Legend", lab.canvas.set_legend_visible,
                                          tip="What every fill and outline in the graph means")
        self.legend_action.setCheckable(True)
        examples = bar.addMenu("E&xamples")
        for ex in resources.examples():
            self._action(examples, ex.title, lambda _=False, n=ex.name: self.open_example(n), tip=ex.title)
        help_ = bar.addMenu("&Help")
        self._action(help_, "&Language Reference", self.show_reference, "F1", "What programs may contain")
        self._action(help_, "&Network Lab", self.show_network_help,
                     tip="What the network lab shows and does")
        self._action(help_, "&Keyboard Shortcuts", self.show_shortcuts, tip="Every shortcut")
        self._action(help_, "&About gradlab", self.show_about, tip="About gradlab")

    # -- opening and saving -------------------------------------------------------------

    def open_example(self, name: str) -> None:
        ex = resources.example(name)
        self.expression_lab.load_source(ex.source(), wait=not self.isVisible())
        self.statusBar().showMessage(f"Example: {ex.title}", 8000)

    def open_path(self, path: str | Path) -> bool:
        """Open a program or a session file; say what went wrong in a message if it cannot."""
        path = Path(path)
        try:
            document = load_document(path)  # one reader: regular files only, bounded, UTF-8
        except FileError as err:
            return self.show_error(str(err))
        if isinstance(document, Session):
            self.apply_session(document)
        else:
            # on screen, the program runs on a worker thread and the window stays live; a window
            # being built shows its first program when it opens
            self.expression_lab.load_source(document, wait=not self.isVisible())
        self.setWindowTitle(f"gradlab: {elide(path.name)}")
        self.statusBar().showMessage(f"Opened {elide(str(path), 200)}", 8000)
        return True

    def apply_session(self, session: Session) -> None:
        state = session.expression_lab
        lab, model = self.expression_lab, self.expression_lab.model
        lab.load_source(state.source)
        if model.graph is not None and model.program is not None:
            index, values = model.graph.index, model.program.values
            model.set_values({index[id(values[name])]: value for name, value in state.overrides.items()
                              if name in values and id(values[name]) in index})
            found = model.graph.find(state.selected) if state.selected else None
            model.select(found if found is not None else -1)
        model.set_step_size(state.step_size)
        lab_state = session.network_lab
        problem = self.network_tab.restore(lab_state.state())
        if lab_state.problem:  # the loader left out the part of the lab that holds a bad field
            problem = f"{lab_state.problem}: that part was left out, the rest of the session is open"
        if problem:
            self.show_error(f"Network lab: {problem}")

    def current_session(self) -> Session:
        model = self.expression_lab.model
        overrides = {}
        if model.program is not None and model.graph is not None:
            for name in model.program.inputs:
                v = model.program.values[name]
                overrides[name] = v.data
        graph, i = model.graph, model.selected
        selected = graph.values[i].label if graph is not None and 0 <= i < len(graph) else ""
        # the editor's text, not the last run's: what was typed a moment ago is kept too
        source = self.expression_lab.editor.toPlainText()
        return Session(ExpressionLabState(source, selected, model.step_size, overrides),
                       NetworkLabState.of(self.network_tab.state()))

    # -- the network lab --------------------------------------------------------------------

    def show_network_lab(self):
        """Bring the network lab's tab to the front; the lab."""
        self.tabs.setCurrentWidget(self.network_tab)
        return self.network_tab.ensure_lab()

    def _on_network_lab_built(self, lab) -> None:
        lab.status_message.connect(lambda text, ms: self.statusBar().showMessage(text, ms))
        # the network lab's work is kept like the expression lab's: data, settings, weights, history
        model = lab.model
        for signal in (model.data_changed, model.network_changed, model.config_changed,
                       model.step_completed, model.parameters_changed):
            signal.connect(self.autosaver.schedule)

    def import_data_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import data", "",
                                              "CSV files (*.csv *.txt);;All files (*)")
        if path:
            self.import_data(path)

    def import_data(self, path: str | Path) -> bool:
        """Train the network lab on a CSV file's points; a bad file gets the reason in a dialog."""
        problem = self.show_network_lab().import_data(str(path))
        return self.show_error(f"Cannot import {Path(path).name}: {problem}") if problem else True

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open", "", "Programs and sessions (*.py *.txt *.gradlab "
                                              "*.json);;All files (*)")
        if path:
            self.open_path(path)

    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save session", "session.gradlab",
                                              "gradlab sessions (*.gradlab)")
        if path:
            self.save_session_to(path)

    def save_session_to(self, path: str | Path) -> Path | None:
        """Save the session to ``path`` (``.gradlab`` added when it has no extension); the path
        written, or None after saying why it could not be."""
        path = Path(path)
        if not path.suffix:
            path = path.with_name(path.name + SESSION_SUFFIX)  # else it would reopen as a program
        try:
            save_session(self.current_session(), path)
        except FileError as err:
            self.show_error(str(err))
            return None
        except OSError as err:
            self.show_error(f"Cannot save {path}: {err.strerror or err}")
            return None
        self.statusBar().showMessage(f"Saved {elide(str(path), 200)}", 8000)
        return path

    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export graph", "graph.png", "PNG (*.png);;SVG (*.svg)")
        if path:
            try:
                self.expression_lab.canvas.export_image(path)
            except OSError as err:
                self.show_error(f"Cannot export {path}: {err.strerror or err}")
            except ValueError as err:
                self.show_error(f"Cannot export {Path(path).name}: {err}")
            else:
                self.statusBar().showMessage(f"Exported {elide(path, 200)}", 8000)

    def start_autosave(self) -> tuple[Session | None, str]:
        """Claim this window's autosave slot (see gradlab.ui.autosave) and read what it holds:
        (the session, "") or (None, a message for the user if the file was unreadable and moved)."""
        self.autosaver.claim()
        return self.autosaver.restore()

    def resume(self, session: Session) -> None:
        """Reopen the work that was open when gradlab last closed."""
        self.apply_session(session)
        self.statusBar().showMessage("Welcome back: this is where you left off "
                                     "(Examples has fresh programs)", 10000)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Keep the user's work for next time; a failure to save must not stop the quit."""
        self.autosaver.save_now()
        self.autosaver.release()
        super().closeEvent(event)

    def _on_autosave_failed(self, message: str) -> None:
        self._autosave_was_failing = True
        self.show_error(message, "autosaveFailedMessage")

    def _on_autosaved(self, path: Path) -> None:
        if self._autosave_was_failing:
            self._autosave_was_failing = False
            self.statusBar().showMessage(f"Autosave works again: your work is saved in {path}", 10000)

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
        self.statusBar().showMessage(f"{len(graph)} values in the graph. Click a node to inspect it; "
                                     "scroll on the graph to zoom in on its numbers, drag to pan.", 10000)

    def _show_text(self, title: str, markdown: str) -> QDialog:
        dialog = QDialog(self)
        dialog.setWindowTitle(title)
        dialog.setObjectName("helpDialog")
        text = QTextBrowser()
        text.setMarkdown(markdown)
        text.setOpenExternalLinks(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.close)
        layout = QVBoxLayout(dialog)
        layout.addWidget(text)
        layout.addWidget(buttons)
        dialog.resize(760, 640)
        dialog.show()  # not modal: the lab stays usable beside the reference
        return dialog

    def show_reference(self) -> QDialog:
        return self._show_text("Language reference", resources.read_text("language.md"))

    def show_network_help(self) -> QDialog:
        return self._show_text("The network lab", resources.read_text("network_lab.md"))

    def show_shortcuts(self) -> QDialog:
        rows = "\n".join(f"| {k} | {v} |" for k, v in SHORTCUTS)
        return self._show_text("Keyboard shortcuts", f"| key | does |\n| --- | --- |\n{rows}\n")

    def show_about(self) -> QDialog:
        """gradlab's icon, its version (from the installed package's metadata) and what it is."""
        from PySide6.QtCore import Qt  # imported here: the About box's own needs, kept together
        from PySide6.QtWidgets import QLabel

        from gradlab.desktop import version

        dialog = self._show_text("About gradlab", f"### gradlab {version()}\n\nLearn backpropagation by "
                                 "touching it: a micrograd-style engine, its graph, and a probe that nudges "
                                 "any node.")
        icon = QLabel(objectName="aboutIcon", alignment=Qt.AlignmentFlag.AlignCenter)
        icon.setPixmap(self.windowIcon().pixmap(96, 96))
        dialog.layout().insertWidget(0, icon)
        return dialog

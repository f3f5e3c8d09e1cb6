"""The main window: menus, tabs and the status bar. It only wires."""

from __future__ import annotations

from pathlib import Path

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
from gradlab.session import (
    ExpressionLabState,
    Session,
    SessionError,
    autosave_path,
    is_session_file,
    load_session,
    save_session,
)
from gradlab.ui.expression_lab import ExpressionLab

#: the largest program file the editor opens
MAX_PROGRAM_BYTES = 2_000_000

SHORTCUTS = [
    ("Ctrl+Enter", "Run the program now (it also runs when you stop typing)"),
    ("F10", "Backprop: fill in the next gradient"),
    ("Shift+F10", "Backprop: finish"),
    ("Ctrl+R", "Reset every input to the program's values"),
    ("Ctrl+0", "Fit the graph in view (or double-click empty space)"),
    ("Ctrl++ / Ctrl+-", "Zoom the graph in / out (or use the mouse wheel; drag to pan)"),
    ("Ctrl+O / Ctrl+S", "Open a program or session / save the session"),
    ("Ctrl+E", "Export the graph as PNG or SVG"),
    ("F1", "The language reference"),
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
        self.setCentralWidget(self.tabs)
        self._build_menus()
        model = self.expression_lab.model
        model.error_changed.connect(self._on_error_changed)
        model.program_changed.connect(self._on_program_changed)
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
        self._action(help_, "&Keyboard Shortcuts", self.show_shortcuts, tip="Every shortcut")
        self._action(help_, "&About gradlab", self.show_about, tip="About gradlab")

    # -- opening and saving -------------------------------------------------------------

    def open_example(self, name: str) -> None:
        ex = resources.example(name)
        self.expression_lab.load_source(ex.source())
        self.statusBar().showMessage(f"Example: {ex.title}", 8000)

    def open_path(self, path: str | Path) -> bool:
        """Open a program or a session file; say what went wrong in a message if it cannot."""
        path = Path(path)
        try:
            if is_session_file(path):
                self.apply_session(load_session(path))
            else:
                size = path.stat().st_size
                if size > MAX_PROGRAM_BYTES:
                    raise SessionError(f"{path.name} is {size:,} bytes; programs are at most "
                                       f"{MAX_PROGRAM_BYTES:,}")
                self.expression_lab.load_source(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            return self.show_error(f"Cannot open {path.name}: it is not UTF-8 text.")
        except (OSError, SessionError) as err:
            return self.show_error(f"Cannot open {path.name}: {getattr(err, 'strerror', None) or err}")
        self.setWindowTitle(f"gradlab: {path.name}")
        self.statusBar().showMessage(f"Opened {path}", 8000)
        return True

    def apply_session(self, session: Session) -> None:
        state = session.expression_lab
        lab, model = self.expression_lab, self.expression_lab.model
        lab.load_source(state.source)
        if model.graph is not None and model.program is not None:
            for name, value in state.overrides.items():
                v = model.program.values.get(name)
                if v is not None and id(v) in model.graph.index:
                    model.set_value(model.graph.index[id(v)], value)
            found = model.graph.find(state.selected) if state.selected else None
            model.select(found if found is not None else -1)
        model.set_step_size(state.step_size)

    def current_session(self) -> Session:
        model = self.expression_lab.model
        overrides = {}
        if model.program is not None and model.graph is not None:
            for name in model.program.inputs:
                v = model.program.values[name]
                overrides[name] = v.data
        selected = model.graph.values[model.selected].label if model.graph and model.selected >= 0 else ""
        return Session(ExpressionLabState(model.source, selected, model.step_size, overrides))

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open", "", "Programs and sessions (*.py *.txt *.gradlab "
                                              "*.json);;All files (*)")
        if path:
            self.open_path(path)

    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save session", "session.gradlab",
                                              "gradlab sessions (*.gradlab)")
        if path:
            try:
                save_session(self.current_session(), path)
            except OSError as err:
                self.show_error(f"Cannot save {Path(path).name}: {err.strerror or err}")
            else:
                self.statusBar().showMessage(f"Saved {path}", 8000)

    def export_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export graph", "graph.png", "PNG (*.png);;SVG (*.svg)")
        if path:
            try:
                self.expression_lab.canvas.export_image(path)
            except (OSError, ValueError) as err:
                self.show_error(f"Cannot export {Path(path).name}: {err}")
            else:
                self.statusBar().showMessage(f"Exported {path}", 8000)

    def restore_autosave(self) -> bool:
        """Reopen the work that was open when gradlab last closed, if there is any."""
        path = autosave_path()
        if not path.exists() or not self.open_path(path):
            return False
        self.setWindowTitle("gradlab")
        self.statusBar().showMessage("Welcome back: this is where you left off "
                                     "(Examples has fresh programs)", 10000)
        return True

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Keep the user's work for next time; a failure to save must not stop the quit."""
        path = autosave_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            save_session(self.current_session(), path)
        except OSError:
            pass
        super().closeEvent(event)

    # -- messages -------------------------------------------------------------------------

    def show_error(self, text: str) -> bool:
        """Say what went wrong without blocking (the user keeps working); returns False."""
        self.statusBar().showMessage(text, 15000)
        box = QMessageBox(QMessageBox.Icon.Warning, "gradlab", text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("errorMessage")
        box.open()
        return False

    def _on_error_changed(self, err) -> None:
        if err is not None:
            self.statusBar().showMessage(f"Error: {err} (the last good graph stays on screen)")

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

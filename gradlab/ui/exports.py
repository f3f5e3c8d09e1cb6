"""File > Export: every picture and file the lab in front can be saved as; Copy Image; and
File > Import Weights.  The formats are the core's (gradlab.training.exports, GraphModel.to_graphml,
canvas_export); this module only offers them for the lab in front and reports what went wrong."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from gradlab.files import FileError, read_text, write_atomically
from gradlab.training.exports import history_csv, read_weights_json, weights_json
from gradlab.ui.common.canvas_export import export_widget
from gradlab.ui.common.text import elide

IMAGES = "PNG image (*.png);;SVG drawing (*.svg)"
#: the largest weights file Import Weights reads
MAX_WEIGHTS_BYTES = 50_000_000


@dataclass(frozen=True)
class Export:
    """One thing the lab in front can be saved as."""

    name: str  #: objectName of its menu action
    title: str  #: the menu's text
    what: str  #: what it saves, for the dialog's title ("Export graph") and the tooltip
    filters: str  #: the file dialog's filters; the first one's extension is the default
    default_name: str
    write: Callable[[str], None]  #: writes the file; OSError or ValueError say why it could not
    why_not: Callable[[], str] = lambda: ""  #: "" when there is something to export, else why not


def write_text(path: str, text: str) -> None:
    """Write ``text`` (UTF-8) atomically: a crash mid-write leaves any old file whole."""
    write_atomically(path, text.encode("utf-8"))


def expression_exports(lab) -> list[Export]:
    def no_graph() -> str:
        return "" if lab.model.graph is not None else "this program builds no Value: there is no graph"

    def no_plots() -> str:
        return "" if lab.plots.has_plots() else "this program draws no plot (plt.plot, a training loop)"

    return [
        Export("exportGraphAction", "&Graph (PNG, SVG)…", "graph", IMAGES, "graph.png",
               lab.canvas.export_image, no_graph),
        Export("exportGraphmlAction", "Graph as Graph&ML (Gephi, yEd)…", "graph as GraphML",
               "GraphML (*.graphml)", "graph.graphml", lambda p: write_text(p, lab.model.graph.to_graphml()),
               no_graph),
        Export("exportProgramPlotsAction", "Program's &Plots (PNG, SVG)…", "program's plots", IMAGES,
               "plots.png", lambda p: export_widget(p, lab.plots, "gradlab: the program's plots"), no_plots),
    ]


def network_exports(lab) -> list[Export]:
    model = lab.model

    def no_trainer() -> str:
        return "" if model.trainer is not None else (model.problem or "there is no network yet")

    def no_history() -> str:
        return no_trainer() or ("" if model.history else "nothing trained yet: press Step or Play first")

    def picture(name: str, title: str, what: str, widget: QWidget, file: str) -> Export:
        return Export(name, title, what, IMAGES, file,
                      lambda p: export_widget(p, widget, f"gradlab: {what}"))

    return [
        picture("exportDecisionAction", "&Decision Plot (PNG, SVG)…", "decision plot", lab.decision_plot,
                "decision.png"),
        picture("exportNetworkViewAction", "&Network View (PNG, SVG)…", "network view", lab.network_view,
                "network.png"),
        picture("exportLossPlotAction", "&Loss and Accuracy Plots (PNG, SVG)…", "loss and accuracy plots",
                lab.loss_plot, "loss.png"),
        Export("exportLabAction", "The Whole &Lab (PNG)…", "network lab", "PNG image (*.png)",
               "network-lab.png", lambda p: export_widget(p, lab, "gradlab: the network lab")),
        Export("exportHistoryAction", "Training &History (CSV)…", "training history", "CSV (*.csv)",
               "history.csv", lambda p: write_text(p, history_csv(model.history)), no_history),
        Export("exportWeightsAction", "&Weights (JSON)…", "weights", "JSON (*.json)", "weights.json",
               lambda p: write_text(p, weights_json(model.trainer)), no_trainer),
    ]


def picture_widget(window) -> QWidget:
    """What Copy Image copies: the picture under the mouse in the lab in front, else its main one
    (the expression graph; the network lab's decision plot)."""
    if window.tabs.currentWidget() is window.network_tab:
        lab = window.network_tab.ensure_lab()
        pictures = [lab.decision_plot, lab.network_view, lab.loss_plot, lab.point_graph]
    else:
        lab = window.expression_lab
        pictures = [lab.canvas, lab.plots]
    for widget in pictures:
        if widget.isVisible() and widget.underMouse():
            return widget
    return pictures[0]


class ExportMenu:
    """File > Export (its entries follow the lab in front), Copy Image and Import Weights."""

    def __init__(self, window, file_menu: QMenu) -> None:
        self.window = window
        self.menu = file_menu.addMenu("E&xport")
        self.menu.setObjectName("exportMenu")
        self.menu.aboutToShow.connect(self.fill)
        self.copy_action = self._action(file_menu, "Copy &Image", self.copy_image, "Ctrl+Shift+C",
                                        "Put the graph or plot in front (under the mouse) on the clipboard")
        file_menu.addSeparator()
        self.import_action = self._action(file_menu, "Import &Weights…", self.import_weights_dialog, None,
                                          "Load a network's settings and weights saved by Export > Weights")
        self.fill()

    def _action(self, menu: QMenu, text: str, slot, shortcut: str | None, tip: str) -> QAction:
        action = QAction(text, menu, statusTip=tip, toolTip=tip)  # owned by its menu: cleared with it
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def exports(self) -> list[Export]:
        w = self.window
        if w.tabs.currentWidget() is w.network_tab:
            return network_exports(w.network_tab.ensure_lab())
        return expression_exports(w.expression_lab)

    def fill(self) -> None:
        """The entries for the lab in front; one with nothing to export is greyed, saying why."""
        for action in self.menu.actions():
            action.deleteLater()
        self.menu.clear()
        for export in self.exports():
            why = export.why_not()
            tip = why or f"Save the {export.what} as a file"
            action = self._action(self.menu, export.title, lambda _=False, e=export: self.export_dialog(e),
                                  None, tip)
            action.setObjectName(export.name)
            action.setEnabled(not why)

    def export_image_dialog(self) -> None:
        """The lab in front's main picture: the expression graph (PNG, SVG), the whole network lab (PNG)."""
        network = self.window.tabs.currentWidget() is self.window.network_tab
        self.export_dialog(self.find("exportLabAction" if network else "exportGraphAction"))

    def export_dialog(self, export: Export) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, f"Export {export.what}", export.default_name,
                                              export.filters)
        if path:
            self.export_to(export, path)

    def export_to(self, export: Export, path: str) -> bool:
        """Write ``export`` to ``path``; a message in the status bar, or a dialog saying why not."""
        why = export.why_not()
        if why:
            return self.window.show_error(f"Nothing to export: {why}")
        try:
            export.write(path)
        except OSError as err:
            return self.window.show_error(f"Cannot export {path}: {err.strerror or err}")
        except ValueError as err:
            return self.window.show_error(f"Cannot export {Path(path).name}: {err}")
        except Exception as err:  # noqa: BLE001 -- whatever it is, say it; the work stays open
            return self.window.show_error(f"Cannot export {Path(path).name}: {type(err).__name__}: {err}")
        self.window.statusBar().showMessage(f"Exported {elide(path, 200)}", 8000)
        return True

    def find(self, name: str) -> Export:
        """The export whose action is ``name``, for the lab in front (KeyError if it has none)."""
        for export in self.exports():
            if export.name == name:
                return export
        raise KeyError(name)

    def copy_image(self) -> None:
        widget = picture_widget(self.window)
        QGuiApplication.clipboard().setPixmap(widget.grab())
        self.window.statusBar().showMessage("Copied the picture: paste it into a document or chat", 5000)

    def import_weights_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import weights", "",
                                              "JSON (*.json);;All files (*)")
        if path:
            self.import_weights(path)

    def import_weights(self, path: str) -> bool:
        """Load a weights file into the network lab (brought to the front); a message if it cannot."""
        name = Path(path).name
        try:
            state = read_weights_json(read_text(path, max_bytes=MAX_WEIGHTS_BYTES, what="weights file"))
        except FileError as err:
            return self.window.show_error(str(err))
        except ValueError as err:
            return self.window.show_error(f"Cannot import {name}: {err}")
        lab = self.window.show_network_lab()
        problem = lab.edits.record("Import Weights", lambda: lab.model.import_weights(state))  # undoable
        if problem:
            return self.window.show_error(f"Cannot import {name}: {problem}")
        self.window.statusBar().showMessage(f"Imported the network in {elide(name)}: training carries on "
                                            "from its weights", 8000)
        return True

"""The network lab: build an MLP, train it live, watch every weight, probe any of them.

Layout, left to right: data and network settings | the network over one datapoint's graph |
the decision plot over the loss plot | the inspectors (a weight, a value of the point's graph).
Training runs in time slices of the GUI thread's frame timer with the fast backend and in
millisecond slices of each step, between events, with the scalar one (``training_driver``);
``network_live`` redraws the views.  When the loss runs away (``gradlab.training.TrainingDiverged``)
training pauses and ``divergenceBanner``, under the toolbar, says why and offers half the
learning rate (``halveRateButton``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gradlab import datasets
from gradlab.training.lab import decode_lab_view
from gradlab.training.state import FieldError
from gradlab.ui.common.graph_canvas import GraphCanvas
from gradlab.ui.common.inspector import NodeInspector
from gradlab.ui.network.data_panel import DataPanel
from gradlab.ui.network.divergence_banner import DivergenceBanner
from gradlab.ui.network.editor import NetworkEditor
from gradlab.ui.network.heatmap import DecisionPlot
from gradlab.ui.network.live import LiveViews
from gradlab.ui.network.model import NetworkModel
from gradlab.ui.network.point_trace import PointGraphModel, PointTrace, loss_meaning
from gradlab.ui.network.training_driver import SPEEDS, driver_class, driver_for
from gradlab.ui.network.training_plots import LossPlot, StepHistory
from gradlab.ui.network.view import NetworkView
from gradlab.ui.network.weight_probe import WeightProbeModel, parameter_probes

__all__ = ["NetworkLab"]

#: what the panes that show nothing yet say, in one line each
INSPECTOR_HINT = "Click a weight (line) or bias (square) to probe it."
POINT_HINT = "Click a data point to trace its graph here."
#: a point graph has about three values per parameter; past this many parameters its layout
#: alone takes most of a second
MAX_TRACE_PARAMETERS = 2500


def _tool(text: str, name: str, tip: str, slot=None, checkable: bool = False) -> QToolButton:
    b = QToolButton(text=text, objectName=name, toolTip=tip, checkable=checkable)
    b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    if slot is not None:
        (b.toggled if checkable else b.clicked).connect(slot)
    return b


class NetworkLab(QWidget):
    """``networkLab``: settings | network and point graph | decision and loss plots | inspector."""

    #: something for the status bar: (text, timeout in ms)
    status_message = Signal(str, int)

    def __init__(self, model: NetworkModel | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkLab")
        self.model = model or NetworkModel(self)
        self.probe_model = WeightProbeModel(self, lock=self.model.lock)
        self.history = StepHistory()
        self.data_panel = DataPanel()
        self.editor = NetworkEditor(list(datasets.FEATURES))
        self.decision_plot = DecisionPlot()
        self.loss_plot = LossPlot()
        self.network_view = NetworkView()
        self.point_graph = GraphCanvas()
        self.point_graph.setObjectName("pointGraph")
        self.trace = PointTrace(self.point_graph, PointGraphModel(self))
        self.node_inspector = NodeInspector(self.trace.model)
        self.node_inspector.setObjectName("pointNodeInspector")
        self.node_inspector.hint.setText("Click a value in the point's graph (below the network) to "
                                         "inspect it: nudge it and watch this point's loss.")
        self.inspector = NodeInspector(self.probe_model, probes=parameter_probes())
        self.inspector.setObjectName("weightInspector")
        self.inspector.hint.setText("Click a weight (a line) or a bias (a small square) in the network "
                                    "to probe it.")
        self.inspector.response_box.setTitle("Loss along this parameter")
        self._add_weight_field()
        self.driver = driver_for(self.model.backend, self.model, self)
        self.live = LiveViews(self)
        self._build_layout()
        self._add_divergence_banner()
        self._connect()
        self._on_data_changed()
        self._on_network_changed()

    # -- construction ---------------------------------------------------------------------------

    def _add_weight_field(self) -> None:
        self.weight_input = QLineEdit(objectName="weightValueInput")
        self.weight_input.setPlaceholderText("type a value, press Enter")
        self.weight_input.setToolTip("Set the selected weight or bias by hand (training keeps going from it)")
        self.weight_input.returnPressed.connect(self._on_weight_entered)
        self.inspector.node_box.layout().addRow("set to", self.weight_input)

    def _build_toolbar(self) -> QVBoxLayout:
        """The top bar, TensorFlow Playground's: what a learner reaches for all the time stays in
        view at any window size (play, step, reset, the step count, loss and accuracy; the
        dataset, learning rate, activation and hidden layers). The rest is in the column below."""
        bar = QHBoxLayout()
        self.play_button = _tool("▶ Play", "playButton", "Train continuously (Space)", self._on_play)
        self.step_button = _tool("Step", "stepButton", "One training step", lambda: self.model.step(1))
        self.reset_button = _tool("Reset", "resetButton", "New weights from the seed; the history is cleared",
                                  self.model.reset)
        self.epoch_label = QLabel(objectName="epochLabel", toolTip="Training steps taken so far")
        self.epoch_label.setMinimumWidth(self.epoch_label.fontMetrics().horizontalAdvance("step 1,000,000"))
        self.stats_label = QLabel(objectName="statsLabel", toolTip="The last step's loss and accuracy")
        self.stats_label.setMinimumWidth(  # a typical line, whole
            self.stats_label.fontMetrics().horizontalAdvance("loss 1.234e-05 · accuracy 100.0%"))
        self.speed_combo = QComboBox(objectName="speedCombo")
        for n in SPEEDS:
            self.speed_combo.addItem(f"{n} / frame" if n else "top speed", n)
        self.speed_combo.setToolTip("Training steps per frame (about 60 frames a second)")
        self.speed_combo.currentIndexChanged.connect(
            lambda: self.driver.set_speed(self.speed_combo.currentData()))
        for w in (self.play_button, self.step_button, self.reset_button):
            bar.addWidget(w)
        bar.addWidget(self.speed_combo)
        bar.addSpacing(8)
        bar.addWidget(self.epoch_label)
        bar.addWidget(self.stats_label, 1)
        self.log_check = QCheckBox("log loss", objectName="logScaleCheck", toolTip="Loss on a log scale")
        self.log_check.toggled.connect(self.loss_plot.set_log_scale)
        self.grad_check = QCheckBox("gradients", objectName="showGradientsCheck",
                                    toolTip="Lines show each weight's gradient instead of its value")
        self.grad_check.toggled.connect(self.network_view.set_show_gradients)
        self.discrete_check = QCheckBox("discretise", objectName="discretizeCheck",
                                        toolTip="Show only the decision, not how sure the network is")
        self.discrete_check.toggled.connect(self.decision_plot.set_discretize)
        for w in (self.grad_check, self.discrete_check, self.log_check):
            bar.addWidget(w)
        settings = QHBoxLayout()
        fields = [("dataset", self.data_panel.dataset_combo), *self.editor.top_bar_fields()]
        for k, (caption, w) in enumerate(fields):
            if k:
                settings.addSpacing(12)
            label = QLabel(caption)
            label.setBuddy(w)
            settings.addWidget(label)
            settings.addWidget(w)
        self.editor.layers_input.setMinimumWidth(self.fontMetrics().horizontalAdvance("16, 16, 16, 16") + 16)
        settings.addStretch(1)
        rows = QVBoxLayout()
        rows.setSpacing(2)
        rows.addLayout(bar)
        rows.addLayout(settings)
        return rows

    def _build_layout(self) -> None:
        settings = QWidget()
        col = QVBoxLayout(settings)
        col.setContentsMargins(0, 0, 4, 0)
        col.addWidget(self.data_panel)
        col.addWidget(self.editor)
        col.addStretch(1)
        scroll = QScrollArea(objectName="networkSettings")
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        for combo in settings.findChildren(QComboBox):  # long item texts must not widen the column
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(7)
        scroll.setWidget(settings)
        scroll.setMinimumWidth(settings.minimumSizeHint().width() + 18)
        scroll.setMaximumWidth(320)
        toolbar = self._build_toolbar()  # after the column's sizing: the bar's fields are not in it

        middle = QSplitter(Qt.Orientation.Vertical, objectName="networkMiddle")
        middle.setChildrenCollapsible(False)
        middle.addWidget(self.network_view)
        # the panes that have nothing to show until something is clicked: one line each
        self.inspector_hint = QLabel(INSPECTOR_HINT, objectName="inspectorHint")
        self.point_caption = QLabel(POINT_HINT, objectName="pointCaption")
        self.point_caption.setWordWrap(True)
        point_box = QWidget(objectName="pointBox")
        pcol = QVBoxLayout(point_box)
        pcol.setContentsMargins(0, 0, 0, 0)
        pcol.setSpacing(2)
        pcol.addWidget(self.inspector_hint)
        caption_row = QHBoxLayout()
        caption_row.addWidget(self.point_caption, 1)
        self.collapse_check = QCheckBox("collapse neurons", objectName="collapseNeuronsCheck", checked=True,
                                        toolTip="Draw each neuron as one node, its weights and sums inside: "
                                                "the network's shape.\nRight-click a neuron to collapse or "
                                                "expand just that one.")
        self.collapse_check.toggled.connect(self._on_collapse_toggled)
        caption_row.addWidget(self.collapse_check, 0, Qt.AlignmentFlag.AlignTop)
        pcol.addLayout(caption_row)
        pcol.addWidget(self.point_graph, 1)
        self.point_graph.viewport_widget().installEventFilter(self)
        middle.addWidget(point_box)
        middle.setStretchFactor(0, 1)  # a window growing grows the network, not an empty pane
        middle.setStretchFactor(1, 0)
        self.middle = middle

        self.problem_label = QLabel(objectName="problemLabel")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("background: #fff4e5; color: #8a3c00; border: 1px solid #f0b37e;"
                                         " border-radius: 4px; padding: 4px;")
        self.problem_label.hide()
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.decision_plot)
        right.addWidget(self.loss_plot)
        right.setSizes([480, 300])
        right_box = QWidget()
        rcol = QVBoxLayout(right_box)
        rcol.setContentsMargins(0, 0, 0, 0)
        rcol.addWidget(self.problem_label)
        rcol.addWidget(right, 1)

        self.inspector_tabs = QTabWidget(objectName="inspectorTabs")
        self.inspector_tabs.addTab(self.inspector, "Weight")
        self.inspector_tabs.setTabToolTip(0, "The selected weight or bias: nudge it, watch the training loss")
        self.inspector_tabs.addTab(self.node_inspector, "Point node")
        self.inspector_tabs.setTabToolTip(1, "The selected value of the traced point's graph: nudge it, "
                                             "watch this point's loss")
        self.inspector_tabs.tabBar().setExpanding(False)
        close = _tool("✕", "closeInspectorButton", "Close the inspector (drop the selection)",
                      self.close_inspector)
        close.setAutoRaise(True)
        close.setStyleSheet("QToolButton { padding: 0px; }")  # the glyph, whole, in a small square
        side = self.inspector_tabs.tabBar().sizeHint().height() - 6
        close.setFixedSize(side, side)
        corner = QWidget()  # a margin: the tab widget puts its corner a pixel above its top
        QHBoxLayout(corner).setContentsMargins(0, 3, 2, 0)
        corner.layout().addWidget(close)
        self.inspector_tabs.setCornerWidget(corner)
        self._corner = corner
        self.settings_column = scroll
        split = QSplitter(Qt.Orientation.Horizontal, objectName="networkSplit")
        split.setChildrenCollapsible(False)
        for w in (scroll, middle, right_box, self.inspector_tabs):
            split.addWidget(w)
        split.setStretchFactor(1, 3)
        split.setStretchFactor(2, 3)
        split.setStretchFactor(3, 2)
        split.setSizes([230, 400, 360, 350])
        self.split = split
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        top_bar = QWidget(objectName="networkTopBar")
        top_bar.setLayout(toolbar)
        toolbar.setContentsMargins(0, 0, 0, 0)
        top_bar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # never squeezed
        layout.addWidget(top_bar)
        layout.addWidget(split, 1)
        shortcut = QShortcut(QKeySequence(Qt.Key.Key_Space), self,
                             context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.toggle_play)
        self._show_panes()

    def _show_panes(self, *_signal_args, traced: bool | None = None) -> None:
        """The inspector and the point graph take room only while they show something; until
        then each is one line saying what a click does. ``traced``: the point graph is about
        to show a point (its pane opens first, so that the graph opens fitted to its room)."""
        inspecting = self.probe_model.selected >= 0 or self.trace.model.selected >= 0
        traced = self.trace.graph is not None if traced is None else traced
        self.inspector_hint.setVisible(not inspecting)
        if inspecting:  # again once the inspector has laid out what it shows now
            QTimer.singleShot(0, self, self._refit_inspector)
        if inspecting != self.inspector_tabs.isVisibleTo(self):
            self._fit_columns(inspecting)
            self.inspector_tabs.setVisible(inspecting)
            if inspecting:  # a third of the room right of the settings, as the lab opened with
                sizes = self.split.sizes()
                room = sum(sizes[1:3])
                width = max(self.inspector_tabs.minimumSizeHint().width(), room // 3)
                self.split.setSizes([sizes[0], *(s * (room - width) // room for s in sizes[1:3]), width])
        if traced != self.point_graph.isVisibleTo(self):
            self.point_graph.setVisible(traced)
            self.collapse_check.setVisible(traced)
            total = sum(self.middle.sizes())
            box = self.middle.widget(1)
            box.layout().activate()
            low = total * 11 // 20 if traced else box.sizeHint().height()
            self.middle.setSizes([total - low, low])
            self.middle.setStretchFactor(1, 1 if traced else 0)

    def _fit_inspector(self) -> None:
        """The inspector's least width: its tabs and the content it shows now, whole."""
        tabs = self.inspector_tabs
        scrollbar = self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)
        content = max(i.layout().itemAt(0).widget().widget().minimumSizeHint().width()  # its scroll's
                      for i in (self.inspector, self.node_inspector))
        tabs.setMinimumWidth(max(tabs.tabBar().sizeHint().width() + self._corner.sizeHint().width() + 8,
                                 content + scrollbar + 8))

    def _fit_columns(self, inspecting: bool) -> None:
        """On a narrow window the settings column makes way for the inspector (the main
        settings stay in the top bar) and comes back when the inspector closes."""
        if inspecting:
            self._fit_inspector()
        panes = (self.settings_column, self.middle, self.split.widget(2), self.inspector_tabs)
        need = sum(max(w.minimumWidth(), w.minimumSizeHint().width()) for w in panes)
        need += 3 * self.split.handleWidth() + 8
        # the window's room, not the lab's own width: a lab wider than its minimum allows is cut off
        room = self.window().width() - 2 * self.mapTo(self.window(), QPoint(0, 0)).x()
        show = not inspecting or room >= need
        if show != self.settings_column.isVisibleTo(self):
            self.settings_column.setVisible(show)
            self.split.refresh()

    def _refit_inspector(self) -> None:
        if self.inspector_tabs.isVisibleTo(self):
            self._fit_columns(True)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._refit_inspector()

    def close_inspector(self) -> None:
        """Drop the weight's and the point graph's selections: the inspector folds away."""
        self.probe_model.select(-1)
        self.trace.model.select(-1)
        self.point_graph.set_selected(-1)
        self._show_panes()

    def _add_divergence_banner(self) -> None:
        """``divergenceBanner`` under the toolbar: training ran away, and the fix (``halveRateButton``)."""
        self.divergence_banner = DivergenceBanner()
        self.layout().insertWidget(1, self.divergence_banner)
        self.divergence_banner.halve_requested.connect(self._on_halve_rate)
        self.loss_plot.log_scale_changed.connect(self._on_auto_log_scale)

    def _connect(self) -> None:
        m = self.model
        m.data_changed.connect(self._on_data_changed)
        m.network_changed.connect(self._on_network_changed)
        m.config_changed.connect(self._on_config_changed)
        m.step_completed.connect(self._on_steps)
        m.parameters_changed.connect(self._on_parameters_set)
        m.running_changed.connect(self._on_running_changed)
        m.diverged.connect(self._on_diverged)
        m.problem_changed.connect(self._on_problem)
        m.point_selected.connect(self._on_point_selected)
        self.editor.config_edited.connect(m.edit_config)
        self.data_panel.settings_edited.connect(self._on_data_settings)
        self.data_panel.show_test_toggled.connect(self.decision_plot.set_show_test)
        self.decision_plot.point_clicked.connect(m.select_point)
        self.decision_plot.add_requested.connect(self._on_add_point)
        self.decision_plot.remove_requested.connect(self._on_remove_point)
        self.network_view.parameter_clicked.connect(self.probe_model.select)
        self.network_view.parameter_clicked.connect(
            lambda i: i >= 0 and self.inspector_tabs.setCurrentWidget(self.inspector))
        self.probe_model.selection_changed.connect(self.show_parameter)
        self.point_graph.node_clicked.connect(self._on_point_graph_clicked)
        self.probe_model.selection_changed.connect(self._show_panes)
        self.trace.model.selection_changed.connect(self._show_panes)
        self.trace.on_refresh = self._write_point_caption
        self.editor.problem.connect(lambda text: self.status_message.emit(f"Cannot use that: {text}", 10000))

    # -- sessions ----------------------------------------------------------------------------------

    def state(self) -> dict:
        """Everything the lab shows, JSON-able: the model's state and the view settings."""
        return {"model": self.model.state_dict(),
                "view": {"show_test": self.data_panel.show_test.isChecked(),
                         "discretize": self.discrete_check.isChecked(),
                         "show_gradients": self.grad_check.isChecked(),
                         "log_scale": self.log_check.isChecked(),
                         "speed": self.driver.speed,
                         "selected_parameter": self.probe_model.selected,
                         "step_size": self.probe_model.step_size}}

    def restore(self, state: object) -> str:
        """Bring back ``state()``; "" or what was wrong (then the lab keeps what it shows).

        The model's part and the view's are checked field by field (``gradlab.training.lab``)."""
        if not isinstance(state, dict) or not isinstance(state.get("model"), dict):
            return "the saved network lab is not an object with a 'model' part"
        try:
            view = decode_lab_view(state.get("view", {}), "network_lab.view")
        except FieldError as err:
            return f"the saved network lab could not be restored: {err}"
        problem = self.model.load_state(state["model"])
        if problem:
            return problem
        for key, box in (("show_test", self.data_panel.show_test), ("discretize", self.discrete_check),
                         ("show_gradients", self.grad_check), ("log_scale", self.log_check)):
            if key in view:
                box.setChecked(view[key])
        k = self.speed_combo.findData(view.get("speed"))
        if k >= 0:
            self.speed_combo.setCurrentIndex(k)
        if "step_size" in view:
            self.probe_model.set_step_size(view["step_size"])
        if "selected_parameter" in view:
            self.probe_model.select(view["selected_parameter"])
        return ""

    # -- user actions -------------------------------------------------------------------------------

    def toggle_play(self) -> None:
        self.model.set_running(not self.model.running)

    def _on_play(self) -> None:
        self.toggle_play()

    def import_data(self, path: str) -> str:
        """Train on a CSV file's points; "" or the problem (the current data stays)."""
        problem = self.model.load_csv(path)
        self.status_message.emit(f"Cannot import: {problem}" if problem else f"Imported {path}", 10000)
        return problem

    def _on_data_settings(self, changes: dict) -> None:
        if "test_fraction" in changes:
            self.model.edit_config({"test_fraction": changes.pop("test_fraction")})
        if changes or not self.model.data_settings.name:
            problem = self.model.set_data_settings(**changes)
            if problem:
                self.status_message.emit(f"Cannot make that data: {problem}", 10000)

    def _on_add_point(self, x: float, y: float) -> None:
        problem = self.model.add_point(x, y, self.data_panel.label_to_add())
        self.status_message.emit(problem or "Point added: training continues on the new data", 5000)

    def _on_remove_point(self, which: str, index: int) -> None:
        problem = self.model.remove_point(which, index)
        self.status_message.emit(problem or f"Removed a {which} point", 5000)

    def _on_weight_entered(self) -> None:
        i = self.probe_model.selected
        try:
            value = float(self.weight_input.text())
        except ValueError:
            self.status_message.emit(f"{self.weight_input.text()!r} is not a number", 5000)
            return
        if i >= 0:
            self.model.set_parameter(i, value)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        """Right-click on a neuron in the point graph collapses or expands it."""
        if (event.type() == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.RightButton
                and watched is self.point_graph.viewport_widget()):
            shown = self.point_graph.node_at(event.position().toPoint())
            neuron = self.trace.neuron_of(self.trace.to_full(shown))
            if neuron >= 0:
                self.trace.toggle(neuron)
                return True
        return super().eventFilter(watched, event)

    def _on_point_graph_clicked(self, shown: int) -> None:
        """A weight opens in the weight inspector (the training loss); any other value in the
        node inspector (this point's loss)."""
        self.point_graph.set_selected(shown)
        index = self.trace.to_full(shown)
        parameter = self.trace.parameter_of(index)
        if parameter >= 0:
            self.probe_model.select(parameter)
            self.inspector_tabs.setCurrentWidget(self.inspector)
        elif index >= 0:
            self.trace.model.select(index)
            self.inspector_tabs.setCurrentWidget(self.node_inspector)
            self.status_message.emit(self.trace.describe(index), 8000)

    # -- model -> views -----------------------------------------------------------------------------

    def _on_running_changed(self, running: bool) -> None:
        self.play_button.setText("❚❚ Pause" if running else "▶ Play")
        self.step_button.setEnabled(not running)
        if running:
            self.loss_plot.show_message("")
            self.divergence_banner.hide()
            self.driver.start()
        else:
            self.driver.stop()
            self.live.refresh(force=True)

    def _on_data_changed(self) -> None:
        m = self.model
        self.data_panel.set_settings(m.data_settings, m.kind, m.num_classes, m.cfg.test_fraction)
        self.decision_plot.set_bounds(m.bounds())
        self._show_points()

    def _show_points(self) -> None:
        m = self.model
        train, test = m.split()
        self.decision_plot.set_points(train.X, train.y, test.X, test.y, m.kind, max(m.num_classes, 2))
        self.decision_plot.set_selected_point(m.selected_point)

    def _on_network_changed(self) -> None:
        m = self.model
        if not isinstance(self.driver, driver_class(m.backend)):
            self.driver.stop()
            speed, self.driver = self.driver.speed, driver_for(m.backend, m, self)
            self.driver.set_speed(speed)
        self.editor.set_config(m.cfg, m.backend)
        self.loss_plot.show_message("")
        self.divergence_banner.hide()
        trainer = m.trainer
        self.history.reset(trainer.history if trainer is not None else [])
        self._show_points()
        self.network_view.set_architecture(m.cfg.features, m.layer_sizes(), m.activations())
        if trainer is not None:
            self.editor.set_parameter_count(len(trainer.parameters()))
            self.network_view.set_parameter_labels(trainer.parameter_labels())
            self.probe_model.set_trainer(trainer, trainer.parameter_labels())
        else:
            self.editor.set_parameter_count(0)
            self.probe_model.set_trainer(None, [])
        self.trace.clear()
        self.point_caption.setText(POINT_HINT)
        self._show_panes()
        self.live.refresh(force=True)

    def _on_config_changed(self) -> None:
        self.editor.set_config(self.model.cfg, self.model.backend)  # a change made elsewhere shows too
        self.probe_model.set_trainer(self.model.trainer, self.model.trainer.parameter_labels())
        self.live.refresh(force=True)

    def _on_steps(self, records: list) -> None:
        self.history.extend(records)
        self.live.refresh(force=not self.model.running)

    def _on_parameters_set(self, indices: list) -> None:
        self.live.refresh(force=True)

    def _on_diverged(self, message: str) -> None:
        self.loss_plot.show_message("Training diverged: paused.\nTry a smaller learning rate.")
        self.divergence_banner.show_divergence(message, self.model.cfg.learning_rate)
        self._reveal(self.editor.learning_rate)
        self.status_message.emit(message[:1].upper() + message[1:], 0)

    def _on_halve_rate(self) -> None:
        rate = self.model.halve_learning_rate()
        self.divergence_banner.hide()
        self.status_message.emit(f"Learning rate halved to {rate:g}; the weights start again from the seed. "
                                 f"Press Play to train.", 10000)

    def _on_auto_log_scale(self, on: bool) -> None:
        """The loss plot chose its scale itself (the loss spans decades): the checkbox follows."""
        with QSignalBlocker(self.log_check):
            self.log_check.setChecked(on)

    @staticmethod
    def _reveal(widget: QWidget) -> None:
        """Scroll every scroll area holding ``widget`` so that it shows."""
        parent = widget.parentWidget()
        while parent is not None:
            if isinstance(parent, QAbstractScrollArea) and hasattr(parent, "ensureWidgetVisible"):
                parent.ensureWidgetVisible(widget)
            parent = parent.parentWidget()

    def _on_problem(self, text: str) -> None:
        self.problem_label.setText(text and f"⚠ Cannot train: {text}")
        self.problem_label.setVisible(bool(text))
        if text:
            self.status_message.emit(f"Cannot train: {text}", 15000)

    def _on_point_selected(self, index: int) -> None:
        self.decision_plot.set_selected_point(index)
        trainer = self.model.trainer
        if index < 0 or trainer is None:
            self.trace.clear()
            self.point_caption.setText(POINT_HINT)
            self.point_caption.setToolTip("")
            self._show_panes()
            return
        count = len(trainer.parameters())
        if count > MAX_TRACE_PARAMETERS:
            self.trace.clear()
            self.point_caption.setText(f"Point {index}: this network has {count:,} parameters, and its point "
                                       f"graph would hold about {3 * count:,} values, too many to draw live. "
                                       f"Trace points of networks up to {MAX_TRACE_PARAMETERS:,} parameters.")
            self._show_panes()
            return
        self._show_panes(traced=True)
        with self.model.lock:  # the trace copies the trainer's state
            self.trace.show(trainer, index, collapse=self.collapse_check.isChecked())
        self._write_point_caption()

    def _write_point_caption(self) -> None:
        """Which point is traced, its loss and what that means (it changes as training goes)."""
        m, trace = self.model, self.trace
        if trace.graph is None or m.trainer is None:
            return
        train = m.trainer.train_set
        where = ", ".join(f"{v:.2f}" for v in train.X[trace.index])
        what = "target" if m.kind == "regression" else "class"
        self.point_caption.setText(f"Point {trace.index} at ({where}), {what} {train.y[trace.index]:.4g}. "
                                   f"{loss_meaning(m.cfg.loss, trace.loss)}")
        self.point_caption.setToolTip(f"This point's loss through the network: {len(trace):,} values. "
                                      "Scroll to zoom, click a value to probe it, right-click a neuron "
                                      "to expand it.")

    def _on_collapse_toggled(self, on: bool) -> None:
        self.trace.set_collapsed(self.trace.neurons() if on else ())

    def show_parameter(self, index: int) -> None:
        self.network_view.set_selected(index)
        graph = self.probe_model.graph
        with QSignalBlocker(self.weight_input):
            shown = graph is not None and index >= 0
            self.weight_input.setText(repr(float(graph.data[index])) if shown else "")

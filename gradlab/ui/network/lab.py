"""The network lab: build an MLP, train it live, watch every weight, probe any of them.

Layout, left to right: data and network settings | the network over one datapoint's graph |
the decision plot over the loss plot | the inspectors (a weight, a value of the point's graph).
Training runs in time slices of the GUI thread's frame timer with the fast backend and in
another process with the scalar one (``training_driver``);
``live`` redraws the views.  When the loss runs away (``gradlab.training.TrainingDiverged``)
training pauses and ``divergenceBanner``, under the toolbar, says why and offers half the
learning rate (``halveRateButton``).
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from gradlab.ui.common.numbers import read_typed, say_refused
from gradlab.ui.network.edits import NetworkEdits
from gradlab.ui.network.lab_widgets import INSPECTOR_HINT, POINT_HINT, build_layout, build_views
from gradlab.ui.network.live import LiveViews
from gradlab.ui.network.model import NetworkModel
from gradlab.ui.network.panes import Panes
from gradlab.ui.network.point_pane import MAX_TRACE_PARAMETERS, PointPane
from gradlab.ui.network.training_driver import driver_class, driver_for
from gradlab.ui.network.training_plots import StepHistory
from gradlab.ui.network.weight_probe import WeightProbeModel

__all__ = ["INSPECTOR_HINT", "MAX_TRACE_PARAMETERS", "POINT_HINT", "NetworkLab"]


class NetworkLab(QWidget):
    """``networkLab``: settings | network and point graph | decision and loss plots | inspector.

    Its widgets are built by ``lab_widgets``, its panes opened and sized by ``panes.Panes``, the
    traced point answered by ``point_pane.PointPane``; the lab wires the rest to its model
    (``_connect``): widgets ask the model, the model's signals redraw the views. The model's
    logic is Qt-free (``gradlab.labs.network.NetworkCore``)."""

    #: something for the status bar: (text, timeout in ms)
    status_message = Signal(str, int)
    #: "Show as a program" on a traced point: the program's text, for the expression lab
    program_requested = Signal(str)
    #: the learner changed the lab (gradlab.ui.undo records it): what ("Step"), the core's
    #: NetworkSnapshot before and after, and a merge key (always "": each is a step of its own)
    edited = Signal(str, object, object, str)

    def __init__(self, model: NetworkModel | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkLab")
        self.model = model or NetworkModel(self)
        self.probe_model = WeightProbeModel(self, lock=self.model.lock)
        self.history = StepHistory()
        self.edits = NetworkEdits(self)  # every change below is one step of the undo history
        build_views(self)
        self.driver = driver_for(self.model.backend, self.model, self)
        self.live = LiveViews(self)
        build_layout(self)
        self.panes = Panes(self)
        self._show_panes()
        self._connect()
        self.point_pane = PointPane(self)
        self._on_data_changed()
        self._on_network_changed()

    def _connect(self) -> None:
        """Widgets to the model and the views; the model's signals to what they redraw."""
        self._connect_widgets()
        m = self.model
        m.data_changed.connect(self._on_data_changed)
        m.network_changed.connect(self._on_network_changed)
        m.config_changed.connect(self._on_config_changed)
        m.step_completed.connect(self._on_steps)
        m.parameters_changed.connect(self._on_parameters_set)
        m.running_changed.connect(self._on_running_changed)
        m.diverged.connect(self._on_diverged)
        m.problem_changed.connect(self._on_problem)
        self.editor.config_edited.connect(lambda changes: self.edits.record(
            "Change Network Settings", lambda: m.edit_config(changes)))
        self.data_panel.settings_edited.connect(self._on_data_settings)
        self.data_panel.show_test_toggled.connect(self.decision_plot.set_show_test)
        self.decision_plot.point_clicked.connect(m.select_point)
        self.decision_plot.add_requested.connect(self._on_add_point)
        self.decision_plot.remove_requested.connect(self._on_remove_point)
        self.network_view.parameter_clicked.connect(self.probe_model.select)
        self.network_view.parameter_clicked.connect(
            lambda i: i >= 0 and self.inspector_tabs.setCurrentWidget(self.inspector))
        self.probe_model.selection_changed.connect(self.show_parameter)
        self.probe_model.selection_changed.connect(self._show_panes)
        self.trace.model.selection_changed.connect(self._show_panes)
        self.editor.problem.connect(lambda text: self.status_message.emit(f"Cannot use that: {text}", 10000))

    def _connect_widgets(self) -> None:
        """The toolbar, the view switches, the inspector's corner and the weight field."""
        self.play_button.clicked.connect(self._on_play)
        self.step_button.clicked.connect(lambda: self.edits.record("Step", lambda: self.model.step(1)))
        self.reset_button.clicked.connect(lambda: self.edits.record("Reset Network", self.model.reset))
        self.play_shortcut.activated.connect(self.toggle_play)
        self.speed_combo.currentIndexChanged.connect(
            lambda: self.driver.set_speed(self.speed_combo.currentData()))
        self.log_check.toggled.connect(self.loss_plot.set_log_scale)
        self.grad_check.toggled.connect(self.network_view.set_show_gradients)
        self.discrete_check.toggled.connect(self.decision_plot.set_discretize)
        self.close_inspector_button.clicked.connect(self.close_inspector)
        self.weight_input.returnPressed.connect(self._on_weight_entered)
        self.divergence_banner.halve_requested.connect(self._on_halve_rate)
        self.loss_plot.log_scale_changed.connect(self._on_auto_log_scale)

    # -- panes ---------------------------------------------------------------------------------------

    def _show_panes(self, *_signal_args, traced: bool | None = None) -> None:
        self.panes.show(traced)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.panes.refit()

    def close_inspector(self) -> None:
        """Drop the weight's and the point graph's selections: the inspector folds away."""
        self.probe_model.select(-1)
        self.trace.model.select(-1)
        self.point_graph.set_selected(-1)
        self._show_panes()

    # -- sessions ----------------------------------------------------------------------------------

    def state(self) -> dict:
        """Everything the lab shows, JSON-able: the model's state and the view settings."""
        return self.model.state({"show_test": self.data_panel.show_test.isChecked(),
                                 "discretize": self.discrete_check.isChecked(),
                                 "show_gradients": self.grad_check.isChecked(),
                                 "log_scale": self.log_check.isChecked(),
                                 "speed": self.driver.speed,
                                 "selected_parameter": self.probe_model.selected,
                                 "step_size": self.probe_model.step_size})

    def restore(self, state: object) -> str:
        """Bring back ``state()``; "" or what was wrong (then the lab keeps what it shows).

        The model checks both parts field by field (``gradlab.training.lab``); the widgets show
        the view settings it hands back."""
        problem, view = self.model.restore(state)
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
        problem = self.edits.record("Import Data", lambda: self.model.load_csv(path))
        self.status_message.emit(f"Cannot import: {problem}" if problem else f"Imported {path}", 10000)
        return problem

    def _on_data_settings(self, changes: dict) -> None:
        self.edits.record("Change Data", lambda: self._set_data(changes))

    def _set_data(self, changes: dict) -> None:
        if "test_fraction" in changes:
            self.model.edit_config({"test_fraction": changes.pop("test_fraction")})
        if changes or not self.model.data_settings.name:
            problem = self.model.set_data_settings(**changes)
            if problem:
                self.status_message.emit(f"Cannot make that data: {problem}", 10000)

    def _on_add_point(self, x: float, y: float) -> None:
        label = self.data_panel.label_to_add()
        problem = self.edits.record("Add Point", lambda: self.model.add_point(x, y, label))
        self.status_message.emit(problem or "Point added: training continues on the new data", 5000)

    def _on_remove_point(self, which: str, index: int) -> None:
        problem = self.edits.record("Remove Point", lambda: self.model.remove_point(which, index))
        self.status_message.emit(problem or f"Removed a {which} point", 5000)

    def _on_weight_entered(self) -> None:
        i = self.probe_model.selected
        try:
            value = read_typed(self.weight_input, self.weight_input.text())
        except ValueError as err:
            say_refused(self.weight_input, str(err))
            self.status_message.emit(str(err), 5000)
            return
        if i >= 0:
            labels = self.model.trainer.parameter_labels() if self.model.trainer is not None else []
            name = labels[i] if i < len(labels) else "a weight"
            self.edits.record(f"Set {name}", lambda: self.model.set_parameter(i, value))

    # -- model -> views -----------------------------------------------------------------------------

    def _on_running_changed(self, running: bool) -> None:
        self.play_button.setText("❚❚ Pause" if running else "▶ Play")
        self.step_button.setEnabled(not running)
        if running:
            self.edits.run_started()  # Play to Pause: one step of the undo history
            self.loss_plot.show_message("")
            self.divergence_banner.hide()
            self.driver.start()
        else:
            self.driver.stop()
            self.live.refresh(force=True)
            self.edits.run_ended()

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
        rate = self.edits.record("Halve Learning Rate", self.model.halve_learning_rate)
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

    def show_parameter(self, index: int) -> None:
        self.network_view.set_selected(index)
        graph = self.probe_model.graph
        with QSignalBlocker(self.weight_input):
            shown = graph is not None and index >= 0
            self.weight_input.setText(repr(float(graph.data[index])) if shown else "")

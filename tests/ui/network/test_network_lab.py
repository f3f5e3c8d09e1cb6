"""The network lab driven as a user would: mouse on buttons, plots and the network."""

from __future__ import annotations

import PySide6  # noqa: F401  (before pyqtgraph, so it picks this binding)
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QSpinBox, QToolButton

from gradlab.ui.network.lab import NetworkLab

LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton


def text(widget, name: str) -> str:
    return widget.findChild(QLabel, name).text()


def button(widget, name: str) -> QToolButton:
    return widget.findChild(QToolButton, name)


def steps(network_lab) -> int:
    return int(text(network_lab, "epochLabel").split()[-1].replace(",", ""))


def click_plot(qtbot, network_lab, x: float, y: float, which=LEFT) -> None:
    plot = network_lab.decision_plot
    pos = plot.plot_widget.mapFromScene(plot.scene_pos_of(x, y))
    qtbot.mouseClick(plot.plot_widget.viewport(), which, pos=pos)


def test_the_demo_network_has_337_parameters_and_a_layer_added_with_the_mouse_changes_it(qtbot, network_lab):
    assert network_lab.objectName() == "networkLab"
    assert text(network_lab, "parameterCount") == "337 parameters"
    qtbot.mouseClick(button(network_lab, "addLayerButton"), LEFT)
    # 2-16-16-16-1: 3*16 + 17*16 + 17*16 + 17
    assert text(network_lab, "parameterCount") == "609 parameters"
    assert network_lab.model.cfg.layers == (16, 16, 16)
    assert network_lab.network_view.layout_.sizes == [2, 16, 16, 16, 1]
    qtbot.mouseClick(button(network_lab, "removeLayerButton0"), LEFT)
    qtbot.mouseClick(button(network_lab, "removeLayerButton0"), LEFT)
    assert text(network_lab, "parameterCount") == "65 parameters"  # 2-16-1


def test_at_most_eight_hidden_layers(qtbot, network_lab):
    add = button(network_lab, "addLayerButton")
    for _ in range(6):
        qtbot.mouseClick(add, LEFT)
    assert len(network_lab.model.cfg.layers) == 8
    assert not add.isEnabled()


def test_a_width_typed_into_a_layers_box_rebuilds_the_network_with_it(qtbot, network_lab):
    spin = network_lab.editor.findChild(QSpinBox, "layerWidth1")
    spin.selectAll()
    qtbot.keyClicks(spin, "5")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert network_lab.model.cfg.layers == (16, 5)
    assert len(network_lab.model.trainer.parameters()) == 2 * 16 + 16 + 16 * 5 + 5 + 5 + 1
    assert network_lab.editor.layers_input.text().replace(" ", "") == "16,5"  # the field follows


def test_play_trains_live_pause_stops_and_step_takes_one_step(qtbot, network_lab):
    assert steps(network_lab) == 0
    qtbot.mouseClick(button(network_lab, "playButton"), LEFT)
    assert network_lab.model.running
    qtbot.waitUntil(
        lambda: steps(network_lab) >= 5 and network_lab.loss_plot.point_count() >= 5, timeout=10000
    )
    qtbot.mouseClick(button(network_lab, "playButton"), LEFT)
    assert not network_lab.model.running
    paused_at = steps(network_lab)
    assert network_lab.loss_plot.point_count() == paused_at
    qtbot.mouseClick(button(network_lab, "stepButton"), LEFT)
    assert steps(network_lab) == paused_at + 1
    assert network_lab.loss_plot.point_count() == paused_at + 1
    qtbot.mouseClick(button(network_lab, "resetButton"), LEFT)
    assert steps(network_lab) == 0 and network_lab.loss_plot.point_count() == 0


def test_space_toggles_play(qtbot, network_lab):
    network_lab.network_view.setFocus()
    qtbot.keyClick(network_lab.network_view, Qt.Key.Key_Space)
    assert network_lab.model.running
    qtbot.keyClick(network_lab.network_view, Qt.Key.Key_Space)
    assert not network_lab.model.running


def test_the_demo_reaches_full_accuracy_as_micrograd_does(qtbot, network_lab):
    qtbot.mouseClick(button(network_lab, "stepButton"), LEFT)
    network_lab.model.step(99)
    assert "accuracy 100.0%" in text(network_lab, "statsLabel")


def test_clicking_a_data_point_traces_its_value_graph_and_it_follows_training(qtbot, network_lab):
    train = network_lab.model.trainer.train_set
    x, y = train.X[7]
    click_plot(qtbot, network_lab, x, y)
    assert network_lab.model.selected_point == 7
    graph, shown = (
        network_lab.trace.graph,
        network_lab.point_graph.graph,
    )  # it opens with the neurons collapsed
    assert graph is not None and 900 <= len(graph) <= 1100  # about 1,000 values for the demo network
    before = graph.output.data
    qtbot.mouseClick(button(network_lab, "stepButton"), LEFT)
    network_lab.model.step(20)
    assert network_lab.point_graph.graph is shown  # the same drawing, new values
    assert graph.output.data != before and shown.output.data == graph.output.data


def test_clicking_a_weight_probes_it_and_the_difference_agrees_with_the_gradient(qtbot, network_lab):
    network_lab.model.step(3)
    view = network_lab.network_view
    index = int(view.layout_.weight_index[-5])  # a weight into the output neuron
    qtbot.mouseClick(view.viewport_widget(), LEFT, pos=view.viewport_pos_of_parameter(index))
    assert network_lab.probe_model.selected == index
    inspector = network_lab.inspector
    assert inspector.objectName() == "weightInspector"
    label = network_lab.model.trainer.parameter_labels()[index]
    assert text(inspector, "nodeLabel") == f"output, from neuron 12 of layer 2 ({label})"  # w2.0.11
    central = float(text(inspector, "probeCentralDiff"))
    grad = float(text(inspector, "probeGrad"))
    assert grad != 0
    assert central == pytest.approx(grad, rel=1e-4, abs=1e-9)
    assert inspector.response_plot.curve.getData()[0].size > 0


def test_the_weight_field_sets_the_selected_weight(qtbot, network_lab):
    network_lab.probe_model.select(3)
    field = network_lab.findChild(QLineEdit, "weightValueInput")
    field.clear()
    qtbot.keyClicks(field, "0.25")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert network_lab.model.trainer.parameters()[3] == 0.25
    assert text(network_lab.inspector, "nodeData") == "0.2500"


def test_click_adds_a_point_of_the_chosen_class_and_right_click_removes_one(qtbot, network_lab):
    n = len(network_lab.model.dataset)
    network_lab.data_panel.add_class.setCurrentIndex(1)
    click_plot(qtbot, network_lab, -1.2, -0.9)  # empty space, bottom left
    assert len(network_lab.model.dataset) == n + 1
    assert network_lab.model.dataset.y[-1] == 1
    assert network_lab.model.trainer.train_set.X[-1] == pytest.approx([-1.2, -0.9], abs=0.02)
    x, y = network_lab.model.trainer.train_set.X[0]
    click_plot(qtbot, network_lab, x, y, RIGHT)
    assert len(network_lab.model.dataset) == n


def test_a_bad_csv_says_what_is_wrong_and_the_data_stays(qtbot, network_lab, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n0.5,0.5,1\n0.1,oops,0\n")
    before = network_lab.model.dataset
    problem = network_lab.import_data(str(bad))
    assert "line 3" in problem
    assert network_lab.model.dataset is before


def test_removing_all_but_one_class_says_so(qtbot, network_lab, tmp_path):
    tiny = tmp_path / "tiny.csv"
    tiny.write_text("0,0,0\n1,1,1\n2,2,1\n")
    assert network_lab.import_data(str(tiny)) == ""
    network_lab.model.remove_point("train", 0)
    assert network_lab.model.trainer is None
    assert "only one class" in text(network_lab, "problemLabel")
    assert network_lab.findChild(QLabel, "problemLabel").isVisibleTo(network_lab)


def test_a_learning_rate_of_zero_gets_a_message_not_a_traceback(qtbot, network_lab):
    rate = network_lab.editor.learning_rate
    rate.lineEdit().selectAll()
    qtbot.keyClicks(rate.lineEdit(), "0")
    qtbot.keyClick(rate.lineEdit(), Qt.Key.Key_Return)
    assert "learning_rate must be a positive number" in text(network_lab, "problemLabel")
    assert network_lab.model.cfg.learning_rate == 1.0  # the last good settings stay


def test_changing_the_learning_rate_keeps_training_and_the_architecture_resets_it(qtbot, network_lab):
    network_lab.model.step(5)
    network_lab.editor.learning_rate.setValue(0.5)
    assert network_lab.model.cfg.learning_rate == 0.5
    assert steps(network_lab) == 5
    network_lab.editor.findChild(QToolButton, "feature_x1^2").click()
    assert network_lab.model.cfg.features == ("x1", "x2", "x1^2")
    assert steps(network_lab) == 0


def test_a_huge_learning_rate_diverges_and_training_pauses_with_a_message(qtbot, network_lab):
    messages = []
    network_lab.status_message.connect(lambda t, _ms: messages.append(t))
    network_lab.editor.learning_rate.setValue(1e6)
    qtbot.mouseClick(button(network_lab, "playButton"), LEFT)
    qtbot.waitUntil(lambda: not network_lab.model.running, timeout=10000)
    assert "diverged" in network_lab.loss_plot.message_text()
    assert "smaller learning rate" in network_lab.loss_plot.message_text()
    assert any("diverged" in m and "smaller learning rate" in m for m in messages)
    assert all(map(lambda v: abs(v) < float("inf"), network_lab.model.trainer.parameters()))


def test_three_classes_show_three_colours_and_regression_a_fitted_curve(qtbot, network_lab):
    network_lab.data_panel.dataset_combo.setCurrentIndex(
        network_lab.data_panel.dataset_combo.findData("spiral")
    )
    assert network_lab.model.num_classes == 3 and network_lab.model.cfg.loss == "cross_entropy"
    brushes = {b.color().name() for b in network_lab.decision_plot.train_points.data["brush"]}
    assert len(brushes) == 3
    assert network_lab.decision_plot.image.image.shape[:2] == (64, 64)
    network_lab.data_panel.dataset_combo.setCurrentIndex(
        network_lab.data_panel.dataset_combo.findData("sine")
    )
    assert network_lab.model.kind == "regression"
    xs, ys = network_lab.decision_plot.curve.getData()
    assert len(xs) == 64 and not network_lab.decision_plot.image.isVisible()


def test_gradients_toggle_redraws_the_lines_from_gradients(qtbot, network_lab):
    network_lab.model.step(2)
    view = network_lab.network_view
    weights = [len(item.seg) for item in view.line_items]
    network_lab.grad_check.setChecked(True)
    assert view.show_gradients()
    grads = [len(item.seg) for item in view.line_items]
    assert sum(weights) == sum(grads) == 32 + 256 + 16  # every weight drawn once either way
    assert weights != grads


def test_point_graph_click_on_a_weight_selects_it_in_the_inspector(qtbot, network_lab):
    network_lab.model.select_point(2)
    qtbot.mouseClick(network_lab.collapse_check, LEFT)  # expanded: every weight is a node
    trace = network_lab.trace
    node = next(i for i, r in enumerate(trace.graph.roles) if r == "parameter")
    network_lab.point_graph.node_clicked.emit(node)
    assert network_lab.probe_model.selected == trace.parameter_of(node) >= 0
    labels = network_lab.model.trainer.parameter_labels()
    assert network_lab.probe_model.selected == labels.index(trace.graph.values[node].label)


def test_clicking_empty_network_space_clears_nothing_harmful(qtbot, network_lab):
    qtbot.mouseClick(network_lab.network_view.viewport_widget(), LEFT, pos=QPoint(3, 3))
    assert network_lab.probe_model.selected == -1


def test_the_lab_state_round_trips_and_training_carries_on_bit_for_bit(qtbot, network_lab):
    import json

    network_lab.model.add_point(0.3, 0.2, 1)
    network_lab.model.step(7)
    network_lab.probe_model.select(12)
    network_lab.grad_check.setChecked(True)
    saved = json.loads(json.dumps(network_lab.state()))  # through JSON, as a session file does
    network_lab.model.step(5)
    expected = network_lab.model.trainer.parameters()

    other = NetworkLab()
    qtbot.addWidget(other)
    assert other.restore(saved) == ""
    assert len(other.model.dataset) == len(network_lab.model.dataset)
    assert steps(other) == 7 and other.loss_plot.point_count() == 7
    assert other.probe_model.selected == 12 and other.grad_check.isChecked()
    other.model.step(5)
    assert other.model.trainer.parameters() == expected  # the same floats, not approximately


def test_a_damaged_lab_state_is_refused_with_a_reason(qtbot, network_lab):
    state = network_lab.state()
    state["model"]["config"]["layers"] = [99]
    problem = network_lab.restore(state)
    assert "could not be restored" in problem and "64" in problem
    assert network_lab.model.cfg.layers == (16, 16)
    assert network_lab.restore({"nope": 1}).startswith("the saved network lab")


def test_point_graph_click_on_another_value_opens_it_in_the_node_inspector(qtbot, network_lab):
    network_lab.model.select_point(4)
    qtbot.mouseClick(network_lab.collapse_check, LEFT)  # expanded: every value is a node
    graph = network_lab.trace.graph
    node = next(i for i, r in enumerate(graph.roles) if r == "intermediate" and graph.values[i].grad != 0)
    network_lab.point_graph.node_clicked.emit(node)
    inspector = network_lab.node_inspector
    assert network_lab.inspector_tabs.currentWidget() is inspector
    central = float(text(inspector, "probeCentralDiff"))
    assert central == pytest.approx(float(text(inspector, "probeGrad")), rel=1e-4, abs=1e-7)


def test_a_long_history_is_thinned_in_the_saved_state_but_the_weights_are_exact(
    qtbot, network_lab, monkeypatch
):
    from gradlab.labs import network as network_core

    monkeypatch.setattr(network_core, "MAX_SAVED_HISTORY", 40)
    network_lab.model.step(100)
    state = network_lab.state()
    history = state["model"]["trainer"]["history"]
    assert len(history) <= 40 and history[0][0] == 0 and history[-1][0] == 99
    assert [r[0] for r in history] == sorted(r[0] for r in history)
    other = NetworkLab()
    qtbot.addWidget(other)
    assert other.restore(state) == ""
    assert steps(other) == 100
    network_lab.model.step(3)
    other.model.step(3)
    assert other.model.trainer.parameters() == network_lab.model.trainer.parameters()


def test_the_tab_builds_the_lab_when_first_shown_and_keeps_a_saved_state_until_then(qtbot, network_lab):
    from gradlab.ui.network.tab import NetworkLabTab

    network_lab.model.step(4)
    saved = network_lab.state()
    tab = NetworkLabTab()
    qtbot.addWidget(tab)
    assert tab.restore(saved) == "" and tab.lab is None
    assert tab.state() is saved  # not opened: the saved state passes through a session unchanged
    tab.show()
    assert tab.lab is not None and tab.lab.objectName() == "networkLab"
    assert tab.lab.model.step_count == 4


def test_neurons_collapse_into_one_node_and_expand_again(qtbot, network_lab):
    network_lab.model.select_point(1)
    full = len(network_lab.trace.graph)
    network_lab.collapse_check.setChecked(True)
    shown = network_lab.point_graph.graph
    neurons = [v for v in shown.values if v._op == "neuron"]
    assert len(neurons) == 16 + 16 + 1
    assert len(shown) < full / 2
    n = next(v for v in neurons if v.label == "score")
    assert sorted(p.label for p in n._prev) == sorted(f"n1.{k}" for k in range(16))  # the neurons feeding it
    before = n.data
    network_lab.model.step(10)
    assert (
        n.data == network_lab.trace.graph.values[network_lab.trace.graph.find("score")].data != before
    )  # follows training
    # right-click one neuron: it expands again
    i = shown.values.index(n)
    qtbot.mouseClick(
        network_lab.point_graph.viewport_widget(), RIGHT, pos=network_lab.point_graph.view_pos_of(i)
    )
    assert len(network_lab.trace.collapsed) == 32
    assert sum(1 for v in network_lab.point_graph.graph.values if v._op == "neuron") == 32
    network_lab.collapse_check.setChecked(False)
    assert (
        network_lab.point_graph.graph is network_lab.trace.graph
        and len(network_lab.point_graph.graph) == full
    )


def test_the_scalar_backend_trains_in_another_process(qtbot, network_lab):
    import os

    from gradlab.ui.network.training_driver import ProcessDriver

    network_lab.model.edit_config({"layers": (4,)})  # a small network: quick scalar steps
    network_lab.editor.backend_combo.setCurrentIndex(network_lab.editor.backend_combo.findData("scalar"))
    assert network_lab.model.backend == "scalar" and isinstance(network_lab.driver, ProcessDriver)
    trainer = network_lab.model.trainer
    qtbot.mouseClick(button(network_lab, "playButton"), LEFT)
    qtbot.waitUntil(lambda: trainer.step_count >= 3, timeout=60000)
    assert network_lab.driver.process.pid() not in (None, os.getpid())
    qtbot.mouseClick(button(network_lab, "playButton"), LEFT)
    assert not network_lab.model.running and not network_lab.driver.busy()
    assert network_lab.loss_plot.point_count() == steps(network_lab) == trainer.step_count
    qtbot.mouseClick(button(network_lab, "stepButton"), LEFT)  # a single step runs at once, as before
    assert trainer.step_count == steps(network_lab)
    network_lab.driver.close()


def test_a_point_of_a_huge_network_is_not_traced_and_the_caption_says_why(qtbot, network_lab):
    network_lab.model.edit_config({"layers": (64, 64)})
    network_lab.model.select_point(1)
    assert network_lab.point_graph.graph is None
    assert "4,417 parameters" in network_lab.point_caption.text()


def test_a_weight_selected_after_training_shows_its_current_value_and_gradient(qtbot, network_lab):
    network_lab.model.step(30)
    index = 40
    network_lab.probe_model.select(index)
    inspector = network_lab.inspector
    current = network_lab.model.trainer.parameters()[index]
    assert float(text(inspector, "nodeData")) == pytest.approx(current, abs=1e-4)
    assert float(text(inspector, "nodeGrad")) == pytest.approx(float(text(inspector, "probeGrad")), abs=1e-4)
    assert network_lab.findChild(QLineEdit, "weightValueInput").text() == repr(
        network_lab.model.trainer.parameters()[index]
    )


def test_a_setting_changed_by_the_model_shows_in_the_editor(network_lab):
    """The editor tells the truth about the settings however they changed (not only when typed)."""
    network_lab.model.edit_config({"learning_rate": 7.5})
    assert network_lab.editor.learning_rate.value() == 7.5 and network_lab.model.cfg.learning_rate == 7.5

"""The network lab's views on synthetic data: each draws what it is handed, and reports clicks."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import PySide6  # noqa: F401  (before pyqtgraph, so it picks this binding)
import pytest
from PySide6.QtCore import Qt
from windows import shown

from gradlab import datasets, ops, optimizers, resources
from gradlab.training import config as training_config
from gradlab.ui.common import palette
from gradlab.ui.network.editor import LogSpinBox, NetworkEditor
from gradlab.ui.network.heatmap import DecisionPlot, scores_to_rgba
from gradlab.ui.network.training_plots import LossPlot
from gradlab.ui.network.view import NetworkLayout, NetworkView

LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton


def test_palette_is_tensorflow_playgrounds_blue_positive_orange_negative():
    assert palette.sign_colour(2.0) == palette.POSITIVE == "#0877bd"
    assert palette.sign_colour(-2.0) == palette.NEGATIVE == "#f59322"
    assert palette.class_colour(0) == palette.NEGATIVE and palette.class_colour(1) == palette.POSITIVE
    lut = palette.diverging_lut(3)
    expected = [palette.rgb(palette.NEGATIVE), (255, 255, 255), palette.rgb(palette.POSITIVE)]
    assert [tuple(c) for c in lut] == expected


def test_scores_colour_by_sign_and_probabilities_by_class():
    rgba = scores_to_rgba(np.array([[-5.0, 0.0, 5.0]]))
    neg, zero, pos = rgba[0, :, :3].astype(int)
    assert neg[2] < neg[0] and pos[2] > pos[0]  # orange-ish, blue-ish
    assert tuple(zero) == (255, 255, 255)
    probs = np.zeros((1, 3, 3))
    probs[0, np.arange(3), np.arange(3)] = 1.0
    colours = scores_to_rgba(probs, discretize=True)[0, :, :3]
    assert len({tuple(c) for c in colours}) == 3


def test_decision_plot_draws_the_matrix_points_and_legend(qtbot):
    plot = shown(DecisionPlot(), qtbot)
    plot.set_bounds((-2, 2, -1, 1))
    plot.set_matrix(np.linspace(-1, 1, 12).reshape(3, 4))
    assert plot.image.image.shape == (3, 4, 4)
    X = np.array([[-1.0, 0.5], [1.0, -0.5]])
    plot.set_points(X, np.array([0, 1]), X[:0], np.array([], int))
    xs, ys = plot.train_points.getData()
    assert np.column_stack([xs, ys]).tolist() == X.tolist()
    assert "class 0" in plot.legend.text() and "class 1" in plot.legend.text()
    plot.set_matrix(None)
    assert not plot.image.isVisible()


def test_decision_plot_clicks_trace_add_and_remove(qtbot):
    plot = shown(DecisionPlot(), qtbot)
    plot.set_bounds((-2, 2, -2, 2))
    X = np.array([[-1.0, 1.0], [1.0, -1.0]])
    plot.set_points(X, np.array([0, 1]), np.array([[1.0, 1.0]]), np.array([1]))
    viewport = plot.plot_widget.viewport()

    def at(x, y):
        return plot.plot_widget.mapFromScene(plot.scene_pos_of(x, y))

    with qtbot.waitSignal(plot.point_clicked) as traced:
        qtbot.mouseClick(viewport, LEFT, pos=at(1.0, -1.0))
    assert traced.args == [1]
    with qtbot.waitSignal(plot.add_requested) as added:
        qtbot.mouseClick(viewport, LEFT, pos=at(0.0, 0.0))
    assert added.args == pytest.approx([0.0, 0.0], abs=0.05)
    with qtbot.waitSignal(plot.remove_requested) as removed:
        qtbot.mouseClick(viewport, RIGHT, pos=at(1.0, 1.0))
    assert removed.args == ["test", 0]


def test_loss_plot_draws_history_and_survives_log_scale_with_zero_loss(qtbot):
    plot = shown(LossPlot(), qtbot)
    steps = np.arange(5.0)
    loss = np.array([1.0, 0.5, 0.1, 0.0, 0.0])
    nan = np.full(5, np.nan)
    plot.set_history(steps, loss, nan, np.linspace(0.5, 1, 5), nan)
    assert plot.point_count() == 5
    assert plot.train_loss.yData.tolist() == loss.tolist()
    assert plot.test_loss.yData is None or plot.test_loss.yData.size == 0  # no test split: no curve
    plot.set_log_scale(True)  # a loss of exactly 0 must not warn (warnings are errors here)
    assert plot.log_scale()
    assert plot.train_acc.yData[-1] == 100.0
    plot.show_message("Training diverged")
    assert plot.message_text() == "Training diverged"
    plot.show_message("")
    assert plot.message_text() == ""


def test_network_layout_follows_micrographs_parameter_order():
    lay = NetworkLayout([2, 3, 1])
    assert lay.parameter_count == 3 * 3 + 4  # 13
    # neuron j of layer 0: weights at 3j, 3j+1, bias at 3j+2; the output neuron from 9
    assert lay.weight_index.tolist() == [0, 1, 3, 4, 6, 7, 9, 10, 11]
    assert lay.bias_index.tolist() == [2, 5, 8, 12]


def test_network_view_batches_lines_and_reports_the_clicked_weight(qtbot):
    view = shown(NetworkView(), qtbot)
    view.set_architecture(["x1", "x2"], [16, 16, 1], ["relu", "relu"])
    n = view.layout_.parameter_count
    assert n == 337
    rng = np.random.default_rng(0)
    view.set_parameters(rng.normal(size=n), rng.normal(size=n))
    view.set_parameter_labels([f"p{i}" for i in range(n)])
    scene_items = view._view.scene().items()
    assert len(scene_items) < 40  # a few batched items, never one per weight
    drawn = sum(len(item.seg) for item in view.line_items)
    assert drawn == len(view.layout_.weight_index)
    index = int(view.layout_.weight_index[-3])
    with qtbot.waitSignal(view.parameter_clicked) as clicked:
        qtbot.mouseClick(view.viewport_widget(), LEFT, pos=view.viewport_pos_of_parameter(index))
    assert clicked.args == [index]
    bias = int(view.layout_.bias_index[4])
    with qtbot.waitSignal(view.parameter_clicked) as clicked:
        qtbot.mouseClick(view.viewport_widget(), LEFT, pos=view.viewport_pos_of_parameter(bias))
    assert clicked.args == [bias]
    assert view.describe(index).startswith(f"p{index} = ")


def test_network_view_thumbnails_land_in_one_image(qtbot):
    view = shown(NetworkView(), qtbot)
    view.set_architecture(["x1"], [2, 1])
    grids = [np.ones((1, 20, 20)), np.stack([np.ones((20, 20)), -np.ones((20, 20))]), np.zeros((1, 20, 20))]
    view.set_thumbnails(grids)
    image = view.atlas.image
    assert image.shape[2] == 4 and image[..., 3].max() == 255
    opaque = image[image[..., 3] == 255][:, :3].astype(int)
    assert len(opaque) == 4 * 20 * 20  # four thumbnails of 20 x 20 pixels, transparent between
    assert (opaque[:, 2] > opaque[:, 0] + 50).any()  # blue: positive
    assert (opaque[:, 0] > opaque[:, 2] + 50).any()  # orange: negative


def demo_cfg(**changes):
    cfg = dict(layers=(16, 16), activation="relu", loss="svm", regularization="l2", reg_strength=1e-4,
               optimizer="sgd", learning_rate=1.0, lr_decay=100, batch_size=None, features=("x1", "x2"),
               seed=1337)
    cfg.update(changes)
    return SimpleNamespace(**cfg)


def test_editor_shows_a_config_without_echo_and_reports_edits(qtbot):
    editor = shown(NetworkEditor(list(datasets.FEATURES)), qtbot, (300, 700))
    edits = []
    editor.config_edited.connect(edits.append)
    editor.set_config(demo_cfg(learning_rate=0.05, layers=(4,), activation=("tanh",)), backend="scalar")
    assert edits == []  # model -> widget never echoes back
    assert editor.learning_rate.value() == 0.05
    assert editor.backend_combo.currentData() == "scalar"
    assert editor.learning_rate.objectName() == "learningRateInput"  # the lab shows it in its top bar
    assert editor.layer_grid.itemAtPosition(0, 2).widget().currentData() == "tanh"
    editor.feature_buttons["x1*x2"].click()
    assert edits[-1] == {"features": ("x1", "x2", "x1*x2")}
    qtbot.mouseClick(editor.add_layer_button, LEFT)
    assert edits[-1] == {"layers": (4, 4), "activation": ("tanh", "tanh")}
    editor.decay.setValue(0)
    assert edits[-1] == {"lr_decay": None}


def test_learning_rate_steps_on_a_log_scale(qtbot):
    box = shown(LogSpinBox(0.0, 10.0), qtbot, (120, 30))
    box.setValue(0.01)
    box.stepBy(4)
    assert box.value() == pytest.approx(0.1)
    box.stepBy(-1)
    assert box.value() == pytest.approx(0.0562)
    box.setValue(0.0)
    box.stepBy(1)
    assert box.value() > 0
    assert box.textFromValue(3e-4) == "0.0003"


def test_hovering_a_weight_reports_it(qtbot):
    view = shown(NetworkView(), qtbot)
    view.set_architecture(["x1", "x2"], [3, 1])
    view.set_parameters(np.linspace(-1, 1, view.layout_.parameter_count))
    index = int(view.layout_.weight_index[-1])
    # the scene's move signal, as a pointer moving over the line sends it
    with qtbot.waitSignal(view.parameter_hovered) as hovered:
        view._view.scene().sigMouseMoved.emit(view.scene_pos_of_parameter(index))
    assert hovered.args == [index]
    assert "gradient" in view.describe(index)


def test_discretize_and_test_point_toggles(qtbot):
    plot = shown(DecisionPlot(), qtbot)
    plot.set_bounds((-1, 1, -1, 1))
    plot.set_matrix(np.array([[-0.1, 0.1]]))
    soft = plot.image.image.copy()
    plot.set_discretize(True)
    hard = plot.image.image
    assert (hard[..., 2].astype(int) - soft[..., 2].astype(int)).any()  # full colour, not a pale one
    plot.set_points(np.zeros((1, 2)), np.array([0]), np.ones((1, 2)), np.array([1]))
    plot.set_show_test(False)
    assert not plot.test_points.isVisible()
    plot.set_show_test(True)
    assert plot.test_points.isVisible()


def test_a_big_network_draws_only_its_strongest_lines(qtbot):
    from gradlab.ui.network import view as network_view

    view = shown(NetworkView(), qtbot)
    view.set_architecture(["x1", "x2"], [64] * 8 + [1])
    n = view.layout_.parameter_count
    values = np.random.default_rng(1).normal(size=n)
    view.set_parameters(values)
    drawn = sum(len(item.seg) for item in view.line_items)
    assert drawn == network_view.MAX_LINES < len(view.layout_.weight_index)
    weights = np.abs(values[view.layout_.weight_index])
    assert weights[view._drawn].min() >= weights[~view._drawn].max()


@pytest.mark.parametrize("app_sheet", [False, True], ids=["bare", "app-stylesheet"])
def test_a_checked_feature_is_filled_with_the_palettes_blue(qtbot, app_sheet):
    editor = NetworkEditor(list(datasets.FEATURES))
    if app_sheet:  # as in the app: style.qss's plain QToolButton look sits above the editor's own
        editor.setStyleSheet(resources.read_text("style.qss"))
    shown(editor, qtbot, (300, 700))
    editor.set_config(demo_cfg(features=("x1", "x2")))

    def fill(name: str) -> str:
        button = editor.feature_buttons[name]
        return button.grab().toImage().pixelColor(4, button.height() // 2).name()

    assert fill("x1") == palette.POSITIVE
    assert fill("x1^2") != palette.POSITIVE
    edits = []
    editor.config_edited.connect(edits.append)
    qtbot.mouseClick(editor.feature_buttons["x1^2"], LEFT)  # turning a feature on shows at once
    assert edits[-1] == {"features": ("x1", "x2", "x1^2")}
    assert fill("x1^2") == palette.POSITIVE
    qtbot.mouseClick(editor.feature_buttons["x1"], LEFT)
    assert fill("x1") != palette.POSITIVE


def test_the_editors_choices_are_the_registries_and_rmsprop_can_be_picked(qtbot):
    editor = shown(NetworkEditor(list(datasets.FEATURES)), qtbot, (300, 700))
    editor.set_config(demo_cfg())

    def items(box):
        return [(box.itemData(k), box.itemText(k)) for k in range(box.count())]

    assert items(editor.optimizer_combo) == [(n, row.caption) for n, row in optimizers.OPTIMIZERS.items()]
    assert items(editor.loss_combo) == list(training_config.LOSS_CAPTIONS.items())
    assert items(editor.reg_combo) == [(None, "none"), *training_config.REGULARIZATION_CAPTIONS.items()]
    assert items(editor.backend_combo) == list(training_config.BACKEND_CAPTIONS.items())
    assert items(editor.activation_combo) == [(n, n) for n in ops.ACTIVATIONS]
    edits = []
    editor.config_edited.connect(edits.append)
    editor.optimizer_combo.setFocus()
    qtbot.keyClicks(editor.optimizer_combo, "RMS")  # typing a caption's start picks it
    assert edits[-1] == {"optimizer": "rmsprop"}
    assert editor.optimizer_combo.currentText() == "RMSprop"

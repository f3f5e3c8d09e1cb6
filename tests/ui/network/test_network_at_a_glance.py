"""Issue 17, items 5 and 7: the network lab at a glance on a laptop screen, and a traced point
that opens on something to see. Driven as a learner would: the real window at laptop sizes,
clicks on the buttons, the network, the plot and the point graph, typing in the top bar."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import PySide6  # noqa: F401  (before pyqtgraph, so it picks this binding)
import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QWidget

from gradlab.app import build_window
from gradlab.numfmt import format_number
from gradlab.ui.network.lab import INSPECTOR_HINT, POINT_HINT
from gradlab.ui.network.point_trace import loss_meaning
from tests.ui.windows import whole_graph_in_view

LEFT = Qt.MouseButton.LeftButton
LAPTOPS = ("1024x600", "1280x720", "1366x768")
#: what a learner reaches for all the time: in view, whole, without scrolling
MAIN_CONTROLS = ("playButton", "stepButton", "resetButton", "epochLabel", "statsLabel", "datasetCombo",
                 "learningRateInput", "activationCombo", "layersInput")


def open_lab(qtbot, size: str):
    w = build_window(["--lab", "network", "--size", size])
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    lab = w.network_tab.lab
    qtbot.waitUntil(lambda: lab.network_view.width() > 50)
    return w, lab


def fully_shown(widget: QWidget, window: QWidget) -> bool:
    """On screen, whole: not hidden, not cut by a scroll area or the window's edge."""
    if not widget.isVisible() or widget.visibleRegion().boundingRect() != widget.rect():
        return False
    top_left = widget.mapTo(window, widget.rect().topLeft())
    return window.rect().contains(QRect(top_left, widget.size()))


def text_fits(label: QLabel) -> bool:
    return label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()


def click_weight(qtbot, lab, k: int = -5) -> int:
    view = lab.network_view
    index = int(view.layout_.weight_index[k])
    qtbot.mouseClick(view.viewport_widget(), LEFT, pos=view.viewport_pos_of_parameter(index))
    return index


def click_point(qtbot, lab, index: int) -> None:
    plot = lab.decision_plot
    x, y = lab.model.trainer.train_set.X[index]
    pos = plot.plot_widget.mapFromScene(plot.scene_pos_of(x, y))
    qtbot.mouseClick(plot.plot_widget.viewport(), LEFT, pos=pos)


@pytest.mark.parametrize("size", LAPTOPS)
def test_the_main_controls_are_in_view_and_whole_at_laptop_sizes(qtbot, size):
    w, lab = open_lab(qtbot, size)
    qtbot.mouseClick(lab.step_button, LEFT)  # the stats now read "loss ... · accuracy ..."
    assert "accuracy" in lab.stats_label.text()
    for name in MAIN_CONTROLS:
        widget = lab.findChild(QWidget, name)  # the expression lab has a learningRateInput too
        assert widget is not None and fully_shown(widget, w), (size, name)
        if isinstance(widget, QLabel):
            assert text_fits(widget), (size, name, widget.text())
    # the inspector opens on a click, its tabs and content whole (at 1024x600 they were cut off)
    click_weight(qtbot, lab)
    qtbot.wait(50)
    tabs = lab.inspector_tabs
    assert w.width() == int(size.split("x")[0]), (w.width(), lab.split.sizes())  # the window did not grow
    qtbot.waitUntil(lambda: fully_shown(tabs, w), timeout=2000)
    bar = tabs.tabBar()
    for k in range(bar.count()):
        assert bar.rect().contains(bar.tabRect(k)), (size, bar.tabText(k))
    assert fully_shown(lab.findChild(QAbstractButton, "closeInspectorButton"), w)
    content = lab.inspector.layout().itemAt(0).widget().widget()  # in its scroll area
    assert content.width() >= content.minimumSizeHint().width() > 200
    for name in MAIN_CONTROLS:  # the top bar keeps them all
        assert fully_shown(lab.findChild(QWidget, name), w), (size, name)
    # on the narrowest screen the settings column makes way while the inspector is open
    assert lab.settings_column.isVisible() == (size != "1024x600")
    qtbot.mouseClick(lab.findChild(QAbstractButton, "closeInspectorButton"), LEFT)
    assert lab.settings_column.isVisible() and not tabs.isVisible()


def test_panes_with_nothing_to_show_take_one_line_each_until_used(qtbot):
    w, lab = open_lab(qtbot, "1280x720")
    line = lab.fontMetrics().lineSpacing()
    assert not lab.inspector_tabs.isVisible() and not lab.point_graph.isVisible()
    for label, hint in ((lab.inspector_hint, INSPECTOR_HINT), (lab.point_caption, POINT_HINT)):
        assert label.isVisible() and label.text() == hint and label.height() < 2 * line
    middle = lab.middle.sizes()
    assert middle[1] < 4 * line < middle[0]  # the network view has the column
    # a weight clicked: the inspector takes its room, the hint goes
    index = click_weight(qtbot, lab)
    assert lab.probe_model.selected == index
    assert lab.inspector_tabs.isVisible() and not lab.inspector_hint.isVisible()
    assert lab.inspector_tabs.width() >= lab.inspector_tabs.minimumSizeHint().width()
    # closed again with its button: the selection goes, the room comes back
    qtbot.mouseClick(lab.findChild(QAbstractButton, "closeInspectorButton"), LEFT)
    assert lab.probe_model.selected == -1 and lab.network_view._selected == -1
    assert not lab.inspector_tabs.isVisible() and lab.inspector_hint.isVisible()
    # a point clicked: its graph takes half the column
    click_point(qtbot, lab, 7)
    assert lab.point_graph.isVisible() and lab.collapse_check.isVisible()
    top, bottom = lab.middle.sizes()
    assert bottom > 0.4 * (top + bottom)


def test_a_traced_point_opens_collapsed_fitted_with_its_path_to_the_loss_lit(qtbot):
    w, lab = open_lab(qtbot, "1280x720")
    click_point(qtbot, lab, 7)
    assert lab.model.selected_point == 7
    canvas = lab.point_graph
    graph = canvas.graph
    assert lab.collapse_check.isChecked()
    assert sum(1 for v in graph.values if v._op == "neuron") == 16 + 16 + 1  # every neuron one node
    assert len(graph) < 60 < len(lab.trace)  # of 988 values
    qtbot.waitUntil(lambda: not canvas._relayout_timer.isActive())
    assert whole_graph_in_view(canvas)
    start = canvas.selected()
    assert graph.roles[start] == "input" and graph.values[start].label == "x1"
    assert len(graph) - 1 in graph.path_to_output(start)  # from the point to its loss
    assert len(canvas.path_item.seg) >= 16 + 16 * 16 // 16  # and the edges along it are lit
    # the whole graph stays fitted as the pane changes size (the inspector opening beside it)
    click_weight(qtbot, lab)
    qtbot.waitUntil(lambda: not canvas._relayout_timer.isActive())
    assert whole_graph_in_view(canvas)
    # expanding the neurons again shows every weight, still fitted
    qtbot.mouseClick(lab.collapse_check, LEFT)
    assert canvas.graph is lab.trace.graph and len(canvas.graph) == len(lab.trace)
    assert whole_graph_in_view(canvas)


def test_a_neuron_clicked_in_the_point_graph_is_named_for_people(qtbot):
    w, lab = open_lab(qtbot, "1366x768")
    messages = []
    lab.status_message.connect(lambda text, _ms: messages.append(text))
    click_point(qtbot, lab, 3)
    canvas = lab.point_graph
    qtbot.waitUntil(lambda: not canvas._relayout_timer.isActive())
    shown = next(i for i, v in enumerate(canvas.graph.values) if v.label == "n1.4")
    qtbot.mouseClick(canvas.viewport_widget(), LEFT, pos=canvas.view_pos_of(shown))
    assert lab.inspector_tabs.isVisible() and lab.inspector_tabs.currentWidget() is lab.node_inspector
    assert messages[-1].startswith("layer 2, neuron 5 (n1.4): data ")


def point_losses(lab) -> list[float]:
    """Each training point's loss: the root of its ``Value`` graph, the one the traced point's
    graph is made of (``point_graph``, without the ``GraphModel`` around it that tracing adds)."""
    trainer = lab.model.trainer
    return [trainer.point_graph(i).data for i in range(trainer.train_set.X.shape[0])]


def test_the_caption_says_a_points_loss_and_what_it_means(qtbot):
    w, lab = open_lab(qtbot, "1366x768")
    lab.model.step(20)  # most points are classified with margin, a few are not yet
    losses = point_losses(lab)
    zero = losses.index(0.0)
    some = max(range(len(losses)), key=losses.__getitem__)
    assert losses[some] > 0
    click_point(qtbot, lab, zero)
    caption = lab.point_caption.text()
    assert f"Point {zero} at" in caption and "Its loss is 0:" in caption
    assert "no gradient" in caption and "near the boundary" in caption
    assert all(v.grad == 0 for v, r in zip(lab.trace.graph.values, lab.trace.graph.roles, strict=True)
               if r == "parameter")  # what it says is so
    click_point(qtbot, lab, some)
    caption = lab.point_caption.text()
    assert f"Its loss is {format_number(losses[some])}" in caption and "no gradient" not in caption
    assert any(v.grad != 0 for v in lab.trace.graph.values[:-1])
    # the sentence follows training
    before = caption
    qtbot.mouseClick(lab.step_button, LEFT)
    assert lab.point_caption.text() != before


def test_what_a_points_loss_means_for_every_loss():
    assert "no gradient" in loss_meaning("svm", 0.0) and "near the boundary" in loss_meaning("svm", 0.0)
    assert "inside the margin" in loss_meaning("svm", 0.4)
    assert "wrong side" in loss_meaning("svm", 1.7)
    sure = loss_meaning("logistic", 0.001)
    assert "99.9%" in sure and "almost no gradient" in sure
    assert f"{math.exp(-0.5):.1%}" in loss_meaning("cross_entropy", 0.5)
    assert "misclassified" in loss_meaning("cross_entropy", 2.0)
    assert "misses it by 0.5000" in loss_meaning("mse", 0.25)
    assert "passes through it" in loss_meaning("mse", 0.0)
    assert "diverged" in loss_meaning("svm", math.inf)


def test_the_top_bar_sets_the_hidden_layers_and_every_layers_activation(qtbot):
    w, lab = open_lab(qtbot, "1280x720")
    messages = []
    lab.status_message.connect(lambda text, _ms: messages.append(text))
    field = lab.editor.layers_input
    assert field.text() == "16, 16"
    field.selectAll()
    qtbot.keyClicks(field, "8, 4")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert tuple(lab.model.cfg.layers) == (8, 4) and list(lab.model.layer_sizes()) == [8, 4, 1]
    row = lab.editor.layer_grid.itemAtPosition  # the Hidden layers rows (old ones await deletion)
    assert row(1, 1).widget().value() == 4
    combo = lab.findChild(QComboBox, "activationCombo")
    combo.setFocus()
    qtbot.keyClicks(combo, "tanh")  # a key picks an item, as a click in its list does
    assert combo.currentData() == "tanh"
    assert tuple(lab.model.activations()) == ("tanh", "tanh")
    assert row(1, 2).widget().currentData() == "tanh"
    # one layer's own activation changed: the bar says "mixed"
    first = row(0, 2).widget()
    first.setCurrentIndex(first.findData("relu"))
    assert combo.currentIndex() == -1 and combo.placeholderText() == "mixed"
    # a typo is named and changes nothing
    field.selectAll()
    qtbot.keyClicks(field, "8, x")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert tuple(lab.model.cfg.layers) == (8, 4) and field.text() == "8, 4"
    assert messages[-1] == ("Cannot use that: hidden layers: layer 2's width 'x' is not a whole number "
                            "from 1 to 64")
    field.selectAll()
    qtbot.keyClicks(field, "none")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert list(lab.model.layer_sizes()) == [1] and not combo.isEnabled()


SCREEN_PROBE = """
import json
from gradlab.app import build_window
w = build_window([])
w.show()
s = w.screen().availableGeometry()
g = w.frameGeometry()
print(json.dumps({"screen": [s.x(), s.y(), s.width(), s.height()],
                  "frame": [g.x(), g.y(), g.width(), g.height()], "size": [w.width(), w.height()]}))
"""


@pytest.mark.slow  # launches the whole app in a process of its own, once per screen
@pytest.mark.parametrize(("screen", "expected"), [((1366, 768), None), ((1024, 600), None),
                                                  ((1920, 1080), (1480, 900))])
def test_the_window_opens_inside_the_screen_it_opens_on(tmp_path, screen, expected):
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": screen[0],
                                               "height": screen[1], "logicalDpi": 96, "logicalBaseDpi": 96,
                                               "dpr": 1}]}))
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "PYTHONPATH": root}
    out = subprocess.run([sys.executable, "-c", SCREEN_PROBE], env=env, capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["screen"] == [0, 0, *screen]
    sx, sy, sw, sh = got["screen"]
    fx, fy, fw, fh = got["frame"]
    assert sx <= fx and sy <= fy and fx + fw <= sx + sw and fy + fh <= sy + sh, got
    if expected:
        assert tuple(got["size"]) == expected
    else:  # a small screen: the window takes most of it
        assert got["size"][0] >= 0.9 * screen[0] and got["size"][1] >= 0.85 * screen[1]

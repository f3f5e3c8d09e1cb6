"""The network lab's widgets and where they sit; ``NetworkLab`` wires them (``lab.py``).

Each ``build_*`` function makes widgets, gives them their objectNames and texts, puts them on
the lab as attributes (the names tests and the main window use) and lays them out. No function
here connects a signal: what a click does is the lab's ``_connect``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
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
from gradlab.ui.common.graph_canvas import GraphCanvas
from gradlab.ui.common.inspector import NodeInspector
from gradlab.ui.network.data_panel import DataPanel
from gradlab.ui.network.divergence_banner import DivergenceBanner
from gradlab.ui.network.editor import NetworkEditor
from gradlab.ui.network.heatmap import DecisionPlot
from gradlab.ui.network.point_trace import PointGraphModel, PointTrace
from gradlab.ui.network.training_driver import SPEEDS
from gradlab.ui.network.training_plots import LossPlot
from gradlab.ui.network.view import NetworkView
from gradlab.ui.network.weight_probe import parameter_probes

__all__ = ["INSPECTOR_HINT", "POINT_HINT", "build_layout", "build_views", "tool"]

#: what the panes that show nothing yet say, in one line each
INSPECTOR_HINT = "Click a weight (line) or bias (square) to probe it."
POINT_HINT = "Click a data point to trace its graph here."


def tool(text: str, name: str, tip: str, checkable: bool = False) -> QToolButton:
    """A text-only tool button."""
    b = QToolButton(text=text, objectName=name, toolTip=tip, checkable=checkable)
    b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return b


def build_views(lab) -> None:
    """The lab's panels, plots and inspectors (not yet laid out)."""
    lab.data_panel = DataPanel()
    lab.editor = NetworkEditor(list(datasets.FEATURES))
    lab.decision_plot = DecisionPlot()
    lab.loss_plot = LossPlot()
    lab.network_view = NetworkView()
    lab.point_graph = GraphCanvas()
    lab.point_graph.setObjectName("pointGraph")
    lab.trace = PointTrace(lab.point_graph, PointGraphModel(lab))
    lab.node_inspector = NodeInspector(lab.trace.model)
    lab.node_inspector.setObjectName("pointNodeInspector")
    lab.node_inspector.hint.setText("Click a value in the point's graph (below the network) to "
                                    "inspect it: nudge it and watch this point's loss.")
    lab.inspector = NodeInspector(lab.probe_model, probes=parameter_probes())
    lab.inspector.setObjectName("weightInspector")
    lab.inspector.hint.setText("Click a weight (a line) or a bias (a small square) in the network "
                               "to probe it.")
    lab.inspector.response_box.setTitle("Loss along this parameter")
    lab.weight_input = QLineEdit(objectName="weightValueInput")
    lab.weight_input.setPlaceholderText("type a value, press Enter")
    lab.weight_input.setToolTip("Set the selected weight or bias by hand (training keeps going from it)")
    lab.inspector.node_box.layout().addRow("set to", lab.weight_input)


def _build_buttons(lab) -> QHBoxLayout:
    """The toolbar's first row: play, step, reset, speed, the readouts and the view switches."""
    bar = QHBoxLayout()
    lab.play_button = tool("▶ Play", "playButton", "Train continuously (Space)")
    lab.step_button = tool("Step", "stepButton", "One training step")
    lab.reset_button = tool("Reset", "resetButton", "New weights from the seed; the history is cleared")
    lab.epoch_label = QLabel(objectName="epochLabel", toolTip="Training steps taken so far")
    lab.epoch_label.setMinimumWidth(lab.epoch_label.fontMetrics().horizontalAdvance("step 1,000,000"))
    lab.stats_label = QLabel(objectName="statsLabel", toolTip="The last step's loss and accuracy")
    lab.stats_label.setMinimumWidth(  # a typical line, whole
        lab.stats_label.fontMetrics().horizontalAdvance("loss 1.234e-05 · accuracy 100.0%"))
    lab.speed_combo = QComboBox(objectName="speedCombo")
    for n in SPEEDS:
        lab.speed_combo.addItem(f"{n} / frame" if n else "top speed", n)
    lab.speed_combo.setToolTip("Training steps per frame (about 60 frames a second)")
    for w in (lab.play_button, lab.step_button, lab.reset_button):
        bar.addWidget(w)
    bar.addWidget(lab.speed_combo)
    bar.addSpacing(8)
    bar.addWidget(lab.epoch_label)
    bar.addWidget(lab.stats_label, 1)
    lab.log_check = QCheckBox("log loss", objectName="logScaleCheck", toolTip="Loss on a log scale")
    lab.grad_check = QCheckBox("gradients", objectName="showGradientsCheck",
                               toolTip="Lines show each weight's gradient instead of its value")
    lab.discrete_check = QCheckBox("discretise", objectName="discretizeCheck",
                                   toolTip="Show only the decision, not how sure the network is")
    for w in (lab.grad_check, lab.discrete_check, lab.log_check):
        bar.addWidget(w)
    return bar


def _build_toolbar(lab) -> QVBoxLayout:
    """The top bar, TensorFlow Playground's: what a learner reaches for all the time stays in
    view at any window size (play, step, reset, the step count, loss and accuracy; the
    dataset, learning rate, activation and hidden layers). The rest is in the column below."""
    bar = _build_buttons(lab)
    settings = QHBoxLayout()
    fields = [("dataset", lab.data_panel.dataset_combo), *lab.editor.top_bar_fields()]
    for k, (caption, w) in enumerate(fields):
        if k:
            settings.addSpacing(12)
        label = QLabel(caption)
        label.setBuddy(w)
        settings.addWidget(label)
        settings.addWidget(w)
    lab.editor.layers_input.setMinimumWidth(lab.fontMetrics().horizontalAdvance("16, 16, 16, 16") + 16)
    settings.addStretch(1)
    rows = QVBoxLayout()
    rows.setSpacing(2)
    rows.addLayout(bar)
    rows.addLayout(settings)
    return rows


def _build_settings_column(lab) -> QScrollArea:
    """``networkSettings``: the data panel over the editor, scrolling, no wider than it needs."""
    settings = QWidget()
    col = QVBoxLayout(settings)
    col.setContentsMargins(0, 0, 4, 0)
    col.addWidget(lab.data_panel)
    col.addWidget(lab.editor)
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
    lab.settings_column = scroll
    return scroll


def _build_middle(lab) -> QSplitter:
    """``networkMiddle``: the network over the traced point's graph (one line until a point is)."""
    middle = QSplitter(Qt.Orientation.Vertical, objectName="networkMiddle")
    middle.setChildrenCollapsible(False)
    middle.addWidget(lab.network_view)
    # the panes that have nothing to show until something is clicked: one line each
    lab.inspector_hint = QLabel(INSPECTOR_HINT, objectName="inspectorHint")
    lab.point_caption = QLabel(POINT_HINT, objectName="pointCaption")
    lab.point_caption.setWordWrap(True)
    point_box = QWidget(objectName="pointBox")
    pcol = QVBoxLayout(point_box)
    pcol.setContentsMargins(0, 0, 0, 0)
    pcol.setSpacing(2)
    pcol.addWidget(lab.inspector_hint)
    caption_row = QHBoxLayout()
    caption_row.addWidget(lab.point_caption, 1)
    lab.collapse_check = QCheckBox("collapse neurons", objectName="collapseNeuronsCheck", checked=True,
                                   toolTip="Draw each neuron as one node, its weights and sums inside: "
                                           "the network's shape.\nRight-click a neuron to collapse or "
                                           "expand just that one.")
    caption_row.addWidget(lab.collapse_check, 0, Qt.AlignmentFlag.AlignTop)
    lab.show_program_button = tool("Show as a program", "showAsProgramButton",
                                   "Open this point's graph in the expression lab as a program: its weights, "
                                   "the point, the forward pass, the loss and backward()")
    lab.show_program_button.hide()  # while a point is traced
    caption_row.addWidget(lab.show_program_button, 0, Qt.AlignmentFlag.AlignTop)
    pcol.addLayout(caption_row)
    pcol.addWidget(lab.point_graph, 1)
    middle.addWidget(point_box)
    middle.setStretchFactor(0, 1)  # a window growing grows the network, not an empty pane
    middle.setStretchFactor(1, 0)
    lab.middle = middle
    return middle


def _build_plots(lab) -> QWidget:
    """The decision plot over the loss plot, under ``problemLabel`` (hidden while there is none)."""
    lab.problem_label = QLabel(objectName="problemLabel")
    lab.problem_label.setWordWrap(True)
    lab.problem_label.setStyleSheet("background: #fff4e5; color: #8a3c00; border: 1px solid #f0b37e;"
                                    " border-radius: 4px; padding: 4px;")
    lab.problem_label.hide()
    right = QSplitter(Qt.Orientation.Vertical)
    right.addWidget(lab.decision_plot)
    right.addWidget(lab.loss_plot)
    right.setSizes([480, 300])
    right_box = QWidget()
    rcol = QVBoxLayout(right_box)
    rcol.setContentsMargins(0, 0, 0, 0)
    rcol.addWidget(lab.problem_label)
    rcol.addWidget(right, 1)
    return right_box


def _build_inspector_tabs(lab) -> QTabWidget:
    """``inspectorTabs``: the weight inspector and the point-node inspector, ✕ in the corner."""
    tabs = QTabWidget(objectName="inspectorTabs")
    tabs.addTab(lab.inspector, "Weight")
    tabs.setTabToolTip(0, "The selected weight or bias: nudge it, watch the training loss")
    tabs.addTab(lab.node_inspector, "Point node")
    tabs.setTabToolTip(1, "The selected value of the traced point's graph: nudge it, watch this point's loss")
    tabs.tabBar().setExpanding(False)
    close = tool("✕", "closeInspectorButton", "Close the inspector (drop the selection)")
    close.setAutoRaise(True)
    close.setStyleSheet("QToolButton { padding: 0px; }")  # the glyph, whole, in a small square
    side = tabs.tabBar().sizeHint().height() - 6
    close.setFixedSize(side, side)
    corner = QWidget()  # a margin: the tab widget puts its corner a pixel above its top
    QHBoxLayout(corner).setContentsMargins(0, 3, 2, 0)
    corner.layout().addWidget(close)
    tabs.setCornerWidget(corner)
    lab.close_inspector_button = close
    lab.inspector_corner = corner
    lab.inspector_tabs = tabs
    return tabs


def build_layout(lab) -> None:
    """Settings | network and point graph | plots | inspectors under the top bar and the
    divergence banner; Space (``play_shortcut``) anywhere in the lab.

    The top bar and the splitter are in the lab before the panels go into them: under the
    app's style sheet a widget moved into another is styled again with all it holds, so a
    panel moved into a splitter that then moved into the lab was styled twice (20 ms)."""
    scroll = _build_settings_column(lab)
    toolbar = _build_toolbar(lab)  # after the column's sizing: the bar's fields are not in it
    layout = QVBoxLayout(lab)
    layout.setContentsMargins(4, 4, 4, 4)
    top_bar = QWidget(lab, objectName="networkTopBar")
    top_bar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)  # never squeezed
    layout.addWidget(top_bar)
    toolbar.setContentsMargins(0, 0, 0, 0)
    top_bar.setLayout(toolbar)
    # ``divergenceBanner`` under the toolbar: training ran away, and the fix (``halveRateButton``)
    lab.divergence_banner = DivergenceBanner(lab)
    layout.addWidget(lab.divergence_banner)
    split = QSplitter(Qt.Orientation.Horizontal, lab, objectName="networkSplit")
    split.setChildrenCollapsible(False)
    layout.addWidget(split, 1)
    for w in (scroll, _build_middle(lab), _build_plots(lab), _build_inspector_tabs(lab)):
        split.addWidget(w)
    split.setStretchFactor(1, 3)
    split.setStretchFactor(2, 3)
    split.setStretchFactor(3, 2)
    split.setSizes([230, 400, 360, 350])
    lab.split = split
    lab.play_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Space), lab,
                                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

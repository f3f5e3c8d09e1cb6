"""The expression lab's widgets and how they share its room; ``ExpressionLab`` wires them.

Editor, error line, console and plots | output, toolbar, gradients note, graph canvas and
sliders | node inspector; the editor column keeps its share of the width as the window grows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gradlab.ui.common import palette
from gradlab.ui.common.graph_canvas import GraphCanvas
from gradlab.ui.common.inspector import NodeInspector
from gradlab.ui.common.numbers import NumberSpinBox
from gradlab.ui.expression.editor import CodeEditor
from gradlab.ui.expression.handoff_bar import HandoffBar
from gradlab.ui.expression.model import ExpressionModel
from gradlab.ui.expression.program_plots import ProgramPlots
from gradlab.ui.expression.sliders import SliderPanel

INSPECTOR_MIN_WIDTH, EDITOR_MIN_WIDTH = 270, 150
#: the editor column's share of the lab's width until the learner drags its splitter handle (then
#: the share they left it at): it grows with the window, so comments and print lines fit
EDITOR_SHARE = 0.25


class _Splitter(QSplitter):
    """A splitter that calls ``after_resize`` once it has laid out its widgets for a new size."""

    after_resize = None

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.after_resize is not None:
            self.after_resize()


class _Header(QWidget):
    """The output value, then the controls: on one row, or on two when the lab is narrow."""

    def __init__(self, output: QWidget, controls: QWidget) -> None:
        super().__init__()
        self.output, self.controls = output, controls
        self.box = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.addWidget(output, 1)
        self.box.addWidget(controls)

    def minimumSizeHint(self):  # noqa: N802 -- narrow enough for two rows
        hint = super().minimumSizeHint()
        hint.setWidth(max(self.output.minimumSizeHint().width(), self.controls.sizeHint().width()))
        return hint

    def resizeEvent(self, event) -> None:  # noqa: N802
        wide = event.size().width() >= self.output.sizeHint().width() + self.controls.sizeHint().width() + 12
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self.box.direction() != direction:
            self.box.setDirection(direction)
        super().resizeEvent(event)



class ExpressionLabLayout(QWidget):
    """The lab's widgets, made and laid out; nothing here runs a program or answers the model
    (the inspector and the sliders subscribe to ``model`` as they are made)."""

    def __init__(self, model: ExpressionModel | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("expressionLab")
        self.model = model or ExpressionModel(self)
        self._build_widgets()
        self.restore_banner = self._build_banner()
        self._build_layout()

    def _build_widgets(self) -> None:
        """Every widget of the lab but the banner and the toolbar, not yet placed."""
        self.editor = CodeEditor()
        self.error_label = QLabel()
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {palette.ERROR_TEXT}; padding: 2px 4px;")
        self.error_label.hide()
        self.console = QPlainTextEdit()
        self.console.setObjectName("console")
        self.console.setReadOnly(True)
        self.console.setMaximumBlockCount(2000)
        self.console.setPlaceholderText("print() output appears here")
        self.console.setToolTip("What the program printed")
        self.console.setFont(self.editor.font())
        self.handoff_bar = HandoffBar(self.model)  # a trained MLP: "Open in the network lab"
        self.canvas = GraphCanvas()
        self.inspector = NodeInspector(self.model)
        self.sliders = SliderPanel(self.model)
        self.plots = ProgramPlots()
        self.gradients_label = QLabel(objectName="gradientsNote")
        self.gradients_label.setTextFormat(Qt.TextFormat.PlainText)
        self.gradients_label.setStyleSheet("color: #666; padding: 0 4px;")
        self.gradients_label.setWordWrap(True)
        self.output_label = QLabel("no output yet")
        self.output_label.setTextFormat(Qt.TextFormat.PlainText)
        self.output_label.setObjectName("outputLabel")
        self.output_label.setToolTip("The output node: the value backward() starts from")
        font = QFont(self.output_label.font())
        font.setPointSize(font.pointSize() + 4)
        font.setBold(True)
        self.output_label.setFont(font)
        self.stop_button = QPushButton("Stop", objectName="stopRunButton")
        self.stop_button.setToolTip("Stop the program where it is (Esc); the last graph stays")
        self.stop_button.hide()  # shown beside "Running…" while a run takes a while

    def _button(self, text: str, tip: str, name: str) -> QToolButton:
        b = QToolButton(objectName=name, text=text, toolTip=tip)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.buttons[name] = b
        return b

    def _build_layout(self) -> None:
        """Each container is put in its place while it is empty, before anything goes in it: a
        widget then joins the lab once, styled once.  (Under the app's style sheet, moving a built
        container re-polishes every widget in it: that was a third of the lab's making.)  The
        widgets go in in reading order, the order Tab walks them in."""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.restore_banner)
        split = _Splitter(Qt.Orientation.Horizontal)
        layout.addWidget(split, 1)
        self._split = split
        self._left = self._build_left_column(split)

        centre = QWidget()
        split.addWidget(centre)
        col = QVBoxLayout(centre)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self._build_toolbar())
        col.addWidget(self.gradients_label)
        body = _Splitter(Qt.Orientation.Vertical)
        col.addWidget(body, 1)
        body.addWidget(self.canvas)
        body.addWidget(self.sliders)
        body.setStretchFactor(0, 1)
        body.setStretchFactor(1, 0)
        body.setSizes([640, 110])  # room for three sliders before the panel scrolls

        split.addWidget(self.inspector)
        split.setStretchFactor(1, 1)
        split.setSizes([300, 870, 270])
        self.editor_share = EDITOR_SHARE
        split.splitterMoved.connect(self._on_split_moved)
        split.after_resize = self._on_columns_resized
        body.after_resize = self.sliders.fit_height  # the sliders' share of a taller column grows
        # at the window's minimum width (1024 px) the inspector keeps room to reflow its text
        # rather than clip it; the editor keeps room for a line of code
        self.inspector.setMinimumWidth(INSPECTOR_MIN_WIDTH)
        self._left.setMinimumWidth(EDITOR_MIN_WIDTH)

    def _build_left_column(self, split: QSplitter) -> QSplitter:
        """The editor, the error line, what the program printed and its plots, in ``split``."""
        left = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(left)
        left.addWidget(self.editor)
        left.addWidget(self.error_label)
        results = QWidget(objectName="consoleBox")  # what the program printed, its MLP offered above
        left.addWidget(results)
        results_col = QVBoxLayout(results)
        results_col.setContentsMargins(0, 0, 0, 0)
        results_col.setSpacing(2)
        results_col.addWidget(self.handoff_bar)
        results_col.addWidget(self.console, 1)
        left.addWidget(self.plots)  # plt.plot and the training curve, beside what print wrote
        left.setStretchFactor(0, 4)
        left.setStretchFactor(2, 1)
        left.setStretchFactor(3, 2)
        return left

    def _build_banner(self) -> QFrame:
        """Above the lab, while a program is held unrun (see hold): a sentence and a Run button."""
        banner = QFrame(objectName="restoreBanner")
        banner.setStyleSheet("#restoreBanner { background: #fff4ce; border: 1px solid #e0c36a; "
                             "border-radius: 4px; }")
        row = QHBoxLayout(banner)
        row.setContentsMargins(8, 4, 4, 4)
        self.restore_text = QLabel(objectName="restoreBannerText")
        self.restore_text.setTextFormat(Qt.TextFormat.PlainText)
        self.restore_text.setWordWrap(True)
        row.addWidget(self.restore_text, 1)
        self.restore_run = QPushButton("Run", objectName="restoreRunButton")
        self.restore_run.setToolTip("Run the program now")
        row.addWidget(self.restore_run)
        banner.hide()
        return banner

    def _on_columns_resized(self) -> None:
        self._keep_editor_share()
        if hasattr(self, "inspector_dock"):  # made last in ExpressionLab.__init__
            self.inspector_dock.keep_width()

    def _on_split_moved(self, _pos: int, index: int) -> None:
        """A drag of the editor's handle: the share it leaves is the learner's from now on."""
        sizes = self._split.sizes()
        if index == 1 and sum(sizes) > 0:
            self.editor_share = sizes[0] / sum(sizes)

    def _keep_editor_share(self) -> None:
        """The editor column at ``editor_share`` of the width; the canvas gives or takes the rest."""
        sizes = self._split.sizes()
        total = sum(sizes)
        want = max(round(self.editor_share * total), self._left.minimumWidth())
        if total <= 0 or sizes[0] == 0 or abs(sizes[0] - want) <= 1:  # collapsed by the learner: kept
            return
        sizes[1] += sizes[0] - want
        sizes[0] = want
        if sizes[1] >= 0:
            self._split.setSizes(sizes)

    def _build_toolbar(self) -> QWidget:
        self.buttons: dict[str, QToolButton] = {}  # by objectName: the lab wires them
        controls = QWidget()
        bar = QHBoxLayout(controls)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addStretch(1)
        bar.addWidget(QLabel("Backprop:"))
        bar.addWidget(self._button("Step", "Run the next node's _backward(), walking the graph backwards "
                                   "(F10)", "backpropStepButton"))
        bar.addWidget(self._button("Step into", "The next step is a collapsed call: open it, to step "
                                   "through its nodes one by one (Step steps over it)",
                                   "backpropStepIntoButton"))
        self.buttons["backpropStepIntoButton"].hide()  # shown while the graph has calls collapsed
        bar.addWidget(self._button("Finish", "Run the rest of backward() at once", "backpropFinishButton"))
        bar.addSpacing(12)
        bar.addWidget(QLabel("Rate:"))
        self.rate_input = NumberSpinBox()
        self.rate_input.setObjectName("learningRateInput")
        self.rate_input.setDecimals(4)
        self.rate_input.setRange(0.0001, 10.0)
        self.rate_input.setSingleStep(0.01)
        self.rate_input.setValue(0.01)
        self.rate_input.setToolTip("How far a gradient step moves each input: rate × grad")
        bar.addWidget(self.rate_input)
        bar.addWidget(self._button("Descend", "Move every input by −rate × grad: the output falls",
                                   "descendButton"))
        bar.addWidget(self._button("Ascend", "Move every input by +rate × grad: the output rises",
                                   "ascendButton"))
        output = QWidget(objectName="outputRow")  # the output, and Stop while a run goes on
        row = QHBoxLayout(output)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.output_label)
        row.addWidget(self.stop_button)
        row.addStretch(1)
        return _Header(output, controls)

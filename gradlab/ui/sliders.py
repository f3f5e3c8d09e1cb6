"""One slider per input leaf: drag it and every value downstream follows while you drag."""

from __future__ import annotations

import math

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QScrollArea,
    QSlider,
    QWidget,
)

from gradlab.ui.expression_model import ExpressionModel

#: slider positions across the range; fine enough that a drag looks continuous
STEPS = 1000


class _InputRow:
    """A name, a slider and a number box bound to one input node of the graph."""

    def __init__(self, panel: SliderPanel, grid: QGridLayout, row: int, name: str, index: int) -> None:
        self.model = panel.model
        self.index = index
        value = self.model.graph.values[index].data
        self.centre = value if math.isfinite(value) else 0.0
        self.span = max(1.0, 2 * abs(self.centre))
        self.name = QLabel(name)
        self.name.setToolTip(f"input {name}")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName(f"slider_{name}")
        self.slider.setRange(0, STEPS)
        self.slider.setToolTip(f"Drag to change {name}; every value that depends on it follows")
        self.box = QDoubleSpinBox()
        self.box.setObjectName(f"value_{name}")
        self.box.setDecimals(4)
        self.box.setRange(-1e9, 1e9)
        self.box.setSingleStep(0.1)
        self.box.setKeyboardTracking(False)
        self.box.setToolTip(f"Type an exact value for {name}")
        self.box.setMinimumWidth(90)
        grid.addWidget(self.name, row, 0)
        grid.addWidget(self.slider, row, 1)
        grid.addWidget(self.box, row, 2)
        self.show_value()
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.box.valueChanged.connect(self._on_box_edited)

    def _value_at(self, position: int) -> float:
        return self.centre - self.span + 2 * self.span * position / STEPS

    def _on_slider_moved(self, position: int) -> None:
        self.model.set_value(self.index, round(self._value_at(position), 6))

    def _on_box_edited(self, value: float) -> None:
        self.model.set_value(self.index, value)

    def show_value(self) -> None:
        """Model to widget, with the widgets' signals blocked so nothing echoes back."""
        value = self.model.graph.values[self.index].data
        if not math.isfinite(value):
            return
        if abs(value - self.centre) > self.span:  # moved off the scale: widen it, so the handle
            self.span = 1.25 * abs(value - self.centre)  # still shows which way the value went
        position = round((value - self.centre + self.span) / (2 * self.span) * STEPS)
        with QSignalBlocker(self.slider), QSignalBlocker(self.box):
            self.slider.setValue(position)
            self.box.setValue(value)


class SliderPanel(QScrollArea):
    """The inputs of the current program, each with a slider (objectName ``slider_<name>``)."""

    def __init__(self, model: ExpressionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sliderPanel")
        self.model = model
        self.setWidgetResizable(True)
        self.rows: dict[str, _InputRow] = {}
        self._rebuild()
        model.program_changed.connect(self._rebuild)
        model.values_changed.connect(self._on_values_changed)

    def _rebuild(self) -> None:
        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setColumnStretch(1, 1)
        self.rows = {}
        graph, program = self.model.graph, self.model.program
        if graph is not None and program is not None:
            for name in program.inputs:
                index = graph.index.get(id(program.values[name]))
                if index is not None and graph.roles[index] == "input":
                    self.rows[name] = _InputRow(self, grid, len(self.rows), name, index)
        if not self.rows:
            hint = QLabel("Inputs of the program get a slider here.")
            hint.setStyleSheet("color: #777;")
            grid.addWidget(hint, 0, 0, 1, 3)
        grid.setRowStretch(max(len(self.rows), 1), 1)  # rows stay at the top
        self.setWidget(body)

    def _on_values_changed(self, changed: list[int]) -> None:
        changed_set = set(changed)
        for row in self.rows.values():
            if row.index in changed_set:
                row.show_value()

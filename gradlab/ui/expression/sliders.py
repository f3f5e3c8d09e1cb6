"""One slider per input leaf: drag it and every value downstream follows while you drag.

A program may have thousands of inputs; building a row of widgets for each would
take seconds and help nobody, so the panel shows the first ``MAX_ROWS`` inputs
whose names contain the text of a filter box, and says how many there are.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QLineEdit,
    QScrollArea,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gradlab.ui.common import palette
from gradlab.ui.common.numbers import read_typed, say_refused
from gradlab.ui.common.text import elide, note_label, plain_label
from gradlab.ui.expression.model import ExpressionModel

#: slider positions across the range; fine enough that a drag looks continuous
STEPS = 1000
#: at most this many rows of widgets; the filter box finds the other inputs
MAX_ROWS = 40
#: the panel asks for the room of its rows, up to this share of the graph-and-sliders column's
#: height (but at least MIN_PANEL_PX); more rows scroll
PANEL_SHARE = 0.3
MIN_PANEL_PX = 110
#: the slider's scale stays inside +-LIMIT, so centre +- span is always a finite float
LIMIT = 1e300


def _short_number(x: float) -> str:
    """The number as Python writes it when that is short (8.0, 0.25, 1.7e+308), else 6 digits."""
    text = repr(float(x))
    return text if len(text) <= 12 else f"{x:.6g}"


class NumberBox(QLineEdit):
    """A number field that shows any float as it is (1.7e+308, inf, nan) and reads what is typed
    with read_typed (``.`` or the locale's decimal point; ``1,5`` in English is refused, not 15).
    ``value_entered`` (float) is emitted when the user commits a new number."""

    value_entered = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = 0.0
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.editingFinished.connect(self._on_editing_finished)

    def value(self) -> float:
        return self._value

    def setValue(self, value: float) -> None:  # noqa: N802 (the spin box's name, kept for callers)
        self._value = float(value)
        self.setText(_short_number(self._value))
        self.setToolTip(f"{self._value!r}: type a number and press Enter")
        self.setStyleSheet("")

    def _on_editing_finished(self) -> None:
        try:
            value = read_typed(self, self.text())
        except ValueError as err:
            say_refused(self, elide(str(err), 200))
            self.setStyleSheet(f"color: {palette.ERROR_TEXT};")
            return
        if repr(value) != repr(self._value):
            self.setValue(value)
            self.value_entered.emit(value)
        else:
            self.setValue(value)


class _InputRow:
    """A name, a slider and a number box bound to one input node of the graph."""

    def __init__(self, panel: SliderPanel, grid: QGridLayout, row: int, name: str, index: int) -> None:
        self.model = panel.model
        self.index = index
        self.panel, self.input_name = panel, name
        self._drag_before = None  # the inputs' values when the handle was pressed (see edited)
        self._dragged_to: float | None = None  # the value the drag reached so far
        self._set_scale(self.model.graph.values[index].data)
        self.name = plain_label(elide(name))
        self.name.setToolTip(f"input {elide(name, 200)}")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName(f"slider_{name}")
        self.slider.setRange(0, STEPS)
        self.slider.setToolTip(f"Drag to change {elide(name)}; every value that depends on it follows")
        self.box = NumberBox()
        self.box.setObjectName(f"value_{name}")
        self.box.setMinimumWidth(90)
        self.box.setMaximumWidth(130)
        grid.addWidget(self.name, row, 0)
        grid.addWidget(self.slider, row, 1)
        grid.addWidget(self.box, row, 2)
        self.show_value()
        note = self.model.slider_note(name)
        if note:  # a program that runs again, but this input's number is not written as Value(...)
            for w in (self.slider, self.box):
                w.setEnabled(False)
                w.setToolTip(note)
            self.slider.hide()  # a slider that cannot move says why in its place (the box keeps the value)
            grid.addWidget(note_label(note, f"sliderNote_{name}"), row, 1)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.slider.sliderPressed.connect(self._on_pressed)
        self.slider.sliderReleased.connect(self._on_released)
        self.box.value_entered.connect(self._on_box_edited)

    def _set_scale(self, value: float) -> None:
        """Centre the slider on ``value``; a value beyond the finite scale (nan, inf, 1.7e308) is
        clamped, so every slider position maps to a finite number."""
        self.centre = min(max(value, -LIMIT), LIMIT) if math.isfinite(value) else 0.0
        self.span = min(max(1.0, 2 * abs(self.centre)), LIMIT)

    def _value_at(self, position: int) -> float:
        return self.centre - self.span + 2 * self.span * position / STEPS

    def _on_slider_moved(self, position: int) -> None:
        value = round(self._value_at(position), 6)
        if self.slider.isSliderDown():  # a drag: one step of the history when it ends
            self._dragged_to = value
            self.model.set_value(self.index, value)
            return
        # a key, the wheel or a click beside the handle: consecutive moves of this slider are one step
        self._set(f"Move {elide(self.input_name, 40)}", value, f"slider:{self.input_name}")

    def _on_pressed(self) -> None:
        self._drag_before, self._dragged_to = self.model.input_values(), None

    def _on_released(self) -> None:
        before, value = self._drag_before, self._dragged_to
        self._drag_before = self._dragged_to = None
        if before is not None and value is not None and before.values.get(self.input_name) != value:
            self.panel.edited.emit(f"Drag {elide(self.input_name, 40)}", before,
                                   before.moved({self.input_name: value}), "")

    def _on_box_edited(self, value: float) -> None:
        self._set(f"Set {elide(self.input_name, 40)}", value)

    def _set(self, what: str, value: float, merge_key: str = "") -> None:
        """Give the input ``value``: one step of the undo history called ``what``."""
        before = self.model.input_values()
        self.model.set_value(self.index, value)
        if before is not None:
            self.panel.edited.emit(what, before, before.moved({self.input_name: value}), merge_key)

    def show_value(self) -> None:
        """Model to widget, with the widgets' signals blocked so nothing echoes back."""
        value = self.model.graph.values[self.index].data
        if math.isfinite(value) and abs(value - self.centre) > self.span:
            # moved off the scale: widen it (up to the limit), so the handle still shows which way
            self.span = min(1.25 * abs(value - self.centre), LIMIT)
        if math.isnan(value):
            position = STEPS // 2
        else:
            t = (value - self.centre + self.span) / (2 * self.span)  # inf -> an end of the scale
            position = round(min(max(t, 0.0), 1.0) * STEPS)
        with QSignalBlocker(self.slider), QSignalBlocker(self.box):
            self.slider.setValue(position)
            self.box.setValue(value)


class SliderPanel(QWidget):
    """The inputs of the current program, each with a slider (objectName ``slider_<name>``);
    above ``MAX_ROWS`` inputs, a filter box (``inputFilter``) picks which rows to show."""

    #: the learner changed an input (a drag, keys, a number typed): what ("Drag a"), the
    #: InputValues before and after, and a merge key ("": a step of its own)
    edited = Signal(str, object, object, str)

    def __init__(self, model: ExpressionModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sliderPanel")
        self.model = model
        self.scroll = QScrollArea()
        self._sized_by_user = self._watching = False  # see fit_height
        self._need = 0  # the height the rows ask for (0: as much as the panel may have)
        self.scroll.setWidgetResizable(True)
        self.rows: dict[str, _InputRow] = {}
        self._inputs: list[tuple[str, int]] = []  # every input of the program: (name, graph index)
        self.filter = QLineEdit(objectName="inputFilter", placeholderText="Find an input by name",
                                clearButtonEnabled=True)
        self.filter.setToolTip("Show the inputs whose names contain this text")
        self.filter.textChanged.connect(self._show_rows)
        self.note = note_label("", "inputCount")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.filter)
        layout.addWidget(self.note)
        layout.addWidget(self.scroll, 1)
        self._rebuild()
        model.program_changed.connect(self._rebuild)
        model.values_changed.connect(self._on_values_changed)

    def input_count(self) -> int:
        """How many inputs the program has (rows are built for at most ``MAX_ROWS`` of them)."""
        return len(self._inputs)

    def _rebuild(self) -> None:
        graph, program = self.model.graph, self.model.program
        old, self._inputs = self._inputs, []
        if graph is not None and program is not None:
            for name in program.inputs:
                index = graph.index.get(id(program.values[name]))
                if index is not None and graph.roles[index] == "input":
                    self._inputs.append((name, index))
        if self._inputs and [n for n, _ in self._inputs] == [n for n, _ in old] and (
                self.model.rerunning or self._all_work()):
            # the same inputs: the program ran again for a slider's new value (the rows stay, one
            # may be under the mouse, mid-drag) or an edit kept them (nothing is rebuilt; each
            # scale centres on the new value, as a new row's would); the rows follow the new nodes
            at = dict(self._inputs)
            for name, row in self.rows.items():
                row.index = at[name]
                if not self.model.rerunning:
                    row._set_scale(self.model.graph.values[row.index].data)
                row.show_value()
            return
        self._show_rows()

    def _all_work(self) -> bool:
        """Every row's slider worked and still does (else a row is rebuilt to say why not)."""
        return all(row.slider.isEnabled() and not self.model.slider_note(name)
                   for name, row in self.rows.items())

    def _show_rows(self) -> None:
        """Rows for the first ``MAX_ROWS`` inputs matching the filter; the rest are only counted."""
        wanted = self.filter.text().strip().lower()
        matching = [(n, i) for n, i in self._inputs if wanted in n.lower()] if wanted else self._inputs
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(6, 4, 6, 4)
        many = len(self._inputs) > MAX_ROWS
        if many:
            shown = min(len(matching), MAX_ROWS)
            self.note.setText(f"{len(self._inputs):,} inputs; {len(matching):,} match, showing {shown}. "
                              "Type part of a name to find the others." if wanted else
                              f"{len(self._inputs):,} inputs: showing the first {MAX_ROWS}. "
                              "Type part of a name to find the others.")
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        column.addLayout(grid)
        column.addStretch(1)  # rows stay at the top
        self.rows = {}
        for name, index in matching[:MAX_ROWS]:
            self.rows[name] = _InputRow(self, grid, len(self.rows), name, index)
        if not self._inputs:
            program = self.model.program
            hint = note_label("Sliders are off: this graph is a copy of your own Value class's objects."
                              if program is not None and program.mirrored else
                              "Inputs of the program get a slider here.")
            grid.addWidget(hint, 0, 0, 1, 3)
        self.filter.setVisible(many)
        self.note.setVisible(many)
        self.scroll.setWidget(body)
        frame = 2 * self.scroll.frameWidth()
        need = body.sizeHint().height() + frame
        self._need = 0 if many else need
        self.scroll.setMinimumHeight(min(need, self.scroll.minimumSizeHint().height()))
        if many:
            self.setMaximumHeight(16777215)  # Qt's "no maximum"
        else:
            self.setMaximumHeight(max(need, self.minimumSizeHint().height()))
        self.fit_height()

    def _on_splitter_moved(self, *_args) -> None:
        self._sized_by_user = True

    def cap(self, total: int) -> int:
        """The most height the panel takes by itself in a column ``total`` px tall."""
        return max(MIN_PANEL_PX, round(PANEL_SHARE * total))

    def fit_height(self) -> None:
        """Only as tall as the rows (a program with two inputs leaves the graph the rest), up to
        ``cap`` of the column (the window grows: so does the room); beyond that the rows scroll
        and the splitter's handle can give more.  A drag of that handle is the learner's to keep."""
        splitter = self.parentWidget()
        if not isinstance(splitter, QSplitter) or self._sized_by_user:
            return
        if not self._watching:  # a drag of the splitter's handle is the user's choice: kept from then on
            self._watching = True
            splitter.splitterMoved.connect(self._on_splitter_moved)
        sizes, at = splitter.sizes(), splitter.indexOf(self)
        cap = self.cap(sum(sizes))
        want = min(self._need, cap) if self._need else cap
        if sum(sizes) > 0 and sizes[at] != want and len(sizes) > 1:
            other = 0 if at else 1  # the graph above takes or gives the difference
            sizes[other] += sizes[at] - want
            sizes[at] = want
            splitter.setSizes(sizes)

    def _on_values_changed(self, changed: list[int]) -> None:
        if not self.rows:
            return
        if len(changed) > len(self.rows):
            for row in self.rows.values():
                row.show_value()
            return
        changed_set = set(changed)
        for row in self.rows.values():
            if row.index in changed_set:
                row.show_value()

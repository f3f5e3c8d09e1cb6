"""The network lab's data controls: ``datasetCombo``, noise, points, test split, regenerate,
show test points, and the class a click on the plot adds. The dataset combo is not in the
panel's own form: the lab keeps it in its top bar, always in view."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gradlab import datasets
from gradlab.ui.common import palette
from gradlab.ui.common.numbers import NumberSpinBox, WholeSpinBox

__all__ = ["DataPanel"]


class DataPanel(QWidget):
    """Shows the lab's ``DataSettings`` and reports edits as a dict of their field names."""

    #: the user changed how the data is made: dict of DataSettings fields (regenerate: {})
    settings_edited = Signal(dict)
    #: show test points: bool
    show_test_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dataPanel")
        box = QGroupBox("Data")
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.dataset_combo = QComboBox(objectName="datasetCombo")
        for name, spec in datasets.DATASETS.items():
            self.dataset_combo.addItem(name, name)
            self.dataset_combo.setItemData(self.dataset_combo.count() - 1, spec.description,
                                           Qt.ItemDataRole.ToolTipRole)
        self.dataset_combo.setToolTip("Which toy dataset to learn")
        self.dataset_combo.setPlaceholderText("imported file")
        self.classes = WholeSpinBox(objectName="classesInput", minimum=2, maximum=datasets.MAX_CLASSES)
        self.classes.setToolTip("Classes (spiral and gaussians)")
        self.noise = NumberSpinBox(objectName="noiseInput", minimum=0.0, maximum=2.0, singleStep=0.05,
                                    decimals=2)
        self.noise.setToolTip("Standard deviation of the noise added to every point")
        self.samples = WholeSpinBox(objectName="samplesInput", minimum=10, maximum=5000, singleStep=50)
        self.samples.setToolTip("How many points to draw")
        self.test_fraction = NumberSpinBox(objectName="testFractionInput", minimum=0.0, maximum=0.9,
                                            singleStep=0.1, decimals=2)
        self.test_fraction.setToolTip("Share of the points held out to test the network (0: none)")
        self.data_seed = WholeSpinBox(objectName="dataSeedInput", minimum=0, maximum=2**31 - 1)
        self.data_seed.setToolTip("The random draw of the points (1337: micrograd's demo data)")
        for w in (self.noise, self.samples, self.test_fraction, self.data_seed):
            w.setKeyboardTracking(False)
        self.regenerate = QPushButton("Regenerate", objectName="regenerateButton")
        self.regenerate.setToolTip("Draw new points (the next seed)")
        self.show_test = QCheckBox("show test points", objectName="showTestCheck", checked=True)
        self.add_class = QComboBox(objectName="addClassCombo")
        self.add_class.setToolTip("The class of the point a click on the plot adds")
        for caption, w in (("classes", self.classes), ("noise", self.noise),
                           ("points", self.samples), ("test share", self.test_fraction),
                           ("data seed", self.data_seed), ("click adds", self.add_class)):
            form.addRow(caption, w)
        form.addRow(self.regenerate)
        form.addRow(self.show_test)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)

        self.dataset_combo.currentIndexChanged.connect(
            lambda: self.settings_edited.emit({"name": self.dataset_combo.currentData()}))
        self.classes.valueChanged.connect(lambda v: self.settings_edited.emit({"classes": v}))
        self.noise.valueChanged.connect(lambda v: self.settings_edited.emit({"noise": v}))
        self.samples.valueChanged.connect(lambda v: self.settings_edited.emit({"n_samples": v}))
        self.test_fraction.valueChanged.connect(lambda v: self.settings_edited.emit({"test_fraction": v}))
        self.data_seed.valueChanged.connect(lambda v: self.settings_edited.emit({"seed": v}))
        self.regenerate.clicked.connect(
            lambda: self.settings_edited.emit({"seed": self.data_seed.value() + 1}))
        self.show_test.toggled.connect(self.show_test_toggled)

    def set_settings(self, settings, kind: str, num_classes: int, test_fraction: float) -> None:
        """Show ``settings`` (DataSettings; name "" for imported data), the test share and the
        classes a click can add, without echoing them back."""
        widgets = (self.dataset_combo, self.classes, self.noise, self.samples, self.test_fraction,
                   self.data_seed, self.add_class)
        blockers = [QSignalBlocker(w) for w in widgets]
        self.dataset_combo.setCurrentIndex(self.dataset_combo.findData(settings.name))  # -1: imported
        self.classes.setValue(settings.classes)
        spec = datasets.DATASETS.get(settings.name)
        self.classes.setEnabled(spec is not None and "classes" in spec.options)
        self.noise.setValue(settings.noise)
        self.samples.setValue(settings.n_samples)
        self.test_fraction.setValue(test_fraction)
        self.data_seed.setValue(settings.seed)
        previous = self.add_class.currentIndex()
        self.add_class.clear()
        if kind == "regression":
            self.add_class.addItem("a point at (x, y)", 0)
        else:
            for c in range(num_classes):
                colour = {0: "orange", 1: "blue"}.get(c, "")
                self.add_class.addItem(f"class {c}" + (f" ({colour})" if colour else ""), c)
                self.add_class.setItemData(c, QColor(palette.class_colour(c)), Qt.ItemDataRole.ForegroundRole)
        self.add_class.setCurrentIndex(max(0, min(previous, self.add_class.count() - 1)))
        del blockers

    def label_to_add(self) -> int:
        return int(self.add_class.currentData() or 0)

"""``networkEditor``: input features, hidden layers, loss, regulariser, optimiser, learning rate...

The editor shows a configuration it is handed (``set_config``, with its signals blocked so
nothing echoes) and reports what the user changed as a dict of ``TrainConfig`` field names
(``config_edited``); the lab's model decides what a change means (a new architecture resets
training, a new learning rate does not).

The main controls sit in the lab's top bar, not in the editor's column (``top_bar_fields``):
the learning rate, one activation for every hidden layer (``activationCombo``, "mixed" when
the layers differ; each layer's own stays in *Hidden layers*) and the hidden layers' widths
typed as a list (``layersInput``: ``16, 16``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gradlab import ops, optimizers
from gradlab.training import backends
from gradlab.training import config as training_config
from gradlab.ui.common import palette
from gradlab.ui.common.numbers import NumberSpinBox, WholeSpinBox

__all__ = ["LogSpinBox", "NetworkEditor", "MAX_LAYERS", "MAX_WIDTH", "parse_layers"]

MAX_LAYERS = training_config.MAX_HIDDEN_LAYERS
MAX_WIDTH = training_config.MAX_NEURONS
#: the combos' (value, caption) items, read from the core's registries
LOSSES = tuple(training_config.LOSS_CAPTIONS.items())
REGULARIZERS = ((None, "none"), *training_config.REGULARIZATION_CAPTIONS.items())
OPTIMIZERS = tuple((name, row.caption) for name, row in optimizers.OPTIMIZERS.items())
BACKENDS = tuple(training_config.BACKEND_CAPTIONS.items())
BACKENDS_TIP = "; ".join(f"{name}: {row.description}" for name, row in backends.BACKENDS.items())
#: stepping the learning rate moves it by a quarter decade: 0.01, 0.0178, 0.0316, 0.0562, 0.1 ...
LOG_STEPS_PER_DECADE = 4
_PRESSED = QColor(palette.POSITIVE).darker(125).name()
#: a feature the network reads is filled with the palette's blue (TensorFlow Playground's active
#: input); an unused one keeps the app's plain button look.  A widget's own sheet outranks the
#: app's, so these win over style.qss's QToolButton rules, hover included.
FEATURE_STYLE = f"""
QToolButton:checked {{ background: {palette.POSITIVE}; border: 1px solid {palette.POSITIVE};
                      border-radius: 4px; color: #ffffff; font-weight: bold; }}
QToolButton:checked:hover {{ background: {_PRESSED}; border-color: {_PRESSED}; }}
QToolButton:!checked {{ color: #555555; }}
"""


def parse_layers(text: str) -> list[int]:
    """Hidden layer widths typed as ``16, 16`` (``none`` or nothing: no hidden layer); raises
    ValueError naming the part that is wrong."""
    parts = [p.strip() for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    if parts in ([], ["none"]):
        return []
    widths = []
    for k, part in enumerate(parts, 1):
        if not part.isdigit() or not 1 <= int(part) <= MAX_WIDTH:
            raise ValueError(f"hidden layers: layer {k}'s width {part!r} is not a whole number "
                             f"from 1 to {MAX_WIDTH}")
        widths.append(int(part))
    if len(widths) > MAX_LAYERS:
        raise ValueError(f"hidden layers: {len(widths)} layers typed, at most {MAX_LAYERS} fit")
    return widths


class LogSpinBox(NumberSpinBox):
    """A number box whose arrows (and wheel) move on a log scale and which shows 3 significant digits."""

    def __init__(self, minimum: float, maximum: float, parent: QWidget | None = None, **props) -> None:
        super().__init__(parent, **props)
        self._floor = minimum if minimum > 0 else 1e-6
        self.setDecimals(12)
        self.setRange(minimum, maximum)
        self.setKeyboardTracking(False)  # commit when typing ends, not on every digit

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt override)
        v = self.value()
        v = self._floor if v <= 0 else v * 10 ** (steps / LOG_STEPS_PER_DECADE)
        self.setValue(float(f"{v:.3g}"))

    def textFromValue(self, value: float) -> str:  # noqa: N802
        return f"{value:.3g}"


def _combo(name: str, items, tip: str) -> QComboBox:
    box = QComboBox(objectName=name, toolTip=tip)
    for value, text in items:
        box.addItem(text, value)
    return box


def _select(box: QComboBox, value) -> None:
    k = box.findData(value)
    if k >= 0:
        box.setCurrentIndex(k)


class NetworkEditor(QWidget):
    """Features, layers and training settings of the lab's network."""

    #: the user changed settings: dict of TrainConfig field names (and "backend") to new values
    config_edited = Signal(dict)
    #: a setting the user typed cannot be used: what is wrong (the field shows the setting again)
    problem = Signal(str)

    def __init__(self, features: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkEditor")
        self._layers: list[int] = [16, 16]
        self._activations: list[str] = ["relu", "relu"]
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self._build_bar_fields()
        column.addWidget(self._build_features(features))
        column.addWidget(self._build_layers())
        column.addWidget(self._build_training())

    # -- construction -------------------------------------------------------------------------

    def _build_bar_fields(self) -> None:
        self.activation_combo = QComboBox(objectName="activationCombo")
        self.activation_combo.setToolTip("The activation of every hidden layer (Hidden layers sets "
                                         "each layer's own)")
        for name in ops.ACTIVATIONS:
            self.activation_combo.addItem(name, name)
        self.activation_combo.setPlaceholderText("mixed")
        self.activation_combo.activated.connect(self._on_all_activations)
        self.layers_input = QLineEdit(objectName="layersInput")
        self.layers_input.setToolTip(f"Neurons in each hidden layer, for example 16, 16 (up to {MAX_LAYERS} "
                                     f"layers of 1 to {MAX_WIDTH}; none: a linear model). Press Enter.")
        self.layers_input.setMaxLength(60)
        self.layers_input.editingFinished.connect(self._on_layers_typed)

    def top_bar_fields(self) -> list[tuple[str, QWidget]]:
        """(caption, widget) of the settings the lab keeps in its top bar, always in view."""
        return [("learning rate", self.learning_rate), ("activation", self.activation_combo),
                ("hidden layers", self.layers_input)]

    def _build_features(self, features: Sequence[str]) -> QGroupBox:
        box = QGroupBox("Input features", objectName="featureBox")
        box.setStyleSheet(FEATURE_STYLE)
        grid = QGridLayout(box)
        grid.setSpacing(3)
        self.feature_buttons: dict[str, QToolButton] = {}
        for k, name in enumerate(features):
            b = QToolButton(text=name, checkable=True, objectName=f"feature_{name}")
            b.setToolTip(f"Feed {name} to the network as an input (filled blue: it is one)")
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)  # one width per column
            b.toggled.connect(self._on_features_toggled)
            grid.addWidget(b, k // 3, k % 3)  # three columns keep the settings column narrow
            self.feature_buttons[name] = b
        return box

    def _build_layers(self) -> QGroupBox:
        box = QGroupBox("Hidden layers")
        column = QVBoxLayout(box)
        self.layer_grid = QGridLayout()
        self.layer_grid.setSpacing(3)
        column.addLayout(self.layer_grid)
        row = QHBoxLayout()
        self.add_layer_button = QToolButton(text="+ layer", objectName="addLayerButton")
        self.add_layer_button.setToolTip(f"Add a hidden layer (at most {MAX_LAYERS})")
        self.add_layer_button.clicked.connect(self._on_add_layer)
        row.addWidget(self.add_layer_button)
        row.addStretch(1)
        self.parameter_count = QLabel(objectName="parameterCount")
        self.parameter_count.setToolTip("Weights and biases in the network: what training adjusts")
        row.addWidget(self.parameter_count)
        column.addLayout(row)
        self._rebuild_layer_rows()
        return box

    def _build_training(self) -> QGroupBox:
        box = QGroupBox("Training")
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.loss_combo = _combo("lossCombo", LOSSES, "What training minimises")
        self.reg_combo = _combo("regularizationCombo", REGULARIZERS, "A penalty on large weights")
        self.reg_strength = LogSpinBox(0.0, 10.0, objectName="regStrengthInput")
        self.reg_strength.setToolTip("How much the penalty weighs against the loss")
        self.optimizer_combo = _combo("optimizerCombo", OPTIMIZERS, "How a gradient becomes a step")
        self.learning_rate = LogSpinBox(0.0, 1e6, objectName="learningRateInput")
        self.learning_rate.setToolTip("Step size; the arrows move a quarter decade (log scale).\n"
                                      "Changing it does not reset training.")
        self.decay = WholeSpinBox(objectName="lrDecayInput", minimum=0, maximum=1_000_000)
        self.decay.setSpecialValueText("off")
        self.decay.setToolTip("micrograd's decay: the rate falls to 0.1x over this many steps "
                              "(off: constant)")
        self.batch = WholeSpinBox(objectName="batchSizeInput", minimum=0, maximum=100_000)
        self.batch.setSpecialValueText("full")
        self.batch.setToolTip("Points per step (full: every training point)")
        self.backend_combo = _combo("backendCombo", BACKENDS, BACKENDS_TIP)
        self.seed = WholeSpinBox(objectName="seedInput", minimum=0, maximum=2**31 - 1)
        self.seed.setToolTip("Initial weights and mini-batches (1337: micrograd's demo)")
        for caption, w in (("loss", self.loss_combo), ("regularisation", self.reg_combo),
                           ("strength", self.reg_strength), ("optimiser", self.optimizer_combo),
                           ("decay steps", self.decay),
                           ("batch size", self.batch), ("backend", self.backend_combo), ("seed", self.seed)):
            form.addRow(caption, w)
        self.loss_combo.currentIndexChanged.connect(lambda: self._emit(loss=self.loss_combo.currentData()))
        self.reg_combo.currentIndexChanged.connect(
            lambda: self._emit(regularization=self.reg_combo.currentData()))
        self.reg_strength.valueChanged.connect(lambda v: self._emit(reg_strength=v))
        self.optimizer_combo.currentIndexChanged.connect(
            lambda: self._emit(optimizer=self.optimizer_combo.currentData()))
        self.learning_rate.valueChanged.connect(lambda v: self._emit(learning_rate=v))
        self.decay.valueChanged.connect(lambda v: self._emit(lr_decay=v or None))
        self.batch.valueChanged.connect(lambda v: self._emit(batch_size=v or None))
        self.backend_combo.currentIndexChanged.connect(
            lambda: self._emit(backend=self.backend_combo.currentData()))
        self.seed.valueChanged.connect(lambda v: self._emit(seed=v))
        return box

    def _rebuild_layer_rows(self) -> None:
        grid = self.layer_grid
        while grid.count():
            grid.takeAt(0).widget().deleteLater()
        if not self._layers:
            grid.addWidget(QLabel("none: a linear model"), 0, 0, 1, 4)
        for k, (width, act) in enumerate(zip(self._layers, self._activations, strict=True)):
            grid.addWidget(QLabel(f"{k + 1}"), k, 0)
            spin = WholeSpinBox(objectName=f"layerWidth{k}", minimum=1, maximum=MAX_WIDTH, value=width)
            spin.setToolTip(f"Neurons in hidden layer {k + 1} (1 to {MAX_WIDTH})")
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(lambda v, k=k: self._on_width(k, v))
            grid.addWidget(spin, k, 1)
            combo = QComboBox(objectName=f"layerActivation{k}", toolTip=f"Activation of layer {k + 1}")
            for name in ops.ACTIVATIONS:
                combo.addItem(name, name)
            _select(combo, act)
            combo.currentIndexChanged.connect(
                lambda _i, k=k, c=combo: self._on_activation(k, c.currentData()))
            grid.addWidget(combo, k, 2)
            remove = QToolButton(text="−", objectName=f"removeLayerButton{k}")
            remove.setToolTip(f"Remove hidden layer {k + 1}")
            remove.clicked.connect(lambda _=False, k=k: self._on_remove_layer(k))
            grid.addWidget(remove, k, 3)
        grid.setColumnStretch(2, 1)
        self.add_layer_button.setEnabled(len(self._layers) < MAX_LAYERS)
        self._show_bar_fields()

    def _show_bar_fields(self) -> None:
        """The top bar's layers and activation, from ``_layers`` and ``_activations``."""
        self.layers_input.setText(", ".join(map(str, self._layers)) or "none")
        self.activation_combo.setEnabled(bool(self._layers))
        with QSignalBlocker(self.activation_combo):
            same = len(set(self._activations)) == 1
            self.activation_combo.setCurrentIndex(
                self.activation_combo.findData(self._activations[0]) if same else -1)

    # -- model -> widgets -------------------------------------------------------------------------

    def set_config(self, cfg, backend: str = "fast") -> None:
        """Show ``cfg`` (a ``TrainConfig``) without echoing it back as edits."""
        blockers = [QSignalBlocker(w) for w in (
            *self.feature_buttons.values(), self.loss_combo, self.reg_combo, self.reg_strength,
            self.optimizer_combo, self.learning_rate, self.decay, self.batch, self.backend_combo, self.seed)]
        for name, b in self.feature_buttons.items():
            b.setChecked(name in cfg.features)
        _select(self.loss_combo, cfg.loss)
        _select(self.reg_combo, cfg.regularization)
        self.reg_strength.setValue(cfg.reg_strength)
        self.reg_strength.setEnabled(cfg.regularization is not None)
        _select(self.optimizer_combo, cfg.optimizer)
        lr = cfg.learning_rate
        self.learning_rate.setValue(lr if isinstance(lr, (int, float)) and math.isfinite(lr) else 0.0)
        self.decay.setValue(int(cfg.lr_decay or 0))
        self.batch.setValue(int(cfg.batch_size or 0))
        _select(self.backend_combo, backend)
        self.seed.setValue(int(cfg.seed))
        del blockers
        layers = [int(n) for n in cfg.layers]
        acts = cfg.activation
        acts = [acts] * len(layers) if isinstance(acts, str) else list(acts)
        if layers != self._layers or acts != self._activations:
            self._layers, self._activations = layers, acts
            self._rebuild_layer_rows()

    def set_parameter_count(self, n: int) -> None:
        self.parameter_count.setText(f"{n:,} parameters")

    # -- widgets -> model ---------------------------------------------------------------------------

    def _emit(self, **changes) -> None:
        self.config_edited.emit(changes)

    def _architecture(self) -> dict:
        return {"layers": tuple(self._layers), "activation": tuple(self._activations)}

    def _on_features_toggled(self) -> None:
        self._emit(features=tuple(n for n, b in self.feature_buttons.items() if b.isChecked()))

    def _on_all_activations(self, _index: int) -> None:
        name = self.activation_combo.currentData()
        if name is None or self._activations == [name] * len(self._activations):
            return
        self._activations = [name] * len(self._layers)
        self._rebuild_layer_rows()
        self._emit(**self._architecture())

    def _on_layers_typed(self) -> None:
        try:
            layers = parse_layers(self.layers_input.text())
        except ValueError as err:
            self._show_bar_fields()
            self.problem.emit(str(err))
            return
        if layers == self._layers:
            self._show_bar_fields()  # the same widths, written the usual way
            return
        fill = self._activations[-1] if self._activations else self.activation_combo.currentData() or "relu"
        self._activations = (self._activations + [fill] * len(layers))[:len(layers)]
        self._layers = layers
        self._rebuild_layer_rows()
        self._emit(**self._architecture())

    def _on_add_layer(self) -> None:
        if len(self._layers) >= MAX_LAYERS:
            return
        self._layers.append(self._layers[-1] if self._layers else 4)
        self._activations.append(self._activations[-1] if self._activations else "relu")
        self._rebuild_layer_rows()
        self._emit(**self._architecture())

    def _on_remove_layer(self, k: int) -> None:
        del self._layers[k], self._activations[k]
        self._rebuild_layer_rows()
        self._emit(**self._architecture())

    def _on_width(self, k: int, width: int) -> None:
        self._layers[k] = width
        self._show_bar_fields()
        self._emit(**self._architecture())

    def _on_activation(self, k: int, name: str) -> None:
        self._activations[k] = name
        self._show_bar_fields()
        self._emit(**self._architecture())

"""The network lab without Qt: its data, training settings and ``Trainer``, and every decision about
them (what a change rebuilds, when training pauses, what a divergence says, what a saved lab holds).

Whoever shows the lab asks :class:`NetworkCore` to change (``edit_config``, ``add_point``,
``step``...) and listens to its events, named in the past tense (``step_completed``...): each is
announced through ``events`` (:class:`gradlab.labs.events.Events`), whose callbacks run, in the
order connected, on the thread that made the change. ``gradlab.ui.network.model.NetworkModel`` turns
them into Qt signals; tests and scripts connect plain functions. The core does no maths of its own:
datasets, training, grids, point graphs and probes come from ``gradlab.datasets`` and
``gradlab.training``; reading a saved lab is ``gradlab.training.lab``'s.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import threading
import time

import numpy as np

from gradlab import datasets
from gradlab.datasets import Dataset, DatasetError
from gradlab.labs.events import Events
from gradlab.labs.network_history import NetworkHistory, NetworkSnapshot
from gradlab.training import StepRecord, TrainConfig, Trainer, TrainingDiverged
from gradlab.training.config import default_config
from gradlab.training.lab import DataSettings, LabModel, decode_lab_model, decode_lab_view, encode_lab_model
from gradlab.training.losses import fitting_loss, loss_row
from gradlab.training.state import FieldError

__all__ = ["ARCHITECTURE_FIELDS", "MAX_SAVED_HISTORY", "DataSettings", "NetworkCore",
           "NetworkReadings", "NetworkSnapshot", "demo_config", "describe_error"]

#: a saved session keeps at most this many step records (older ones thinned evenly)
MAX_SAVED_HISTORY = 10_000
#: settings whose change builds a new network (training restarts); the rest keep the weights
ARCHITECTURE_FIELDS = frozenset({"layers", "activation", "features", "loss", "seed", "optimizer",
                                 "test_fraction", "backend"})
#: the start of the problem a failed step leaves (until a step succeeds)
TRAINING_STOPPED = "training stopped: "
#: the start of every message about a saved lab that cannot be brought back
NOT_RESTORED = "the saved network lab could not be restored"


def demo_config(**changes) -> TrainConfig:
    """micrograd's demo: MLP 2-16-16-1, hinge loss, L2 1e-4, SGD 1.0 decaying over 100 steps."""
    return dataclasses.replace(TrainConfig(), **changes)  # TrainConfig's defaults are the demo's


def describe_error(err: BaseException) -> str:
    """What went wrong, for a user: the error's message, or what its kind means when it has none
    (a MemoryError's is empty)."""
    if isinstance(err, MemoryError):
        return ("the computer ran out of memory: use fewer points, a smaller network or the fast backend"
                + (f" ({err})" if str(err) else ""))
    return str(err) or type(err).__name__




def _locked(method):
    """Run ``method`` holding the core's lock: a worker thread may be taking a step."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self.lock:
            return method(self, *args, **kwargs)

    return wrapper


class NetworkReadings:
    """What the lab's views read of a ``NetworkCore`` without changing it: the data's kind and
    split, the network's shape and history, its outputs over the plot."""

    dataset: Dataset
    cfg: TrainConfig
    trainer: Trainer | None

    @property
    def kind(self) -> str:
        return self.dataset.kind

    @property
    def num_classes(self) -> int:
        return self.dataset.num_classes

    def split(self) -> tuple[Dataset, Dataset]:
        """(training set, test set) as the trainer splits the data (an empty test set without one)."""
        if self.trainer is not None:
            test = self.trainer.test_set
            return self.trainer.train_set, test if test is not None else self.dataset.split(0.0)[1]
        return self.dataset.split(self.cfg.test_fraction, self.cfg.seed)

    @property
    def step_count(self) -> int:
        return self.trainer.step_count if self.trainer is not None else 0

    @property
    def history(self) -> list[StepRecord]:
        """Every step the network has taken, oldest first (empty without a network)."""
        return self.trainer.history if self.trainer is not None else []

    def bounds(self) -> tuple[float, float, float, float]:
        """The plotted region: the data's bounds plus a margin (x and target for regression)."""
        return self.dataset.bounds()

    def layer_sizes(self) -> list[int]:
        """Neurons per layer after the inputs: the hidden layers, then the outputs."""
        if self.trainer is not None:
            return list(self.trainer.layer_sizes[1:])
        multiclass = self.kind == "classification" and loss_row(self.cfg.loss).multiclass
        out = self.num_classes if multiclass else 1
        return [*self.cfg.layers, out]

    def activations(self) -> list[str]:
        return list(self.cfg.hidden_activations)

    def thumbnails(self, resolution: int) -> list[np.ndarray]:
        """Every node's output over the plane, one (n, res, res) stack per column (inputs first);
        on 1-D data each row repeats the output along x."""
        if self.trainer is None:
            return []
        bounds = self.bounds()
        t = self.trainer
        stacks = [t.feature_grids(bounds, resolution), *t.neuron_grids(bounds, resolution)]
        return [np.repeat(s[:, None, :], resolution, axis=1) if s.ndim == 2 else s for s in stacks]

    def decision(self, resolution: int) -> np.ndarray | None:
        """The network's output over the plot: scores (res, res), probabilities (res, res, k) or,
        for regression, the fitted values along x (res,)."""
        if self.trainer is None:
            return None
        return self.trainer.decision_grid(self.bounds(), resolution)


# long: the lab's one facade: every change a widget may ask for, each a few lines (training/ works)
class NetworkCore(NetworkHistory, NetworkReadings):
    """Data, settings and trainer of the network lab; every change is announced by an event.

    Events and their payloads (``EVENTS`` names them all):

    - ``data_changed()``: the data was replaced (generated, imported, a point added or removed);
    - ``network_changed()``: a new network was built (architecture, seed, data, reset or a
      restored lab): parameters and history are new;
    - ``config_changed()``: settings changed without a new network (learning rate, decay...);
    - ``step_completed(records)``: training ran: list[StepRecord] of the steps just taken;
    - ``parameters_changed(indices)``: parameters changed without a step (a weight set by hand);
    - ``running_changed(on)``: training started (True) or paused (False);
    - ``diverged(message)``: training paused, its loss ran away; the trainer's ``TrainingDiverged``
      message (names the step and the learning rate, suggests half);
    - ``problem_changed(text)``: why the network cannot be built or trained ("" once it can);
    - ``point_selected(index)``: the traced training point changed (-1 for none).
    """

    EVENTS = ("data_changed", "network_changed", "config_changed", "step_completed", "parameters_changed",
              "running_changed", "diverged", "problem_changed", "point_selected")

    def __init__(self) -> None:
        self.events = Events(self.EVENTS)
        #: held during every training step and whenever the trainer is replaced or read whole
        self.lock = threading.RLock()
        self.data_settings = DataSettings()
        self.dataset: Dataset = self.data_settings.make()
        self.cfg = demo_config()
        self.backend = "fast"
        self.trainer: Trainer | None = None
        self.problem = ""
        self.running = False
        self.selected_point = -1
        self._rebuild()

    # -- data ------------------------------------------------------------------------------------

    @_locked
    def set_data_settings(self, **changes) -> str:
        """Generate new data with ``changes`` to the settings; "" or the problem (data kept).

        Another dataset brings its training defaults (``training.config.default_config``: the
        settings that train it untouched), keeping the seed, batch size and test share."""
        settings = dataclasses.replace(self.data_settings, **changes)
        try:
            data = settings.make()
        except DatasetError as err:
            return str(err)
        if settings.name != self.data_settings.name:
            c = self.cfg
            self.cfg = default_config(data, settings.name, seed=c.seed, batch_size=c.batch_size,
                                      test_fraction=c.test_fraction)
        self.data_settings = settings
        self._set_data(data, keep_weights=False)
        return ""

    @_locked
    def load_csv(self, path: str) -> str:
        """Use a CSV file's points; "" or the core's message (the current data stays)."""
        try:
            data = datasets.load_csv(path)
        except DatasetError as err:
            return str(err)
        self.data_settings = dataclasses.replace(self.data_settings, name="")
        self._set_data(data, keep_weights=False)
        return ""

    @_locked
    def add_point(self, x: float, y: float, label: int = 0) -> str:
        """Add a point: (x1, x2) of class ``label``; for regression the input ``x`` with target ``y``."""
        try:
            if self.kind == "regression":
                data = self.dataset.with_point([x], y)
            else:
                data = self.dataset.with_point([x, y], label)
        except DatasetError as err:
            return str(err)
        self._set_data(data, keep_weights=True)
        return ""

    @_locked
    def remove_point(self, which: str, index: int) -> str:
        """Remove point ``index`` of the "train" or "test" part of the data."""
        part = self.split()[1 if which == "test" else 0]
        if not 0 <= index < len(part):
            return f"there is no {which} point {index}"
        same = (self.dataset.X == part.X[index]).all(axis=1) & (self.dataset.y == part.y[index])
        self._set_data(self.dataset.without_point(int(np.flatnonzero(same)[0])), keep_weights=True)
        return ""

    def _set_data(self, data: Dataset, keep_weights: bool) -> None:
        """New data; the network carries on with it if it fits (a point added), else a new one."""
        was_running = self.running
        self.set_running(False)
        fits = data.kind == self.kind and data.num_classes == self.num_classes
        self.dataset = data
        if not fits:
            self.cfg = dataclasses.replace(self.cfg, **self._fitting_settings())
        self.select_point(-1)
        if keep_weights and fits and self.trainer is not None and self._has_classes(data):
            try:
                self.trainer.set_dataset(data)
            except ValueError as err:
                self.trainer = None
                self._set_problem(str(err))
            self.events.emit("data_changed")
        else:
            self.trainer = None  # the old network's split no longer describes the data
            self.events.emit("data_changed")
            self._rebuild()
        if was_running and not self.problem:
            self.set_running(True)

    @staticmethod
    def _has_classes(data: Dataset) -> bool:
        return data.kind == "regression" or len(np.unique(data.y)) >= 2

    def _fitting_settings(self) -> dict:
        """A loss and features that suit the data (after a switch to regression or to k classes)."""
        # the loss is kept if it fits, but a one-score-per-class loss goes back to the default (one
        # output) on two classes; otherwise the data's first loss (mse, cross_entropy)
        preferred = TrainConfig.loss if loss_row(self.cfg.loss).multiclass else self.cfg.loss
        loss = fitting_loss(self.kind, self.num_classes, preferred)
        if self.kind == "regression":
            return {"loss": loss, "features": ("x1",)}
        features = self.cfg.features if any("x2" in f for f in self.cfg.features) else ("x1", "x2")
        return {"loss": loss, "features": features}

    def select_point(self, index: int) -> None:
        """Trace training point ``index`` (-1, or one that does not exist: none)."""
        index = index if self.trainer is not None and 0 <= index < len(self.trainer.train_set) else -1
        if index != self.selected_point:
            self.selected_point = index
            self.events.emit("point_selected", index)

    # -- settings and the network ------------------------------------------------------------------

    @_locked
    def edit_config(self, changes: dict) -> None:
        """Apply settings from the editor; a new architecture (or seed, loss, backend) resets training.

        A setting the core refuses (a learning rate of 0, say) pauses training and says why;
        the network keeps its last good settings.
        """
        changes = dict(changes)
        backend = changes.pop("backend", self.backend)
        try:
            cfg = dataclasses.replace(self.cfg, **changes)
        except (TypeError, ValueError) as err:
            self.set_running(False)
            self._set_problem(str(err))
            return
        rebuild = backend != self.backend or any(k in ARCHITECTURE_FIELDS for k in changes)
        self.cfg, self.backend = cfg, backend
        if rebuild or self.trainer is None:
            self._rebuild()
            return
        try:
            self.trainer.reconfigure(cfg)
        except ValueError as err:  # a loss with another number of outputs, say
            self.set_running(False)
            self._set_problem(str(err))
            return
        self._set_problem("")
        self.events.emit("config_changed")

    @_locked
    def reset(self) -> None:
        """Fresh weights from the seed, empty history, same settings."""
        self._rebuild()

    @_locked
    def halve_learning_rate(self) -> float:
        """After a divergence: half the learning rate and fresh weights (training paused); the new rate."""
        self.cfg = dataclasses.replace(self.cfg, learning_rate=self.cfg.learning_rate / 2)
        self._rebuild()
        return self.cfg.learning_rate

    def _rebuild(self) -> None:
        """A new trainer from the settings (fresh weights), or the problem that prevents one."""
        self.set_running(False)
        try:
            if not self._has_classes(self.dataset):
                raise ValueError("the data has only one class: add points of another class "
                                 "(click the plot) or pick another dataset")
            self.trainer = Trainer(self.dataset, self.cfg, backend=self.backend)
        except (ValueError, DatasetError, MemoryError) as err:  # TooMuchMemory gives the numbers
            self.trainer = None
            self._set_problem(describe_error(err))
        else:
            self._set_problem("")
        self.select_point(-1)
        self.events.emit("network_changed")

    def _set_problem(self, text: str) -> None:
        if text != self.problem:
            self.problem = text
            self.events.emit("problem_changed", text)

    # -- training --------------------------------------------------------------------------------

    def set_running(self, on: bool) -> None:
        """Play (True) or pause; there is nothing to play without a network."""
        on = bool(on) and self.trainer is not None
        if on != self.running:
            self.running = on
            self.events.emit("running_changed", on)

    @_locked
    def step(self, count: int = 1, budget: float | None = None) -> list[StepRecord]:
        """Take up to ``count`` steps (and stop once ``budget`` seconds have passed); a divergence
        stops there, pauses training and says so."""
        if self.trainer is None:
            return []
        records, error = [], None
        started = time.perf_counter()
        try:
            for _ in range(count):
                records.append(self.trainer.step())
                if budget is not None and time.perf_counter() - started >= budget:
                    break
        except (TrainingDiverged, MemoryError) as err:
            error = err
        self.absorb_steps(records, error)
        return records

    def absorb_steps(self, records: list[StepRecord], error: Exception | None = None) -> None:
        """Announce steps already taken (by ``step`` or a worker), then any divergence or failure."""
        if error is not None:
            self.set_running(False)
        if records:
            if self.problem.startswith(TRAINING_STOPPED):
                self._set_problem("")  # training goes on again (a new training process, say)
            self.events.emit("step_completed", records)
        if isinstance(error, TrainingDiverged):
            self.events.emit("diverged", str(error))
        elif error is not None:
            self._set_problem(f"{TRAINING_STOPPED}{describe_error(error)}")

    @_locked
    def set_parameter(self, index: int, value: float) -> None:
        """Set one weight or bias by hand (a value that is not finite is ignored)."""
        if self.trainer is None or not math.isfinite(value):
            return
        self.trainer.set_parameter(index, float(value))
        self.events.emit("parameters_changed", [index])

    # -- sessions --------------------------------------------------------------------------------

    @_locked
    def state_dict(self) -> dict:
        """Data (hand-added points included), settings, weights, optimiser state and history, as
        JSON-able data; ``load_state`` brings it back with the weights bit for bit."""
        lab = LabModel(self.data_settings, self.dataset, self.cfg, self.backend, self.trainer,
                       self.selected_point)
        return encode_lab_model(lab, MAX_SAVED_HISTORY)

    @_locked
    def load_state(self, state: object) -> str:
        """Carry on from ``state_dict()``; "" or what is wrong with it (then nothing changes).

        Every field is checked first (``gradlab.training.lab.decode_lab_model``); the message
        names the first bad one.  A network too big to build here opens without a trainer,
        and the lab says why (``problem``)."""
        try:
            decoded = decode_lab_model(state, "network_lab.model")
        except (ValueError, MemoryError) as err:  # FieldError names the field
            return f"{NOT_RESTORED}: {describe_error(err)}"
        self.set_running(False)
        self.data_settings, self.dataset = decoded.data_settings, decoded.dataset
        self.cfg, self.backend, self.trainer = decoded.config, decoded.backend, decoded.trainer
        self.selected_point = -1
        self.events.emit("data_changed")
        if self.trainer is None:
            self._rebuild()  # says why there is none
        else:
            self._set_problem("")
            self.events.emit("network_changed")
        self.select_point(decoded.selected_point)
        return ""

    @_locked
    def import_weights(self, state: object) -> str:
        """Carry on from a weights file's state (``Trainer.state_dict()``: its settings, weights,
        optimiser and history) on the data the lab holds; "" or what is wrong (then nothing changes)."""
        try:
            trainer = Trainer.from_state(self.dataset, state, self.backend, where="weights")
        except (ValueError, MemoryError) as err:
            return describe_error(err)
        self.set_running(False)
        self.cfg, self.trainer = trainer.config, trainer
        self._set_problem("")
        self.events.emit("config_changed")
        self.events.emit("network_changed")
        return ""

    def state(self, view: dict) -> dict:
        """The whole lab, JSON-able: this core's ``state_dict()`` and the ``view`` settings the
        lab's widgets hold (``gradlab.training.lab.decode_lab_view`` lists them)."""
        return {"model": self.state_dict(), "view": dict(view)}

    def restore(self, state: object) -> tuple[str, dict]:
        """Bring back ``state()``: ("", the checked view settings for the widgets to show) or
        (what was wrong, {}), and then nothing changes."""
        if not isinstance(state, dict) or not isinstance(state.get("model"), dict):
            return "the saved network lab is not an object with a 'model' part", {}
        try:
            view = decode_lab_view(state.get("view", {}), "network_lab.view")
        except FieldError as err:
            return f"{NOT_RESTORED}: {err}", {}
        problem = self.load_state(state["model"])
        return problem, ({} if problem else view)

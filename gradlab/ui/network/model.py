"""The network lab's model for Qt: a thin adapter over ``gradlab.labs.network.NetworkCore``.

Widgets ask this model to change (``edit_config``, ``add_point``, ``step``...) and redraw when
one of its past-tense signals says something changed. Every call and every attribute is the
core's; the adapter only turns the core's events into the signals of the same names (payloads
are documented on ``NetworkCore``).
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QObject, Signal

from gradlab.labs.network import (
    ARCHITECTURE_FIELDS,
    MAX_SAVED_HISTORY,
    DataSettings,
    NetworkCore,
    demo_config,
    describe_error,
)

__all__ = ["ARCHITECTURE_FIELDS", "MAX_SAVED_HISTORY", "DataSettings", "NetworkModel", "demo_config",
           "describe_error"]


def _forward(name: str):
    """The core's method ``name``, called on the adapter's core (its docstring and signature too)."""
    method = getattr(NetworkCore, name)

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        return getattr(self.core, name)(*args, **kwargs)

    return call


def _read(name: str, doc: str = "") -> property:
    """The core's attribute ``name``, read through the adapter."""
    return property(lambda self: getattr(self.core, name), doc=doc or f"The core's ``{name}``.")


class NetworkModel(QObject):
    """Data, settings and trainer of the network lab (``core``); every change is a signal below."""

    #: the data was replaced (generated, imported, a point added or removed): no payload
    data_changed = Signal()
    #: a new network was built (architecture, seed, data or reset): parameters and history are new
    network_changed = Signal()
    #: settings changed without a new network (learning rate, decay...): no payload
    config_changed = Signal()
    #: training ran: list[StepRecord] of the steps just taken (one call may take several)
    step_completed = Signal(object)
    #: parameters changed without a step (a weight set by hand): list[int] of parameter indices
    parameters_changed = Signal(object)
    #: training started (True) or paused (False)
    running_changed = Signal(bool)
    #: training paused: its loss ran away (not finite, far above its start, or rising for many steps);
    #: the core's ``TrainingDiverged`` message (names the step and the learning rate, suggests half)
    diverged = Signal(str)
    #: why the network cannot be built or trained ("" once it can): show it to the user
    problem_changed = Signal(str)
    #: the traced training point changed: int, -1 for none
    point_selected = Signal(int)

    def __init__(self, parent: QObject | None = None, core: NetworkCore | None = None) -> None:
        super().__init__(parent)
        self.core = core if core is not None else NetworkCore()
        for name in NetworkCore.EVENTS:
            self.core.events.connect(name, getattr(self, name).emit)

    lock = _read("lock", "Held during every step and whenever the trainer is replaced or read whole.")
    data_settings = _read("data_settings")
    dataset = _read("dataset")
    cfg = _read("cfg")
    backend = _read("backend")
    trainer = _read("trainer")
    problem = _read("problem")
    running = _read("running")
    selected_point = _read("selected_point")
    kind = _read("kind")
    num_classes = _read("num_classes")
    step_count = _read("step_count")
    history = _read("history")

    split = _forward("split")
    set_data_settings = _forward("set_data_settings")
    load_csv = _forward("load_csv")
    add_point = _forward("add_point")
    remove_point = _forward("remove_point")
    select_point = _forward("select_point")
    edit_config = _forward("edit_config")
    reset = _forward("reset")
    halve_learning_rate = _forward("halve_learning_rate")
    set_running = _forward("set_running")
    step = _forward("step")
    absorb_steps = _forward("absorb_steps")
    set_parameter = _forward("set_parameter")
    state_dict = _forward("state_dict")
    load_state = _forward("load_state")
    import_weights = _forward("import_weights")
    snapshot = _forward("snapshot")
    restore_snapshot = _forward("restore_snapshot")
    state = _forward("state")
    restore = _forward("restore")
    bounds = _forward("bounds")
    layer_sizes = _forward("layer_sizes")
    activations = _forward("activations")
    thumbnails = _forward("thumbnails")
    decision = _forward("decision")

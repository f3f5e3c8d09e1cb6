"""The network lab's logic without Qt: ``NetworkCore``'s changes, the events that announce them,
divergence, drawn points and saved state (the Qt adapter's tests are in tests/ui/network)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradlab.datasets import make_dataset
from gradlab.labs.events import Events
from gradlab.labs.network import MAX_SAVED_HISTORY, NetworkCore
from gradlab.training import Trainer, TrainingDiverged
from gradlab.training.lab import DataSettings


@pytest.fixture
def core():
    """A core on micrograd's demo, every event it sends written down as (name, payload)."""
    made = NetworkCore()
    made.heard = []
    for name in NetworkCore.EVENTS:
        made.events.connect(name, lambda *payload, name=name: made.heard.append((name, payload)))
    return made


def names(core) -> list[str]:
    return [name for name, _ in core.heard]


def test_an_event_calls_its_callbacks_in_order_until_disconnected():
    events, heard = Events(["changed"]), []

    def first(x):
        heard.append(("first", x))

    events.connect("changed", first)
    events.connect("changed", lambda x: heard.append(("second", x)))
    events.emit("changed", 1)
    events.disconnect("changed", first)
    events.emit("changed", 2)
    assert heard == [("first", 1), ("second", 1), ("second", 2)]
    with pytest.raises(KeyError):  # a misspelt name fails at once
        events.connect("chnaged", first)


def test_it_starts_on_micrographs_demo_with_no_history(core):
    assert core.data_settings == DataSettings("moons", 100, 0.1, 1337, 3)
    assert len(core.dataset) == 100 and core.kind == "classification" and core.num_classes == 2
    assert core.cfg.layers == (16, 16) and core.cfg.learning_rate == 1.0 and core.backend == "fast"
    assert len(core.trainer.parameters()) == 337 and core.layer_sizes() == [16, 16, 1]
    assert core.history == [] and core.step_count == 0 and core.problem == "" and not core.running


def test_steps_are_announced_and_kept_in_the_history_as_a_plain_trainer_takes_them(core):
    records = core.step(3)
    assert [r.step for r in records] == [0, 1, 2] and core.step_count == 3
    assert core.heard == [("step_completed", (records,))]
    assert core.history == records
    twin = Trainer(make_dataset("moons", 100, 0.1, 1337), core.cfg, backend="fast")
    assert [r.loss for r in twin.run(3)] == [r.loss for r in records]
    assert twin.parameters() == core.trainer.parameters()


def test_a_new_rate_keeps_the_weights_and_a_new_architecture_starts_again(core):
    core.step(4)
    weights = core.trainer.parameters()
    core.heard.clear()
    core.edit_config({"learning_rate": 0.25, "lr_decay": None})
    assert names(core) == ["config_changed"]
    assert core.trainer.config.learning_rate == 0.25 and core.trainer.parameters() == weights
    core.heard.clear()
    core.edit_config({"layers": (8,)})
    assert "network_changed" in names(core) and "config_changed" not in names(core)
    assert core.step_count == 0 and core.history == [] and len(core.trainer.parameters()) == 8 * 3 + 9


def test_a_refused_setting_is_a_problem_event_and_the_last_good_settings_stay(core):
    core.edit_config({"learning_rate": 0.0})
    [(name, (text,))] = core.heard
    assert name == "problem_changed" and "learning_rate" in text and core.problem == text
    assert core.cfg.learning_rate == 1.0 and core.trainer is not None
    core.edit_config({"learning_rate": 0.5})
    assert core.heard[-2:] == [("problem_changed", ("",)), ("config_changed", ())]


def test_a_diverging_rate_pauses_with_the_trainers_message(core):
    core.edit_config({"learning_rate": 1e6})
    core.set_running(True)
    core.heard.clear()
    records = core.step(100)
    twin = Trainer(core.dataset, core.cfg, backend="fast")
    with pytest.raises(TrainingDiverged) as raised:
        twin.run(100)
    assert len(records) == twin.step_count < 100
    assert core.heard == [("running_changed", (False,)), ("step_completed", (records,)),
                           ("diverged", (str(raised.value),))]
    assert not core.running and "1e+06" in str(raised.value) and "500000" in str(raised.value)
    assert core.halve_learning_rate() == 5e5 and core.step_count == 0


def test_a_failure_that_is_not_a_divergence_is_a_problem(core):
    core.set_running(True)
    core.heard.clear()
    core.absorb_steps([], MemoryError())
    assert names(core) == ["running_changed", "problem_changed"]
    assert core.problem.startswith("training stopped: the computer ran out of memory")


def test_a_drawn_point_joins_the_data_and_training_goes_on(core):
    core.step(5)
    core.heard.clear()
    assert core.add_point(0.25, 2.0, 1) == ""
    assert names(core) == ["data_changed"]
    assert len(core.dataset) == 101 and core.dataset.X[-1].tolist() == [0.25, 2.0] and core.dataset.y[-1] == 1
    assert len(core.trainer.train_set) == 101 and core.step_count == 5
    assert core.add_point(0.0, 0.0, 7) != "" and len(core.dataset) == 101  # no class 7: a message
    assert core.remove_point("train", 100) == "" and len(core.dataset) == 100
    assert core.remove_point("test", 0) == "there is no test point 0"


def test_other_data_brings_settings_that_fit_it(core):
    assert core.set_data_settings(name="spiral") == ""
    assert core.num_classes == 3 and core.cfg.loss == "cross_entropy" and core.layer_sizes()[-1] == 3
    assert core.set_data_settings(name="abs") == ""
    assert core.kind == "regression" and core.cfg.loss == "mse" and core.cfg.features == ("x1",)
    assert core.decision(8).shape == (8,)
    assert core.set_data_settings(noise=99.0) != "" and core.data_settings.noise == 0.1


def test_data_of_one_class_is_a_problem_until_a_point_of_another_is_drawn(core):
    assert core.set_data_settings(name="moons", n_samples=4) == ""
    core.edit_config({"test_fraction": 0.0})
    while (core.dataset.y == 1).any():  # the user removes every point of class 1
        assert core.remove_point("train", int(np.flatnonzero(core.trainer.train_set.y == 1)[0])) == ""
    assert core.trainer is None and "only one class" in core.problem and core.step(3) == []
    assert core.add_point(0.0, 0.0, 1) == "" and core.trainer is not None and core.problem == ""


def test_a_weight_set_by_hand_is_announced(core):
    core.set_parameter(3, 0.5)
    core.set_parameter(4, float("nan"))  # ignored
    assert core.trainer.parameters()[3] == 0.5
    assert core.heard == [("parameters_changed", ([3],))]


def test_the_saved_lab_round_trips_and_training_carries_on_bit_for_bit(core):
    assert core.add_point(0.5, -1.0, 0) == ""
    core.edit_config({"learning_rate": 0.5})
    core.step(6)
    core.select_point(4)
    view = {"show_test": True, "speed": 5, "step_size": 0.001}
    state = json.loads(json.dumps(core.state(view)))  # what a session file holds
    other = NetworkCore()
    assert other.restore(state) == ("", view)
    assert other.dataset.X.tolist() == core.dataset.X.tolist() and other.cfg == core.cfg
    assert other.selected_point == 4 and [r.loss for r in other.history] == [r.loss for r in core.history]
    core.step(2)
    other.step(2)
    assert other.trainer.parameters() == core.trainer.parameters()
    assert MAX_SAVED_HISTORY >= 1000


def test_a_bad_saved_lab_changes_nothing_and_says_what_is_wrong(core):
    core.step(2)
    assert core.restore([]) == ("the saved network lab is not an object with a 'model' part", {})
    problem, view = core.restore({"model": {}, "view": {"speed": "fast"}})
    assert problem.startswith("the saved network lab could not be restored: 'network_lab.view.speed'")
    problem, view = core.restore({"model": {"dataset": {}}})
    assert problem.startswith("the saved network lab could not be restored: 'network_lab.model.")
    assert view == {} and core.step_count == 2 and core.heard[-1][0] == "step_completed"

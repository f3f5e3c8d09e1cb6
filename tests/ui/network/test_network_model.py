"""The network lab's model on its own: what each change does to the trainer and which signal says so."""

from __future__ import annotations

import pytest

from gradlab.training import StepRecord
from gradlab.ui.network.model import MAX_SAVED_HISTORY, DataSettings, NetworkModel


@pytest.fixture
def model(qtbot):
    return NetworkModel()


def test_it_starts_on_micrographs_demo(model):
    assert model.data_settings == DataSettings("moons", 100, 0.1, 1337, 3)
    assert model.cfg.layers == (16, 16) and model.cfg.loss == "svm" and model.cfg.learning_rate == 1.0
    assert len(model.trainer.parameters()) == 337 and model.problem == ""
    assert model.layer_sizes() == [16, 16, 1] and model.activations() == ["relu", "relu"]


def test_steps_are_announced_with_their_records(qtbot, model):
    with qtbot.waitSignal(model.step_completed) as done:
        model.step(3)
    records = done.args[0]
    assert [r.step for r in records] == [0, 1, 2] and all(isinstance(r, StepRecord) for r in records)
    assert model.step_count == 3


def test_a_step_budget_stops_early(model):
    assert len(model.step(1_000_000, budget=0.0)) == 1


def test_a_new_rate_keeps_the_weights_and_a_new_architecture_starts_again(qtbot, model):
    model.step(4)
    weights = model.trainer.parameters()
    with qtbot.assertNotEmitted(model.network_changed), qtbot.waitSignal(model.config_changed):
        model.edit_config({"learning_rate": 0.25, "lr_decay": None, "batch_size": 10})
    assert model.step_count == 4 and model.trainer.parameters() == weights
    assert model.trainer.config.learning_rate == 0.25
    with qtbot.waitSignal(model.network_changed):
        model.edit_config({"layers": (8,)})
    assert model.step_count == 0 and len(model.trainer.parameters()) == 8 * 3 + 9


def test_refused_settings_are_a_problem_not_an_exception(qtbot, model):
    with qtbot.waitSignal(model.problem_changed) as problem:
        model.edit_config({"learning_rate": 0.0})
    assert "learning_rate" in problem.args[0]
    assert model.cfg.learning_rate == 1.0 and model.trainer is not None
    model.edit_config({"learning_rate": 0.5})
    assert model.problem == ""


def test_divergence_pauses_and_says_why(qtbot, model):
    model.edit_config({"learning_rate": 1e6})
    model.set_running(True)
    with qtbot.waitSignal(model.diverged) as diverged:
        model.step(100)
    assert "diverged" in diverged.args[0] and "smaller learning rate" in diverged.args[0]
    assert not model.running


def test_points_added_and_removed_keep_training_going(qtbot, model):
    model.step(5)
    with qtbot.waitSignal(model.data_changed):
        assert model.add_point(0.0, 2.0, 1) == ""
    assert len(model.dataset) == 101 and model.step_count == 5
    assert model.add_point(0.0, 2.0, 7) != ""  # no class 7: a message, not an exception
    assert model.remove_point("train", 100) == "" and len(model.dataset) == 100
    assert "no test point" in model.remove_point("test", 0)


def test_switching_to_three_classes_or_regression_picks_a_fitting_loss(model):
    assert model.set_data_settings(name="spiral") == ""
    assert model.cfg.loss == "cross_entropy" and model.layer_sizes()[-1] == 3
    assert model.set_data_settings(name="abs") == ""
    assert model.cfg.loss == "mse" and model.cfg.features == ("x1",)
    assert model.decision(16).shape == (16,)
    assert model.set_data_settings(noise=99.0) != ""  # the core's limit, as a message
    assert model.data_settings.noise == 0.1


def test_state_round_trip_is_exact_and_bad_state_is_refused(model):
    model.step(6)
    other = NetworkModel()
    assert other.load_state(model.state_dict()) == ""
    model.step(2)
    other.step(2)
    assert other.trainer.parameters() == model.trainer.parameters()
    assert "could not be restored" in other.load_state({"dataset": {}})
    assert MAX_SAVED_HISTORY >= 1000

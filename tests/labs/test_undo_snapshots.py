"""What undo keeps of each lab, without Qt: the expression lab's input values (taken, moved by
Descend, given back now or once their program's text runs again) and the network lab's snapshot
(data, settings and network given back bit for bit)."""

from __future__ import annotations

import pytest
from helpers import SEED, manual_core

from gradlab.labs.expression import ExpressionCore, InputValues
from gradlab.labs.network import NetworkCore

LOOP = "x = Value(1.5)\ny = x\nfor i in range(3):\n    y = y * x\n"


def data(core: ExpressionCore, name: str) -> float:
    return core.graph.values[core.graph.find(name)].data


# -- the expression lab ---------------------------------------------------------------------------

def test_descend_says_where_it_moved_the_inputs_and_the_snapshot_brings_them_back():
    core = ExpressionCore()
    assert core.set_source(SEED)
    before = core.input_values()
    assert before == InputValues(SEED, {"a": -4.0, "b": 2.0})
    moved = core.step_inputs(0.01)
    assert set(moved) == {"a", "b"} and moved["a"] != -4.0
    after = before.moved(moved)
    assert core.input_values() == after
    core.restore_inputs(before)
    assert (data(core, "a"), data(core, "b")) == (-4.0, 2.0)
    assert core.source == SEED  # the program stays
    core.restore_inputs(after)
    assert core.input_values() == after


def test_a_snapshot_of_another_text_waits_for_that_text_to_run_then_applies():
    core, runner = manual_core()
    core.request_source(SEED)
    runner.finish_all()
    before = core.input_values()
    core.step_inputs(0.01)
    core.request_source(SEED + "\n")  # an edit
    runner.finish_all()
    core.restore_inputs(before)  # of the text before it: it waits
    assert core.pending_inputs == before and data(core, "a") == -4.0
    core.request_source(SEED + "\n\n")  # another edit runs: not the snapshot's text, dropped
    runner.finish_all()
    assert core.pending_inputs is None
    core.restore_inputs(before)
    core.request_source(SEED)  # the text comes back (an undone edit) and runs
    runner.finish_all()
    assert core.pending_inputs is None and core.input_values() == before


def test_a_snapshot_given_back_during_a_run_ignores_that_runs_result_but_not_the_next():
    core, runner = manual_core()
    core.request_source(SEED)
    runner.finish_all()
    moved = core.input_values().moved({"a": 1.0})
    core.request_source(SEED)  # requested before the snapshot came back
    core.restore_inputs(moved)
    runner.finish_all()
    assert core.pending_inputs == moved and data(core, "a") == -4.0  # waits for a newer run
    core.set_source(SEED)
    assert core.pending_inputs is None and data(core, "a") == 1.0


def test_a_program_that_runs_again_gets_its_numbers_back_by_running_again():
    core, runner = manual_core()
    core.request_source(LOOP)
    runner.finish_all()
    before = core.input_values()
    moved = core.step_inputs(0.01)
    runner.finish_all()
    assert data(core, "x") == pytest.approx(moved["x"]) != 1.5
    core.restore_inputs(before)
    runner.finish_all()
    assert data(core, "x") == 1.5 and core.graph.output.data == pytest.approx(1.5 ** 4)
    core.restore_inputs(before)  # the numbers it has already: nothing runs
    assert not runner.jobs


def test_no_values_without_a_graph_to_recompute():
    core = ExpressionCore()
    assert core.input_values() is None
    assert core.step_inputs(0.1) == {}


# -- the network lab ------------------------------------------------------------------------------

def test_a_network_snapshot_brings_back_weights_history_and_optimiser_bit_for_bit():
    core = NetworkCore()
    core.step(3)
    before, before_state = core.snapshot(), core.trainer.state_dict()
    core.step(5)
    after = core.snapshot()
    assert (before.step_count, after.step_count) == (3, 8)
    full_before, full_after = before_state, core.trainer.state_dict()
    core.restore_snapshot(before)
    assert core.trainer.state_dict() == full_before and core.step_count == 3
    assert core.history == list(before.history) and len(before.history) == 3
    resumed = core.step(5)
    assert core.trainer.state_dict() == full_after  # the same numbers as the first time
    core.restore_snapshot(after)
    assert core.trainer.state_dict() == full_after and core.history[3:] == resumed


def test_a_network_snapshot_brings_back_data_and_settings_and_says_so():
    core = NetworkCore()
    before = core.snapshot()
    core.add_point(0.5, 0.5, 1)
    core.edit_config({"layers": (4,), "learning_rate": 0.5})
    core.set_running(True)
    heard = []
    for name in ("data_changed", "network_changed", "running_changed"):
        core.events.connect(name, lambda *p, name=name: heard.append(name))
    core.restore_snapshot(before)
    assert heard == ["running_changed", "data_changed", "network_changed"]
    assert not core.running
    assert len(core.dataset) == len(before.dataset) and core.cfg == before.cfg
    assert core.layer_sizes() == [16, 16, 1] and core.snapshot() == before


def test_a_snapshot_without_a_network_restores_the_reason(tmp_path):
    core = NetworkCore()
    two = tmp_path / "one.csv"
    two.write_text("0,0,0\n1,1,1\n")
    assert core.load_csv(str(two)) == ""
    assert core.remove_point("train", 0) == ""  # one class left: no network
    assert core.trainer is None and core.problem
    empty = core.snapshot()
    assert empty.trainer is None and empty.step_count == 0
    core.set_data_settings(name="moons")
    assert core.trainer is not None
    core.restore_snapshot(empty)
    assert core.trainer is None and "one class" in core.problem

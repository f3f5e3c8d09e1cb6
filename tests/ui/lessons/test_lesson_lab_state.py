"""What a step's done_when sees of the labs: LabState read from the expression lab's model."""

from __future__ import annotations

import math

from gradlab.ui.lessons.lab_state import read_lab_state

PROGRAM = """
x = Value(3.0, label='x')
c = x * 2
c = c + 1
y = 3*x**2 - 4*x + 5 + c
"""


def test_the_state_names_nodes_as_the_graph_does(expression_lab):
    model = expression_lab.model
    assert expression_lab.load_source(PROGRAM)
    model.select(model.graph.find("x"))
    model.set_step_size(1e-5)
    state = read_lab_state("expression", model)
    assert state.lab == "expression" and state.selected == "x" and state.h == 1e-5
    assert state.output == 27.0  # 20 + (3*2 + 1)
    assert state.nodes["x"] == (3.0, 16.0)  # 6x - 4 + 2
    assert state.nodes["c₁"][0] == 6.0 and state.nodes["c₂"][0] == 7.0
    assert state.nodes["c"] == state.nodes["c₂"]  # a plain label is its last node, as --select finds it
    assert "nowhere" not in state.nodes
    assert state.backprop_step == 0 and math.isnan(state.loss) and state.step == 0


def test_backprop_steps_are_counted(expression_lab):
    model = expression_lab.model
    assert expression_lab.load_source(PROGRAM)
    for _ in range(3):
        model.step_backprop()
    assert read_lab_state("expression", model).backprop_step == 2  # step 0 sets the output's grad


def test_the_network_part_reads_the_last_training_step(network_lab):
    model = network_lab.model
    model.step(4)
    state = read_lab_state("network", _expression_stub(), model)
    assert state.step == 4 and state.dataset == "moons" and state.learning_rate == model.cfg.learning_rate
    assert state.loss == model.history[-1].loss and 0 <= state.accuracy <= 1


def _expression_stub():
    class Empty:
        graph, selected, step_size, backprop_step = None, -1, 1e-3, -1
    return Empty()

"""The two labs joined, without Qt: a program's trained MLP opened in the network lab
(gradlab.lang.trained finds it in the worker, gradlab.labs.handoff maps it), and a traced point
written as a program that gives the network lab's numbers."""

from __future__ import annotations

import math

import pytest
from helpers import hinge_loop

from gradlab.datasets import make_dataset
from gradlab.expr import run_program
from gradlab.graph import GraphModel
from gradlab.labs.handoff import network_handoff, point_program
from gradlab.labs.network import NetworkCore
from gradlab.training import TrainConfig, Trainer
from gradlab.worker import run_isolated
from gradlab.worker.wire import WireError, decode_program, dumps, encode_program, loads

#: the lecture's loop on points of two inputs, with micrograd's hinge loss; after training it
#: measures its own loss and accuracy at the final weights
LECTURE = hinge_loop(7, 15) + """\
final = [n(x) for x in xs]
final_loss = sum((1 + -y * s).relu() for y, s in zip(ys, final)) * (1.0 / len(ys))
final_accuracy = sum(1 for y, s in zip(ys, final) if (s.data > 0) == (y > 0)) / len(ys)
"""


def _handoff(source: str):
    program = run_program(source)
    return program, network_handoff(program.trained)


def _number(program, name: str) -> float:
    """A number the program printed as ``name=value``."""
    for line in program.printed:
        key, _, value = line.partition("=")
        if key == name:
            return float(value)
    raise AssertionError(f"{name} was not printed: {program.printed}")


def test_the_lectures_loop_opens_with_its_architecture_weights_and_points():
    program, handoff = _handoff(LECTURE + "print(f'loss={final_loss.data!r}')\n"
                                "print(f'acc={final_accuracy!r}')\n")
    assert handoff is not None and handoff.problem == "" and handoff.name == "n"
    core = NetworkCore()
    assert core.load_state(handoff.state) == ""
    t = core.trainer
    assert t.layer_sizes == (2, 4, 4, 1)
    assert core.cfg.hidden_activations == ("relu", "relu") and core.cfg.loss == "svm"
    assert core.cfg.regularization is None
    assert t.parameters() == program.trained[0]["parameters"]  # exactly, every weight
    assert t.train_set.X.tolist() == [[2.0, 3.0], [3.0, -1.0], [0.5, 1.0], [1.0, 1.0], [-1.0, 0.5],
                                      [-2.0, -1.5]]
    assert t.train_set.y.tolist() == [1, 0, 0, 1, 1, 0]  # +1 is class 1
    measured = t.evaluate()
    assert measured.loss == pytest.approx(_number(program, "loss"), rel=1e-12)
    assert measured.accuracy == _number(program, "acc")
    assert "your program's loss at these weights" in handoff.loss_note
    assert "MLP 2-4-4-1" in handoff.summary and "6 points of xs, ys" in handoff.summary


def test_the_worker_sends_the_description_and_leaves_the_programs_numbers_alone():
    program = run_isolated(LECTURE)
    (found,) = program.trained
    assert found["sizes"] == [2, 4, 4, 1] and found["activations"] == ["relu", "relu", "linear"]
    assert found["xs_name"] == "xs" and found["ys_name"] == "ys"
    local = run_program(LECTURE)
    assert program.output.data == local.output.data  # the recompute for loss_now changed nothing
    assert found["loss_now"] == local.trained[0]["loss_now"]
    assert found["loss_now"] != local.output.data  # the loss after the last update, not before it


def test_a_network_of_three_inputs_says_why_it_cannot_open():
    source = LECTURE.replace("MLP(2,", "MLP(3,")
    for two, three in (("[2.0, 3.0]", "[2.0, 3.0, -1.0]"), ("[3.0, -1.0]", "[3.0, -1.0, 0.5]"),
                       ("[0.5, 1.0]", "[0.5, 1.0, 1.0]"), ("[1.0, 1.0]", "[1.0, 1.0, -1.0]"),
                       ("[-1.0, 0.5]", "[-1.0, 0.5, 0.0]"), ("[-2.0, -1.5]", "[-2.0, -1.5, 1.0]")):
        source = source.replace(two, three)
    _program, handoff = _handoff(source)
    assert handoff.state is None
    assert handoff.problem == "the network lab draws 1 or 2 inputs; this MLP takes 3"


def test_no_mlp_offers_nothing_and_an_mlp_without_points_says_what_it_needs():
    assert network_handoff(run_program("a = Value(2.0)\nb = a * a").trained) is None
    _program, handoff = _handoff("from micrograd.nn import MLP\nn = MLP(2, [3, 1])\nout = n([1.0, 2.0])")
    assert handoff.state is None
    assert "no points" in handoff.problem and "2 number(s) each" in handoff.problem


def test_the_lectures_sum_of_squares_is_named_as_another_loss():
    source = LECTURE.replace("loss = sum((1 + -y * s).relu() for y, s in zip(ys, ypred)) * (1.0 / len(ys))",
                             "loss = sum((s - y) ** 2 for y, s in zip(ys, ypred))")
    _program, handoff = _handoff(source)
    assert handoff.state is not None
    assert "computes its loss another way" in handoff.loss_note


def test_one_input_and_real_targets_open_as_a_curve_with_the_squared_error():
    source = """\
from micrograd.nn import MLP
xs = [-1.0, -0.5, 0.0, 0.5, 1.0]
ys = [1.0, 0.25, 0.0, 0.3, 0.9]
n = MLP(1, [5, 1])
for k in range(5):
    loss = sum((n([x]) - y) ** 2 for x, y in zip(xs, ys)) * (1.0 / len(ys))
    n.zero_grad()
    loss.backward()
    for p in n.parameters():
        p.data -= 0.1 * p.grad
final = sum((n([x]) - y) ** 2 for x, y in zip(xs, ys)) * (1.0 / len(ys))
print(f'loss={final.data!r}')
"""
    program, handoff = _handoff(source)
    core = NetworkCore()
    assert core.load_state(handoff.state) == ""
    assert core.kind == "regression" and core.cfg.loss == "mse" and core.cfg.features == ("x1",)
    assert core.trainer.evaluate().loss == pytest.approx(_number(program, "loss"), rel=1e-12)
    assert "your program's loss" in handoff.loss_note


def test_zero_one_targets_and_one_input_are_two_classes_on_a_line():
    source = """\
from micrograd.nn import MLP
xs = [[-1.0], [-0.5], [0.5], [1.0]]
ys = [0, 0, 1, 1]
n = MLP(1, [3, 1])
"""
    _program, handoff = _handoff(source)
    core = NetworkCore()
    assert core.load_state(handoff.state) == ""
    assert core.kind == "classification" and core.cfg.features == ("x1",)
    assert core.dataset.X[:, 1].tolist() == [0.0] * 4 and core.dataset.y.tolist() == [0, 0, 1, 1]


def test_several_outputs_and_class_numbers_open_as_that_many_classes():
    source = """\
from micrograd.nn import MLP
xs = [[0.0, 1.0], [1.0, 0.0], [-1.0, -1.0]]
ys = [0, 1, 2]
n = MLP(2, [4, 3])
"""
    _program, handoff = _handoff(source)
    core = NetworkCore()
    assert core.load_state(handoff.state) == ""
    assert core.num_classes == 3 and core.cfg.loss == "cross_entropy"
    assert core.trainer.layer_sizes == (2, 4, 3)


@pytest.mark.parametrize("record, words", [
    ({"name": "n", "sizes": "x"}, "could not be read"),
    ({"name": "n", "sizes": [2, 3, 1], "activations": ["relu", "tanh"], "parameters": [0.0] * 13,
      "xs": [[0.0, 1.0], [1.0, 0.0]], "ys": [1.0, -1.0]}, "output layer is linear"),
    ({"name": "n", "sizes": [2, 3, 1], "activations": ["relu", "linear"], "parameters": [0.0] * 5,
      "xs": [[0.0, 1.0], [1.0, 0.0]], "ys": [1.0, -1.0]}, "weights do not fit"),
    ({"name": "n", "sizes": [2, 3, 1], "activations": ["relu", "linear"], "parameters": [0.0] * 13,
      "xs": [[0.0, 1.0], [1.0, 0.0]], "ys": [1.0, 1.0]}, "two classes"),
    ({"name": "n", "sizes": [2, 3, 1], "activations": ["relu", "linear"], "parameters": [0.0] * 13,
      "xs": [[0.0, 1.0], [1.0, 0.0]], "ys": [0.5, 2.0]}, "fits curves of one input"),
    ({"name": "n", "sizes": [2, 99, 1], "activations": ["relu", "linear"], "parameters": [0.0] * 397,
      "xs": [[0.0, 1.0], [1.0, 0.0]], "ys": [1.0, -1.0]}, "1 to 64"),
])
def test_a_description_the_lab_cannot_use_gets_a_reason_not_a_crash(record, words):
    handoff = network_handoff([record])
    assert handoff.state is None and words in handoff.problem


def _same_numbers(trainer: Trainer, index: int) -> None:
    """The program point_program writes gives the point graph's loss and every weight's grad."""
    program = run_program(point_program(trainer, index))
    graph = trainer.point_graph_model(index)
    graph.backward()
    ran = GraphModel(program.output)
    assert program.output.label == "loss"
    assert program.output.data == graph.output.data
    lab = {v.label: v.grad for v, role in zip(graph.values, graph.roles, strict=True) if role == "parameter"}
    got = {v.label: v.grad for v in ran.values if v.label[:1] in "wb" and v.label[1:2].isdigit()}
    assert set(lab) <= set(got) and len(lab) == len(trainer.parameters())
    for label, grad in lab.items():
        assert got[label] == grad or math.isclose(got[label], grad, rel_tol=1e-12, abs_tol=1e-15), label


@pytest.mark.parametrize("data, cfg", [
    (("moons", {}), dict(layers=(4, 3), activation="relu", loss="svm")),
    (("circles", {}), dict(layers=(3,), activation="tanh", loss="logistic",
                           features=("x1^2", "x2^2", "x1*x2"))),
    (("spiral", {"classes": 3}), dict(layers=(5,), activation=("sigmoid",), loss="cross_entropy")),
    (("sine", {}), dict(layers=(6, 2), activation=("tanh", "relu"), loss="mse", features=("x1", "sin x1"))),
])
def test_a_traced_point_as_a_program_gives_the_labs_numbers(data, cfg):
    name, options = data
    trainer = Trainer(make_dataset(name, 30, 0.1, 3, **options),
                      TrainConfig(seed=5, learning_rate=0.1, **cfg))
    trainer.run(3)
    for index in (0, 7, 29):
        _same_numbers(trainer, index)


def test_the_program_reads_as_a_learners_program():
    trainer = Trainer(make_dataset("moons", 20, 0.1, 1), TrainConfig(layers=(2, 16)))
    text = point_program(trainer, 3)
    assert "# layer 1: 2 neurons reading 2 inputs, activation relu" in text
    assert "x = [Value(" in text and "label='x1'" in text and "loss.backward()" in text
    assert all(len(line) < 110 for line in text.splitlines())
    with pytest.raises(IndexError):
        point_program(trainer, 20)


def test_odd_globals_beside_an_mlp_are_passed_over():
    source = """\
from micrograd.nn import MLP
big = [2 ** 2000, 1]
flags = [True, False]
words = ['a', 'b']
xs = [[1.0, 2.0], [2.0, 1.0]]
ys = [1, -1]
n = MLP(2, [2, 1])
"""
    (found,) = run_program(source).trained
    assert (found["xs_name"], found["ys_name"]) == ("xs", "ys")


def test_the_description_crosses_the_wire_as_data_and_a_malformed_one_is_refused():
    record = encode_program(run_program(LECTURE))
    assert decode_program(loads(dumps(record))).trained == run_program(LECTURE).trained
    with pytest.raises(WireError, match="trained networks"):
        decode_program({**record, "trained": "n"})

"""Backprop by hand, one node at a time (gradlab.backprop_steps): the steps are backward()'s,
and each line says what its step really did."""

import pytest
from helpers import SEED

from gradlab import resources
from gradlab.backprop_steps import run_step, step_order
from gradlab.expr import run_program
from gradlab.graph import GraphModel

PROGRAMS = [
    resources.example("lecture").source(),
    SEED,
    "a = Value(2.0)\nb = a * a + a\nn = b.tanh()\nm = n ** 2\no = 2 ** m + n.relu() * n.exp()\n",
    "x = Value(0.5)\ny = Value(-1.5)\nz = (x * y).sigmoid() + (x - y).log() / y\n",
    "p = Value(1.5)\nq = p ** p\n",
]


def stepped(source: str):
    graph = GraphModel(run_program(source).output)
    for v in graph.values:
        v.grad = 0.0
    graph.output.grad = 1.0
    return graph, [run_step(graph, i) for i in step_order(graph)]


@pytest.mark.parametrize("source", PROGRAMS)
def test_one_step_per_node_with_operands_and_the_result_is_backwards(source) -> None:
    graph, steps = stepped(source)
    assert [s.node for s in steps] == [i for i in reversed(range(len(graph))) if graph.values[i]._prev]
    grads = [v.grad for v in graph.values]
    graph.backward()
    assert grads == pytest.approx([v.grad for v in graph.values], nan_ok=True)
    for s in steps:
        assert len(s.lines) == len(graph.values[s.node]._prev)  # a line per use of an operand


def test_the_lines_read_as_the_lecture_writes_them() -> None:
    _graph, steps = stepped(resources.example("lecture").source())
    assert steps[-1].lines == ("a.grad += b.data × e.grad = (-3.0)(-2.0) = 6.0",
                               "b.grad += a.data × e.grad = (2.0)(-2.0) = -4.0")
    assert steps[1].lines == ("e.grad += d.grad = -2.0", "c.grad += d.grad = -2.0")
    _graph, steps = stepped("x = Value(0.5, label='x')\nn = x.tanh()\nn.label = 'n'\no = n * 2\n")
    assert steps[-1].lines[0].startswith("x.grad += (1 - n.data²) × n.grad = (0.7864)(2.0) = 1.5")


def test_a_grad_that_was_not_zero_says_its_new_total() -> None:
    _graph, steps = stepped("a = Value(3.0)\nb = a * a\n")
    assert steps[0].lines == ("a.grad += a.data × b.grad = (3.0)(1.0) = 3.0",
                              "a.grad += a.data × b.grad = (3.0)(1.0) = 3.0, so a.grad = 6.0")

"""done_when: compiled once with the program language, evaluated over a LabState, never raising."""

from __future__ import annotations

import math
import time

import pytest

from gradlab.lessons import CONDITION_NAMES, Condition, LabState, LessonError


def holds(source: str, **state) -> bool:
    return Condition(source).evaluate(LabState(**state))


@pytest.mark.parametrize(("source", "state", "expected"), [
    ("selected == 'x' and h <= 0.001", {"selected": "x", "h": 0.0005}, True),
    ("selected == 'x' and h <= 0.001", {"selected": "x", "h": 0.01}, False),
    ("selected == 'x' and h <= 0.001", {"selected": "y", "h": 0.0005}, False),
    ("lab == 'network' and step >= 100 and accuracy > 0.9",
     {"lab": "network", "step": 120, "accuracy": 0.95}, True),
    ("lab == 'network'", {}, False),
    ("abs(grad('x') - 14) < 0.01", {"nodes": {"x": (3.0, 14.004)}}, True),
    ("data('a') == 2 and grad('a') == -3", {"nodes": {"a": (2.0, -3.0)}}, True),
    ("backprop_step >= 3", {"backprop_step": 3}, True),
    ("abs(output - tanh(0.8814)) < 1e-3", {"output": 0.7071}, True),
    ("max(loss, 0) < 0.5 and dataset == 'moons'", {"loss": 0.2, "dataset": "moons"}, True),
    ("learning_rate > 1", {"learning_rate": 5.0}, True),
    ("isnan(loss)", {}, True),
    ("not isnan(loss) and loss < 1", {}, False),
    ("loss < 1", {}, False),  # nan compares false, as in Python
    ("step", {"step": 4}, True),  # a number counts when nonzero
    ("loss", {}, False),  # ... and nan never does
    ("all(grad(n) != 0 for n in ['a', 'b'])", {"nodes": {"a": (1.0, 2.0), "b": (1.0, 0.5)}}, True),
    ("h < inf and nan != nan", {"h": 0.1}, True),
])
def test_a_condition_reads_the_state(source: str, state: dict, expected: bool):
    assert holds(source, **state) is expected


@pytest.mark.parametrize(("source", "state", "problem"), [
    ("grad('q') > 0", {"nodes": {"x": (1.0, 1.0)}}, "no node labelled 'q'"),
    ("data(3) > 0", {}, "give a node's label as text"),
    ("selected > 3", {"selected": "x"}, "'>'"),
    ("isnan('x')", {}, "needs a number"),
    ("'text'", {}, "not True or False"),
    ("sum(i for i in range(10**9)) > 0", {}, "longer"),
])
def test_an_error_is_false_with_its_problem_kept(source: str, state: dict, problem: str):
    condition = Condition(source)
    assert condition.evaluate(LabState(**state)) is False
    assert problem in condition.problem
    assert condition.evaluate(LabState(nodes={"q": (1.0, 1.0)}, selected="")) in (True, False)


def test_a_state_that_is_not_one_is_false_not_an_error():
    condition = Condition("h < 1")
    assert condition.evaluate(None) is False and "AttributeError" in condition.problem
    assert Condition("grad('x') > 0").evaluate(LabState(nodes={"x": "oops"})) is False


def test_the_problem_clears_once_it_works():
    condition = Condition("grad('q') > 0")
    assert not condition.evaluate(LabState()) and condition.problem
    assert condition.evaluate(LabState(nodes={"q": (0.0, 2.0)})) and condition.problem == ""


@pytest.mark.parametrize(("source", "words"), [
    ("h <=", "does not parse"),
    ("h = 3", "does not parse"),
    ("", "does not parse"),
    ("import os", "does not parse"),
    ("hh < 1", "'hh'"),
    ("print(h)", "'print'"),
    ("x.__class__", "does not parse"),
])
def test_a_bad_condition_is_a_lesson_error_at_load(source: str, words: str):
    with pytest.raises(LessonError, match="line 7") as caught:
        Condition(source, line=7)
    assert words in str(caught.value)


def test_the_names_a_condition_may_read():
    assert {"lab", "selected", "h", "output", "data", "grad", "backprop_step", "step", "loss", "accuracy",
            "dataset", "learning_rate", "nan", "isnan", "abs", "min", "max"} <= CONDITION_NAMES
    assert "nodes" not in CONDITION_NAMES and "print" not in CONDITION_NAMES


def test_a_comprehension_variable_is_not_an_unknown_name():
    assert Condition("any(grad(n) > 0 for n in ['a'])").evaluate(LabState(nodes={"a": (0.0, 1.0)}))


def test_evaluation_is_fast():
    condition = Condition("selected == 'x' and h <= 0.001 and abs(grad('x') - 14) < 0.1")
    state = LabState(selected="x", h=1e-4, nodes={"x": (3.0, 14.0)})
    assert condition.evaluate(state)
    start = time.perf_counter()
    for _ in range(1000):
        condition.evaluate(state)
    per_call = (time.perf_counter() - start) / 1000
    assert per_call < 1e-3, f"{per_call * 1e6:.0f} µs per evaluation"


def test_the_state_defaults_are_nothing_yet():
    state = LabState()
    assert state.lab == "expression" and state.selected == "" and state.nodes == {}
    nothing = (state.h, state.output, state.loss, state.accuracy, state.learning_rate)
    assert all(math.isnan(x) for x in nothing)

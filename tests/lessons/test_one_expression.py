"""gradlab.expr.Expression: one expression of the language, compiled once, evaluated over given names."""

from __future__ import annotations

import pytest

from gradlab.expr import Expression, ExpressionError


def test_an_expression_reads_the_names_it_is_given_each_time():
    e = Expression("a * 2 + b")
    assert e.free_names == {"a", "b"}
    assert e.evaluate({"a": 3, "b": 1}) == 7
    assert e.evaluate({"a": 0.5, "b": 0}) == 1.0
    with pytest.raises(ExpressionError, match="name 'b' is not defined"):
        e.evaluate({"a": 1})


def test_functions_are_called_with_plain_arguments_and_their_errors_are_the_expressions():
    table = {"x": 3.0}
    e = Expression("look('x') + 1", {"look": lambda name: table[name]})
    assert e.evaluate({}) == 4.0
    with pytest.raises(ExpressionError, match=r"look\(\): KeyError: 'q'"):
        Expression("look('q')", {"look": lambda name: table[name]}).evaluate({})
    with pytest.raises(ExpressionError, match="no keyword"):
        Expression("look(name='x')", {"look": lambda name: table[name]}).evaluate({})


def test_the_language_rules_hold_inside_an_expression():
    assert Expression("[x * x for x in range(4)]").evaluate({}) == [0, 1, 4, 9]
    assert Expression("1 / 0").evaluate({}) == float("inf")
    with pytest.raises(ExpressionError, match="not available"):
        Expression("().__class__")
    with pytest.raises(ExpressionError, match="invalid syntax|expected"):
        Expression("a = 1")
    with pytest.raises(ExpressionError, match="empty"):
        Expression("   ")
    with pytest.raises(ExpressionError, match="'print' is not available"):
        Expression("print('hi')").evaluate({})


def test_each_evaluation_has_its_own_time_budget():
    e = Expression("sum(i for i in range(n)) >= 0", seconds=0.05)
    with pytest.raises(ExpressionError, match="longer than"):
        e.evaluate({"n": 10**9})
    assert e.evaluate({"n": 10}) is True  # the budget restarts: a later short evaluation runs
    assert e.evaluate({"n": 10}) is True


def test_values_made_by_an_evaluation_are_not_kept():
    e = Expression("Value(2.0) * Value(3.0)")
    for _ in range(3):
        assert e.evaluate({}).data == 6.0
    assert e._run.made == [] and e._run.globals == {}

"""A run can be stopped from another thread (a newer edit replaced it), and a long program is
parsed in pieces that give the same tree and the same errors as parsing it whole."""

from __future__ import annotations

import ast
import threading
import time

import pytest

from gradlab import expr
from gradlab.expr import PARSE_PIECE_LINES, ExpressionError, RunCancelled, parse_program, run_program

LOOP = "x = Value(1.0)\nn = 0\nfor i in range(10**9):\n    n = n + 1\ny = x * 2\n"


def test_setting_cancel_stops_a_running_program_promptly(monkeypatch):
    monkeypatch.setattr(expr, "MAX_SECONDS", 60.0)
    cancel = threading.Event()
    timer = threading.Timer(0.2, cancel.set)
    timer.start()
    start = time.monotonic()
    with pytest.raises(RunCancelled) as caught:
        run_program(LOOP, cancel)
    assert time.monotonic() - start < 5  # not the minute the budget allows
    assert isinstance(caught.value, ExpressionError)  # callers that catch ExpressionError still do
    assert caught.value.line == 4 and caught.value.message == expr.CANCELLED_MESSAGE


@pytest.mark.parametrize("program", [
    "a = Value(1.0)\n" + "a.backward()\n" * 5,  # checked before a backward() too
    "xs = [i for i in range(10**8)]\n",  # and at each step of a comprehension
    "def f(n):\n    return n\n" + "f(1)\n" * 5,
])
def test_a_run_cancelled_before_it_starts_runs_nothing(program):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(RunCancelled):
        run_program(program, cancel)


def test_an_unset_cancel_changes_nothing():
    cancel = threading.Event()
    program = run_program("a = Value(2.0)\nb = a * a\nb.backward()\n", cancel)
    assert program.output.data == 4.0 and program.values["a"].grad == 4.0
    assert not cancel.is_set()


def test_a_cancelled_program_with_an_error_is_still_cancelled():
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(RunCancelled):
        run_program("x = nope\n", cancel)


def long(body: str, repeat: int) -> str:
    return body * repeat


@pytest.mark.parametrize("source", [
    long("x = Value(1.0)\n", 2 * PARSE_PIECE_LINES) + "s = x + x\n",
    "s = '''\n" + long("x = 1\n", 2 * PARSE_PIECE_LINES) + "'''\n" + long("y = 2\n", 500),  # in a string
    "xs = [\n" + long("1,\n", 2 * PARSE_PIECE_LINES) + "]\n",  # in brackets
    "for i in range(3):\n" + long("    c = 1\n", PARSE_PIECE_LINES) + "else:\n    d = 3\n",  # before else
    long("a = 1 + \\\n2\n", PARSE_PIECE_LINES),  # after a backslash
    long("# note\n\nz = 1\n", PARSE_PIECE_LINES) + "%matplotlib inline\nw = 2\n",
], ids=["statements", "string", "brackets", "else", "backslash", "comments and magic"])
def test_a_long_program_parses_in_pieces_to_the_same_tree(source):
    whole = ast.parse(source.replace("%matplotlib inline", ""))
    pieces = parse_program(source)
    assert ast.dump(pieces, include_attributes=True) == ast.dump(whole, include_attributes=True)


def test_a_syntax_error_in_a_long_program_names_its_line():
    lines = long("x = Value(1.0)\n", 3 * PARSE_PIECE_LINES) + "y = (x +\n" + long("z = 1\n", 10)
    with pytest.raises(ExpressionError) as caught:
        parse_program(lines)
    assert caught.value.line == 3 * PARSE_PIECE_LINES + 1


def test_an_edit_re_parses_only_the_pieces_it_changed():
    inputs = "".join(f"x{i} = Value({i % 5}.0)\n" for i in range(3 * PARSE_PIECE_LINES))
    source = inputs + "s = sum([" + ", ".join(f"x{i}" for i in range(3 * PARSE_PIECE_LINES)) + "])\n"
    first = parse_program(source)
    edited = source.replace("x0 = Value(0.0)", "x0 = Value(7.0)", 1)
    second = parse_program(edited)
    assert ast.dump(second, include_attributes=True) == ast.dump(ast.parse(edited), include_attributes=True)
    assert second.body[0] is not first.body[0]  # the edited piece: parsed again
    assert second.body[-1] is first.body[-1]  # the sum's piece, unchanged: its statements kept
    assert run_program(edited).output.data == run_program(source).output.data + 7.0
    moved = "\n" + edited  # every line one further down: nothing kept, line numbers right
    assert ast.dump(parse_program(moved), include_attributes=True) == ast.dump(ast.parse(moved),
                                                                               include_attributes=True)

"""The safe micrograd-program language: what runs, what is refused, and how fast refusal is."""

import ast
import gc
import math
import pathlib
import time

import pytest
from helpers import SEED, ClockFromLine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradlab import expr
from gradlab.engine import Value
from gradlab.expr import (
    IMPORT_MESSAGE,
    MAX_DEPTH,
    MAX_NODES,
    MAX_PRINTED_LINES,
    MAX_SOURCE_CHARS,
    ExpressionError,
    Program,
    run_program,
)
from gradlab.lang.limits import MAX_RUN_SECONDS, NODES_MESSAGE

LECTURE = """\
a = Value(2.0, label='a')
b = Value(-3.0)
c = Value(10.0)
e = a*b
d = e + c
f = Value(-2.0)
L = d * f
"""


def refused(source: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        run_program(source)
    return info.value


# -- what runs ------------------------------------------------------------------------


def test_seed_example() -> None:
    p = run_program(SEED)
    assert isinstance(p, Program) and p.source == SEED
    assert p.printed == ["24.7041", "138.8338", "645.5773"]
    assert p.values["a"].grad == pytest.approx(138.8338, abs=1e-4)
    assert p.values["b"].grad == pytest.approx(645.5773, abs=1e-4)
    assert p.backward_called and p.output is p.values["g"]
    assert p.inputs == ["a", "b"]
    assert {name: v.label for name, v in p.values.items()} == {n: n for n in "abcdefg"}
    assert p.node_count > 20
    # the shipped example starts with a comment line and a blank line after the import
    assert p.lines == {"a": 4, "b": 5, "c": 9, "d": 11, "e": 12, "f": 13, "g": 15}


def test_gradlab_import_and_no_import_both_work() -> None:
    assert run_program(SEED.replace("micrograd", "gradlab")).printed[0] == "24.7041"
    assert run_program(SEED.split("\n", 1)[1]).printed[0] == "24.7041"


def test_lecture_graph() -> None:
    p = run_program(LECTURE)
    assert p.values["L"].data == -8.0
    assert p.inputs == ["a", "b", "c", "f"]
    assert [p.values[n].label for n in "abcdefL"] == list("abcdefL")
    assert p.output is p.values["L"] and not p.backward_called
    assert p.node_count == 7


def test_output_rules() -> None:
    assert run_program("x = 1.0\nprint(x)").output is None
    p = run_program("a = Value(1.0)\nb = a * 2\nb.backward()\nc = b + 1")
    assert p.output is p.values["b"] and p.values["a"].grad == 2.0
    p = run_program("a = Value(1.0)\nb = a * 2\nb.backward()\nc = b + 1\nc.backward()")
    assert p.output is p.values["c"]
    p = run_program("a = Value(1.0)\nb = a + 1\nx = 3")  # a number assigned last: the last *Value*
    assert p.output is p.values["b"]


def test_labels_and_inputs() -> None:
    p = run_program("z = Value(1.0, label='a')\nb = z\nc = Value(2.0)\nc.label = 'see'\nd = z + c")
    assert p.values["b"] is p.values["z"] and p.values["b"].label == "a"  # an existing label is kept
    assert p.values["c"].label == "see" and p.values["d"].label == "d"
    assert p.inputs == ["z", "c"]  # one name per leaf Value
    p = run_program("b = Value(1.0)\na = Value(2.0)\nb = Value(3.0)\nc = a * b\na = a * 2")
    assert p.inputs == ["b"]  # first-assignment order; a's final Value is not a leaf
    assert p.lines == {"b": 3, "a": 5, "c": 4}


def test_manual_backward() -> None:
    p = run_program("a = Value(2.0)\nb = Value(-3.0)\nc = a * b\no = c.tanh()\n"
                    "o.grad = 1.0\no._backward()\nc._backward()\n")
    local = 1 - math.tanh(-6.0) ** 2
    assert p.values["c"].grad == pytest.approx(local)
    assert p.values["a"].grad == pytest.approx(local * -3.0)
    assert not p.backward_called and p.output is p.values["o"]


def test_data_grad_label_assignment() -> None:
    p = run_program("a = Value(1.0)\na.data = 3\na.data += 1\na.grad = 2\na.grad *= 5\n"
                    "x = a.data + a.grad\na.label = f'v{x:.0f}'")
    a = p.values["a"]
    assert (a.data, a.grad, a.label) == (4.0, 10.0, "v14")
    assert type(a.data) is float


def test_functions_on_values_and_numbers() -> None:
    src = ("a = Value(-1.0)\nr = relu(a)\nt = tanh(a)\ne = exp(a)\nl = log(a)\ns = sigmoid(a)\n"
           "print(tanh(0.5), exp(1.0), sigmoid(0.0), relu(-2), log(-1.0), log(0))\n"
           "m = a.relu() + a.exp() + a.sigmoid() + a.tanh() + Value(2.0).log()")
    p = run_program(src)
    v = p.values
    assert v["r"].data == 0 and v["t"].data == pytest.approx(math.tanh(-1.0))
    assert v["e"].data == pytest.approx(math.exp(-1.0)) and math.isnan(v["l"].data)
    assert v["s"].data == pytest.approx(1 / (1 + math.e))
    assert p.printed == [f"{math.tanh(0.5)} {math.e} 0.5 0.0 nan -inf"]
    assert p.inputs == ["a"]


def test_number_arithmetic() -> None:
    p = run_program("print(2**10, 7 / 2, -3 + +1, 2 ** -1, 1 / 0, -1 / 0, 0 / 0, (-8) ** 0.5, 0 ** -1)\n"
                    "x = 9**9**9**9\ny = 10**10**10\nz = (-2)**10001\nw = 10**300 * 10**300\n"
                    "print(x, y, z, w, 10**300 * 10)")
    assert p.printed == ["1024 3.5 -2 0.5 inf -inf nan nan inf", f"inf inf -inf inf {10 ** 301}"]


def test_print_forms() -> None:
    p = run_program("a = Value(1.5)\nprint(a)\nprint('x', 1, a.data, 'y')\nprint()\n"
                    "print(f'{a.data!r:>6}|{a!r}|{a.label}|{3:03d}')\nprint('one\\ntwo')\nprint('\\d')")
    assert p.printed == ["Value(data=1.5, grad=0)", "x 1 1.5 y", "",
                         "   1.5|Value(data=1.5, grad=0)|a|003", "one", "two", "\\d"]


def test_tuple_assignment() -> None:
    p = run_program("a, b = Value(1.0), Value(2.0)\nc = a * b\na, b = b, a\nx = y = 3.0")
    assert p.values["a"].label == "b" and p.values["b"].label == "a"  # swapped, labels kept
    assert p.values["c"].data == 2.0 and p.lines["x"] == p.lines["y"] == 4


def test_crlf_and_comments_and_docstring() -> None:
    p = run_program('"""A doc."""\r\n# a comment\r\na = Value(1.0)  # more\r\n')
    assert p.lines == {"a": 3}
    assert refused("a = 1\r\n\r\nb = zz").line == 3


def test_gc_state_restored() -> None:
    assert gc.isenabled()
    run_program(SEED)
    refused("x = zz")
    assert gc.isenabled()


def test_limits_hold_from_a_deep_caller_stack() -> None:
    def deep(n: int) -> Program:
        return deep(n - 1) if n else run_program("x = Value(1.0)" + ".relu()" * (MAX_DEPTH - 2))

    assert deep(600).node_count == MAX_DEPTH - 1
    assert refused("x = Value(1.0)" + ".relu()" * MAX_DEPTH).message == expr.DEPTH_MESSAGE


def test_never_compiles_user_code() -> None:
    package = pathlib.Path(expr.__file__).parent
    files = [package / "expr.py", *sorted((package / "lang").glob("*.py"))]
    assert len(files) > 10
    for path in files:
        tree = ast.parse(path.read_text())
        calls = [n.func for n in ast.walk(tree) if isinstance(n, ast.Call)]
        called = {f.id for f in calls if isinstance(f, ast.Name)}
        assert not called & {"eval", "exec", "compile", "__import__"}, path
    assert "MAX_SOURCE_CHARS" in expr.__doc__ and "MAX_NODES" in expr.__doc__
    assert "MAX_SECONDS" in expr.__doc__


# -- what is refused ------------------------------------------------------------------

REFUSED = [
    # constructs the language gained (issue 10) keep their old slot here, each with a hostile use
    ("for i in 3:\n    pass", 1, "can't loop over a number"),
    ("x = 1\nwhile x:\n    x.__class__", 3, "'__class__' is not available here"),
    ("x = 1\n\nif x:\n    import os", 4, IMPORT_MESSAGE),
    ("def f():\n    return f.__globals__", 2, "'__globals__' is not available here"),
    ("class A:\n    def __getattribute__(self, n):\n        pass", 2,
     "'__getattribute__' can't be defined here"),
    ("f = lambda: f.__code__", 1, "'__code__' is not available here"),
    ("x = [i.__class__ for i in [1]]", 1, "'__class__' is not available here"),
    ("x = sum(i for i in ()).__class__", 1, "'__class__' is not available here"),
    ("with a:\n    pass", 1, "'with'"),
    ("try:\n    pass\nexcept Exception:\n    pass", 1, "'try'"),
    ("del x", 1, "'del'"),
    ("x: float = 1", 1, "annotations"),
    ("import os", 1, IMPORT_MESSAGE),
    ("from os import path", 1, IMPORT_MESSAGE),
    ("from micrograd.engine import os", 1, "'os' can't be imported from micrograd.engine here"),
    ("from micrograd.engine import *", 1, "'import *' is not supported here"),
    ("x = 1\nfrom micrograd import engine", 2, IMPORT_MESSAGE),
    ("a = Value(1.0)\na.__class__", 2, "'__class__' is not available here"),
    ("a = Value(1.0)\nb = a._grad_fn", 2, "'_grad_fn' is not available here"),
    ("a = Value(1.0)\na._op = 'x'", 2, "'_op' is not available here"),
    ("a = Value(1.0)\nd = a.__dict__", 2, "'__dict__' is not available here"),
    ("a = Value(1.0)\na.__dict__.clear()", 2, "is not available here"),
    ("a = Value(1.0)\na.__class__.__subclasses__()", 2, "is not available here"),
    ("a = Value(1.0)\na.foo()", 2, "'.foo()' is not available here"),
    ("a = Value(1.0)\nb = a.foo", 2, "'.foo' is not available here"),
    ("a = Value(1.0)\na.foo = 1.0", 2, "'.foo' can't be set here"),
    ("open('f')", 1, "'open' is not available here"),
    ("exec('1')", 1, "'exec' is not available here"),
    ("eval('1')", 1, "'eval' is not available here"),
    ("__import__('os')", 1, "'__import__' is not available here"),
    ("a = Value(1.0)\ngetattr(a, 'data')", 2, "'getattr' is not available here"),
    ("x = 1\nx()", 2, "'x' is not a function"),
    ("x = (lambda: 1)()()", 1, "a number is not a function"),
    ("x = 1\ny = z", 2, "name 'z' is not defined"),
    ("x = Value('x')", 1, "Value() needs a number"),
    ("x = Value()", 1, "Value() needs a number"),
    ("a = Value(1.0)\nx = Value(a)", 2, "Value() needs a number, not a Value"),
    ("x = Value(1.0, (), '', 'a')", 1, "Value() takes one number"),
    ("x = Value(1.0, label=3)", 1, "label= needs text"),
    ("x = Value(True)", 1, "Value() needs a number, not True"),
    ("x = None\nx.data", 2, "'.data' works on Values only, not on None"),
    ("x = 1j", 1, "complex numbers"),
    ("x = b'a'", 1, "bytes literals"),
    ("a = [1]\nx = a[5]", 2, "index 5 is out of range"),
    ("x = [0] * 10**9", 1, "more than 1,000,000 items"),
    ("x = {}\ny = x['k']", 2, "key 'k' is not in the dict"),
    ("x = Value(1.0) < 2", 1, "compare their .data"),
    ("x = 1 and y", 1, "name 'y' is not defined"),
    ("x = not []\nx.append(1)", 2, "is not available on True"),
    ("x = ~1", 1, "'~' operator"),
    ("x = '%1000000000d' % 2", 1, "format numbers above 1000"),
    ("x = 5\nx <<= 2", 2, "'<<' operator"),
    ("x = 1 if 2 else ().__class__", 1, "'__class__' is not available here"),
    ("x = 'a' * 10**10", 1, "more than 1,000,000 items"),
    ("x = 'hello' + 1", 1, "can't use text and a number with '+'"),
    ("x = 1, 2\nx.append(3)", 2, "is not available on a tuple"),
    ("a, b = Value(1.0)", 1, "can't unpack a Value into 2 names"),
    ("a, b = 1, 2, 3", 1, "cannot unpack 3 values into 2 names"),
    ("a, [b, *c] = 1, 2", 1, "can't unpack a number into 2 names"),
    ("a, *b, c = [1]", 1, "cannot unpack 1 values into at least 2 names"),
    ("__x = 1", 1, "names starting with '__' are not allowed here ('__x')"),
    ("__builtins__ = 1", 1, "names starting with '__' are not allowed here ('__builtins__')"),
    ("a = Value(1.0)\n__class__ = a", 2, "names starting with '__' are not allowed here"),
    ("a, __ = 1, 2", 1, "names starting with '__' are not allowed here ('__')"),
    ("a = b = __c = 1", 1, "names starting with '__' are not allowed here ('__c')"),
    ("__x += 1", 1, "'__x' is not available here"),
    ("x = print(1)\nx.data", 2, "'.data' works on Values only, not on None"),
    ("def f(__x):\n    pass", 1, "names starting with '__' are not allowed here ('__x')"),
    ("x = relu\nx.__call__", 2, "'__call__' is not available here"),
    ("x = relu(1, 2)", 1, "relu() takes exactly one argument"),
    ("x = tanh('a')", 1, "tanh() needs a Value or a number"),
    ("print(1, file=0)", 1, "print() takes only the options sep= and end= here"),
    ("print((1, 2).__class__)", 1, "'__class__' is not available here"),
    ("a = Value(1.0)\nb = a.relu\nb.__self__", 3, "'__self__' is not available here"),
    ("x = 1\nx.relu()", 2, "'.relu()' works on Values only, not on a number"),
    ("x = 1\ny = x.data", 2, "'.data' works on Values only"),
    ("a = Value(1.0)\na.data = a", 2, "'.data' needs a number, not a Value"),
    ("a = Value(1.0)\na.label = 1", 2, "'.label' needs text"),
    ("a = Value(1.0)\na.label += 1", 2, "can't use text and a number with '+'"),
    ("a = Value(1.0)\n(a * 2).grad = 'x'", 2, "'.grad' needs a number, not text"),
    ("a = Value(1.0)\n(a * 2).foo = 1.0", 2, "'.foo' can't be set here"),
    ("x = 1.0\nx.grad = 1.0", 2, "'.grad' works on Values only"),
    ("g = Value(1.0)\ng.backward(1)", 2, "takes no arguments"),
    ("a = Value(1.0)\nprint(f'{a:.2f}')", 2, "format its .data"),
    ("print(f'{1.5:q}')", 1, "ValueError: Unknown format code 'q' for object of type 'float'"),
    ("print(f'{1.5:1000000000}')", 1, "format numbers above 1000"),
    ("print(f'{1.5:.{99999}f}')", 1, "format numbers above 1000"),
    ("x = = 1", 1, "invalid syntax"),
    ("x = 1\ny = (\n", 2, "was never closed"),
    ("x = 1\n  y = 2", 2, "unexpected indent"),
    ("x = 1\nbreak", 2, "'break'"),
    ("x = 'abc\\0'\0", 1, "invalid character"),
    ("x = '\ud800'", 1, "invalid character"),
]


@pytest.mark.parametrize(("source", "line", "fragment"), REFUSED, ids=[s[:30] for s, _, _ in REFUSED])
def test_refused(source: str, line: int, fragment: str) -> None:
    err = refused(source)
    assert err.line == line
    assert fragment in err.message
    assert str(err) == f"line {err.line}: {err.message}"
    assert isinstance(err.col, int) and err.col >= 1


def test_starred_targets_unpack_as_python_does() -> None:
    p = run_program("a = Value(1.0)\nb, *c = a, a, a\n*d, e = range(4)\nf, (g, *h) = 1, 'xyz'\n"
                    "for i, *j in [(1, 2, 3), (4,)]:\n    print(i, j)")
    assert p.printed == ["1 [2, 3]", "4 []"]
    assert p.values["b"] is p.values["a"] and set(p.lines) >= {"c", "d", "e", "g", "h"}
    p = run_program("*d, e = range(4)\nf, (g, *h) = 1, 'xyz'\nprint(d, e, g, h)")
    assert p.printed == ["[0, 1, 2] 3 x ['y', 'z']"]



def test_dunder_names_are_refused_but_private_ones_are_not() -> None:
    err = refused("x = 1\n__x = 2")
    assert (err.line, err.col) == (2, 1)
    assert err.message == "names starting with '__' are not allowed here ('__x')"
    # the lecture's own Value class names its parameters and closures _children, _op, _backward
    p = run_program("_x = 1\nfor _ in range(2):\n    _x += 1\nprint(_x)")
    assert p.printed == ["3"]
    assert run_program("a = Value(2.0)\nb = a * a\nb.grad = 1.0\nb._backward()").values["a"].grad == 4.0


def test_error_text_and_columns() -> None:
    err = refused("x = 1\ny = z")
    assert str(err) == "line 2: name 'z' is not defined" and err.col == 5
    assert str(refused("x = 1\nx = 2\nfor i in x:\n    pass")) == "line 3: can't loop over a number"
    assert str(refused("import os")) == f"line 1: 'os' {IMPORT_MESSAGE}"
    assert str(refused("open('x')")) == "line 1: 'open' is not available here"
    assert refused("print('é', zz)").col == 12  # characters, not UTF-8 bytes
    assert refused("x = (1 +\n     zz)").line == 2  # the offending node's line, not the statement's


# -- hostile programs: refused (or harmlessly computed) within a second ---------------

HOSTILE = {
    "nested parentheses": "x = " + "(" * 5000 + "1" + ")" * 5000,
    "50,000-term sum": "a = Value(1.0)\nx = " + " + ".join(["a"] * 50_000),
    "201-term sum": "a = Value(1.0)\nx = " + " + ".join(["a"] * (MAX_DEPTH + 1)),
    "100,000 unary minus": "x = " + "-" * 100_000 + "1",
    "50,000 method calls": "x = Value(1.0)" + ".relu()" * 50_000,
    "megabytes of source": "x = 1\n" * 1_000_000,
    "source one over the limit": "#" * (MAX_SOURCE_CHARS + 1),
    "string times a billion": "x = 'a' * 10**9",
    "print flood": "print('x')\n" * (MAX_PRINTED_LINES + 1),
    "newline flood": "print('" + "\\n" * MAX_PRINTED_LINES + "')",
    "huge format width": "a = Value(1.0)\nprint(f'{a.data:1000000000}')",
    "node bomb, dense": "x = Value(1.0)\n" + ("x = " + "-" * (MAX_DEPTH - 10) + "x\n") * 600,
}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_refused_fast(source: str) -> None:
    # this thread's CPU time: parallel test workers and neighbours are not the program's cost; the
    # failures this guards against took minutes (benchmarks/language.py times them closely)
    start = time.thread_time()
    with pytest.raises(ExpressionError):
        run_program(source)
    assert time.thread_time() - start < 2.0


def test_worst_case_at_the_limits_is_fast(monkeypatch) -> None:
    # the most statements the size limit allows, building Values until the node limit stops them:
    # the slowest refusal there is.  CPU time, not wall time: on a shared machine the wall clock
    # also measures the neighbours (and could reach the time budget, which is not tested here).
    monkeypatch.setattr(expr, "MAX_SECONDS", 60.0)
    source = "x = Value(1.0)\n" + "x=1/x\n" * ((MAX_SOURCE_CHARS - 20) // 6)
    start = time.thread_time()  # this thread's: an xdist worker's other threads are not the run's
    assert refused(source).message == NODES_MESSAGE
    assert time.thread_time() - start < 3.0  # about 1 s here; the failure it guards against took minutes


def test_node_bomb_message() -> None:
    err = refused(HOSTILE["node bomb, dense"])
    assert err.message == f"this program holds more than {MAX_NODES:,} values at once" and err.line > 1


HUGE_NUMBERS = [
    "x = 9**9**9**9\nprint(x)",
    "x = 10**10**10\nprint(x)",
    "x = 2.0**10**300\nprint(x)",
    "x = (10**300)**(10**300)\nprint(x)",
    "x = 0x" + "f" * 100_000 + "\nprint(x)",
    "x = 10**300\nx = x * x * x * x\nprint(x)",
    "x = 3\n" + "x = x * x\n" * 100 + "print(x)",
    "x = Value(3.0)\n" + "x = x * x\n" * 100 + "print(x.data)",
    "x = Value(2.0)**10**10**10\nprint(x.data)",
    "x = 2**Value(10.0)**10**10\nprint(x.data)",
]


@pytest.mark.parametrize("source", HUGE_NUMBERS, ids=[s[:30] for s in HUGE_NUMBERS])
def test_huge_numbers_become_inf_fast(source: str) -> None:
    start = time.perf_counter()
    assert run_program(source).printed == ["inf"]
    assert time.perf_counter() - start < 1.0


def test_honest_50k_node_program() -> None:
    source = "x = Value(1.0)\n" + "x = x * 1.0001 + 0.1\n" * 12_500 + "x.backward()\nprint(x.data)"
    start = time.thread_time()  # this thread's: a loaded machine's other processes are not the run's
    p = run_program(source)
    assert time.thread_time() - start < 2.0
    assert p.node_count >= 50_000 and p.backward_called
    expected = 1.0
    for _ in range(12_500):
        expected = expected * 1.0001 + 0.1
    assert p.values["x"].data == pytest.approx(expected)
    assert p.printed == [str(p.values["x"].data)]


# -- anything at all: ExpressionError or a Program, nothing else -------------------------

TOKENS = [
    "a", "b", "x", "Value", "print", "relu", "tanh", "exp", "log", "sigmoid", "open", "__import__",
    "from", "micrograd.engine", "import", "for", "in", "while", "if", "else", "def", "class", "lambda",
    "return", "with", "try", "del", "not", "and", "or", "None", "True", "(", ")", "[", "]", "{", "}", ",",
    ":", ".", ".data", ".grad", ".label", ".relu()", ".backward()", "._backward()", ".__class__", "._prev",
    "=", "+=", "-=", "*=", "/=", "**=", "+", "-", "*", "/", "**", "//", "%", "@", "<", "==", "~",
    "0", "1", "2.5", "-3", "1e308", "9**9**9", "0x1f", "'s'", "f'{a.data:.2f}'", "f'{a}'", "'\\n'",
    "#", "\\", ";", "*a", "**b", "a,", "Value(1.0)", "Value(-2.0, label='q')", "label=", "\n", "\n    ",
]


def ok_or_expression_error(source: str) -> None:
    try:
        assert isinstance(run_program(source), Program)
    except ExpressionError as err:
        assert err.line >= 1 and err.col >= 1 and str(err).startswith(f"line {err.line}: ")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_random_text(source: str) -> None:
    ok_or_expression_error(source)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(TOKENS), st.sampled_from([" ", "", "\n"])), max_size=40))
def test_token_soup(parts: list[tuple[str, str]]) -> None:
    ok_or_expression_error("".join(token + gap for token, gap in parts))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    "a = Value(1.5)", "b = Value(-2.0)", "c = a * b", "c += a", "d = c.tanh() + b ** 2", "e = d / a",
    "e.backward()", "a.grad = 0.0", "print(a, b.data)", "f = relu(a) - exp(b)", "a.data += 1",
    "g = a ** b", "h = 2 ** a", "x = 1 / 0", "c._backward()", "a, b = b, a",
]), max_size=25))
def test_valid_programs_run(lines: list[str]) -> None:
    # statements in any order: each is valid, so only undefined names can stop a program
    try:
        p = run_program("\n".join(lines))
    except ExpressionError as err:
        assert "is not defined" in err.message
    else:
        assert all(isinstance(v, Value) and v.label for v in p.values.values())
        assert p.node_count >= len({id(v) for v in p.values.values()})
        assert p.backward_called == ("e.backward()" in lines)


# -- the time budget -----------------------------------------------------------------------


def chain_and_backwards(backward_lines: int, one_statement: bool = False) -> tuple[str, int]:
    """A ~98,000-node chain, then many backward() calls (issue 6: 399 s, within the size limit);
    returns the source and the number of lines that build the chain."""
    terms = "+".join(["a"] * 150)
    lines = ["a = Value(1.0)"] + [f"a = {terms}"] * 658  # 149 new Values per line
    built = len(lines)
    if one_statement:
        lines.append("x = " + ", ".join(["a.backward()"] * backward_lines))
    else:
        lines += ["a.backward()"] * backward_lines
    source = "\n".join(lines) + "\n"
    assert len(source) <= MAX_SOURCE_CHARS
    return source, built


def test_time_ceiling_is_a_documented_constant() -> None:
    assert expr.MAX_SECONDS == MAX_RUN_SECONDS == 60.0 and "MAX_SECONDS" in expr.__all__
    reference = (pathlib.Path(expr.__file__).parents[1] / "resources" / "language.md").read_text("utf-8")
    assert f"at most {expr.MAX_SECONDS:g} seconds" in reference
    assert f"longer than {expr.MAX_SECONDS:g} s to run; it stopped here" in reference


@pytest.fixture
def two_seconds(monkeypatch) -> None:
    """A run's ceiling lowered to 2 s (it is a minute), so that a runaway test ends soon."""
    monkeypatch.setattr(expr, "MAX_SECONDS", 2.0)


def test_the_issue_program_stops_after_the_budget(monkeypatch) -> None:
    source, built = chain_and_backwards(7_000)  # about 55 ms per backward(): 6 minutes unchecked
    # a 0.3 s budget from the first backward() (building the chain first takes a busy machine a
    # second or more): the budget is spent where the issue's program spent its minutes
    clock = ClockFromLine(built + 1)
    monkeypatch.setattr(expr, "_clock", clock)
    with pytest.raises(ExpressionError) as info:
        run_program(source, line=clock.cell, seconds=0.3)
    err = info.value
    took = time.monotonic() - clock.start
    assert err.message == "this program took longer than 0.3 s to run; it stopped here"
    assert built < err.line <= built + 7_000 and err.col == 1
    assert str(err) == f"line {err.line}: this program took longer than 0.3 s to run; it stopped here"
    assert took < 0.3 + 1.5


class FakeClock:
    """Reads 0 until it has been read ``reads`` times after the first (the start), then a day."""

    def __init__(self, reads: int) -> None:
        self.left = reads + 1

    def __call__(self) -> float:
        self.left -= 1
        return 0.0 if self.left > 0 else 86_400.0


@pytest.mark.usefixtures("two_seconds")
def test_budget_is_checked_before_every_statement(monkeypatch) -> None:
    # checks: line 1; then for each `a.backward()` line, the statement and the backward() call
    monkeypatch.setattr(expr, "_clock", FakeClock(10))
    err = refused("a = Value(1.0)\n" + "a.backward()\n" * 100)
    assert (err.line, err.col) == (6, 1)
    assert err.message == "this program took longer than 2 s to run; it stopped here"


@pytest.mark.usefixtures("two_seconds")
def test_budget_is_checked_before_every_backward_call_in_a_statement(monkeypatch) -> None:
    monkeypatch.setattr(expr, "_clock", FakeClock(10))
    err = refused("a = Value(1.0)\nx = " + ", ".join(["a.backward()"] * 100))
    # checks 1 and 2 are the two statements, 3 to 10 the first eight calls: the eighth is named
    assert (err.line, err.col) == (2, 1 + len("x = ") + 7 * len("a.backward(), "))


def test_a_program_within_the_budget_is_untouched(monkeypatch) -> None:
    monkeypatch.setattr(expr, "MAX_SECONDS", 30.0)
    source, _ = chain_and_backwards(3)
    assert run_program(source).backward_called


def test_ten_thousand_inputs_run_well_under_a_second() -> None:
    n = 10_000
    lines = [f"x{i} = Value({i % 10})" for i in range(n)]
    lines.append("s = " + " + ".join(f"x{j}" for j in range(100)))
    lines += ["s = s + " + " + ".join(f"x{j}" for j in range(k, k + 100)) for k in range(100, n, 100)]
    lines.append("s.backward()")
    source = "\n".join(lines)
    best, bound = math.inf, 1.0
    for _ in range(2):  # the better of two: the suite shares the machine with other work
        start = time.process_time()
        p = run_program(source)
        best = min(best, time.process_time() - start)
        if best < bound:  # within the bound at the first: the second could only do better
            break
    assert len(p.inputs) == n and p.values["s"].data == sum(i % 10 for i in range(n))
    assert all(p.values[f"x{i}"].grad == 1.0 for i in range(n))
    assert best < bound


# -- the two ways a statement runs: walked at the top level, compiled inside a block ----------------

PARITY_LINES = [
    "a = Value(1.5)", "b = Value(-2.0, label='bee')", "c = a * b", "c += a", "d = c.tanh() + b ** 2",
    "e = d / a", "e.backward()", "a.grad = 0.0", "print(a, b.data, f'{c.data:.3f}|{e!r}')",
    "f = relu(a) - exp(b)",
    "a.data += 1", "g = a ** b", "h = 2 ** a", "x = 1 / 0", "c._backward()", "a, b = b, a", "print(zz)",
    "y = a.foo", "y = q(1)", "print(1, sep=2)", "a.label = 3", "k = -a + +b", "m = 7 % 2 + 7 // 2", "n = x()",
    # walked statements whose parts are compiled on the spot
    "l = [a, b]", "print(a.data < b.data, [v.data for v in (a, b)])", "w = (lambda z: z * 2)(a)",
    "s = sum([a, b], Value(0.0))", "print(*[1, 2], **{'sep': '-'})", "q = {'k': a}['k'] + 1",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PARITY_LINES), min_size=1, max_size=12))
def test_walked_and_compiled_statements_agree(lines: list[str]) -> None:
    def outcome(source: str) -> tuple:
        try:
            p = run_program(source)
        except ExpressionError as err:
            return ("error", err.message, err.line)
        values = sorted((n, repr(v.data), repr(v.grad), v.label) for n, v in p.values.items())
        return ("ok", p.printed, values)

    walked = outcome("\n".join(["pass"] + lines))
    compiled = outcome("\n".join(["if True:"] + ["    " + line for line in lines]))
    assert walked == compiled

"""The Python a program may use beyond straight-line code, and what the Program record says of it."""

import pytest

from gradlab.engine import Value
from gradlab.expr import ExpressionError, run_program


def printed(source: str) -> list[str]:
    return run_program(source).printed


def test_functions_scopes_and_arguments() -> None:
    assert printed(
        "def f(a, b=2, *rest, c=3, **more):\n    return a + b + c + sum(rest) + len(more)\n"
        "print(f(1), f(1, 1), f(1, 1, 10, 20), f(1, c=0, x=1, y=2), f(*[1, 2], **{'c': 1}))"
    ) == ["6 5 35 5 4"]
    assert printed(
        "fs = [lambda: i for i in range(3)]\nprint([g() for g in fs])\n"  # late binding, as in Python
        "x = 1\ndef read():\n    return x\nx = 2\nprint(read())\n"
        "def bump():\n    global x\n    x += 1\nbump()\nprint(x)\n"
        "def outer():\n    n = 0\n    def inc():\n        nonlocal n\n        n += 1\n"
        "    inc(); inc()\n    return n\n"
        "print(outer())"
    ) == ["[2, 2, 2]", "2", "3", "2"]
    err = pytest.raises(ExpressionError, run_program, "def f():\n    y = x\n    x = 1\nf()").value
    assert (err.line, err.message) == (2, "name 'x' is used before it is assigned")
    assert "f() takes 1 positional arguments but 2 were given" in str(
        pytest.raises(ExpressionError, run_program, "def f(a):\n    pass\nf(1, 2)").value
    )


def test_classes() -> None:
    source = """
class V:
    count = 0

    def __init__(self, x):
        self.x = x
        V.count += 1

    def __add__(self, other):
        return V(self.x + (other.x if isinstance(other, V) else other))

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return V(other * self.x)

    def __neg__(self):
        return V(-self.x)

    def __call__(self, k):
        return self.x * k

    def __lt__(self, other):
        return self.x < other.x

    def __repr__(self):
        return f"V({self.x})"


class W(V):
    def __init__(self, x):
        super().__init__(x * 10)

    def __repr__(self):
        return "W:" + super().__repr__()


a = V(1)
print(a + 2, 2 + a, 3 * a, -a, a(5), sum([V(1), V(2)]), V(1) < V(2), sorted([V(3), V(1)], key=lambda v: v.x))
print(W(1), isinstance(W(1), V), isinstance(a, W), V.count > 5, a == a, a == V(1), a.x)
"""
    assert printed(source) == [
        "V(3) V(3) V(3) V(-1) 5 V(3) True [V(1), V(3)]",
        "W:V(10) True False True True False 1",
    ]


def test_control_flow() -> None:
    assert printed(
        "for i in range(3):\n    pass\nelse:\n    print('done', i)\n"
        "for i in range(5):\n    for j in range(5):\n        if j == 2:\n            break\n"
        "    if i == 3:\n        break\n"
        "print(i, j)\n"
        "n = 0\nwhile n < 3:\n    n += 1\nelse:\n    print('while else', n)\n"
        "x = 5\nif x < 3:\n    print('small')\nelif x < 10:\n    print('medium')\nelse:\n    print('big')"
    ) == ["done 2", "3 2", "while else 3", "medium"]


def test_containers_and_text() -> None:
    assert printed(
        "xs = [3, 1, 2]\nxs.sort(reverse=True)\nd = {'a': 1}\nd.update({'b': 2})\n"
        "print(xs, xs[-1], xs[:2], d, list(d), d.get('c', 0), {1, 2})\n"
        "print('a,b'.split(','), '-'.join(['x', 'y']), 'Hi'.lower(), 'abc'[::-1], len('abc'), 'b' in 'abc')\n"
        "print(list(enumerate('ab', start=1)), list(zip([1, 2], [3, 4])), sorted({3: 0, 1: 0}))\n"
        "print(f'{3.14159:.2f} {7:03d} {\"s\"!r} {[1, 2]}', end='|')\nprint('tail', sep='')"
    ) == [
        "[3, 2, 1] 1 [3, 2] {'a': 1, 'b': 2} ['a', 'b'] 0 {1, 2}",
        "['a', 'b'] x-y hi cba 3 True",
        "[(1, 'a'), (2, 'b')] [(1, 3), (2, 4)] [1, 3]",
        "3.14 007 's' [1, 2]|tail",
    ]


def test_program_record_for_a_training_run() -> None:
    p = run_program(
        "from micrograd.nn import MLP\nimport random\nrandom.seed(0)\nn = MLP(2, [3, 1])\n"
        "xs, ys = [[1.0, 2.0], [-1.0, 0.5]], [1.0, -1.0]\n"
        "for k in range(5):\n    loss = sum((n(x) - y)**2 for x, y in zip(xs, ys))\n    n.zero_grad()\n"
        "    loss.backward()\n    for p in n.parameters():\n        p.data -= 0.05 * p.grad\n"
    )
    assert len(p.losses) == 5 and p.losses[-1] < p.losses[0]
    assert p.output is p.values["loss"] and p.output.label == "loss" and p.output.grad == 1.0
    assert p.backward_called and p.gradients_touched and not p.straight_line and not p.mirrored
    assert p.lines["loss"] == 7 and p.lines["k"] == 6 and 0 < p.node_count < 1000


def test_straight_line_and_gradients_flags() -> None:
    p = run_program("a = Value(1.0)\nb = a * 2")
    assert p.straight_line and not p.gradients_touched and not p.backward_called
    assert run_program("a = Value(1.0)\na.grad = 2.0").gradients_touched
    for loop in (
        "for i in range(1):\n    a = Value(1.0)",
        "a = Value(1.0) if 1 else 0",
        "f = lambda: 1",
        "xs = [i for i in range(2)]",
        "def f():\n    pass",
        "class A:\n    pass",
        "x = 1 or 2",
    ):
        assert not run_program(loop).straight_line, loop


def test_a_programs_own_value_class_is_copied_for_the_graph() -> None:
    p = run_program(
        "class V:\n    def __init__(self, data, prev=(), op='', label=''):\n"
        "        self.data, self.grad, self._prev, self._op, self.label = data, 0.0, set(prev), op, label\n"
        "    def __mul__(self, o):\n        return V(self.data * o.data, (self, o), '*')\n"
        "a = V(2.0, label='a')\nb = V(3.0, label='b')\nc = a * b\nc.label = 'c'\nc.grad = 1.0"
    )
    c = p.output
    assert p.mirrored and type(c) is Value and (c.data, c.grad, c._op, c.label) == (6.0, 1.0, "*", "c")
    assert sorted(v.label for v in c._prev) == ["a", "b"] and p.values == {} and p.inputs == []
    assert not p.backward_called and p.losses == []


def test_magic_lines_are_skipped_and_lines_keep_their_numbers() -> None:
    err = pytest.raises(ExpressionError, run_program, "%matplotlib inline\n  %time x = 1\ny = zz").value
    assert err.line == 3


def test_a_program_may_shadow_any_name_as_python_lets_it() -> None:
    assert printed("relu = 3\nprint(relu)\nfor exp in range(2):\n    print(exp)") == ["3", "0", "1"]
    assert run_program("print = 1").lines == {"print": 1}
    assert printed("x = Value(2.0)\nrelu = 3\nprint(x.relu().data + relu)") == ["5.0"]  # methods aren't names
    assert printed("class Value:\n    pass\nprint(isinstance(Value(), Value))") == ["True"]
    assert printed("def tanh(x):\n    return 0\nprint(tanh(3))\nfrom math import exp\nprint(exp(0))") == [
        "0",
        "1.0",
    ]


@pytest.mark.parametrize(
    "statement",
    ["x = missing + (y := 1)", "print(missing, (y := 1))", "x = f'{missing.data}{(y := 1)}'"],
)
def test_a_statement_means_the_same_at_the_top_level_and_in_a_function(statement: str) -> None:
    """One evaluator: a refused construct is refused before the statement runs, wherever it is
    (a top-level walker once ran the statement first and reported its runtime error instead)."""
    top = pytest.raises(ExpressionError, run_program, f"pass\n{statement}").value
    inner = pytest.raises(ExpressionError, run_program, f"def f():\n    {statement}\nf()").value
    assert (top.line, top.message) == (inner.line, inner.message) == (2, "':=' is not supported here")
    assert top.col + 4 == inner.col

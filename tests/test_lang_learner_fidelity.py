"""Python learners write around the lecture, once refused: a class body may name its own dunder
methods (``__radd__ = __add__``), nothing else's; pow() and divmod() are the language's own **
and // and %; super().__init__() with no base __init__ is object's; np.random.rand/randn take one
argument per dimension.  What these print is compared with CPython in tests/lecture_corpus/
(python_class_aliases.ipy, python_bases_and_random.ipy); here, what stays refused and why."""

import pytest

from gradlab.expr import ExpressionError, run_program


def refusal(source: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        run_program(source)
    return info.value


def test_an_alias_in_a_class_body_is_the_method_itself() -> None:
    p = run_program(
        "class A:\n    def __add__(self, o):\n        return 'added'\n    __radd__ = __add__\n"
        "print(A() + 1, 1 + A(), A.__radd__ is A.__add__)"
    )
    assert p.printed == ["added added True"]


@pytest.mark.parametrize(
    "source, message, line",
    [
        ("def f():\n    return __add__\nf()", "'__add__' is not available here", 2),
        ("x = __add__", "'__add__' is not available here", 1),
        ("class A:\n    x = __add__", "name '__add__' is not defined", 2),  # not defined yet
        ("class A:\n    x = __dict__", "'__dict__' is not available here", 2),  # not a class's own
        ("class A:\n    __dict__ = 1", "names starting with '__' are not allowed here ('__dict__')", 2),
        ("pow(2, 3, 5)", "pow() with a third number (a modulus) is not supported here", 1),
        ("pow(2)", "pow() takes 2 to 3 arguments here, not 1", 1),
        ("divmod('7', 2)", "divmod() needs numbers, not text", 1),
        (
            "class A:\n    pass\nclass B(A):\n    def __init__(self):\n        super().__init__(1)\nB()",
            "object.__init__() takes no arguments here (no base class defines __init__)",
            5,
        ),
        (
            "class A:\n    def f(self):\n        return super().g()\nA().f()",
            "super() has no attribute 'g'",
            3,
        ),
        (
            "import numpy as np\nnp.random.randn(2, 1.5)",
            "np.random.randn() needs a size that is a whole number, not a number",
            2,
        ),
        ("import numpy as np\nnp.random.rand(size=3)", "np.random.rand() has no option 'size' here", 2),
    ],
)
def test_what_stays_refused_says_why(source: str, message: str, line: int) -> None:
    error = refusal(source)
    assert error.message == message and error.line == line


def test_pow_is_the_languages_own_power() -> None:
    p = run_program("from micrograd.engine import Value\nx = Value(2.0)\ny = pow(x, 3)\ny.backward()\n")
    assert p.values["y"].data == 8.0 and p.values["x"].grad == 12.0 and p.backward_called

"""gradlab's stand-in graphviz (gradlab.lang.graphviz_stub): the lecture's own trace/draw_dot run
as written, and a call of the learner's draw_dot(root) shows root's graph as the built-in does."""

import re
from pathlib import Path

import pytest
from test_lecture_corpus import reference_output, same_line

from gradlab.engine import Value
from gradlab.expr import ExpressionError, run_program
from gradlab.lang import library
from gradlab.lang.objects import Builtin

LECTURE = Path(__file__).parent / "lecture_corpus" / "lecture_draw_dot.ipy"
SOURCE = LECTURE.read_text(encoding="utf-8")
#: the program's graphviz part: its trace and draw_dot, from the import to the first print
GRAPHVIZ_CELL = SOURCE[SOURCE.index("\nfrom graphviz import Digraph\n") : SOURCE.index("print(Value(2.0)")]
VALUE_CLASS = "import math\n" + SOURCE[SOURCE.index("class Value:") : SOURCE.index("\nfrom graphviz")]
#: the tanh neuron, up to its o.backward()
NEURON = SOURCE[SOURCE.index("# one neuron") : SOURCE.index("draw_dot(o)")]


@pytest.fixture(autouse=True)
def program_id(monkeypatch):
    """The lecture's draw_dot names nodes str(id(n)): until the language has id(), lend it one."""
    table = library.builtins()
    if "id" not in table:
        monkeypatch.setitem(table, "id", Builtin("id", lambda run, node, args, kwargs: id(args[0])))


def shape(v: Value) -> list[tuple]:
    """A graph as comparable rows: each node's label, op, data, grad and parents' labels."""
    rows, seen, stack = [], set(), [v]
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        rows.append((x.label, x._op, x.data, x.grad, sorted(p.label for p in x._prev)))
        stack.extend(x._prev)
    return sorted(rows, key=repr)


def test_the_lecture_style_program_prints_what_python_prints() -> None:
    program = run_program(SOURCE)
    theirs = reference_output(LECTURE)
    assert len(program.printed) == len(theirs) == 11
    for ours, python in zip(program.printed, theirs, strict=True):
        assert same_line(ours, python), (ours, python)
    assert program.notes == []  # graphviz's stand-in draws nothing of its own to mention


def test_the_learners_draw_dot_chooses_the_output_as_the_built_in_does() -> None:
    tail = "draw_dot(s)\nz = o * 2\n"  # neither the last Value nor backward's
    theirs = run_program(VALUE_CLASS + GRAPHVIZ_CELL + NEURON + tail)
    ours = run_program(VALUE_CLASS + NEURON + tail)  # gradlab's built-in draw_dot
    assert theirs.output is not None and theirs.output.label == "s"
    assert shape(theirs.output) == shape(ours.output)
    assert theirs.mirrored == ours.mirrored is True


def test_it_draws_gradlabs_own_values_too() -> None:
    tail = "draw_dot(n)\ny = o * 3\n"
    p = run_program("from micrograd.engine import Value\n" + GRAPHVIZ_CELL + NEURON + tail)
    assert p.output is p.values["n"] and not p.mirrored and p.output.data == pytest.approx(0.5)


def test_the_last_drawing_wins_and_a_graph_of_other_names_chooses_nothing() -> None:
    body = VALUE_CLASS + GRAPHVIZ_CELL + NEURON
    p = run_program(body + "draw_dot(o)\ndraw_dot(n)\n")
    assert p.output.label == "n"
    p = run_program(body + "draw_dot(n)\nd = Digraph()\nd.node('a')\nd.node('b')\nd.edge('a', 'b')\n")
    assert p.output.label == "n"  # 'b' names no Value: the output stays the one drawn before


def test_a_digraph_records_what_it_is_given() -> None:
    p = run_program(
        "from graphviz import Digraph\n"
        "dot = Digraph(format='svg', graph_attr={'rankdir': 'LR'})\n"
        "dot.node(name='a', label='{ a | data 1.0000 }', shape='record')\n"
        "dot.node('b', 'plus')\ndot.edge('a', 'b')\ndot.edges([('b', 'c')])\n"
        "dot.attr(rankdir='TB')\ndot.render('out')\n"
        "print(dot.format, dot.graph_attr)\nprint(dot)\nprint(repr(dot)[:26], isinstance(dot, Digraph))"
    )
    assert p.printed[0] == "svg {'rankdir': 'LR'}"
    assert p.printed[1:] == [
        "digraph {",
        "\trankdir=LR",
        '\ta [label="{ a | data 1.0000 }"]',
        '\tb [label="plus"]',
        "\ta -> b",
        "\tb -> c",
        "}",
        "",
        "<graphviz.graphs.Digraph o True",
    ]


@pytest.mark.parametrize(
    "source, message",
    [
        ("d = Digraph()\nd.pipe()", "'.pipe' is not part of gradlab's stand-in Digraph: it has node, edge"),
        ("d = Digraph()\nd.node(1)", "node()'s name needs text, not a number"),
        ("d = Digraph()\nd.node()", "node()'s name needs text, not None"),
        ("d = Digraph()\nd.edge('a')", "edge() needs text, not None"),
        ("d = Digraph()\nd.edges([1])", "edges() needs pairs of names, not a number"),
        ("d = Digraph()\nd.__dict__", "'__dict__' is not available here"),
        ("d = Digraph()\nd.finder", "'.finder' is not part of gradlab's stand-in Digraph"),
        ("d = Digraph()\nd.format = 'png'", "'.format' can't be set on a Digraph here"),
        ("d = Digraph('a', 'b')", "Digraph() takes at most a name and keyword options here"),
        ("d = Digraph()\nd + 1", "can't use a Digraph with '+'"),
        ("d = Digraph(graph_attr=[1])", "graph_attr= needs a dict of a few settings"),
    ],
)
def test_what_the_stand_in_lacks_is_refused_by_name(source: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        run_program("from graphviz import Digraph\n" + source)
    assert message in info.value.message, info.value.message
    assert info.value.line == source.count("\n") + 2


def test_graphviz_imports_and_nothing_else_of_it() -> None:
    p = run_program("import graphviz\nd = graphviz.Digraph()\nprint(isinstance(d, graphviz.Digraph), d)")
    assert p.printed == ["True digraph {", "}", ""]
    with pytest.raises(ExpressionError, match=re.escape("'graphviz.backend' can't be imported here")):
        run_program("import graphviz.backend as b")
    with pytest.raises(ExpressionError, match="'render' can't be imported from graphviz here"):
        run_program("from graphviz import render")


def test_a_graph_of_gradlab_values_made_in_a_function_is_found_too() -> None:
    p = run_program(
        "from micrograd.engine import Value\n" + GRAPHVIZ_CELL + "\n"
        "def main():\n"
        "    a = Value(2.0, label='a')\n    b = Value(4.0, label='b')\n    c = a + b; c.label = 'c'\n"
        "    e = c * 2.0; e.label = 'e'\n    dot = draw_dot(e)\n    dot.view()\n\nmain()\n"
    )
    assert p.output is not None and p.output.label == "e" and p.output.data == 12.0


def test_its_text_is_measured_before_it_is_made() -> None:
    with pytest.raises(ExpressionError, match="more than 1,000,000 items"):
        run_program(
            "from graphviz import Digraph\nd = Digraph()\nlong = 'x' * 100000\n"
            "for i in range(20):\n    d.node(str(i), long)\nprint(d)"
        )

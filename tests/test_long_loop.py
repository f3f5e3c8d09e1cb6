"""Training loops of any length (issue 20, item 3): a run is limited by what it holds, not by what
it ever made.  The lecture's loop (tests/data/lecture_loop.ipy: micrograd's MLP(3, [4, 4, 1]) on
four points) prints what CPython with micrograd 0.1.0 prints, numbers to 1e-9, while a program
that keeps every step's graph alive is still refused, naming its line.  CPython's lines for the
400- and 2,000-step loops are stored in tests/data/lecture_references.json, with the sha256 of the
loop's source (``python tests/data/make_references.py`` regenerates them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import REFERENCES

from gradlab import expr
from gradlab.expr import ExpressionError, run_program
from gradlab.lang.limits import MAX_NODES, NODES_MESSAGE

HERE = Path(__file__).parent


def cpython_prints(steps: int, source: str) -> list[str]:
    """What CPython with micrograd 0.1.0 printed for the loop's ``source`` at ``steps`` steps
    (tests/lecture_reference.py's run, stored: a failed assertion if the loop changed since)."""
    return REFERENCES.stored_prints(REFERENCES.loop_name(steps), source)


def assert_same_prints(ours: list[str], theirs: list[str]) -> None:
    wrong = REFERENCES.print_differences(ours, theirs)
    assert not wrong, wrong[:3]


@pytest.fixture
def minute(monkeypatch) -> None:
    monkeypatch.setattr(expr, "MAX_SECONDS", 60.0)  # the ceiling, whatever another test left


@pytest.mark.usefixtures("minute")
def test_the_lecture_loop_runs_past_the_old_value_limit_and_prints_what_cpython_prints() -> None:
    source = REFERENCES.loop_source(400)  # stopped at step 315 before: "builds more than 100,000 values"
    theirs = cpython_prints(400, source)
    p = run_program(source)
    assert p.node_count > MAX_NODES  # made in all; never more than a step's graph and the net alive
    assert_same_prints(p.printed, theirs)
    assert p.printed[399].startswith("399 ") and p.losses and len(p.losses) == 400
    # the names rebound every step keep no old step's graph: one binding a Value at most
    assert len(p.bindings) <= len(p.values) + 41 and p.output is p.values["loss"]


@pytest.mark.slow
@pytest.mark.usefixtures("minute")
def test_the_lecture_loop_at_2000_steps_prints_what_cpython_prints() -> None:
    source = REFERENCES.loop_source(2000)  # the file as written
    theirs = cpython_prints(2000, source)
    p = run_program(source)
    assert_same_prints(p.printed, theirs)
    assert len(p.printed) == 2002


@pytest.mark.usefixtures("minute")
def test_a_loop_that_keeps_every_steps_graph_is_refused_naming_its_line() -> None:
    source = REFERENCES.loop_source(2000).replace(
        "    print(k, loss.data)\n", "    print(k, loss.data)\n    kept.append(loss)\n"
    ).replace("for k in range(steps):", "kept = []\nfor k in range(steps):")
    with pytest.raises(ExpressionError) as info:
        run_program(source)
    lines = source.split("\n")
    assert info.value.message == NODES_MESSAGE == f"this program holds more than {MAX_NODES:,} values at once"
    assert "ypred" in lines[info.value.line - 1] or "loss" in lines[info.value.line - 1]


@pytest.mark.usefixtures("minute")
def test_values_dropped_and_made_again_do_not_count() -> None:
    # 300,000 Values made, 3 alive at a time
    p = run_program("a = Value(1.0)\nfor i in range(100_000):\n    b = a * 2 + 1\nprint(b.data)")
    assert p.printed == ["3.0"] and p.node_count >= 200_000
    # the same, all kept: refused once more than MAX_NODES are alive
    with pytest.raises(ExpressionError) as info:
        run_program("a = Value(1.0)\nkeep = []\nfor i in range(100_000):\n    keep.append(a * 2 + 1)")
    assert (info.value.line, info.value.message) == (4, NODES_MESSAGE)


@pytest.mark.usefixtures("minute")
def test_a_graph_bigger_than_the_limit_at_the_end_is_refused() -> None:
    # a chain: every Value stays alive through the last one, four a step (the two constants too)
    with pytest.raises(ExpressionError) as info:
        run_program("x = Value(1.0)\nfor i in range(30_000):\n    x = x * 1.0001 + 0.1\n")
    assert info.value.message == NODES_MESSAGE
    ok = run_program("x = Value(1.0)\nfor i in range(20_000):\n    x = x * 1.0001 + 0.1\n")
    assert ok.node_count == 80_001 and ok.output is ok.values["x"]


@pytest.mark.slow
@pytest.mark.usefixtures("minute")
def test_the_lectures_own_value_class_trains_past_the_old_item_limit() -> None:
    # the lecture's own Value, Neuron, Layer and MLP: each step makes a reference cycle per node
    # (its _backward closure): collected as the run goes, so 10,000,000 items made are no limit
    source = (HERE / "lecture_corpus" / "lecture_mlp.ipy").read_text(encoding="utf-8")
    assert "for step in range(20):" in source
    p = run_program(source.replace("for step in range(20):", "for step in range(120):"))
    assert p.printed[-3].startswith("119 ")

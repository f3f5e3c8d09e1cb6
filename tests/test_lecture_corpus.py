"""Lecture-style programs print in gradlab exactly what CPython with micrograd 0.1.0 prints.

Each program in tests/lecture_corpus/ runs in gradlab's language, and its printed lines are
compared with CPython's (tests/lecture_reference.py: micrograd with the lecture's tanh/exp added,
draw_dot and matplotlib stubbed), stored in tests/data/lecture_references.json with the sha256 of
each program's source (``python tests/data/make_references.py`` regenerates it: a program changed
since fails its test, naming that command).  One test checks the runner and its stand-ins are
those the lines were made by, and runs it on a small program: its lines are the stored ones.
Printed lines must agree: text exactly, numbers to 1e-9 (micrograd keeps grads as ints where
gradlab has floats, and sums gradients in set order, so two CPython runs agree to rounding only).

Every program here is written for this corpus (none is a copy of the lecture's notebooks).
notebook_first_half and notebook_second_half follow the order of the lecture's two notebooks,
cell by cell, as one pasted file; the second holds the lecture's PyTorch cell, which the
reference run replaces by PyTorch's recorded output (stand_ins/lecture_torch.out).  A cell
ending in a bare expression prints nothing: programs run with script semantics, not Jupyter's.
"""

import inspect
import math
from pathlib import Path

import pytest
from helpers import REFERENCES

from gradlab import cli
from gradlab.engine import Value
from gradlab.expr import run_program
from gradlab.lang.torch_stub import NOTE

CORPUS = Path(__file__).parent / "lecture_corpus"
PROGRAMS = sorted(CORPUS.glob("*.ipy"))
#: the corpus checks what programs print, not how fast: a loaded machine must not stop a run
SECONDS = 60.0


def reference_output(path: Path) -> list[str]:
    """What CPython prints for the program at ``path``, as tests/data/lecture_references.json stores
    it (a failed assertion naming the program if it changed since)."""
    return REFERENCES.stored_prints(REFERENCES.corpus_name(path), path.read_text(encoding="utf-8"))


#: a printed line matches CPython's when its words are the same and its numbers agree to 1e-9
same_line = REFERENCES.same_line


def test_the_corpus_is_there() -> None:
    names = {p.stem for p in PROGRAMS}
    assert {
        "lecture_value",
        "manual_chain",
        "lecture_mlp",
        "micrograd_mlp",
        "demo_loss",
        "zero_grad_bug",
        "derivative",
        "python_basics",
        "notebook_first_half",
        "notebook_second_half",
    } <= names


def test_same_line_compares_numbers_not_their_spelling() -> None:
    assert same_line("Value(data=2.0, grad=1.0)", "Value(data=2.0, grad=1)")
    assert same_line("loss 0.30000000000000004", "loss 0.3")
    assert not same_line("loss 0.3001", "loss 0.3")
    assert not same_line("lost 0.3", "loss 0.3")


def test_the_stored_lines_are_what_the_runner_prints() -> None:
    """The stored lines were made by this runner (its hash, and its stand-ins', is stored with
    them), and the runner still prints them: one small program (micrograd's own MLP) run again."""
    assert REFERENCES.stored_runner_sha256() == REFERENCES.runner_sha256(), (
        f"tests/lecture_reference.py or its stand-ins changed: regenerate with {REFERENCES.REGENERATE}"
    )
    path = CORPUS / "micrograd_mlp.ipy"
    ran = REFERENCES.cpython_prints(path.read_text(encoding="utf-8"))
    stored = reference_output(path)
    assert len(ran) == len(stored) > 10
    for i, (a, b) in enumerate(zip(ran, stored, strict=True)):
        assert same_line(a, b), f"line {i + 1}:\n ran:    {a}\n stored: {b}"


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_prints_what_python_prints(path: Path) -> None:
    program = run_program(path.read_text(encoding="utf-8"), seconds=SECONDS)
    theirs = reference_output(path)
    assert len(program.printed) == len(theirs), (program.printed, theirs)
    for i, (a, b) in enumerate(zip(program.printed, theirs, strict=True)):
        assert same_line(a, b), f"line {i + 1} of the output:\n gradlab: {a}\n python:  {b}"


def corpus(name: str):
    return run_program((CORPUS / f"{name}.ipy").read_text(encoding="utf-8"), seconds=SECONDS)


def test_the_second_half_prints_what_pytorch_printed_for_its_torch_cell() -> None:
    """The notebook-shaped second half holds the lecture's PyTorch cell: gradlab's stand-in
    prints PyTorch's recorded lines there (the reference run replays them: no PyTorch here)."""
    p = corpus("notebook_second_half")
    recorded = (CORPUS / "stand_ins" / "lecture_torch.out").read_text(encoding="utf-8").splitlines()
    start = p.printed.index(recorded[0])
    assert p.printed[start : start + len(recorded)] == recorded  # exactly, float32 rounding and all
    assert p.notes == [NOTE] and p.console_lines()[0] == f"note: {NOTE}"
    # backward() twice on a neuron, once in the torch cell, then once per training step
    assert p.backward_called and len(p.losses) == 3 + 25 and p.losses[-1] < p.losses[3] / 10


def timeout_option() -> list[str]:
    """``--timeout 60`` where gradlab run has the option (the corpus checks output, not speed: a
    loaded machine can take the second half past a 2 s budget); nothing where it has not."""
    from gradlab.cli import run as run_cli

    return ["--timeout", "60"] if "--timeout" in inspect.getsource(run_cli.add_run_parser) else []


@pytest.mark.parametrize("name", ["notebook_first_half", "notebook_second_half"])
def test_gradlab_run_prints_a_notebook_as_python_does(name: str, capsys) -> None:
    """``gradlab run`` on a notebook pasted into one file: what CPython prints, then the report."""
    path = CORPUS / f"{name}.ipy"
    assert cli.main(["run", *timeout_option(), str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    if name == "notebook_second_half":
        assert out.pop(0) == f"note: {NOTE}"
    theirs = reference_output(path)
    for i, (a, b) in enumerate(zip(out, theirs, strict=False)):
        assert same_line(a, b), f"line {i + 1} of gradlab run's output:\n gradlab: {a}\n python:  {b}"
    assert out[len(theirs)] == "" and out[len(theirs) + 1].startswith("gradients from the program's")


def test_the_first_half_draws_what_it_drew_last() -> None:
    p = corpus("notebook_first_half")
    assert p.mirrored and p.output.label == "g" and p.output.grad == 1.0
    assert sorted(c.label for c in p.output._prev) == ["d", "e"]
    assert p.plots and [plot.kind for plot in p.plots] == ["line", "line"]


def test_the_lecture_training_loop_is_a_training_run() -> None:
    p = corpus("lecture_mlp")
    assert p.backward_called and len(p.losses) == 20
    assert p.losses == [float(line.split()[1]) for line in p.printed[2:22]]
    assert p.losses[-1] < p.losses[0] / 10
    assert p.mirrored and isinstance(p.output, Value)  # the lecture's own Value, copied for the graph
    assert not p.straight_line and p.plots == []


def test_draw_dot_chooses_the_output_and_the_copy_keeps_its_gradients() -> None:
    p = corpus("lecture_value")
    o = p.output
    assert p.mirrored and o.label == "o" and o.grad == 1.0 and o.data == pytest.approx(math.sqrt(0.5))
    labels = {}
    stack = [o]
    while stack:
        v = stack.pop()
        labels[v.label] = v
        stack.extend(v._prev)
    assert labels["x1"].grad == pytest.approx(-1.0) and labels["w2"].grad == 0.0
    assert labels["n"]._op == "+" and o._op == "*"


def test_hand_run_backward_chains_are_left_as_they_are() -> None:
    p = run_program("a = Value(2.0)\nb = Value(-3.0)\nc = a * b\no = c.tanh()\no.grad = 1.0\no._backward()\n")
    assert p.values["a"].grad == 0.0 and p.values["c"].grad != 0.0
    assert p.gradients_touched and not p.backward_called
    assert not run_program("a = Value(2.0)\nb = a * 3").gradients_touched


def test_backward_twice_accumulates_as_micrograd_does() -> None:
    p = run_program("x = Value(2.0)\ny = x * x\ny.backward()\ny.backward()\nz = x + x\nz.backward()")
    assert p.values["x"].grad == 8.0 + 2.0
    assert p.losses == [4.0, 4.0, 4.0] and p.output is p.values["z"]


def test_plots_are_recorded() -> None:
    p = corpus("derivative")
    assert [plot.kind for plot in p.plots] == ["line", "line"]
    first = p.plots[0]
    assert len(first.x) == len(first.y) == 40 and first.x[0] == -5.0 and first.y[0] == 32.0
    assert p.plots[1].y[0] == pytest.approx(math.tanh(-5.0))
    p = run_program(
        "import matplotlib.pyplot as plt\nplt.plot([3, 1, 2], 'o-', label='loss', color='red')\n"
        "plt.scatter([1, 2], [3, 4], c=[0, 1])\nplt.title('t')\nplt.show()"
    )
    line, dots = p.plots
    assert (line.x, line.y, line.fmt, line.label, line.style) == (
        [0.0, 1.0, 2.0],
        [3.0, 1.0, 2.0],
        "o-",
        "loss",
        {"color": "red"},
    )
    assert dots.kind == "scatter" and dots.style == {"c": [0.0, 1.0]} and p.plot_labels == {"title": "t"}


def test_micrograd_nn_prints_like_micrograd() -> None:
    p = run_program(
        "from micrograd.nn import MLP\nimport random\nrandom.seed(1337)\nn = MLP(2, [3, 1])\nprint(n)"
    )
    assert p.printed == [
        "MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)], Layer of [LinearNeuron(3)]]"
    ]

"""gradlab's stand-in torch (gradlab.lang.torch_stub): the lecture's PyTorch cell prints what
PyTorch printed, tensors print and differentiate as PyTorch's, the app says it is a stand-in,
and whatever it lacks is refused by name."""

import math
from pathlib import Path

import numpy as np
import pytest

from gradlab import cli
from gradlab.engine import Value
from gradlab.expr import ExpressionError, run_program
from gradlab.lang.torch_stub import NOTE
from gradlab.worker import wire

STAND_INS = Path(__file__).parent / "lecture_corpus" / "stand_ins"
LECTURE_CELL = STAND_INS / "lecture_torch.ipy"


def printed(source: str) -> list[str]:
    return run_program("import torch\n" + source).printed


def refused(source: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        run_program("import torch\n" + source)
    return info.value


def test_the_lecture_cell_prints_what_pytorch_printed() -> None:
    program = run_program(LECTURE_CELL.read_text(encoding="utf-8"))
    recorded = (STAND_INS / "lecture_torch.out").read_text(encoding="utf-8").splitlines()
    assert program.printed == recorded  # exactly: b is rounded to float32 before .double()
    assert recorded[0] == "0.7071066904050358" and recorded[2] == "x2 0.5000001283844369"


def test_the_lecture_cell_draws_its_graph() -> None:
    p = run_program(LECTURE_CELL.read_text(encoding="utf-8"))
    assert p.backward_called and p.output is not None and p.output.label == "o"
    assert p.output.data == pytest.approx(0.7071066904050358, abs=0) and p.output._op == "tanh"
    labels = set()
    stack = [p.output]
    while stack:
        v = stack.pop()
        labels.add(v.label)
        stack.extend(v._prev)
    assert {"x1", "x2", "w1", "w2", "b", "n", "o"} <= labels
    assert p.losses == [p.output.data]


def test_the_run_says_torch_is_a_stand_in_wherever_its_results_show(capsys, tmp_path) -> None:
    p = run_program(LECTURE_CELL.read_text(encoding="utf-8"))
    assert p.notes == [NOTE] and "stand-in" in NOTE and "not PyTorch" in NOTE
    assert p.console_lines()[0] == f"note: {NOTE}" and p.console_lines()[1:] == p.printed
    assert NOTE not in "\n".join(p.printed)  # the program's own output stays PyTorch's
    assert wire.decode_program(wire.loads(wire.dumps(wire.encode_program(p)))).notes == [NOTE]
    assert run_program("import math\nprint(1)").notes == []
    path = tmp_path / "cell.py"
    path.write_text(LECTURE_CELL.read_text(encoding="utf-8"), encoding="utf-8")
    assert cli.main(["run", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"note: {NOTE}" and out[1:7] == p.printed


@pytest.mark.parametrize(
    "expression, text",
    [
        ("torch.Tensor([2.0])", "tensor([2.])"),
        ("torch.tensor([1, 2])", "tensor([1, 2])"),
        ("torch.tensor(3.5)", "tensor(3.5000)"),
        ("torch.tensor([0.1, 1000.5, -2.0])", "tensor([ 1.0000e-01,  1.0005e+03, -2.0000e+00])"),
        ("torch.tensor([0.5, -1.25])", "tensor([ 0.5000, -1.2500])"),
        ("torch.tensor([2.0]).double()", "tensor([2.], dtype=torch.float64)"),
        ("torch.tensor([2.0], requires_grad=True)", "tensor([2.], requires_grad=True)"),
        ("torch.tanh(torch.tensor([0.8814], dtype=torch.float64, requires_grad=True))",
         "tensor([0.7071], dtype=torch.float64, grad_fn=<TanhBackward0>)"),
        ("torch.zeros(3)", "tensor([0., 0., 0.])"),
        ("-torch.tensor([1, 2])", "tensor([-1, -2])"),
        ("torch.tensor([1, 2]) / 2", "tensor([0.5000, 1.0000])"),
        ("torch.tanh(torch.tensor([0]))", "tensor([0.])"),
        ("torch.float64", "torch.float64"),
        ("torch.tensor([1.0]).dtype", "torch.float32"),
    ],
)
def test_tensors_print_as_pytorch_prints_them(expression: str, text: str) -> None:
    assert printed(f"print({expression})") == [text]


def test_a_long_tensor_wraps_as_pytorch_wraps_it() -> None:
    first, second = printed("print(torch.tensor([float(i) + 0.5 for i in range(12)]))")
    assert first == "tensor([ 0.5000,  1.5000,  2.5000,  3.5000,  4.5000,  5.5000,  6.5000,  7.5000,"
    assert second == "         8.5000,  9.5000, 10.5000, 11.5000])"


def test_torch_Tensor_rounds_to_float32() -> None:
    lines = printed("print(torch.Tensor([0.1]).item())\nprint(torch.Tensor([0.1]).double().item())\n"
                    "print(torch.tensor([0.1], dtype=torch.float64).item())\nprint(torch.tensor([3]).item())")
    f32 = repr(float(np.float32(0.1)))
    assert lines == [f32, f32, "0.1", "3"]


def test_operators_with_numbers_on_either_side_give_pytorchs_gradients() -> None:
    lines = printed(
        "x = torch.tensor([1.5], dtype=torch.float64, requires_grad=True)\n"
        "y = (2 - x) / (x ** 2 + 1) * 3 + x.exp() - torch.tanh(x) + 2 ** x - 1 / x - (-x)\n"
        "y.backward()\n"
        "print(y.item(), x.grad.item(), y.grad_fn.name())"
    )
    y, grad, fn = lines[0].split()
    x = 1.5
    expect = (2 - x) / (x**2 + 1) * 3 + math.exp(x) - math.tanh(x) + 2**x - 1 / x + x
    d = (-(x**2 + 1) - (2 - x) * 2 * x) / (x**2 + 1) ** 2 * 3 + math.exp(x) - (1 - math.tanh(x) ** 2)
    d += math.log(2) * 2**x + 1 / x**2 + 1
    assert float(y) == pytest.approx(expect, rel=1e-12) and float(grad) == pytest.approx(d, rel=1e-12)
    assert fn == "SubBackward0"  # the last operation: ... - (-x)


def test_division_rounds_as_division_does() -> None:
    # the engine divides by multiplying with the reciprocal; a tensor's quotient is the true one
    assert printed("print((torch.tensor([1.0], dtype=torch.float64) / 3).item())") == [repr(1.0 / 3)]
    assert printed("print((7 / torch.tensor([10.0], dtype=torch.float64)).item())") == [repr(7 / 10)]


def test_small_tensors_work_elementwise_and_broadcast_one_number() -> None:
    lines = printed(
        "a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\n"
        "s = (a * torch.tensor([2.0]) + a ** 2).sum()\n"
        "s.backward()\nprint(a.grad)\nprint(s)\nprint(a.tolist(), a.numel(), a.shape, (a * 2).mean().item())"
    )
    assert lines == [
        "tensor([4., 6., 8.])",
        "tensor(26., grad_fn=<SumBackward0>)",
        "[1.0, 2.0, 3.0] 3 (3,) 4.0",
    ]
    err = refused("x = torch.tensor([1.0, 2.0]) + torch.tensor([1.0, 2.0, 3.0])")
    assert "The size of tensor a (2) must match the size of tensor b (3)" in err.message and err.line == 2


def test_leaf_gradients_accumulate_and_others_stay_none() -> None:
    lines = printed(
        "x = torch.tensor([3.0], dtype=torch.float64, requires_grad=True)\n"
        "y = x * x\ny.backward()\nz = x * x\nz.backward()\n"
        "c = torch.tensor([1.0])\nw = c * x\nw.backward()\n"
        "print(x.grad.item(), y.grad, c.grad, x.is_leaf, y.is_leaf, c.requires_grad, w.requires_grad)\n"
        "x.grad = None\n(x * 5).backward()\nprint(x.grad)"
    )
    assert lines == ["13.0 None None True False False True", "tensor([5.], dtype=torch.float64)"]


def test_a_training_loop_in_pytorchs_style_converges() -> None:
    lines = printed(
        "torch.manual_seed(42)\n"
        "w = torch.tensor([0.0], requires_grad=True)\n"
        "for k in range(60):\n"
        "    loss = (w - 3) ** 2\n"
        "    w.grad = None\n"
        "    loss.backward()\n"
        "    w.data += -0.1 * w.grad\n"
        "print(round(w.item(), 3), isinstance(w, torch.Tensor), torch.is_tensor(3))"
    )
    assert lines == ["3.0 True False"]


def test_tensor_values_are_gradlab_values_in_the_graph() -> None:
    p = run_program(
        "import torch\nx = torch.tensor([2.0], requires_grad=True)\ny = torch.relu(x * 4)\ny.backward()"
    )
    assert isinstance(p.output, Value) and p.output._op == Value(1.0).relu()._op and p.output.label == "y"
    assert p.output.data == 8.0 and p.output.grad == 1.0


@pytest.mark.parametrize(
    "source, message",
    [
        ("torch.nn", "torch.nn is not part of gradlab's stand-in torch: it has Tensor, tensor"),
        ("y = torch.randn(3)", "torch.randn is not part of gradlab's stand-in torch"),
        ("x = torch.tensor([1.0])\nx.view(1)", "'.view' is not part of gradlab's stand-in torch Tensor: it"),
        ("x = torch.tensor([1.0])\nx.torch", "'.torch' is not part of gradlab's stand-in torch Tensor"),
        ("x = torch.tensor([1.0])\nx.values", "'.values' is not part of gradlab's stand-in torch Tensor"),
        ("x = torch.tensor([1.0])\nx.__class__", "'__class__' is not available here"),
        ("torch.tensor([[1.0, 2.0]])", "holds 0-d and 1-d tensors"),
        ("torch.tensor([1.0]) % 2", "has + - * / ** on tensors, not '%'"),
        ("torch.tensor([1.0]) + 'a'", "can't use a Tensor and text with '+'"),
        ("torch.tensor([1.0, 2.0]).backward()", "backward() without a gradient needs a tensor with one"),
        ("torch.tensor([1.0]).backward()", "element 0 of tensors does not require grad"),
        ("torch.tensor([1.0, 2.0]).item()", "item() needs a tensor with one element"),
        ("torch.tensor([1]).requires_grad = True", "only Tensors of floating point"),
        ("torch.Tensor(3)", "torch.Tensor() takes one list of numbers here"),
        ("torch.zeros(10 ** 6)", "keeps tensors small: at most 10,000 numbers"),
        ("x = torch.tensor([1.0])\nx.shape = 2", "'.shape' can't be set on a Tensor here"),
    ],
)
def test_what_the_stand_in_lacks_is_refused_by_name(source: str, message: str) -> None:
    err = refused(source)
    assert message in err.message, err.message
    assert err.line == source.count("\n") + 2


@pytest.mark.parametrize(
    "source", ["import torch.nn as nn", "from torch import nn", "import torch.optim as o"]
)
def test_importing_what_the_stand_in_lacks_is_refused_by_name(source: str) -> None:
    with pytest.raises(ExpressionError) as info:
        run_program(source)
    assert "is not part of gradlab's stand-in torch: it has Tensor, tensor" in info.value.message


def test_the_language_reference_describes_the_stand_in() -> None:
    from gradlab import resources
    from gradlab.lang.torch_tensor import MAX_TENSOR_ITEMS

    reference = " ".join(resources.read_text("language.md").split())
    assert f"at most {MAX_TENSOR_ITEMS:,} numbers" in reference
    assert f"`note: {NOTE.split(': ')[0]}: ...`" in reference


def test_indexing_and_looping_give_zero_d_tensors_whose_gradients_reach_the_leaf() -> None:
    lines = printed(
        "x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
        "print(x[0], x[-1].item(), [v.item() for v in x])\n"
        "y = x[1] * 3\ny.backward()\nprint(x.grad)"
    )
    assert lines == ["tensor(1., grad_fn=<SelectBackward0>) 2.0 [1.0, 2.0]", "tensor([0., 3.])"]
    assert "out of bounds for dimension 0 with size 2" in refused("torch.tensor([1.0, 2.0])[2]").message
    assert "iteration over a 0-d tensor" in refused("for v in torch.tensor(1.0):\n    pass").message


def test_float_and_int_of_a_one_number_tensor() -> None:
    assert printed("x = torch.tensor([2.5], dtype=torch.float64)\nprint(float(x), int(x), float(x[0]))") == [
        "2.5 2 2.5"
    ]
    err = refused("float(torch.tensor([1.0, 2.0]))")
    assert "a conversion to a Python number needs a tensor with one element" in err.message
    err = refused("from graphviz import Digraph\nint(Digraph())")
    assert "can't make a number of a Digraph" in err.message


def test_comparisons_go_number_by_number_as_pytorchs_do() -> None:
    lines = printed(
        "a = torch.tensor([2.5, 1.0])\n"
        "print(a == torch.tensor([2.5]), 3 > a, (torch.tensor(1.0) < 2).item(), a == None, a != 'x')\n"
        "if torch.tensor([2.0]) > 1:\n    print('x=%s' % a)"
    )
    assert lines == [
        "tensor([ True, False]) tensor([True, True]) True False True",
        "x=tensor([2.5000, 1.0000])",
    ]
    assert "can't compare a Tensor and text with '<'" in refused("torch.tensor([1.0]) < 'a'").message


def test_converting_a_tensor_that_requires_grad_keeps_its_graph() -> None:
    lines = printed(
        "x = torch.tensor([0.1], dtype=torch.float64, requires_grad=True)\n"
        "y = x.float()\nz = y.double()\nprint(y, z.dtype, y.item(), x.long())\n"
        "(z * 2).backward()\nprint(x.grad)"
    )
    assert lines == [
        f"tensor([0.1000], grad_fn=<ToCopyBackward0>) torch.float64 {float(np.float32(0.1))!r} tensor([0])",
        "tensor([2.], dtype=torch.float64)",
    ]

"""gradlab's stand-in ``torch``: scalar and small 1-d tensors on gradlab's own Values.

Enough for the lecture's PyTorch cell and programs written like it: ``torch.Tensor([2.0])``
(float32, as PyTorch makes it: the numbers are rounded to float32), ``torch.tensor(...)``,
``.double()``/``.float()``, ``.requires_grad``, ``+ - * / **`` with tensors and numbers on
either side (elementwise, a 1-element or 0-d tensor broadcast), ``torch.tanh/exp/log/relu/
sigmoid`` and the same methods, ``.sum()``, ``.mean()``, ``.backward()``, ``.grad``,
``.data``, ``.item()``, ``.tolist()``, ``torch.manual_seed``; tensors print as PyTorch prints
them (gradlab.lang.torch_tensor, gradlab.lang.torch_format).  Every element is a gradlab
Value, so a tensor's graph is a graph gradlab can show: ``backward()`` chooses it as the
output, as a Value's ``backward()`` does.  Importing torch adds a note to the run
(``Program.notes``) saying that this is gradlab's stand-in.

Anything else is refused with a message naming what the stand-in has.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import numpy as np

from gradlab.lang.objects import Builtin, Refusal, StandIn, describe, is_number
from gradlab.lang.torch_tensor import (
    FLOAT32,
    FLOAT64,
    INT64,
    MAX_TENSOR_ITEMS,
    UNARY,
    DType,
    Tensor,
    Torch,
    unary_op,
)

if TYPE_CHECKING:
    from gradlab.lang.runtime import Run

#: what a run's notes say once a program imports torch
NOTE = "torch here is gradlab's stand-in, not PyTorch: see the language reference"


# -- the module ------------------------------------------------------------------------------------------


def _numbers(run: Run, node: ast.AST | None, data: object, what: str) -> tuple[list, tuple]:
    """The numbers of ``data`` (a number, or one list/tuple/array of numbers) and their shape."""
    if type(data) is Tensor:
        return data.numbers(), data.shape
    if is_number(data):
        return [data], ()
    if type(data) is np.ndarray and data.ndim <= 1:
        data = data.tolist()
    if type(data) in (list, tuple, np.ndarray):
        if len(data) > MAX_TENSOR_ITEMS:
            raise Refusal(node, f"gradlab's stand-in torch keeps tensors small: at most "
                                f"{MAX_TENSOR_ITEMS:,} numbers")
        if all(is_number(x) for x in data):
            return list(data), (len(data),)
    raise Refusal(node, f"{what} needs a number or one list of numbers here (gradlab's stand-in torch "
                        f"holds 0-d and 1-d tensors), not {describe(data)}")


def _dtype_of(numbers: list, dtype: object, node: ast.AST | None) -> DType:
    if dtype is None:
        whole = all(type(x) in (int, bool) or isinstance(x, np.integer) for x in numbers)
        return INT64 if numbers and whole else FLOAT32
    if type(dtype) is not DType:
        raise Refusal(node, f"dtype= needs a torch dtype like torch.float64, not {describe(dtype)}")
    return dtype


def torch_module(run: Run) -> TorchModule:
    """The ``torch`` module a program imports (one per run); the run's notes say it is a stand-in."""
    torch = Torch(run)
    if NOTE not in run.program.notes:
        run.program.notes.append(NOTE)
    attrs: dict[str, object] = {
        "Tensor": Builtin("torch.Tensor", _maker(torch, _tensor_class), Tensor),
        "tensor": Builtin("torch.tensor", _maker(torch, _tensor)),
        "zeros": Builtin("torch.zeros", _maker(torch, _filled, 0.0)),
        "ones": Builtin("torch.ones", _maker(torch, _filled, 1.0)),
        "manual_seed": Builtin("torch.manual_seed", _maker(torch, _manual_seed)),
        "is_tensor": Builtin("torch.is_tensor", _is_tensor),
        **{name: Builtin(f"torch.{name}", _function(name)) for name in UNARY},
        "float32": FLOAT32,
        "float": FLOAT32,
        "float64": FLOAT64,
        "double": FLOAT64,
        "int64": INT64,
        "long": INT64,
    }
    return TorchModule(attrs)


def _maker(torch: Torch, impl, *extra: object):
    """A built-in calling ``impl(torch, node, args, kwargs, *extra)``: it makes this run's tensors."""
    return lambda run, node, args, kwargs: impl(torch, node, args, kwargs, *extra)


def _tensor(torch: Torch, node: ast.AST, args: list, kwargs: dict) -> Tensor:
    if len(args) != 1 or set(kwargs) - {"dtype", "requires_grad"}:
        raise Refusal(node, "torch.tensor() takes the numbers, and optionally dtype= and requires_grad=")
    numbers, shape = _numbers(torch.run, node, args[0], "torch.tensor()")
    dtype = _dtype_of(numbers, kwargs.get("dtype"), node)
    return torch.make(node, numbers, shape, dtype, kwargs.get("requires_grad", False))


def _tensor_class(torch: Torch, node: ast.AST, args: list, kwargs: dict) -> Tensor:
    if len(args) != 1 or kwargs or type(args[0]) not in (list, tuple):
        raise Refusal(node, "torch.Tensor() takes one list of numbers here, like torch.Tensor([2.0])")
    numbers, shape = _numbers(torch.run, node, args[0], "torch.Tensor()")
    return torch.make(node, numbers, shape, FLOAT32)


def _filled(torch: Torch, node: ast.AST, args: list, kwargs: dict, value: float) -> Tensor:
    """``torch.zeros(n)`` and ``torch.ones(n)``."""
    if len(args) != 1 or type(args[0]) is not int or args[0] < 0 or set(kwargs) - {"dtype", "requires_grad"}:
        raise Refusal(node, "torch.zeros() and torch.ones() take one length here (1-d tensors only)")
    n = min(args[0], MAX_TENSOR_ITEMS + 1)  # make() refuses a longer one
    dtype = _dtype_of([0.0], kwargs.get("dtype"), node)
    return torch.make(node, [value] * n, (args[0],), dtype, kwargs.get("requires_grad", False))


def _manual_seed(torch: Torch, node: ast.AST, args: list, kwargs: dict) -> None:
    if len(args) != 1 or kwargs or type(args[0]) is not int:
        raise Refusal(node, "torch.manual_seed() takes one whole number")
    torch.seed = args[0]


def _is_tensor(run: Run, node: ast.AST, args: list, kwargs: dict) -> bool:
    return type(_one(node, "is_tensor", args, kwargs)[0]) is Tensor


def _function(name: str):
    return lambda run, node, args, kwargs: unary_op(run, node, _one(node, name, args, kwargs)[0], name)


def _one(node: ast.AST, name: str, args: list, kwargs: dict) -> list:
    if len(args) != 1 or kwargs:
        raise Refusal(node, f"torch.{name}() takes one tensor here")
    return args


class TorchModule(StandIn):
    """``import torch``: the stand-in's functions and dtypes, and a message naming them for the rest."""

    __slots__ = ("name", "attrs")
    description = "a module"

    def __init__(self, attrs: dict) -> None:
        self.name, self.attrs = "torch", attrs

    def attribute(self, run: Run, name: str, node: ast.AST | None) -> object:
        if name in self.attrs:
            return self.attrs[name]
        raise Refusal(node, missing(f"torch.{name}"))

    def text(self, run: Run, node: ast.AST | None) -> str:
        return "<module 'torch' (gradlab's stand-in)>"


def missing(what: str) -> str:
    """The message for a part of PyTorch the stand-in does not have."""
    return (
        f"{what} is not part of gradlab's stand-in torch: it has Tensor, tensor, zeros, ones, "
        f"{', '.join(UNARY)}, manual_seed, is_tensor and the dtypes float32, float64 and int64 "
        "(see the language reference)"
    )

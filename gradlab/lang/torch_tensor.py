"""The tensors of gradlab's stand-in torch (gradlab.lang.torch_stub): 0-d and 1-d, one gradlab
Value per number, a dtype, PyTorch's autograd flags, its operators and methods, and
PyTorch's ``backward()`` (gradients afresh through the graph, added to the ``.grad`` of the
leaves that require grad)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import numpy as np

from gradlab.engine import Value, topological_order
from gradlab.lang.arith import number_op, value_op
from gradlab.lang.objects import Method, Refusal, StandIn, describe, is_number
from gradlab.lang.torch_format import tensor_text

if TYPE_CHECKING:
    from gradlab.lang.runtime import Run

#: the most numbers one tensor of the stand-in holds
MAX_TENSOR_ITEMS = 10_000
_OPS = ("+", "-", "*", "/", "**")
UNARY = ("tanh", "exp", "log", "relu", "sigmoid")
_BACKWARD_NAMES = {"+": "AddBackward0", "-": "SubBackward0", "*": "MulBackward0", "/": "DivBackward0",
                   "**": "PowBackward0"}


class DType(StandIn):
    """``torch.float32``, ``torch.float64`` or ``torch.int64``."""

    __slots__ = ("name", "floating")
    description = "a torch dtype"

    def __init__(self, name: str, floating: bool) -> None:
        self.name, self.floating = name, floating

    def attribute(self, run: Run, name: str, node: ast.AST | None) -> object:
        if name == "is_floating_point":
            return self.floating
        return super().attribute(run, name, node)

    def text(self, run: Run, node: ast.AST | None) -> str:
        return f"torch.{self.name}"


FLOAT32, FLOAT64, INT64 = DType("float32", True), DType("float64", True), DType("int64", False)
BOOL = DType("bool", False)
#: ``a op b`` read from the other side (``1 < t`` is ``t > 1``)
_FLIPPED = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}


def rounded(dtype: DType, x: float) -> float:
    """``x`` as a tensor of ``dtype`` holds it: float32 rounds (numpy's cast), int64 truncates."""
    if dtype is FLOAT32:
        with np.errstate(all="ignore"):
            return float(np.float32(x))
    if dtype is INT64:
        return float(int(x)) if x == x and abs(x) != float("inf") else 0.0
    return x


class GradFn(StandIn):
    """What ``t.grad_fn`` shows: the name of the operation that made a tensor."""

    __slots__ = ("name",)
    description = "a grad_fn"

    def __init__(self, name: str) -> None:
        self.name = name

    def attribute(self, run: Run, name: str, node: ast.AST | None) -> object:
        if name == "name":
            return Method(self, name, lambda run, node, obj, n, args, kwargs: obj.name)
        return super().attribute(run, name, node)

    def text(self, run: Run, node: ast.AST | None) -> str:
        return f"<{self.name} object at {id(self):#x}>"


class Torch:
    """One run's torch: the leaves that require grad (by their Values) and the seed."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.leaves: dict[int, tuple[Tensor, int]] = {}  # id of a leaf's Value -> (tensor, index)
        self.seed: int | None = None

    def make(self, node: ast.AST | None, numbers: list[float], shape: tuple, dtype: DType,
             requires_grad: bool = False) -> Tensor:
        """A new leaf tensor of fresh Values holding ``numbers`` (rounded to ``dtype``)."""
        if len(numbers) > MAX_TENSOR_ITEMS:
            raise Refusal(node, f"gradlab's stand-in torch keeps tensors small: at most "
                                f"{MAX_TENSOR_ITEMS:,} numbers, not {len(numbers):,}")
        track = self.run.track
        values = [track(Value(rounded(dtype, float(x))), node) for x in numbers]
        t = Tensor(self, values, shape, dtype)
        if requires_grad:
            t.set_requires_grad(True, node)
        return t


class Tensor(StandIn):
    """A 0-d or 1-d tensor: one gradlab Value per number, a dtype, and PyTorch's autograd flags."""

    __slots__ = ("torch", "values", "shape", "dtype", "requires_grad", "grad", "grad_fn")
    description = "a Tensor"

    def __init__(self, torch: Torch, values: list[Value], shape: tuple, dtype: DType,
                 requires_grad: bool = False, grad_fn: str | None = None) -> None:
        self.torch, self.values, self.shape, self.dtype = torch, values, shape, dtype
        self.requires_grad, self.grad_fn = requires_grad, grad_fn
        self.grad: Tensor | None = None

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def numbers(self) -> list:
        """The numbers it holds: floats, or ints for an integer dtype."""
        if self.dtype.floating:
            return [v.data for v in self.values]
        if self.dtype is BOOL:
            return [bool(v.data) for v in self.values]
        return [int(v.data) for v in self.values]

    def set_requires_grad(self, flag: object, node: ast.AST | None) -> None:
        if type(flag) is not bool:
            raise Refusal(node, f"'.requires_grad' needs True or False, not {describe(flag)}")
        if flag and not self.dtype.floating:
            raise Refusal(node, "RuntimeError: only Tensors of floating point and complex dtype can require "
                                "gradients")
        if not self.is_leaf and not flag:
            raise Refusal(node, "RuntimeError: you can only change requires_grad flags of leaf variables.")
        self.requires_grad = flag
        if self.is_leaf:
            leaves = self.torch.leaves
            for i, v in enumerate(self.values):
                if flag:
                    leaves[id(v)] = (self, i)
                else:
                    leaves.pop(id(v), None)

    # -- what a program reads and sets --------------------------------------------------------

    def attribute(self, run: Run, name: str, node: ast.AST | None) -> object:
        if name in TENSOR_METHODS:
            return Method(self, name, _tensor_method)
        if name == "data":
            return Tensor(self.torch, self.values, self.shape, self.dtype)
        if name == "grad":
            return self.grad if self.is_leaf else None
        if name in ("requires_grad", "dtype", "shape", "is_leaf"):
            return getattr(self, name)
        if name == "grad_fn":
            return None if self.grad_fn is None else GradFn(self.grad_fn)
        if name == "ndim":
            return len(self.shape)
        raise Refusal(
            node,
            f"'.{name}' is not part of gradlab's stand-in torch Tensor: it has "
            f"{', '.join(sorted((*TENSOR_METHODS, *_ATTRIBUTES)))}",
        )

    def set_attribute(self, run: Run, name: str, value: object, node: ast.AST | None) -> None:
        if name == "requires_grad":
            self.set_requires_grad(value, node)
        elif name == "grad":
            if value is not None and not (type(value) is Tensor and value.shape == self.shape):
                raise Refusal(node, f"'.grad' needs None or a tensor of shape {list(self.shape)}, "
                                    f"not {describe(value)}")
            self.grad = value
        elif name == "data":
            self.set_data(run, value, node)
        else:
            raise Refusal(node, f"'.{name}' can't be set on a Tensor here")

    def set_data(self, run: Run, value: object, node: ast.AST | None) -> None:
        """``t.data = x``: the numbers change in place (the graph keeps its Values)."""
        if is_number(value):
            value = self.torch.make(node, [value], (), self.dtype)
        if type(value) is not Tensor:
            raise Refusal(node, f"'.data' needs a tensor, not {describe(value)}")
        if value.shape != self.shape and len(value.values) != 1:
            raise Refusal(node, f"'.data' needs a tensor of shape {list(self.shape)} here, "
                                f"not {list(value.shape)}")
        for i, v in enumerate(self.values):
            v.data = rounded(self.dtype, value.values[i if len(value.values) > 1 else 0].data)

    # -- operators and text -------------------------------------------------------------------------

    def operate(self, run: Run, op: str, other: object, swapped: bool, node: ast.AST | None) -> object:
        return binary(run, node, op, other, self) if swapped else binary(run, node, op, self, other)

    def compare(self, run: Run, op: str, other: object, swapped: bool, node: ast.AST | None) -> Tensor:
        """``self op other`` number by number: a tensor of torch.bool, as PyTorch gives it."""
        if op not in _FLIPPED:
            raise Refusal(node, f"can't use '{op}' with a Tensor here")
        op = _FLIPPED[op] if swapped else op
        y = _operand(other)
        if y is None:
            if op in ("==", "!="):  # t == None: not equal, as PyTorch answers
                return (self is other) == (op == "==")
            raise Refusal(node, f"can't compare a Tensor and {describe(other)} with '{op}'")
        n = _length(node, self, y)
        truth = [run.compare(op, self.values[i if len(self.values) > 1 else 0].data,
                             _item(y, i).data if type(y) is Tensor else y, node) for i in range(n)]
        shape = () if self.shape == () and (type(y) is not Tensor or y.shape == ()) else (n,)
        return self.torch.make(node, [float(t) for t in truth], shape, BOOL)

    def unary(self, run: Run, op: str, node: ast.AST | None) -> object:
        if op == "+":
            return self
        return elementwise(run, node, self, lambda v: -v, "NegBackward0", self.dtype)

    def truth(self, run: Run, node: ast.AST | None) -> bool:
        return bool(self.single(node, "bool()").data)

    def number(self, node: ast.AST | None) -> float | int:
        self.single(node, "a conversion to a Python number")
        return self.numbers()[0]

    def index(self, run: Run, key: object, node: ast.AST | None) -> Tensor:
        """``t[i]``: the i-th number as a 0-d tensor, the same Value (its gradient reaches t's)."""
        if self.shape == ():
            raise Refusal(node, "IndexError: invalid index of a 0-dim tensor")
        if type(key) not in (int, bool) and not isinstance(key, np.integer):
            raise Refusal(node, f"a tensor here is indexed by one whole number, not {describe(key)}")
        n = len(self.values)
        if not -n <= key < n:
            raise Refusal(node, f"IndexError: index {key} is out of bounds for dimension 0 with size {n}")
        grad_fn = "SelectBackward0" if self.requires_grad else None
        return Tensor(self.torch, [self.values[int(key)]], (), self.dtype, self.requires_grad, grad_fn)

    def items(self, run: Run, node: ast.AST | None) -> list:
        if self.shape == ():
            raise Refusal(node, "TypeError: iteration over a 0-d tensor")
        return [self.index(run, i, node) for i in range(len(self.values))]

    def single(self, node: ast.AST | None, what: str) -> Value:
        if len(self.values) != 1:
            raise Refusal(node, f"RuntimeError: {what} needs a tensor with one element; this one has "
                                f"{len(self.values)} elements")
        return self.values[0]

    def text(self, run: Run, node: ast.AST | None) -> str:
        suffixes = [] if self.dtype in (FLOAT32, INT64, BOOL) else [f"dtype=torch.{self.dtype.name}"]
        if self.grad_fn is not None:
            suffixes.append(f"grad_fn=<{self.grad_fn}>")
        elif self.requires_grad:
            suffixes.append("requires_grad=True")
        return tensor_text(self.numbers(), self.shape == (), self.dtype.floating, suffixes)


_ATTRIBUTES = ("data", "grad", "requires_grad", "dtype", "shape", "is_leaf", "grad_fn", "ndim")


# -- operations ----------------------------------------------------------------------------------------


def _promoted(a: object, b: object) -> DType:
    """PyTorch's result type: a tensor's float dtype wins over a number; float64 over float32."""
    tensors = [x for x in (a, b) if type(x) is Tensor]
    dtypes = {t.dtype for t in tensors}
    if FLOAT64 in dtypes:
        return FLOAT64
    if FLOAT32 in dtypes or any(type(x) is float for x in (a, b)):
        return FLOAT32
    return INT64


def _operand(x: object) -> object:
    """A tensor, or a number as Python holds it (numpy's as Python's; True as 1); else None."""
    if type(x) is Tensor:
        return x
    if is_number(x):
        return int(x) if type(x) is bool or isinstance(x, (int, np.integer)) else float(x)
    return None


def _length(node: ast.AST | None, a: object, b: object) -> int:
    """How many numbers the result holds: tensors of one number broadcast against longer ones."""
    sizes = [len(x.values) for x in (a, b) if type(x) is Tensor and x.shape != ()]
    n = max(sizes, default=1)
    for s in sizes:
        if s not in (1, n):
            raise Refusal(node, f"RuntimeError: The size of tensor a ({sizes[0]}) must match the size of "
                                f"tensor b ({sizes[-1]}) at non-singleton dimension 0")
    return n


def _item(x: object, i: int) -> object:
    if type(x) is not Tensor:
        return x
    return x.values[i if len(x.values) > 1 else 0]


def _result(run: Run, node: ast.AST | None, values: list[Value], shape: tuple, dtype: DType,
            parents: tuple, grad_fn: str) -> Tensor:
    torch = next(x.torch for x in parents if type(x) is Tensor)
    requires = any(type(x) is Tensor and x.requires_grad for x in parents)
    for v in values:
        v.data = rounded(dtype, v.data)
        run.track(v, node)
    return Tensor(torch, values, shape, dtype, requires, grad_fn if requires else None)


def binary(run: Run, node: ast.AST | None, op: str, a: object, b: object) -> Tensor:
    """``a op b`` elementwise, one of them a tensor."""
    if op not in _OPS:
        raise Refusal(node, f"gradlab's stand-in torch has + - * / ** on tensors, not '{op}'")
    x, y = _operand(a), _operand(b)
    if x is None or y is None:
        raise Refusal(node, f"can't use {describe(a)} and {describe(b)} with '{op}'")
    a, b = x, y
    n = _length(node, a, b)
    values = []
    for i in range(n):
        x, y = _item(a, i), _item(b, i)
        if type(x) is Value:
            out = value_op(op, x, y)
        else:  # a number on the left: the engine's reflected ops
            out = value_op(op, y, x) if op in ("+", "*") else _swapped(op, x, y)
        if op == "/":  # the quotient as division rounds it (the engine multiplies by y**-1)
            out.data = number_op("/", x.data if type(x) is Value else x, y.data if type(y) is Value else y)
        values.append(out)
    shape = () if all(type(x) is not Tensor or x.shape == () for x in (a, b)) else (n,)
    dtype = FLOAT32 if op == "/" and _promoted(a, b) is INT64 else _promoted(a, b)
    name = _BACKWARD_NAMES[op]
    if type(b) is Tensor and op == "**":
        name = "PowBackward1"
    elif type(a) is not Tensor and op == "-":
        name = "RsubBackward1"
    elif type(a) is not Tensor and op == "/":
        name = "MulBackward0"
    return _result(run, node, values, shape, dtype, (a, b), name)


def _swapped(op: str, x: float, y: Value) -> Value:
    """``x op y`` for a number ``x`` and a Value ``y``, by the engine's reflected ops."""
    if op == "-":
        return y.__rsub__(float(x))
    if op == "/":
        return y.__rtruediv__(float(x))
    return y.__rpow__(float(x))


def elementwise(run: Run, node: ast.AST | None, t: Tensor, fn, grad_fn: str,
                dtype: DType | None = None) -> Tensor:
    """``fn`` of each number, as a new tensor of ``dtype`` (else t's, float32 for an integer t)."""
    dtype = dtype or (t.dtype if t.dtype.floating else FLOAT32)
    return _result(run, node, [fn(v) for v in t.values], t.shape, dtype, (t,), grad_fn)


def unary_op(run: Run, node: ast.AST | None, t: object, name: str) -> Tensor:
    """``torch.tanh(t)`` and its kin: the engine's op on each number."""
    if type(t) is not Tensor:
        raise Refusal(node, f"torch.{name}() needs a tensor, not {describe(t)}")
    return elementwise(run, node, t, lambda v: getattr(v, name)(), f"{name.capitalize()}Backward0")


def backward(run: Run, node: ast.AST | None, t: Tensor) -> None:
    """PyTorch's ``backward()``: gradients afresh through the graph, added to the leaves' ``.grad``."""
    root = t.single(node, "backward() without a gradient")
    if not t.requires_grad:
        raise Refusal(node, "RuntimeError: element 0 of tensors does not require grad and does not have "
                            "a grad_fn")
    run.check_time(node)
    order = topological_order(root)
    for v in order:
        v.grad = 0.0
    root.grad = 1.0
    for v in reversed(order):
        fn = v._grad_fn
        if fn is not None:
            fn(v)
    leaves = t.torch.leaves
    for v in order:
        found = leaves.get(id(v))
        if found is not None:
            _add_grad(found[0], found[1], v.grad, node)
    _label_globals(run)
    run.backward_done(root)


def _label_globals(run: Run) -> None:
    """Name the Values of the tensors bound to global names (``x1``; ``xs[0]``, ``xs[1]`` ...), as
    a top-level assignment names a Value: the graph and its table then read as the program."""
    for name, x in run.globals.items():
        if type(x) is Tensor:
            values = x.values
            for i, v in enumerate(values):
                if not v.label:
                    v.label = name if len(values) == 1 else f"{name}[{i}]"


def _add_grad(leaf: Tensor, i: int, grad: float, node: ast.AST | None) -> None:
    if leaf.grad is None:
        leaf.grad = leaf.torch.make(node, [0.0] * len(leaf.values), leaf.shape, leaf.dtype)
    v = leaf.grad.values[i]
    v.data = rounded(leaf.dtype, v.data + grad)


# -- methods ------------------------------------------------------------------------------------------


def _converted(run: Run, node: ast.AST | None, t: Tensor, dtype: DType) -> Tensor:
    """``t.double()``/``t.float()``: a new leaf, or, when t requires grad, the same Values."""
    if t.dtype is dtype:
        return t
    if not t.requires_grad:
        return t.torch.make(node, [v.data for v in t.values], t.shape, dtype)
    if dtype is FLOAT64:  # exact: the graph goes on through the same Values
        return Tensor(t.torch, t.values, t.shape, dtype, True, "ToCopyBackward0")
    if dtype.floating:  # float64 to float32: rounded, a new node per number
        return elementwise(run, node, t, lambda v: v * 1.0, "ToCopyBackward0", dtype)
    return t.torch.make(node, [v.data for v in t.values], t.shape, dtype)


def _sum(run: Run, node: ast.AST | None, t: Tensor, mean: bool) -> Tensor:
    total = t.values[0] if t.values else Value(0.0)
    for v in t.values[1:]:
        total = total + v
    if mean:
        total = total / float(len(t.values))
        total.data = number_op("/", sum(v.data for v in t.values), float(len(t.values)))
    dtype = t.dtype if t.dtype.floating or not mean else FLOAT32
    return _result(run, node, [total], (), dtype, (t,), "MeanBackward0" if mean else "SumBackward0")


def _tensor_method(run: Run, node: ast.AST, t: Tensor, name: str, args: list, kwargs: dict) -> object:
    if (args or kwargs) and name != "requires_grad_":
        raise Refusal(node, f"'.{name}()' takes no arguments in gradlab's stand-in torch")
    if name == "item":
        t.single(node, "item()")
        return t.numbers()[0]
    if name == "tolist":
        return t.numbers()[0] if t.shape == () else t.numbers()
    if name == "backward":
        return backward(run, node, t)
    if name in UNARY:
        return unary_op(run, node, t, name)
    if name in ("double", "float", "long"):
        return _converted(run, node, t, {"double": FLOAT64, "float": FLOAT32, "long": INT64}[name])
    if name in ("sum", "mean"):
        return _sum(run, node, t, name == "mean")
    if name == "detach":
        return Tensor(t.torch, t.values, t.shape, t.dtype)
    if name in ("numel", "dim"):
        return len(t.values) if name == "numel" else len(t.shape)
    if name == "size":
        return t.shape
    if name == "zero_":
        for v in t.values:
            v.data = 0.0
        return t
    flag = kwargs.get("requires_grad", args[0] if args else True)
    t.set_requires_grad(flag, node)
    return t


TENSOR_METHODS = ("item", "tolist", "backward", *UNARY, "double", "float", "long", "sum", "mean",
                  "detach", "numel", "dim", "size", "zero_", "requires_grad_")

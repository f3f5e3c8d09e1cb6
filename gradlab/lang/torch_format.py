"""How gradlab's stand-in torch spells a tensor: as PyTorch's ``torch/_tensor_str.py`` does for
0-d and 1-d tensors (four decimals, ``2.`` for whole numbers, scientific notation when the
numbers span too much, aligned, wrapped at 80 columns), with its ``dtype=``, ``requires_grad=``
and ``grad_fn=`` suffixes."""

from __future__ import annotations

import math

#: PyTorch's print options: precision, line width
PRECISION, LINE_WIDTH = 4, 80


def _float_formatter(values: list[float]):
    """The format of each number, as PyTorch's _Formatter picks it for floating tensors."""
    finite = [abs(v) for v in values if math.isfinite(v) and v != 0]
    if not finite:
        return lambda v: _special(v) or f"{v:.0f}."
    if all(v == math.ceil(v) for v in finite):  # whole numbers: '2.'
        if max(finite) / min(finite) > 1000.0 or max(finite) > 1.0e8:
            return lambda v: _special(v) or f"{v:.{PRECISION}e}"
        return lambda v: _special(v) or f"{v:.0f}."
    if max(finite) / min(finite) > 1000.0 or max(finite) > 1.0e8 or min(finite) < 1.0e-4:
        return lambda v: _special(v) or f"{v:.{PRECISION}e}"
    return lambda v: _special(v) or f"{v:.{PRECISION}f}"


def _special(v: float) -> str:
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return ""


def tensor_text(numbers: list, zero_d: bool, floating: bool, suffixes: list[str]) -> str:
    """``repr`` of a tensor holding ``numbers`` (ints for an integer dtype)."""
    if floating:
        form = _float_formatter(numbers)
        texts = [form(v) for v in numbers]
    else:
        texts = [str(v) if type(v) is bool else str(int(v)) for v in numbers]
    width = max((len(t) for t in texts), default=0)
    texts = [t.rjust(width) for t in texts]
    if zero_d:
        body = texts[0]
    elif not texts:
        body = "[]"
    else:
        indent = len("tensor(")  # as _vector_str counts it; the lines after the first start under '['
        per_line = max(1, (LINE_WIDTH - indent) // (width + 2))
        lines = [", ".join(texts[i : i + per_line]) for i in range(0, len(texts), per_line)]
        body = "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if zero_d and not suffixes:
        return f"tensor({body})"
    return "tensor(" + ", ".join([body, *suffixes]) + ")"

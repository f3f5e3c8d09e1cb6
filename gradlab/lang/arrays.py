"""numpy arrays in a program: indexing them and the attributes and methods they show."""

from __future__ import annotations

import ast
import math
from typing import TYPE_CHECKING

import numpy as np

from gradlab.lang import limits
from gradlab.lang.arguments import arguments
from gradlab.lang.objects import Method, Refusal, describe, python_error

if TYPE_CHECKING:
    from gradlab.lang.runtime import Run


def array_index(run: Run, x: np.ndarray, key: object, node: ast.AST) -> object:
    """``x[key]`` for a key of whole numbers, slices and None, or one 1-d array/list of them."""
    if type(key) in (list, np.ndarray):
        key = _index_list(x, key, node)
    else:
        for k in key if type(key) is tuple else (key,):
            if not (type(k) in (int, bool, slice) or k is None or isinstance(k, np.integer)):
                _bad_index(k, node)
    try:
        out = x[key]
    except (IndexError, ValueError) as e:
        raise Refusal(node, python_error(e)) from None
    if type(out) is np.ndarray:
        run.alloc(out.size, node)
    return out


def _index_list(x: np.ndarray, key: list | np.ndarray, node: ast.AST) -> np.ndarray:
    """An index list as an array, refused unless it is whole numbers or truth values, and
    unless what it picks (a row of a 2-d ``x`` per index) fits MAX_ITEMS: checked before numpy
    makes either (a list of long text would first become an array of text)."""
    if type(key) is list and not all(type(i) in (int, bool) or isinstance(i, np.integer) for i in key):
        _bad_index(key, node)
    k = np.asarray(key)
    if not (k.ndim == 1 and k.dtype.kind in "iub" and k.size <= limits.MAX_ITEMS):
        _bad_index(key, node)
    picked = int(np.count_nonzero(k)) if k.dtype.kind == "b" else k.size
    if picked * math.prod(x.shape[1:]) > limits.MAX_ITEMS:  # counted once made, by array_index
        raise Refusal(node, limits.ITEMS_MESSAGE)
    return k


def _bad_index(k: object, node: ast.AST) -> None:
    raise Refusal(
        node, f"an array index must be whole numbers, slices or one list of them, not {describe(k)}"
    )


def array_attribute(run: Run, x: np.ndarray, name: str, node: ast.AST) -> object:
    if name in ("shape", "size", "ndim"):
        return getattr(x, name)
    if name == "T":
        return x.T
    if name in ("tolist", "sum", "mean", "max", "min", "argmax", "argmin", "copy"):
        return Method(x, name, _array_method)
    raise Refusal(node, f"'.{name}' is not available on an array here")


def _array_method(run: Run, node: ast.AST, x: np.ndarray, name: str, args: list, kwargs: dict) -> object:
    arguments(node, name, args, kwargs, 0, 0)
    run.alloc(x.size, node)
    with np.errstate(all="ignore"):
        return getattr(x, name)()

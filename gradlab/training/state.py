"""Reading saved training state back: every field checked, a bad one named by its path.

A trainer's ``state_dict()`` (and the network lab's state around it) comes back from a file
that may have been edited by hand or written by another gradlab.  The decoders here check
each field's JSON type and range before anything is built from it, and raise
:class:`FieldError` naming the field's path and the problem, such as
``'network_lab.model.trainer.history[3][0]' must be a whole number 0 .. 2**53, not inf``.
Numbers that may be non-finite (losses, gradients, optimiser moments) are read as
:func:`gradlab.jsonio.decode_float` reads them (``"nan"``, ``"inf"``, ``"-inf"`` too).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from gradlab.jsonio import SessionError, _json_kind, decode_float

__all__ = ["MAX_STEP", "FieldError", "choice", "get", "number", "numbers", "obj", "optional", "shown", "text",
           "whole"]

#: the largest step count a saved state may hold (every smaller whole number is a float exactly)
MAX_STEP = 2**53


class FieldError(ValueError):
    """A saved field that cannot be used: ``where`` is its path (``trainer.optimizer``), ``problem``
    the rest of the sentence (``must be an object, not a number``)."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"'{where}' {problem}")
        self.where, self.problem = where, problem

    def within(self, prefix: str) -> FieldError:
        """The same problem, its path under ``prefix``."""
        return FieldError(f"{prefix}.{self.where}", self.problem)


def shown(x: object) -> str:
    """A JSON value as a message quotes it: numbers as themselves, anything else by its kind."""
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        text = repr(x)
        return text if len(text) <= 24 else f"{x:.6g}"
    if isinstance(x, str) and len(x) <= 40:
        return repr(x)
    return _json_kind(x)


def obj(x: object, where: str) -> dict:
    if not isinstance(x, dict):
        raise FieldError(where, f"must be an object, not {shown(x)}")
    return x


def get(d: dict, key: str, where: str) -> object:
    """``d[key]``; FieldError naming ``where.key`` if it is missing."""
    if key not in d:
        raise FieldError(f"{where}.{key}", "is missing")
    return d[key]


def text(x: object, where: str) -> str:
    if not isinstance(x, str):
        raise FieldError(where, f"must be text, not {shown(x)}")
    return x


def choice(x: object, where: str, allowed: Sequence[str]) -> str:
    if x not in allowed or not isinstance(x, str):
        raise FieldError(where, f"must be one of {', '.join(repr(a) for a in allowed)}, not {shown(x)}")
    return x


def whole(x: object, where: str, low: int = 0, high: int = MAX_STEP) -> int:
    if isinstance(x, bool) or not isinstance(x, int) or not low <= x <= high:
        shown_high = "2**53" if high == MAX_STEP else f"{high:,}"
        raise FieldError(where, f"must be a whole number {low:,} .. {shown_high}, not {shown(x)}")
    return x


def number(x: object, where: str, *, finite: bool = True, low: float = -math.inf, high: float = math.inf
           ) -> float:
    """A JSON number (or, unless ``finite``, one of the strings a session writes for nan and inf)."""
    if isinstance(x, str) and finite:
        raise FieldError(where, f"must be a finite number, not {x!r}" if x in ("nan", "inf", "-inf")
                         else "must be a number, not text")
    try:
        value = decode_float(x, where)
    except SessionError as err:
        raise FieldError(where, err.reason.removeprefix(f"'{where}' ")) from None
    if finite and not math.isfinite(value):
        raise FieldError(where, f"must be a finite number, not {value}")
    if not (low <= value <= high or math.isnan(value)):
        raise FieldError(where, f"must be a number {low:g} .. {high:g}, not {shown(x)}")
    return value


def optional(decode: Callable, x: object, where: str, **kwargs):
    """``decode(x, where, ...)``, or None for a JSON null."""
    return None if x is None else decode(x, where, **kwargs)


def numbers(x: object, where: str, size: int | None = None, *, finite: bool = True) -> np.ndarray:
    """A list of numbers as a float array (of ``size`` numbers when given)."""
    if not isinstance(x, list):
        raise FieldError(where, f"must be a list of numbers, not {shown(x)}")
    if size is not None and len(x) != size:
        raise FieldError(where, f"must hold {size:,} numbers (the network's), not {len(x):,}")
    if set(map(type, x)) <= {float, int}:  # the common case, checked at C speed
        try:
            arr = np.array(x, dtype=float)
        except OverflowError:  # an integer beyond any float
            arr = None
        if arr is not None and (not finite or np.isfinite(arr).all()):
            return arr
    return np.array([number(v, f"{where}[{i}]", finite=finite) for i, v in enumerate(x)], dtype=float)

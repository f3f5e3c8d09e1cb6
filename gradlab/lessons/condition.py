"""A step's ``done_when``: one expression of gradlab's program language over what the labs show.

The names it may read are LabState's fields (``lab``, ``selected``, ``h``, ``output``,
``backprop_step``, ``step``, ``loss``, ``accuracy``, ``dataset``, ``learning_rate``), the
functions ``data(name)`` and ``grad(name)`` (of a node by its label), ``isnan(x)``,
``nan`` and ``inf``, and the language's built-ins (``abs``, ``min``, ``max``, ``round``, ``tanh``,
``exp``...).  A condition is compiled once, when its lesson is read: one that does not parse, or
reads another name, is a LessonError naming its line.  Evaluating it never raises.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from gradlab.expr import Expression, ExpressionError
from gradlab.lang.library import builtins as language_builtins
from gradlab.lessons.model import LessonError

__all__ = ["CONDITION_NAMES", "Condition", "LabState"]

nan = math.nan


@dataclass
class LabState:
    """What ``done_when`` sees; the UI fills it from the labs after every change.

    ``lab``: "expression" or "network"; ``selected``: the selected node's label as the graph shows
    it ("" for none); ``h``: the probe's step; ``output``: the program's output value; ``nodes``:
    label -> (data, grad) for ``data(name)`` and ``grad(name)``; ``backprop_step``: steps taken in
    step-through backprop; ``step``, ``loss``, ``accuracy``: of the network lab's last training step
    (``nan`` before one); ``dataset`` and ``learning_rate``: the network lab's settings."""

    lab: str = "expression"
    selected: str = ""
    h: float = nan
    output: float = nan
    nodes: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    backprop_step: int = 0
    step: int = 0
    loss: float = nan
    accuracy: float = nan
    dataset: str = ""
    learning_rate: float = nan


#: the state's names a condition reads as variables (``nodes`` is read through data() and grad())
STATE_NAMES = tuple(f.name for f in fields(LabState) if f.name != "nodes")
#: the functions and constants a condition has beyond the language's built-ins
EXTRA_NAMES = ("data", "grad", "isnan", "nan", "inf")
#: every name a condition may read
CONDITION_NAMES = frozenset(STATE_NAMES + EXTRA_NAMES) | (set(language_builtins()) - {"print", "draw_dot"})


def _is_nan(x: object) -> bool:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"it needs a number, not {type(x).__name__}")
    return math.isnan(x)


class Condition:
    """``done_when`` compiled once; ``evaluate(state)`` says whether it holds now.

    ``problem`` keeps the text of the last evaluation's error ("" after one that worked), such as a
    ``data('q')`` naming no node: the condition is then False, never an exception."""

    def __init__(self, source: str, line: int = 0) -> None:
        self.source, self.line, self.problem = source, line, ""
        self._state = LabState()
        try:
            self._expression = Expression(source, {"data": self._data, "grad": self._grad, "isnan": _is_nan})
        except ExpressionError as e:
            raise LessonError(f"done_when does not parse: {e.message} ({source!r})", line) from None
        unknown = sorted(self._expression.free_names - CONDITION_NAMES)
        if unknown:
            raise LessonError(f"done_when reads {', '.join(repr(n) for n in unknown)}, which it cannot see; "
                              f"it can read {', '.join(STATE_NAMES + EXTRA_NAMES)}", line)

    def _node(self, name: object) -> tuple[float, float]:
        if not isinstance(name, str):
            raise TypeError(f"give a node's label as text, like 'x', not {name!r}")
        try:
            return self._state.nodes[name]
        except KeyError:
            raise ValueError(f"no node labelled {name!r} in the graph") from None

    def _data(self, name: object) -> float:
        return float(self._node(name)[0])

    def _grad(self, name: object) -> float:
        return float(self._node(name)[1])

    def evaluate(self, state: LabState) -> bool:
        """Whether the condition holds in ``state``; False (with ``problem`` set) on any error or
        on a result that is neither true nor false (a number: true when nonzero and not nan)."""
        self._state = state
        try:
            names = {name: getattr(state, name) for name in STATE_NAMES}
            names["nan"], names["inf"] = math.nan, math.inf
            result = self._expression.evaluate(names)
        except ExpressionError as e:
            self.problem = e.message
            return False
        except Exception as e:  # noqa: BLE001 -- never raise: the app evaluates this after every change
            self.problem = f"{type(e).__name__}: {e}"
            return False
        finally:
            self._state = LabState()
        self.problem = ""
        if isinstance(result, bool):
            return result
        if isinstance(result, (int, float)):
            return not math.isnan(result) and result != 0
        self.problem = f"done_when gave {type(result).__name__}, not True or False"
        return False

    def __repr__(self) -> str:
        return f"Condition({self.source!r})"

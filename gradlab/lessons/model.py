"""What a lesson is once read: a title, a summary and its steps (see resources/lessons/README.md)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_TOLERANCE", "Lesson", "LessonError", "Step", "read_number"]

#: how close a typed answer must be, relative to the answer (absolute when the answer is 0)
DEFAULT_TOLERANCE = 0.01
_SLACK = 1 + 1e-9
#: a number as a learner types it: 14, -0.5, .5, 1e-3, +2 (a decimal point, never a comma)
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class LessonError(ValueError):
    """A lesson file that cannot be used: the message names ``line N`` of the file and the problem.
    ``line`` is that line (0 when the problem has no place, like a file that cannot be read)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line, self.problem = line, message


def read_number(typed: str) -> float | None:
    """The number a learner typed (``"14"``, ``" -0.5 "``, ``"1e-3"``), or None when it is not one
    (``"1,5"``, ``"2/3"``, ``"fourteen"``, ``"nan"``)."""
    text = typed.strip() if isinstance(typed, str) else ""
    if not _NUMBER.fullmatch(text):
        return None
    x = float(text)
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class Step:
    """One step: Markdown ``text`` and what the step opens, asks and waits for.

    ``program`` opens in the expression lab, ``select`` names the node selected then (by its
    label as the graph shows it), ``network`` opens the network lab with those settings (TrainConfig
    fields and data settings: see gradlab.lessons.network).  ``ask`` is a question whose ``answer``
    is a number, right within ``tolerance`` (relative; absolute when the answer is 0); ``explain``
    is the reason shown with a revealed answer.  ``done_when`` is a condition in the program language
    (gradlab.lessons.condition).  ``highlight``: objectNames of widgets lit while the step shows.
    ``line``: the line of the step's ``[[step]]`` header in its file."""

    text: str
    program: str | None = None
    select: str | None = None
    network: Mapping | None = None
    ask: str | None = None
    answer: float | None = None
    tolerance: float = DEFAULT_TOLERANCE
    done_when: str | None = None
    hint: str | None = None
    explain: str | None = None
    highlight: tuple[str, ...] = ()
    line: int = 0

    @property
    def plain(self) -> bool:
        """A step that neither asks nor waits: pressing Next makes it done."""
        return self.ask is None and self.done_when is None

    def check(self, typed: str) -> bool | None:
        """True when ``typed`` is the answer (within the tolerance), False when it is another
        number, None when it cannot be read as a number (or the step asks nothing)."""
        x = read_number(typed)
        if x is None or self.answer is None:
            return None
        # the slack keeps a boundary right despite rounding: 14.14 is within 1% of 14
        if self.answer == 0:
            return abs(x) <= self.tolerance * _SLACK
        return abs(x - self.answer) <= self.tolerance * abs(self.answer) * _SLACK


@dataclass(frozen=True)
class Lesson:
    """A lesson: ``name`` is its file's stem (``01-derivative``), the id its progress is kept under."""

    name: str
    title: str
    summary: str
    steps: tuple[Step, ...]
    path: Path | None = None

    @property
    def number(self) -> int | None:
        """The number a built-in's file name starts with (``01-derivative`` is 1), if any."""
        digits = re.match(r"\d+", self.name)
        return int(digits.group()) if digits else None

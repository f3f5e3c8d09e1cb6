"""A learner's walk through one lesson, without Qt: the lesson panel is a thin view of it.

A step is done when its question is answered right (or its answer revealed), when its
``done_when`` holds, or, for a step with neither, when the learner presses Next.  A step with both
a question and a condition is done when both are: the answer right and the condition held once.  Next moves on
from a done step; Skip moves on from any step, leaving it not done; Back returns to the previous
step, which keeps whatever it had.  The lesson is complete when its last step is done.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gradlab.lessons.condition import Condition, LabState
from gradlab.lessons.model import Lesson, Step
from gradlab.numfmt import format_number

__all__ = ["WRONG_BEFORE_REVEAL", "Feedback", "LessonProgress", "answer_text"]

#: wrong answers after which the panel offers to reveal the answer
WRONG_BEFORE_REVEAL = 2
#: the longest typed answer kept in saved progress
MAX_ANSWER_CHARS = 200


def answer_text(x: float) -> str:
    """An answer as the panel writes it: ``14``, ``-0.5``, ``0.6667``."""
    text = format_number(x, short=True)
    return text[:-2] if text.endswith(".0") else text


@dataclass
class Feedback:
    """What a typed answer earned: ``correct`` None when it could not be read as a number;
    ``can_reveal`` once the learner has given WRONG_BEFORE_REVEAL wrong answers."""

    correct: bool | None
    message: str
    can_reveal: bool = False


class LessonProgress:
    """Where a learner is in ``lesson`` and what each step holds; ``saved``: a ``to_dict`` to resume."""

    def __init__(self, lesson: Lesson, saved: Mapping | None = None) -> None:
        self.lesson = lesson
        self.index = 0
        self.done: set[int] = set()
        self.revealed: set[int] = set()
        self.answers: dict[int, str] = {}
        self.wrong: dict[int, int] = {}
        self.answered: set[int] = set()  # steps whose question was answered right (or revealed)
        self.met: set[int] = set()  # steps whose done_when has held
        self._conditions: dict[int, Condition] = {}
        if saved is not None:
            self._restore(saved)

    # -- reading ----------------------------------------------------------------------------------

    @property
    def step(self) -> Step:
        """The step the learner is on."""
        return self.lesson.steps[self.index]

    @property
    def count(self) -> int:
        return len(self.lesson.steps)

    def is_done(self, i: int | None = None) -> bool:
        """Whether step ``i`` (the current one if None) is done."""
        return (self.index if i is None else i) in self.done

    def can_reveal(self) -> bool:
        """The current step asks, is not done, and has had WRONG_BEFORE_REVEAL wrong answers."""
        return (self.step.ask is not None and not self.is_done()
                and self.wrong.get(self.index, 0) >= WRONG_BEFORE_REVEAL)

    def complete(self) -> bool:
        """The lesson is complete: its last step is done."""
        return self.count - 1 in self.done

    def progress_text(self) -> str:
        """"step k of n", as the panel's lessonProgress shows it."""
        return f"step {self.index + 1} of {self.count}"

    # -- what the learner does --------------------------------------------------------------------

    def submit(self, typed: str) -> Feedback:
        """Check ``typed`` against the current step's answer; right marks the step done, wrong counts."""
        step, i = self.step, self.index
        if step.ask is None or step.answer is None:
            return Feedback(None, "This step asks no question.")
        self.answers[i] = str(typed)[:MAX_ANSWER_CHARS]
        right = step.check(typed)
        if right is None:
            return Feedback(None, f"Type a number, like 14 or -0.5 (with a point, not a comma), "
                                  f"not {str(typed).strip()[:40]!r}.", self.can_reveal())
        if right:
            self.answered.add(i)
            self._settle(i)
            why = f" ({step.explain})" if step.explain else ""
            rest = "" if self.is_done(i) else " Now do what the step asks to finish it."
            return Feedback(True, f"Right: {answer_text(step.answer)}{why}.{rest}")
        self.wrong[i] = self.wrong.get(i, 0) + 1
        if self.is_done(i):  # answered right before: a wrong try now takes nothing back
            return Feedback(False, "Not quite; you answered this step right before.")
        hint = " Press Hint for a clue." if step.hint else ""
        more = " You can reveal the answer." if self.can_reveal() else ""
        return Feedback(False, f"Not quite: {str(typed).strip()} is not it. Try again.{hint}{more}",
                        self.can_reveal())

    def reveal(self) -> str:
        """The answer and its reason (``explain``, else the hint); marks the step done, as revealed."""
        step = self.step
        if step.answer is None:
            return ""
        self.answered.add(self.index)
        self.revealed.add(self.index)
        self.done.add(self.index)
        why = step.explain or step.hint
        return f"The answer is {answer_text(step.answer)}." + (f" {why}" if why else "")

    def update(self, state: LabState) -> bool:
        """Evaluate the current step's ``done_when`` in ``state``; True when this call made it done."""
        step, i = self.step, self.index
        if step.done_when is None or i in self.done:
            return False
        if i not in self.met and self.condition() is not None and self._conditions[i].evaluate(state):
            self.met.add(i)
            self._settle(i)
            return i in self.done
        return False

    def _settle(self, i: int) -> None:
        """Step ``i`` is done once each thing it asks for is: its answer and its condition."""
        step = self.lesson.steps[i]
        if (step.ask is None or i in self.answered) and (step.done_when is None or i in self.met):
            self.done.add(i)

    def condition(self) -> Condition | None:
        """The current step's compiled ``done_when`` (its ``problem`` says why it is false), or None."""
        step, i = self.step, self.index
        if step.done_when is None:
            return None
        if i not in self._conditions:
            self._conditions[i] = Condition(step.done_when, step.line)
        return self._conditions[i]

    def mark_read(self) -> None:
        """A step with neither question nor condition is done once read (Next)."""
        if self.step.plain:
            self.done.add(self.index)

    def can_next(self) -> bool:
        """Next is enabled: the step is done, or is plain (Next makes it done)."""
        return self.is_done() or self.step.plain

    def next(self) -> bool:
        """Next: a plain step becomes done; a done step moves on. True when the step changed
        (on the last step, False: the lesson is complete if that step is done)."""
        self.mark_read()
        if not self.is_done() or self.index >= self.count - 1:
            return False
        self.index += 1
        return True

    def back(self) -> bool:
        """Return to the previous step (it keeps being done); False on the first step."""
        if self.index == 0:
            return False
        self.index -= 1
        return True

    def skip(self) -> bool:
        """Move on without doing the step (it stays not done); False on the last step."""
        if self.index >= self.count - 1:
            return False
        self.index += 1
        return True

    # -- saving -----------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """JSON-able progress: ``from_dict`` (or ``LessonProgress(lesson, saved)``) reads it back."""
        return {"lesson": self.lesson.name, "index": self.index, "done": sorted(self.done),
                "answers": {str(i): a for i, a in sorted(self.answers.items())},
                "wrong": {str(i): n for i, n in sorted(self.wrong.items())},
                "revealed": sorted(self.revealed)}

    @classmethod
    def from_dict(cls, lesson: Lesson, d: Mapping | None) -> LessonProgress:
        """Progress saved by ``to_dict``; what does not fit ``lesson`` now (fewer steps, a bad
        value, another lesson's progress) is dropped or clamped, never an error."""
        return cls(lesson, d)

    def _restore(self, d: Mapping) -> None:
        if not isinstance(d, Mapping) or d.get("lesson", self.lesson.name) != self.lesson.name:
            return
        n = self.count
        self.done = {i for i in _indices(d.get("done")) if i < n}
        self.revealed = {i for i in _indices(d.get("revealed")) if i < n}
        answers, wrong = d.get("answers"), d.get("wrong")
        if isinstance(answers, Mapping):
            self.answers = {i: a[:MAX_ANSWER_CHARS] for k, a in answers.items()
                            if (i := _index(k)) is not None and i < n and isinstance(a, str)}
        if isinstance(wrong, Mapping):
            self.wrong = {i: c for k, c in wrong.items()
                          if (i := _index(k)) is not None and i < n and type(c) is int and c >= 0}
        index = _index(d.get("index"))
        self.index = min(index, n - 1) if index is not None else 0


def _index(x: object) -> int | None:
    """A step index as saved: an int or its text (JSON turns dict keys into text), else None."""
    if type(x) is int:
        return x if x >= 0 else None
    if isinstance(x, str) and x.isdigit():
        return int(x)
    return None


def _indices(xs: object) -> list[int]:
    if not isinstance(xs, (list, tuple, set)):
        return []
    return [i for x in xs if (i := _index(x)) is not None]

"""A lesson's programs, run once when it is read: each must run, and a ``select`` must name a node.

Programs run in this process with gradlab.expr.run_program (its limits on values and items)
and a time budget of their own, PROGRAM_SECONDS: a lesson file is read by the app while the
learner waits, and a lesson's programs are small (the course's longest runs in ~30 ms).  The
graph a ``select`` is checked against is the one the expression lab would show for the program
(gradlab.graph.GraphModel, with the program's lines), so ``c₂`` and ``c@2`` name what the lab
names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from gradlab.expr import ExpressionError, run_program
from gradlab.graph import GraphModel
from gradlab.lessons.model import LessonError
from gradlab.lessons.positions import KeyLines

__all__ = ["PROGRAM_SECONDS", "ProgramCheck", "program_graph"]

#: the longest one of a lesson's programs may run when the lesson is read, in seconds
PROGRAM_SECONDS = 2.0


def program_graph(source: str) -> GraphModel | None:
    """The graph the expression lab shows for ``source`` (None: the program makes no Value);
    raises ExpressionError as run_program does."""
    program = run_program(source, seconds=PROGRAM_SECONDS)
    if program.output is None:
        return None
    lines: dict[int, int] = {}
    for _name, value, line in program.bindings:
        lines.setdefault(id(value), line)  # the line that made a Value: its first binding
    return GraphModel(program.output, lines=lines)


class ProgramCheck:
    """Runs each step's program in order and checks its ``select`` against the latest graph."""

    def __init__(self, text: str, where: KeyLines) -> None:
        self.text, self.where = text, where
        self.graph: GraphModel | None = None
        self.has_program = False

    def check(self, i: int, table: Mapping, line: Callable[[str], int]) -> None:
        """Run step ``i``'s program (if it has one) and check its select; LessonError if either fails."""
        source = table.get("program")
        if source is not None:
            try:
                self.graph = program_graph(source)
            except ExpressionError as e:
                at = self.where.program_line(i, line("program"), self.text, e.line)
                raise LessonError(f"the program of step {i + 1} fails at its line {e.line}: {e.message}",
                                  at) from None
            self.has_program = True
        select = table.get("select")
        if select is None:
            return
        if not self.has_program:
            raise LessonError(f"select = {select!r} in step {i + 1}, but no program is open yet: "
                              "give this step (or an earlier one) a program", line("select"))
        if self.graph is None or self.graph.find(select) is None:
            names = ", ".join(n for n in (self.graph.names if self.graph else []) if n)
            raise LessonError(f"select = {select!r} in step {i + 1} names no node of the program's graph"
                              + (f"; its labelled nodes are {names}" if names else ""), line("select"))

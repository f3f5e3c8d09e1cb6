"""The expression lab's input values as undo sees them, without Qt: what the inputs held at one
moment (``InputValues``), and how the core gives them back.

Undo (gradlab.ui.undo) keeps an ``InputValues`` before and after each change a learner makes to
the values (Descend, a slider drag, a number typed, a program edited) and hands one back to
``restore_inputs``.  A snapshot belongs to the program text it was taken on: given back while
another text is shown or running, it waits (``pending_inputs``) until a run of its own text is
shown, then applies; any other edit run drops it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["InputHistory", "InputValues"]


@dataclass(frozen=True)
class InputValues:
    """The inputs of the program ``source`` and the numbers they held (name -> data)."""

    source: str
    values: dict[str, float] = field(default_factory=dict)

    def moved(self, changes: dict[str, float]) -> InputValues:
        """The same program with ``changes`` made to some inputs."""
        return InputValues(self.source, {**self.values, **{n: float(x) for n, x in changes.items()}})


class InputHistory:
    """ExpressionCore's side of undo, kept apart for its size: it uses the core's ``program``,
    ``graph``, ``source``, ``_spans``, ``_generation``, ``_edit_ticket``, ``_editable``,
    ``_reruns_program``, ``_rerun`` and ``_changed``."""

    #: (the generation it was given back at, the snapshot) waiting for a run of its text; or None
    _pending_inputs: tuple[int, InputValues] | None = None

    def input_values(self) -> InputValues | None:
        """Every input's number now, with the text it belongs to; None when there is no graph
        gradlab can recompute (no program, or a copy of the program's own Value class)."""
        if not self._editable():
            return None
        p, g = self.program, self.graph
        values = {}
        for name in p.inputs:
            index = g.index.get(id(p.values[name]))
            if index is not None and g.roles[index] == "input":
                values[name] = g.values[index].data
        return InputValues(self.source, values)

    @property
    def pending_inputs(self) -> InputValues | None:
        """A snapshot waiting for a run of its text to be shown (see restore_inputs), or None."""
        return self._pending_inputs[1] if self._pending_inputs is not None else None

    def restore_inputs(self, snapshot: InputValues) -> None:
        """Give the inputs ``snapshot``'s numbers: now if its text is the one shown and nothing
        else is running, else as soon as a run of its text, requested from now on, is shown."""
        if self._edit_ticket is not None or snapshot.source != self.source or not self._editable():
            self._pending_inputs = (self._generation, snapshot)
            return
        self._pending_inputs = None
        self._apply_inputs(snapshot)

    def _take_pending(self, generation: int, source: str) -> None:
        """An edit run of ``source``, requested at ``generation``, was just shown: a snapshot
        given back before it was requested applies if it is of the same text, else is dropped."""
        pending = self._pending_inputs
        if pending is None or generation <= pending[0]:
            return  # nothing waits, or this run was asked for before the snapshot came back
        self._pending_inputs = None
        if pending[1].source == source and self._editable():
            self._apply_inputs(pending[1])

    def _apply_inputs(self, snapshot: InputValues) -> None:
        p, g = self.program, self.graph
        if self._reruns_program():  # the program runs again with these numbers written in
            named = {n: x for n, x in snapshot.values.items() if n in self._spans}
            now = self.input_values().values
            if any(now.get(n) != x for n, x in named.items()):
                self._rerun(named)
            return
        updates = {}
        for name, x in snapshot.values.items():
            value = p.values.get(name)
            index = g.index.get(id(value)) if value is not None else None
            if index is not None and g.roles[index] == "input":
                updates[index] = float(x)
        self._changed(g.set_many(updates))

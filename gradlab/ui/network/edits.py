"""The learner's changes to the network lab as steps of the undo history (gradlab.ui.undo).

Each change the lab makes for the learner (a step, a weight typed, a point added or removed,
new settings or data, a reset) runs through ``NetworkEdits.record``, which takes the core's
snapshot (``gradlab.labs.network_history``) before and after it and announces both on the
lab's ``edited`` signal.  A training run, Play to Pause, is one step too: its snapshot is taken
when it starts, and the step is announced when it stops (by Pause, a divergence, or a change
made while it trains, which splits it: the run so far, the change, the run from there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from gradlab.labs.network_history import NetworkSnapshot

__all__ = ["NetworkEdits", "differs"]

T = TypeVar("T")


def differs(before: NetworkSnapshot, after: NetworkSnapshot) -> bool:
    """The lab changed between the two snapshots (data, settings, weights or history)."""
    return (before.dataset is not after.dataset or before.cfg != after.cfg or before.backend != after.backend
            or before.data_settings != after.data_settings or before.trainer != after.trainer
            or len(before.history) != len(after.history))


class NetworkEdits:
    """Records the changes of ``lab`` (a NetworkLab: its ``model`` and ``edited`` signal)."""

    def __init__(self, lab) -> None:
        self.lab = lab
        self._run_before: NetworkSnapshot | None = None  # the lab when the training run going on began

    def record(self, what: str, change: Callable[[], T]) -> T:
        """Make ``change`` (returns what it returns) and announce it as the step ``what`` if it
        changed anything."""
        model = self.lab.model
        self.run_ended()  # a run going on is a step of its own up to here
        before = model.snapshot()
        result = change()
        after = model.snapshot()
        if differs(before, after):
            self.lab.edited.emit(what, before, after, "")
        if model.running and self._run_before is None:  # training carries on after the change
            self._run_before = after
        return result

    def run_started(self) -> None:
        """Training started: the run's step begins here."""
        if self._run_before is None:
            self._run_before = self.lab.model.snapshot()

    def run_ended(self) -> None:
        """Training stopped (or a change splits the run): announce the run's step, if it took any."""
        before, self._run_before = self._run_before, None
        if before is None:
            return
        after = self.lab.model.snapshot()
        steps = after.step_count - before.step_count
        if differs(before, after):
            self.lab.edited.emit(f"Training ({steps} step{'s' if steps != 1 else ''})" if steps > 0
                                 else "Training", before, after, "")

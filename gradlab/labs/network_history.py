"""The network lab as undo sees it, without Qt: its data, settings and network at one moment
(``NetworkSnapshot``), and how ``NetworkCore`` gives them back.

Undo (gradlab.ui.undo) keeps a snapshot before and after each change a learner makes (a training
run, a step, a weight set by hand, a point added or removed, new settings or data) and hands one
back to ``restore_snapshot``.  A snapshot is made of what the core already holds: the data and
settings (immutable), the trainer's ``state_dict`` (weights, optimiser state, step count) and its
history's records (immutable, shared by every snapshot that holds them: a thousand undo steps of a
network with a long history cost the weights, not the history, each), so a restored network
carries on bit for bit as it would have.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradlab.datasets import Dataset
from gradlab.training import StepRecord, TrainConfig, Trainer
from gradlab.training.lab import DataSettings

__all__ = ["NetworkHistory", "NetworkSnapshot"]


@dataclass(frozen=True)
class NetworkSnapshot:
    """The lab's data, settings and network: ``trainer`` is ``Trainer.state_dict()`` less its
    history, which is ``history``; None (and no history) when the lab had no network (it could
    not be built: the restored lab says why again)."""

    data_settings: DataSettings
    dataset: Dataset
    cfg: TrainConfig
    backend: str
    trainer: dict | None
    history: tuple[StepRecord, ...] = ()

    @property
    def step_count(self) -> int:
        return self.trainer["step"] if self.trainer is not None else 0


class NetworkHistory:
    """NetworkCore's side of undo, kept apart for its size: it uses the core's ``lock``,
    ``data_settings``, ``dataset``, ``cfg``, ``backend``, ``trainer``, ``events``,
    ``set_running``, ``select_point``, ``_rebuild`` and ``_set_problem``."""

    def snapshot(self) -> NetworkSnapshot:
        """What the lab holds now (training may go on: the snapshot is taken between steps)."""
        with self.lock:
            t = self.trainer
            if t is None:
                return NetworkSnapshot(self.data_settings, self.dataset, self.cfg, self.backend, None)
            history, t.history = t.history, []  # kept as its records, not written out as rows
            try:
                state = t.state_dict()
            finally:
                t.history = history
            return NetworkSnapshot(self.data_settings, self.dataset, self.cfg, self.backend, state,
                                   tuple(history))

    def restore_snapshot(self, snapshot: NetworkSnapshot) -> None:
        """Show ``snapshot`` again, training paused: its data, settings and network, with the
        weights, optimiser state and history it had (``data_changed`` then ``network_changed``)."""
        with self.lock:
            self.set_running(False)
            self.data_settings, self.dataset = snapshot.data_settings, snapshot.dataset
            self.cfg, self.backend = snapshot.cfg, snapshot.backend
            self.select_point(-1)
            try:
                self.trainer = (Trainer.from_state(snapshot.dataset, snapshot.trainer, snapshot.backend)
                                if snapshot.trainer is not None else None)
            except (ValueError, MemoryError):  # it was built once; if it cannot be now, say why
                self.trainer = None
            if self.trainer is not None:
                self.trainer.history = list(snapshot.history)
            self.events.emit("data_changed")
            if self.trainer is None:
                self._rebuild()  # a fresh network, or the reason there is none
            else:
                self._set_problem("")
                self.events.emit("network_changed")

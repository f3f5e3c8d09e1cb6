"""The network lab's live redraw: what a training step changes, each view at its own pace.

While training plays, every frame redraws the cheap readouts (step count, loss) and at most one
of the costlier views, the most overdue of ``LIVE_PERIODS``: no frame does everything, so the
window stays responsive (``benchmarks/live_training.py`` measures it). The neuron under the
pointer in the network view has its output shown large in the decision plot, live too.
"""

from __future__ import annotations

import time

import numpy as np

from gradlab.ui.network.view import PX

__all__ = ["HEATMAP_RES", "LIVE_PERIODS", "LiveViews"]

HEATMAP_RES = 64
#: while training plays, how often (seconds) each costlier view redraws, one per frame at most
LIVE_PERIODS = {"heatmap": 0.06, "point": 0.12, "loss": 0.1, "network": 0.2, "inspector": 2.0}


class LiveViews:
    """Redraws a ``NetworkLab``'s views from its model; counts refreshes for the benchmark."""

    def __init__(self, lab) -> None:
        self.lab = lab
        self._last = dict.fromkeys(LIVE_PERIODS, 0.0)
        self.heatmap_refreshes = self.point_refreshes = 0
        #: the node under the pointer in the network view: (column, row), (-1, -1) for none
        self.neuron = (-1, -1)
        lab.network_view.neuron_hovered.connect(self.show_neuron)

    def show_neuron(self, column: int, row: int) -> None:
        """Show node (column, row)'s output in the decision plot; (-1, -1): the network's again."""
        self.neuron = (column, row)
        self._neuron()

    def _neuron(self) -> None:
        column, row = self.neuron
        m, plot = self.lab.model, self.lab.decision_plot
        stacks = m.thumbnails(HEATMAP_RES) if column >= 0 and m.trainer is not None else []
        if column < 0 or column >= len(stacks) or row >= len(stacks[column]):
            plot.show_neuron(None)
            return
        grid = stacks[column][row]
        if m.trainer.dataset.X.shape[1] == 1:
            grid = grid[0]  # 1-D data: the output along x (each row repeats it)
        plot.show_neuron(grid, self.lab.network_view.node_name(column, row))

    def refresh(self, force: bool = False) -> None:
        """Redraw what training changed.

        While training plays, each frame redraws the cheap readouts and at most one of the
        costlier views (the most overdue of ``LIVE_PERIODS``), so no frame does everything;
        ``force`` (a step, a pause, a new network) redraws them all at once.
        """
        now = time.perf_counter()
        self._readouts()
        due = {name: (now - self._last[name]) / period for name, period in LIVE_PERIODS.items()}
        if self.lab.model.backend != "fast":
            due["inspector"] = 0.0  # the scalar backend's probe takes seconds: it waits for a pause
        if force:
            names = list(LIVE_PERIODS)
        else:
            names = [max(due, key=due.get)] if max(due.values()) >= 1 else []
        for name in names:
            self._last[name] = now
            getattr(self, f"_{name}")()

    def _readouts(self) -> None:
        self.lab.epoch_label.setText(f"step {self.lab.model.step_count:,}")
        if self.lab.history.size:
            s, lo, tlo, acc, tacc = (a[-1] for a in self.lab.history.arrays())
            text = f"loss {lo:.4g}" + ("" if np.isnan(acc) else f" · accuracy {acc:.1%}")
            if not np.isnan(tlo):
                text += f" · test loss {tlo:.4g}" + ("" if np.isnan(tacc) else f" · test {tacc:.1%}")
            self.lab.stats_label.setText(text)
        else:
            self.lab.stats_label.setText("press Play (Space) or Step to train")

    def _loss(self) -> None:
        self.lab.loss_plot.set_history(*self.lab.history.arrays())

    def _heatmap(self) -> None:
        m = self.lab.model
        decision = m.decision(HEATMAP_RES)
        if decision is None:
            self.lab.decision_plot.set_matrix(None)
            self.lab.decision_plot.set_curve(None)
        elif decision.ndim == 1:
            x0, x1 = m.bounds()[:2]
            self.lab.decision_plot.set_matrix(None)
            self.lab.decision_plot.set_curve(np.linspace(x0, x1, len(decision)), decision)
        else:
            self.lab.decision_plot.set_curve(None)
            self.lab.decision_plot.set_matrix(decision)
        if self.neuron[0] >= 0:
            self._neuron()
        self.heatmap_refreshes += 1

    def _network(self) -> None:
        trainer = self.lab.model.trainer
        if trainer is not None:
            lock = self.lab.model.lock

            def gradients() -> list[float]:  # read when the view shows them: on the scalar backend
                with lock:                   # a full gradient takes a while on the GUI thread
                    return trainer.gradients()

            self.lab.network_view.set_parameters(np.asarray(trainer.parameters()), gradients)
            self.lab.network_view.set_thumbnails(self.lab.model.thumbnails(PX))

    def _point(self) -> None:
        if len(self.lab.trace) and self.lab.model.trainer is not None:
            self.lab.trace.refresh(self.lab.model.trainer)
            self.point_refreshes += 1

    def _inspector(self) -> None:
        if self.lab.trace.model.selected >= 0:
            self.lab.trace.model.values_changed.emit([])
        if self.lab.probe_model.selected >= 0:
            self.lab.probe_model.refresh()
            self.lab.show_parameter(self.lab.probe_model.selected)

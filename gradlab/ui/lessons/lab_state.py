"""What a lesson's ``done_when`` sees: a ``LabState`` read from both labs as they are now."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

from gradlab.lessons import LabState

__all__ = ["GraphNodes", "read_lab_state"]


class GraphNodes(Mapping):
    """label -> (data, grad) of a graph's nodes, for ``data(name)`` and ``grad(name)``: each
    display name (``c₂``) and each plain label (``c``: its last node, as ``--select c`` finds it).
    Built when a condition first asks, so a slider drag over a big graph pays nothing for it."""

    def __init__(self, graph) -> None:
        self._graph = graph
        self._index: dict[str, int] | None = None

    def _names(self) -> dict[str, int]:
        if self._index is None:
            graph, index = self._graph, {}
            if graph is not None:
                lines = getattr(graph, "lines", [0] * len(graph))
                for i in sorted(range(len(graph)), key=lambda i: (lines[i], i)):
                    label = graph.values[i].label
                    if label:
                        index[label] = i  # the last node made under this label
                index.update((name, i) for i, name in enumerate(graph.names) if name)
            self._index = index
        return self._index

    def __getitem__(self, name: str) -> tuple[float, float]:
        v = self._graph.values[self._names()[name]]
        return float(v.data), float(v.grad)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


def _expression_part(model) -> dict:
    graph = model.graph
    selected, output = "", math.nan
    if graph is not None:
        if 0 <= model.selected < len(graph):
            selected = graph.names[model.selected]
        try:
            output = float(graph.output.data)
        except (TypeError, ValueError):
            output = math.nan
    return {"selected": selected, "h": float(model.step_size), "output": output,
            "nodes": GraphNodes(graph), "backprop_step": max(int(model.backprop_step), 0)}


def _network_part(model) -> dict:
    with model.lock:
        history = model.history
        last = history[-1] if history else None
        return {"step": int(model.step_count),
                "loss": float(last.loss) if last is not None else math.nan,
                "accuracy": float(last.accuracy) if last is not None else math.nan,
                "dataset": model.data_settings.name,
                "learning_rate": float(model.cfg.learning_rate)}


def read_lab_state(lab: str, expression_model, network_model=None) -> LabState:
    """The state of both labs: ``lab`` is the one in front ("expression" or "network"),
    ``network_model`` None while the network lab was never opened."""
    parts = _expression_part(expression_model)
    if network_model is not None:
        parts.update(_network_part(network_model))
    return LabState(lab=lab, **parts)

"""Putting a lesson step into the labs: its network settings in the network lab (rebuilt, at
step 0) and its node selected in the expression lab (its program opens as any program does)."""

from __future__ import annotations

from collections.abc import Mapping

from gradlab.lessons import split_network

__all__ = ["apply_network", "select_label"]


def apply_network(model, network: Mapping) -> str:
    """Give the network lab's ``model`` a step's ``network`` settings and a fresh network
    (step 0); "" or the problem the lab reports. The data comes first: another dataset brings
    its own training settings, which the step's then change."""
    settings = split_network(network)
    if settings.data:
        problem = model.set_data_settings(**settings.data)
        if problem:
            return problem
    config = dict(settings.config)
    if settings.backend is not None:
        config["backend"] = settings.backend
    if config:
        model.edit_config(config)
        if model.problem:
            return model.problem
    model.reset()  # fresh weights from the seed, history empty: the step starts from 0
    return model.problem


def select_label(model, label: str) -> bool:
    """Select the node labelled ``label`` in the expression lab's ``model``; False if there is none."""
    graph = model.graph
    index = graph.find(label) if graph is not None else None
    if index is None:
        return False
    model.select(index)
    return True

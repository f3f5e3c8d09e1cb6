"""Putting a lesson step into the labs: its program in the expression lab, its node selected,
its network settings in the network lab (rebuilt, at step 0)."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["DATA_KEYS", "apply_network", "select_label", "split_network"]

#: a step's ``network`` keys that are data settings (gradlab.training.lab.DataSettings), by the
#: name the settings give them; every other key is a TrainConfig field (``seed`` seeds both)
DATA_KEYS = {"dataset": "name", "n_samples": "n_samples", "noise": "noise", "classes": "classes",
             "seed": "seed"}


def split_network(settings: Mapping) -> tuple[dict, dict]:
    """(data settings, TrainConfig changes) of a step's ``network`` table."""
    data, config = {}, {}
    for key, value in settings.items():
        if isinstance(value, list):
            value = tuple(value)  # TOML arrays: TrainConfig keeps tuples
        if key in DATA_KEYS:
            data[DATA_KEYS[key]] = value
        if key not in DATA_KEYS or key == "seed":
            config[key] = value
    return data, config


def apply_network(model, settings: Mapping) -> str:
    """Give the network lab's ``model`` a step's settings and a fresh network (step 0);
    "" or the problem the lab reports."""
    data, config = split_network(settings)
    if data:
        problem = model.set_data_settings(**data)
        if problem:
            return problem
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

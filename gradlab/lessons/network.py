"""A step's ``network`` table: the network lab's settings, checked the way the lab checks them.

Its keys are ``gradlab.training.config.TrainConfig``'s fields (``layers``, ``activation``,
``learning_rate``, ``seed`` for the weights...) plus the data settings of
``gradlab.training.lab.DataSettings``: ``dataset`` (a name in ``gradlab.datasets.DATASETS``),
``n_samples``, ``noise``, ``classes`` and ``data_seed`` (the data's seed), and ``backend``.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping

__all__ = ["DATA_KEYS", "NetworkSettings", "check_network", "network_keys", "split_network"]

#: network keys that set the data (DataSettings field names on the right)
DATA_KEYS = {"dataset": "name", "n_samples": "n_samples", "noise": "noise", "classes": "classes",
             "data_seed": "seed"}


@functools.cache
def network_keys() -> tuple[str, ...]:
    """Every key a ``network`` table may hold: the data keys, ``backend`` and TrainConfig's fields
    (read when first asked: importing the lessons does not load the training package)."""
    from gradlab.training.config import TrainConfig

    return (*DATA_KEYS, "backend", *(f.name for f in dataclasses.fields(TrainConfig)))


@dataclasses.dataclass(frozen=True)
class NetworkSettings:
    """A ``network`` table split for the lab: ``data`` holds DataSettings changes (``name``,
    ``n_samples``, ``noise``, ``classes``, ``seed``), ``config`` TrainConfig fields, ``backend``
    the backend's name or None (keep the lab's)."""

    data: Mapping[str, object]
    config: Mapping[str, object]
    backend: str | None = None


#: settings that may be None in TrainConfig: TOML has no null, so a lesson writes "none"
NONE_ALLOWED = ("regularization", "lr_decay", "batch_size")


def _config_value(key: str, value: object) -> object:
    if isinstance(value, list):
        return tuple(value)
    if key in NONE_ALLOWED and isinstance(value, str) and value.casefold() == "none":
        return None
    return value


def split_network(network: Mapping[str, object]) -> NetworkSettings:
    """``network`` (as a step holds it) split into data settings, config fields and backend;
    lists become tuples, as TrainConfig holds them, and "none" becomes None where allowed."""
    data = {DATA_KEYS[k]: v for k, v in network.items() if k in DATA_KEYS}
    config = {k: _config_value(k, v) for k, v in network.items() if k not in DATA_KEYS and k != "backend"}
    backend = network.get("backend")
    return NetworkSettings(data, config, backend if isinstance(backend, str) else None)


def check_network(network: Mapping[str, object]) -> tuple[str, str] | None:
    """None when ``network`` makes a dataset and a config the lab can train, else (key, problem):
    the key the problem is about ("" when it is about the whole table) and what is wrong."""
    from gradlab.datasets import DATASETS, DatasetError
    from gradlab.training.config import BACKENDS, check_task, default_config
    from gradlab.training.lab import DataSettings

    known = network_keys()
    unknown = [k for k in network if k not in known]
    if unknown:
        return unknown[0], f"unknown network setting {unknown[0]!r}; known: {', '.join(known)}"
    settings = split_network(network)
    name = settings.data.get("name", DataSettings.name)
    if not isinstance(name, str) or name not in DATASETS:
        return "dataset", f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}"
    backend = network.get("backend")
    if backend is not None and backend not in BACKENDS:
        return "backend", f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}"
    try:
        data = dataclasses.replace(DataSettings(), **settings.data).make()
    except DatasetError as e:
        return _blamed(str(e), network), f"network: {e}"
    try:
        config = dataclasses.replace(default_config(data, name), **settings.config)
        check_task(data, config)
    except (ValueError, TypeError) as e:
        return _blamed(str(e), network), f"network: {e}"
    return None


def _blamed(message: str, network: Mapping[str, object]) -> str:
    """The key a message is about: the first of the table's keys it names ("" for none)."""
    for key in network:
        field = DATA_KEYS.get(key, key)
        if key in message or field in message:
            return key
    return ""

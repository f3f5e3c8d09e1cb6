"""The network lab's saved state, read back: its data settings, data, training settings and trainer.

The lab (``gradlab.labs.network``) saves :func:`encode_lab_model`'s ``{"data_settings",
"dataset", "config", "backend", "trainer", "selected_point"}`` and its view settings beside it.
:func:`decode_lab_model` and :func:`decode_lab_view` check every field (type, range, that the
names exist, that the trainer's numbers fit its network) and raise :class:`~gradlab.training.state.FieldError`
naming the first bad one by its path, such as ``'network_lab.model.data_settings.noise' must
be a number 0 .. 10, not 'x'``.  Both the session loader (:mod:`gradlab.session`, so that a bad
lab is found when the file is read) and the lab itself (when it restores) read through them.

A lab whose network would need more memory than training may take
(``training_config.check_memory``: the scalar backend on 100,000 points, say) is not bad: it
decodes with ``trainer`` None, and the lab says why it cannot train.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from itertools import chain

import numpy as np

from gradlab import datasets
from gradlab.datasets import (
    CLASSIFICATION,
    MAX_CLASSES,
    MAX_NOISE,
    MAX_ROWS,
    REGRESSION,
    SEEDS,
    Dataset,
    DatasetError,
)
from gradlab.training import state as fields
from gradlab.training.state import FieldError
from gradlab.training.trainer import BACKENDS, TooMuchMemory, TrainConfig, Trainer, decode_config

__all__ = ["MAX_NAME_CHARS", "DataSettings", "LabModel", "decode_dataset", "decode_lab_model",
           "decode_lab_view", "encode_dataset", "encode_lab_model"]

#: the longest dataset name a saved lab may hold (a file's stem; names are shown in one line)
MAX_NAME_CHARS = 255


@dataclass(frozen=True)
class DataSettings:
    """How the lab's data was made: a generator and its arguments ("" name: imported from a file)."""

    name: str = "moons"
    n_samples: int = 100
    noise: float = 0.1
    seed: int = 1337  # with moons, 100 points and noise 0.1: micrograd's demo data
    classes: int = 3  # for the sets that take a number of classes (spiral, gaussians)

    def make(self) -> Dataset:
        spec = datasets.DATASETS.get(self.name)
        if spec is None:
            raise DatasetError("this data was imported from a file: import it again, or choose a dataset")
        options = {"classes": self.classes} if "classes" in spec.options else {}
        return datasets.make_dataset(self.name, self.n_samples, self.noise, self.seed, **options)

    @classmethod
    def decode(cls, raw: object, where: str) -> DataSettings:
        """The settings saved in ``raw`` (a missing one takes its default); FieldError for a bad one."""
        raw = fields.obj(raw, where)
        default = cls()
        name = fields.text(raw.get("name", default.name), f"{where}.name")
        if name:
            fields.choice(name, f"{where}.name", list(datasets.DATASETS))
        return cls(
            name,
            fields.whole(raw.get("n_samples", default.n_samples), f"{where}.n_samples", 1, MAX_ROWS),
            fields.number(raw.get("noise", default.noise), f"{where}.noise", low=0.0, high=MAX_NOISE),
            fields.whole(raw.get("seed", default.seed), f"{where}.seed", 0, SEEDS - 1),
            fields.whole(raw.get("classes", default.classes), f"{where}.classes", 2, MAX_CLASSES),
        )


@dataclass
class LabModel:
    """A decoded lab: ``trainer`` is None when the lab had none or its network is too big to build
    here (the lab then builds one from ``config`` and says what is wrong)."""

    data_settings: DataSettings
    dataset: Dataset
    config: TrainConfig
    backend: str
    trainer: Trainer | None
    selected_point: int = -1


def encode_dataset(dataset: Dataset) -> dict:
    """The data as a lab saves it: what ``decode_dataset`` reads."""
    d = dataset
    return {"X": d.X.tolist(), "y": d.y.tolist(), "kind": d.kind, "num_classes": d.num_classes,
            "name": d.name}


def encode_lab_model(lab: LabModel, max_history: int | None = None) -> dict:
    """A lab's state as JSON-able data (``decode_lab_model`` reads it back, the weights bit for bit).

    With ``max_history`` a longer history is thinned to about that many steps (older ones evenly,
    the latest half kept): the loss plot's shape survives and the file stays small; weights and
    optimiser state stay exact."""
    trainer = None
    if lab.trainer is not None:
        trainer = lab.trainer.state_dict()
        history = trainer["history"]
        if max_history is not None and len(history) > max_history:
            keep = max_history // 2
            old = history[:-keep]
            trainer["history"] = old[::-(-len(old) // keep)] + history[-keep:]
    return {"data_settings": asdict(lab.data_settings), "dataset": encode_dataset(lab.dataset),
            "config": lab.config.to_dict(), "backend": lab.backend, "trainer": trainer,
            "selected_point": lab.selected_point}


def _points(raw: object, where: str, width: int) -> np.ndarray:
    """``X``: a list of rows of ``width`` finite numbers."""
    if not isinstance(raw, list):
        raise FieldError(where, f"must be a list of points, not {fields.shown(raw)}")
    if len(raw) > MAX_ROWS:
        raise FieldError(where, f"holds {len(raw):,} points; a dataset holds at most {MAX_ROWS:,}")
    try:  # the common case, checked at C speed: rows of ``width`` floats (or ints)
        plain = (set(map(type, raw)) <= {list} and set(map(len, raw)) <= {width}
                 and set(map(type, chain.from_iterable(raw))) <= {float, int})
    except TypeError:  # a row without a length
        plain = False
    if plain:
        try:
            X = np.array(raw, dtype=float).reshape(len(raw), width)
        except OverflowError:
            X = None
        if X is not None and np.isfinite(X).all():
            return X
    for i, row in enumerate(raw):  # find the first bad point and say what is wrong with it
        if not isinstance(row, list) or len(row) != width:
            got = f"a list of {len(row)}" if isinstance(row, list) else fields.shown(row)
            raise FieldError(f"{where}[{i}]", f"must be a list of {width} numbers, not {got}")
        fields.numbers(row, f"{where}[{i}]")
    raise AssertionError("unreachable: a bad point was not found")  # pragma: no cover


def decode_dataset(raw: object, where: str) -> Dataset:
    """The lab's data as saved (``X``, ``y``, ``kind``, ``num_classes``, ``name``); FieldError naming
    a bad one."""
    raw = fields.obj(raw, where)
    kind = fields.choice(fields.get(raw, "kind", where), f"{where}.kind", (CLASSIFICATION, REGRESSION))
    name = fields.text(raw.get("name", "custom"), f"{where}.name")
    if len(name) > MAX_NAME_CHARS:
        raise FieldError(f"{where}.name", f"must be at most {MAX_NAME_CHARS} characters, not {len(name):,}")
    X = _points(fields.get(raw, "X", where), f"{where}.X", 2 if kind == CLASSIFICATION else 1)
    y_raw = fields.get(raw, "y", where)
    if isinstance(y_raw, list) and len(y_raw) != len(X):
        raise FieldError(f"{where}.y", f"must hold one number per point ({len(X):,}), not {len(y_raw):,}")
    y = fields.numbers(y_raw, f"{where}.y", len(X))
    if kind == REGRESSION:
        num_classes = 0
    else:
        num_classes = fields.whole(fields.get(raw, "num_classes", where), f"{where}.num_classes",
                                   2, MAX_CLASSES)
        bad = np.flatnonzero((y != np.trunc(y)) | (y < 0) | (y >= num_classes))
        if bad.size:
            i = int(bad[0])
            raise FieldError(f"{where}.y[{i}]", f"must be a class 0 .. {num_classes - 1}, not {y_raw[i]!r}")
    try:
        return Dataset(X, y, kind, num_classes, name)
    except DatasetError as err:  # the checks above should leave nothing for it to refuse
        raise FieldError(where, f"is not usable: {err}") from None


def decode_lab_model(raw: object, where: str = "model") -> LabModel:
    """The lab's ``NetworkCore.state_dict()`` read back and checked; FieldError naming the first bad
    field."""
    raw = fields.obj(raw, where)
    settings = DataSettings.decode(fields.get(raw, "data_settings", where), f"{where}.data_settings")
    dataset = decode_dataset(fields.get(raw, "dataset", where), f"{where}.dataset")
    config = decode_config(fields.get(raw, "config", where), f"{where}.config")
    backend = fields.choice(fields.get(raw, "backend", where), f"{where}.backend", BACKENDS)
    point = fields.whole(raw.get("selected_point", -1), f"{where}.selected_point", -1, MAX_ROWS)
    trainer = None
    saved = raw.get("trainer")
    if saved is not None:
        try:
            trainer = Trainer.from_state(dataset, saved, backend=backend, where=f"{where}.trainer")
        except TooMuchMemory:
            trainer = None  # the lab says so when it builds the network
        except FieldError:
            raise
        except ValueError as err:  # its settings do not fit the data (a loss for another kind)
            raise FieldError(f"{where}.trainer.config", f"does not fit the data: {err}") from None
    config = trainer.config if trainer is not None else config  # the trainer's settings are the lab's
    return LabModel(settings, dataset, config, backend, trainer, point)


#: the lab's view settings that are on or off
_VIEW_FLAGS = ("show_test", "discretize", "show_gradients", "log_scale")


def decode_lab_view(raw: object, where: str = "view") -> dict:
    """The lab's view settings, each checked (unknown keys are ignored); FieldError naming a bad one."""
    raw = fields.obj(raw, where)
    view = {}
    for key, value in raw.items():
        at = f"{where}.{key}"
        if key in _VIEW_FLAGS:
            if not isinstance(value, bool):
                raise FieldError(at, f"must be true or false, not {fields.shown(value)}")
            view[key] = value
        elif key == "speed":
            view[key] = fields.whole(value, at)
        elif key == "selected_parameter":
            view[key] = fields.whole(value, at, -1, fields.MAX_STEP)
        elif key == "step_size":
            view[key] = fields.number(value, at, low=0.0, high=1.0)
    return view


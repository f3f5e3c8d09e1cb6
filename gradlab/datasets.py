"""Toy datasets for training small networks: generators by name, CSV files, input features.

* ``make_dataset(name, n_samples=100, noise=0.1, seed=0, **options)`` draws one of
  :data:`DATASETS` (every generator has the same signature, as in TensorFlow
  Playground's ``dataset.ts``).  Same arguments, same points.  ``moons`` is
  scikit-learn's ``make_moons`` point for point: ``make_dataset("moons", 100, 0.1,
  seed=1337)`` is the data of micrograd's demo notebook.
* ``load_csv(path)`` reads ``x1, x2, label`` rows (classification) or ``x, y`` rows
  (regression, one input), header optional; anything wrong raises
  :class:`DatasetError` naming the line.
* Each generator's row in :data:`DATASETS` also says how to train on it (``training``,
  ``steps``): ``training_config.default_config`` turns that into a ``TrainConfig``.
* ``FEATURES`` and ``feature_matrix``: TensorFlow Playground's input features
  (``x1, x2, x1^2, x2^2, x1*x2, sin x1, sin x2``) computed from a dataset's ``X``.

``noise`` is the standard deviation of Gaussian noise added to each coordinate of a
point (classification) or to each target (regression).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from gradlab.files import FileError, read_text

__all__ = [
    "DATASETS",
    "DEFAULT_DATASET",
    "DEFAULT_STEPS",
    "FEATURES",
    "MAX_CLASSES",
    "MAX_CSV_BYTES",
    "MAX_NOISE",
    "MAX_ROWS",
    "SEEDS",
    "Dataset",
    "DatasetError",
    "DatasetSpec",
    "feature_matrix",
    "load_csv",
    "make_dataset",
]

MAX_ROWS = 100_000  # most points a dataset (generated or read) may have
MAX_CLASSES = 10
MAX_NOISE = 10.0  # the largest noise a generator takes
SEEDS = 2**32  # a seed is a whole number 0 .. SEEDS - 1
MAX_CSV_BYTES = 16 * 1024 * 1024
CLASSIFICATION = "classification"
REGRESSION = "regression"
DEFAULT_DATASET = "moons"
#: training steps of a dataset without its own (micrograd's demo takes 100)
DEFAULT_STEPS = 100


class DatasetError(ValueError):
    """A dataset that cannot be made or read; ``line`` is the 1-based line of a CSV file at fault."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points ``X`` (float64, ``(n, d)``) and their labels or targets ``y``.

    ``kind`` is ``"classification"`` (``y`` int64 labels ``0 .. num_classes-1``) or
    ``"regression"`` (``y`` float64 targets, ``num_classes`` 0).  The arrays are
    read-only: ``with_point``, ``without_point`` and ``split`` return new datasets.
    """

    X: np.ndarray
    y: np.ndarray
    kind: str = CLASSIFICATION
    num_classes: int = 2
    name: str = "custom"

    def __post_init__(self) -> None:
        X = np.array(self.X, dtype=np.float64)
        if X.ndim == 1:
            X = X.reshape(-1, 1)
        if X.ndim != 2 or X.shape[1] not in (1, 2):
            raise DatasetError(f"X must have shape (n, 1) or (n, 2), not {X.shape}")
        if self.kind not in (CLASSIFICATION, REGRESSION):
            raise DatasetError(f"kind must be {CLASSIFICATION!r} or {REGRESSION!r}, not {self.kind!r}")
        if self.kind == CLASSIFICATION:
            labels = np.asarray(self.y)
            kind = labels.dtype.kind
            whole = kind in "biu" or (kind == "f" and (labels == np.trunc(labels)).all())
            if not whole:
                raise DatasetError("labels must be whole numbers (classes 0, 1, ...)")
            y = np.array(labels, dtype=np.int64).reshape(-1)
            if not 2 <= self.num_classes <= MAX_CLASSES:
                raise DatasetError(f"num_classes must be 2 .. {MAX_CLASSES}, not {self.num_classes}")
            if y.size and (y.min() < 0 or y.max() >= self.num_classes):
                raise DatasetError(f"labels must be 0 .. {self.num_classes - 1}")
        else:
            y = np.array(self.y, dtype=np.float64).reshape(-1)
            object.__setattr__(self, "num_classes", 0)
        if len(y) != len(X):
            raise DatasetError(f"X has {len(X)} rows but y has {len(y)}")
        if len(X) > MAX_ROWS:
            raise DatasetError(f"a dataset holds at most {MAX_ROWS:,} points, not {len(X):,}")
        if not (np.isfinite(X).all() and np.isfinite(y).all()):
            raise DatasetError("every coordinate and target must be a finite number")
        X.flags.writeable = False
        y.flags.writeable = False
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)

    def __len__(self) -> int:
        return len(self.X)

    @property
    def num_inputs(self) -> int:
        """Coordinates per point: 2, or 1 for a regression set."""
        return self.X.shape[1]

    def _replace(self, X: np.ndarray, y: np.ndarray) -> Dataset:
        return Dataset(X, y, self.kind, self.num_classes, self.name)

    def split(self, test_fraction: float = 0.2, seed: int = 0) -> tuple[Dataset, Dataset]:
        """``(train, test)``: a seeded random ``test_fraction`` of the points is held out.

        Both keep the original order of their points; a fraction of 0 gives an empty test set.
        """
        f = float(test_fraction)
        if not 0.0 <= f < 1.0:
            raise DatasetError(f"test_fraction must be at least 0 and below 1, not {test_fraction!r}")
        n = len(self)
        n_test = min(int(round(n * f)), n - 1) if n else 0
        order = np.random.RandomState(seed).permutation(n)
        test = np.sort(order[:n_test])
        train = np.sort(order[n_test:])
        return self._replace(self.X[train], self.y[train]), self._replace(self.X[test], self.y[test])

    def with_point(self, x: Sequence[float] | float, label: float) -> Dataset:
        """A copy with one more point at the end: ``x`` (d numbers) with ``label`` (a class, or a target)."""
        point = np.array(x, dtype=np.float64).reshape(-1)
        if point.size != self.num_inputs:
            raise DatasetError(f"a point of this dataset has {self.num_inputs} coordinates, not {point.size}")
        if self.kind == CLASSIFICATION:
            if not (float(label).is_integer() and 0 <= label < self.num_classes):
                raise DatasetError(f"label must be a class 0 .. {self.num_classes - 1}, not {label!r}")
            label = int(label)
        return self._replace(np.vstack([self.X, point]), np.append(self.y, label))

    def without_point(self, index: int) -> Dataset:
        """A copy without point ``index`` (negative indices count from the end)."""
        n = len(self)
        if not -n <= index < n:
            raise DatasetError(f"point {index} does not exist; the dataset has {n} points")
        keep = np.ones(n, dtype=bool)
        keep[index] = False
        return self._replace(self.X[keep], self.y[keep])

    def bounds(self, margin: float = 0.5) -> tuple[float, float, float, float]:
        """``(xmin, xmax, ymin, ymax)`` around the points plus ``margin``, for plots and grids.

        For a one-input set the second range is that of the targets.
        """
        if not len(self):
            return (-1.0 - margin, 1.0 + margin, -1.0 - margin, 1.0 + margin)
        first = self.X[:, 0]
        second = self.X[:, 1] if self.num_inputs == 2 else self.y.astype(np.float64)
        return (float(first.min()) - margin, float(first.max()) + margin,
                float(second.min()) - margin, float(second.max()) + margin)


# -- generators: (n, noise, rng, **options) -> (X, y) ---------------------------------------------

_XY = tuple[np.ndarray, np.ndarray]


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.RandomState) -> _XY:
    order = np.arange(len(y))
    rng.shuffle(order)  # as scikit-learn's utils.shuffle
    return X[order], y[order]


def _class_sizes(n: int, classes: int) -> list[int]:
    return [n // classes + (j < n % classes) for j in range(classes)]


def _moons(n: int, noise: float, rng: np.random.RandomState) -> _XY:
    # scikit-learn's make_moons, step for step, so that the same seed gives the same points
    n_out, n_in = n // 2, n - n // 2
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(t_out), 1 - np.cos(t_in)),
                   np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    X, y = _shuffled(X, y, rng)
    return X + rng.normal(scale=noise, size=X.shape), y


def _circles(n: int, noise: float, rng: np.random.RandomState, factor: float = 0.5) -> _XY:
    # scikit-learn's make_circles: class 1 is the inner circle, radius ``factor``
    if not 0 < factor < 1:
        raise DatasetError(f"factor must be between 0 and 1, not {factor!r}")
    n_out, n_in = n // 2, n - n // 2
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack([np.append(np.cos(t_out), factor * np.cos(t_in)),
                   np.append(np.sin(t_out), factor * np.sin(t_in))]).T
    y = np.hstack([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    X, y = _shuffled(X, y, rng)
    return X + rng.normal(scale=noise, size=X.shape), y


def _xor(n: int, noise: float, rng: np.random.RandomState) -> _XY:
    # uniform in the square, pushed 0.1 away from the axes; class 1 where x1 and x2 share a sign
    X = rng.uniform(-1, 1, size=(n, 2))
    X += np.where(X >= 0, 0.1, -0.1)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return X + rng.normal(scale=noise, size=X.shape), y


def _linear(n: int, noise: float, rng: np.random.RandomState) -> _XY:
    # uniform in the square; class 1 above the line x1 + x2 = 0
    X = rng.uniform(-1, 1, size=(n, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    return X + rng.normal(scale=noise, size=X.shape), y


def _spiral(n: int, noise: float, rng: np.random.RandomState, classes: int = 2) -> _XY:
    # one arm per class, 1.25 turns from the centre out to radius 2, arms evenly rotated
    Xs, ys = [], []
    for j, m in enumerate(_class_sizes(n, classes)):
        r = np.linspace(0.1, 2.0, m)
        t = 1.25 * np.pi * r + 2 * np.pi * j / classes
        Xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(m, j, dtype=np.int64))
    X, y = _shuffled(np.vstack(Xs), np.concatenate(ys), rng)
    return X + rng.normal(scale=noise, size=X.shape), y


def _gaussians(
    n: int, noise: float, rng: np.random.RandomState, classes: int = 2, spread: float = 0.3
) -> _XY:
    # one round blob per class (standard deviation ``spread``), centres evenly around the unit circle
    if not 0 < spread <= 5:
        raise DatasetError(f"spread must be above 0 and at most 5, not {spread!r}")
    Xs, ys = [], []
    for j, m in enumerate(_class_sizes(n, classes)):
        angle = np.pi / 4 + 2 * np.pi * j / classes
        centre = np.array([math.cos(angle), math.sin(angle)])
        Xs.append(centre + rng.normal(scale=spread, size=(m, 2)))
        ys.append(np.full(m, j, dtype=np.int64))
    X, y = _shuffled(np.vstack(Xs), np.concatenate(ys), rng)
    return X + rng.normal(scale=noise, size=X.shape), y


def _regression(f: Callable[[np.ndarray], np.ndarray]) -> Callable[..., _XY]:
    def generate(n: int, noise: float, rng: np.random.RandomState) -> _XY:
        x = rng.uniform(-3, 3, size=(n, 1))
        return x, f(x[:, 0]) + rng.normal(scale=noise, size=n)

    return generate


@dataclass(frozen=True)
class DatasetSpec:
    """One registered generator: its kind, its extra options with their defaults, a description,
    and how to train on it.

    ``training`` holds the ``TrainConfig`` settings that differ from ``TrainConfig``'s defaults
    (micrograd's moons demo) for this set: pressing Play on it, untouched, trains it
    (``training_config.default_config`` adds the loss and inputs the data needs).  ``steps`` is
    about how many steps those settings take to fit it: the command line's default ``--steps``.
    ``tests/training/test_training_config.py`` holds every row to its floor.
    """

    name: str
    kind: str
    generate: Callable[..., _XY]
    description: str
    options: Mapping[str, float] = field(default_factory=dict)
    training: Mapping[str, object] = field(default_factory=dict)
    steps: int = DEFAULT_STEPS


def _spec(name: str, kind: str, generate: Callable, description: str, training: Mapping[str, object],
          steps: int, **options: float) -> DatasetSpec:
    return DatasetSpec(name, kind, generate, description, options, training, steps)


def _adam(learning_rate: float, activation: str, *layers: int) -> dict[str, object]:
    """TensorFlow Playground's way to train: Adam at a constant rate, small layers."""
    return {"optimizer": "adam", "learning_rate": learning_rate, "lr_decay": None, "activation": activation,
            "layers": layers}


#: micrograd's demo: TrainConfig's defaults (MLP 2-16-16-1, relu, hinge loss, SGD 1.0 decaying over 100 steps)
MICROGRAD_DEMO: Mapping[str, object] = {}

#: every generator by name, ``moons`` first (the default)
DATASETS: dict[str, DatasetSpec] = {spec.name: spec for spec in (
    _spec("moons", CLASSIFICATION, _moons, "two interleaving half circles (scikit-learn's make_moons)",
          MICROGRAD_DEMO, 100),
    _spec("circles", CLASSIFICATION, _circles, "a circle inside a circle", _adam(0.03, "tanh", 8, 8), 300,
          factor=0.5),
    _spec("xor", CLASSIFICATION, _xor, "four squares; class 1 where x1 and x2 have the same sign",
          _adam(0.03, "tanh", 8, 8), 300),
    _spec("spiral", CLASSIFICATION, _spiral, "interleaved spiral arms, one per class",
          _adam(0.03, "tanh", 16, 16), 500, classes=2),
    _spec("gaussians", CLASSIFICATION, _gaussians, "one Gaussian blob per class", _adam(0.03, "tanh", 8, 8),
          300, classes=2, spread=0.3),
    _spec("linear", CLASSIFICATION, _linear, "two classes either side of a straight line",
          _adam(0.03, "tanh", 8, 8), 1000),
    _spec("sine", REGRESSION, _regression(np.sin), "y = sin(x) on -3 .. 3", _adam(0.01, "tanh", 16, 16),
          1000),
    _spec("abs", REGRESSION, _regression(np.abs), "y = |x| on -3 .. 3", _adam(0.01, "relu", 16, 16), 1000),
    _spec("step", REGRESSION, _regression(lambda x: (x > 0).astype(np.float64)), "y = 0 for x <= 0, else 1",
          _adam(0.01, "relu", 16, 16), 1000),
)}


def _number(value: object, what: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise DatasetError(f"{what} must be a number, not {value!r}")
    if not low <= value <= high:  # also refuses nan
        raise DatasetError(f"{what} must be {low:g} .. {high:g}, not {value!r}")
    return value


def make_dataset(name: str = DEFAULT_DATASET, n_samples: int = 100, noise: float = 0.1, seed: int = 0,
                 **options: float) -> Dataset:
    """Draw ``n_samples`` points of dataset ``name``; the same arguments always give the same points.

    ``spiral`` and ``gaussians`` take ``classes`` (2 .. MAX_CLASSES); ``circles`` takes
    ``factor`` (inner radius), ``gaussians`` ``spread`` (blob size).
    """
    spec = DATASETS.get(name)
    if spec is None:
        raise DatasetError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    unknown = sorted(set(options) - set(spec.options))
    if unknown:
        allowed = ", ".join(spec.options) or "none"
        raise DatasetError(f"dataset {name!r} has no option {unknown[0]!r} (options: {allowed})")
    classes = options.get("classes", 2)
    whole = isinstance(classes, (int, np.integer)) and not isinstance(classes, bool)
    if not (whole and 2 <= classes <= MAX_CLASSES):
        raise DatasetError(f"classes must be a whole number 2 .. {MAX_CLASSES}, not {classes!r}")
    minimum = classes if spec.kind == CLASSIFICATION else 1
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
        raise DatasetError(f"n_samples must be a whole number, not {n_samples!r}")
    _number(n_samples, "n_samples", minimum, MAX_ROWS)
    noise = float(_number(noise, "noise", 0.0, MAX_NOISE))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < SEEDS:
        raise DatasetError(f"seed must be a whole number 0 .. 2**32-1, not {seed!r}")
    rng = np.random.RandomState(int(seed))
    X, y = spec.generate(int(n_samples), noise, rng, **options)
    return Dataset(X, y, spec.kind, int(classes) if spec.kind == CLASSIFICATION else 0, name)


# -- input features, as in TensorFlow Playground -------------------------------------------------

FEATURES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2,
    "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin x1": lambda X: np.sin(X[:, 0]),
    "sin x2": lambda X: np.sin(X[:, 1]),
}


def feature_matrix(X: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The input features ``names`` (keys of :data:`FEATURES`) of points ``X``, as ``(n, len(names))``."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    names = list(names)
    if not names:
        raise ValueError(f"choose at least one input feature from {', '.join(FEATURES)}")
    for k, name in enumerate(names):
        if name not in FEATURES:
            raise ValueError(f"unknown input feature {name!r}; choose from {', '.join(FEATURES)}")
        if name in names[:k]:
            raise ValueError(f"input feature {name!r} is listed twice")
        if "x2" in name and X.shape[1] < 2:
            raise ValueError(f"input feature {name!r} needs x2, but this data has one input (x1)")
    if not len(X):
        return np.zeros((0, len(names)))
    return np.stack([FEATURES[name](X) for name in names], axis=1)


# -- CSV files --------------------------------------------------------------------------------------

_HEADERS = {3: ("x1", "x2", "label"), 2: ("x", "y")}


def _read_text(path: Path) -> str:
    """The file's text; DatasetError for anything that is not a readable UTF-8 regular file."""
    try:
        return read_text(path, max_bytes=MAX_CSV_BYTES, what="data file")
    except FileError as e:
        raise DatasetError(str(e)) from e


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv_row(fields: list[str], columns: tuple[str, ...]) -> tuple[float, ...] | None:
    """A data line's numbers, or None if one is not a number, not finite, or a label not whole.
    (float() skips the spaces around a number that strip() would; a field it refuses goes to
    _refuse_row, which strips it first: the numbers are the same either way.)"""
    try:
        values = tuple(map(float, fields))
    except ValueError:
        return None
    if not all(map(math.isfinite, values)) or (len(columns) == 3 and not values[2].is_integer()):
        return None
    return values


def _refuse_row(fields: list[str], columns: tuple[str, ...], fail: Callable[[str], DatasetError]
                ) -> tuple[float, ...]:
    """The line's numbers read one by one, stripped; DatasetError naming the first field at fault."""
    values = []
    for column, f in zip(columns, (f.strip() for f in fields), strict=True):
        try:
            v = float(f)
        except ValueError:
            raise fail(f"{column} is {f!r}, not a number") from None
        if not math.isfinite(v):
            raise fail(f"{column} is {f!r}; values must be finite numbers")
        if column == "label" and not v.is_integer():
            raise fail(f"label is {f!r}; labels must be whole numbers")
        values.append(v)
    return tuple(values)


def load_csv(path: str | Path) -> Dataset:
    """A dataset from a CSV file of ``x1, x2, label`` rows (or ``x, y`` rows for regression).

    A header line is optional; blank lines and lines starting with ``#`` are skipped.
    Labels are whole numbers; their distinct values in increasing order become classes
    ``0 .. k-1`` (so ``-1``/``1`` and ``0``/``1`` both work).
    """
    path = Path(path)
    name = path.name or str(path)
    text = _read_text(path)
    columns: tuple[str, ...] | None = None
    rows: list[tuple[float, ...]] = []

    def fail(line: int, problem: str) -> DatasetError:
        return DatasetError(f"{name}, line {line}: {problem}", line)

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split(",")
        if columns is None:
            fields = [f.strip() for f in fields]
            if len(fields) not in _HEADERS:
                raise fail(lineno, f"expected 3 columns (x1, x2, label) or 2 (x, y), found {len(fields)}")
            columns = _HEADERS[len(fields)]
            if not all(_is_number(f) for f in fields):  # a header
                if [f.lower() for f in fields] != list(columns):
                    raise fail(lineno, f"the header must be {','.join(columns)}, not {line!r}")
                continue
        if len(fields) != len(columns):
            raise fail(lineno, f"expected {len(columns)} values ({', '.join(columns)}), found {len(fields)}")
        if len(rows) == MAX_ROWS:
            raise fail(lineno, f"more than {MAX_ROWS:,} rows")
        rows.append(_csv_row(fields, columns) or _refuse_row(fields, columns, partial(fail, lineno)))
    if not rows:
        raise DatasetError(f"{name}: no data rows")
    data = np.array(rows, dtype=np.float64)
    if len(columns) == 2:
        return Dataset(data[:, :1], data[:, 1], REGRESSION, 0, path.stem)
    classes, y = np.unique(data[:, 2], return_inverse=True)
    if len(classes) < 2:
        raise DatasetError(f"{name}: every row has label {classes[0]:g}; a classification needs two classes")
    if len(classes) > MAX_CLASSES:
        raise DatasetError(f"{name}: {len(classes)} different labels; at most {MAX_CLASSES} classes")
    return Dataset(data[:, :2], y.reshape(-1), CLASSIFICATION, len(classes), path.stem)
